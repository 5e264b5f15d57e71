"""Test factories for the movements app (used by tests/ only)."""

import factory
from factory.django import DjangoModelFactory

from .models import Field, MovementPage


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    slug = factory.Sequence(lambda n: f"linh-vuc-{n}")


def movement(slug: str) -> MovementPage:
    """One of the movements the initial migration creates ("dan-van-kheo", "chi-bo-bon-tot")."""
    return MovementPage.objects.get(slug=slug)
