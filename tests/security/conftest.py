"""Shared fixtures of the security suite: the permission table's roles and drafts, and what a browser would run."""

import pytest

from models_registry.factories import UnitMembershipFactory, UserFactory
from models_registry.models import UnitMembership
from models_registry.services.demo import OFFICERS, ensure_groups

# The permission table's fixtures (tests/models_registry/test_permissions.py), reused as they are.
from tests.models_registry.test_permissions import drafts, roles  # noqa: F401


@pytest.fixture
def stranger(roles, unit_tree):  # noqa: F811
    """An officer of another district's ward (Ô Chợ Dừa, under Đống Đa)."""
    user = UserFactory(username="canbo_ochodua")
    UnitMembershipFactory(user=user, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    user.groups.add(ensure_groups()[OFFICERS])
    return user


@pytest.fixture
def everyone(roles, stranger):  # noqa: F811
    """Every role of the permission table, plus the officer of another unit; None is the anonymous visitor."""
    return {"anonymous": None, **roles, "stranger": stranger}
