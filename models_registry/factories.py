"""Test factories for the registry (used by tests/ only): real rows, built through the services."""

import datetime

from django.contrib.auth import get_user_model

import factory
from factory.django import DjangoModelFactory

from movements.models import MovementPage

from . import services
from .models import Commendation, CommendationForm, PracticeModel, RecognitionLevel, Unit, UnitKind, UnitMembership


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    first_name = "Văn"
    last_name = "Nguyễn"
    password = factory.django.Password("matkhau-demo-2025")


class UnitFactory(DjangoModelFactory):
    """A unit placed in the tree: pass `parent=` for a child, none for a root."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Phường Số {n}")
    kind = UnitKind.COMMUNE
    is_active = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return services.add_unit(unit=model_class(**kwargs), parent=parent)


class UnitMembershipFactory(DjangoModelFactory):
    class Meta:
        model = UnitMembership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = UnitMembership.Role.OFFICER


class PracticeModelFactory(DjangoModelFactory):
    """A practice model, published by default (`live=False` keeps it a draft)."""

    class Meta:
        model = PracticeModel

    title = factory.Sequence(lambda n: f"Mô hình dân vận khéo số {n}")
    unit = factory.SubFactory(UnitFactory)
    movement = factory.LazyFunction(lambda: MovementPage.objects.get(slug="dan-van-kheo"))
    year = 2023
    summary = "Huy động Nhân dân cùng tham gia giữ gìn vệ sinh môi trường khu dân cư."
    results = "Khu dân cư sạch đẹp, Nhân dân đồng tình hưởng ứng."
    recognition_level = ""

    @classmethod
    def _create(cls, model_class, *args, live=True, **kwargs):
        instance = model_class(**kwargs)
        if live:
            return services.publish_practice_model(practice_model=instance)
        return services.save_draft(practice_model=instance)


class CommendationFactory(DjangoModelFactory):
    class Meta:
        model = Commendation

    practice_model = factory.SubFactory(PracticeModelFactory)
    form = CommendationForm.CERTIFICATE_OF_MERIT
    level = RecognitionLevel.DISTRICT
    decision_number = factory.Sequence(lambda n: f"{100 + n}/QĐ-UBND")
    decision_date = datetime.date(2023, 12, 15)
    issuing_body = "Ủy ban nhân dân quận Cầu Giấy"
