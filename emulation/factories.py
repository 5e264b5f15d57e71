"""Test factories for the emulation cycle (used by tests/ only)."""

import datetime
from decimal import Decimal

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from movements.models import MovementPage

from .models import Criterion, Cycle


def _today() -> datetime.date:
    return timezone.localdate()


class CycleFactory(DjangoModelFactory):
    """A cycle whose registration is open today (and evaluation too); pass dates for any other."""

    class Meta:
        model = Cycle

    movement = factory.LazyFunction(lambda: MovementPage.objects.get(slug="dan-van-kheo"))
    name = factory.Sequence(lambda n: f"Đợt thi đua số {n}")
    starts_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=300))
    year = factory.LazyAttribute(lambda o: o.starts_on.year)
    registration_opens = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    registration_closes = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    evaluation_deadline = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=60))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        cycle = model_class(*args, **kwargs)
        cycle.full_clean()
        cycle.save()
        return cycle


def year_cycle(*, year: int, movement: MovementPage | None = None, **overrides) -> Cycle:
    """A calendar-year cycle: registration in the first quarter, evaluation by 15 December."""
    values = {
        "name": f"Năm {year}",
        "year": year,
        "starts_on": datetime.date(year, 1, 1),
        "ends_on": datetime.date(year, 12, 31),
        "registration_opens": datetime.date(year, 1, 15),
        "registration_closes": datetime.date(year, 3, 31),
        "evaluation_deadline": datetime.date(year, 12, 15),
        **overrides,
    }
    if movement is not None:
        values["movement"] = movement
    return CycleFactory(**values)


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    movement = factory.LazyFunction(lambda: MovementPage.objects.get(slug="dan-van-kheo"))
    name = factory.Sequence(lambda n: f"Tiêu chí số {n}")
    kind = Criterion.Kind.WEIGHTED
    weight = Decimal("1")
    max_score = Decimal("10")
    sort_order = factory.Sequence(lambda n: 100 + n)
