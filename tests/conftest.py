"""Shared fixtures: the unit tree, users per role and the movements the migrations create."""

from types import SimpleNamespace

from django.core.cache import cache

import pytest

from models_registry.factories import UnitFactory, UnitMembershipFactory, UserFactory
from models_registry.models import UnitKind, UnitMembership
from movements.models import Field, HomePage, MovementPage


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: there is one per process, but each test has its own data
    (what is cached for longer than a version token lasts, such as word counts, would leak across)."""
    cache.clear()


@pytest.fixture
def home_page(db):
    return HomePage.objects.get()


@pytest.fixture
def dvk(db):
    return MovementPage.objects.get(slug="dan-van-kheo")


@pytest.fixture
def cb4t(db):
    return MovementPage.objects.get(slug="chi-bo-bon-tot")


@pytest.fixture
def fields(db):
    return {field.slug: field for field in Field.objects.all()}


@pytest.fixture
def unit_tree(db):
    """Hà Nội → Cầu Giấy (→ Dịch Vọng → a party cell; → the district's women's union) and Đống Đa."""
    city = UnitFactory(code="HN", name="Thành phố Hà Nội", kind=UnitKind.CITY)
    cau_giay = UnitFactory(code="HN-CG", name="Quận Cầu Giấy", kind=UnitKind.DISTRICT, parent=city)
    dich_vong = UnitFactory(code="HN-CG-DV", name="Phường Dịch Vọng", kind=UnitKind.COMMUNE, parent=cau_giay)
    cell = UnitFactory(code="HN-CG-DV-CB1", name="Chi bộ Tổ dân phố số 1", kind=UnitKind.PARTY_CELL, parent=dich_vong)
    women = UnitFactory(
        code="HN-CG-PN", name="Hội Liên hiệp Phụ nữ quận Cầu Giấy", kind=UnitKind.ORGANISATION, parent=cau_giay
    )
    dong_da = UnitFactory(code="HN-DD", name="Quận Đống Đa", kind=UnitKind.DISTRICT, parent=city)
    o_cho_dua = UnitFactory(code="HN-DD-OCD", name="Phường Ô Chợ Dừa", kind=UnitKind.COMMUNE, parent=dong_da)
    for unit in (city, cau_giay, dich_vong, cell, women, dong_da, o_cho_dua):
        unit.refresh_from_db()
    return SimpleNamespace(
        city=city, cau_giay=cau_giay, dich_vong=dich_vong, cell=cell, women=women, dong_da=dong_da, o_cho_dua=o_cho_dua
    )


@pytest.fixture
def users(db, unit_tree):
    """One user per role: administrator, a district reviewer and a ward officer."""
    admin = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    reviewer = UserFactory(username="duyet_caugiay")
    officer = UserFactory(username="canbo_dichvong")
    UnitMembershipFactory(user=reviewer, unit=unit_tree.cau_giay, role=UnitMembership.Role.REVIEWER)
    UnitMembershipFactory(user=officer, unit=unit_tree.dich_vong, role=UnitMembership.Role.OFFICER)
    return SimpleNamespace(admin=admin, reviewer=reviewer, officer=officer)
