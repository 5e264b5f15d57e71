"""Fixtures of the emulation tests: reviewers around the shared unit tree, the seeded criteria, a model."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from emulation import selectors
from emulation.factories import CycleFactory
from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import UnitMembership


@pytest.fixture
def reviewers(users, unit_tree):
    """Two reviewers of Cầu Giấy (scoring Dịch Vọng's models), one of the city and one of Đống Đa."""
    second = UserFactory(username="duyet_caugiay_2", first_name="Thu", last_name="Trần")
    city = UserFactory(username="duyet_thanhpho")
    dong_da = UserFactory(username="duyet_dongda")
    UnitMembershipFactory(user=second, unit=unit_tree.cau_giay, role=UnitMembership.Role.REVIEWER)
    UnitMembershipFactory(user=city, unit=unit_tree.city, role=UnitMembership.Role.REVIEWER)
    UnitMembershipFactory(user=dong_da, unit=unit_tree.dong_da, role=UnitMembership.Role.REVIEWER)
    return SimpleNamespace(first=users.reviewer, second=second, city=city, dong_da=dong_da)


@pytest.fixture
def dvk_criteria(dvk):
    """The seeded "Dân vận khéo" criteria: four of 25 points each, then one pass/fail condition."""
    return selectors.criteria_in_use(movement_id=dvk.pk)


@pytest.fixture
def cycle(dvk):
    """A "Dân vận khéo" cycle whose registration and evaluation are open today."""
    return CycleFactory(movement=dvk, name="Năm thi đua hiện tại")


@pytest.fixture
def practice_model(unit_tree, dvk, fields):
    return PracticeModelFactory(
        title="Ngõ phố xanh - sạch - đẹp", unit=unit_tree.dich_vong, movement=dvk, field=fields["van-hoa-xa-hoi"]
    )


def marks(criteria, points, met=True) -> dict:
    """A reviewer's scores: `points` (one number for all, or one per points criterion), `met` for the others."""
    weighted = [criterion for criterion in criteria if criterion.is_weighted]
    values = points if isinstance(points, list | tuple) else [points] * len(weighted)
    scores = {criterion: Decimal(str(value)) for criterion, value in zip(weighted, values, strict=True)}
    for criterion in criteria:
        if not criterion.is_weighted:
            scores[criterion] = met
    return scores
