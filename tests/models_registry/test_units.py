from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from models_registry import services
from models_registry.factories import PracticeModelFactory, UnitFactory
from models_registry.models import PracticeModel, Unit, UnitKind


def test_subtree_is_one_indexed_prefix_query(unit_tree):
    with CaptureQueriesContext(connection) as queries:
        codes = set(Unit.objects.subtree(unit_tree.cau_giay).values_list("code", flat=True))
    assert codes == {"HN-CG", "HN-CG-DV", "HN-CG-DV-CB1", "HN-CG-PN"}
    assert len(queries) == 1
    assert "LIKE" in queries[0]["sql"].upper()


def test_models_under_a_unit_include_every_unit_below_it(unit_tree, dvk):
    in_cell = PracticeModelFactory(unit=unit_tree.cell)
    in_district = PracticeModelFactory(unit=unit_tree.cau_giay)
    elsewhere = PracticeModelFactory(unit=unit_tree.o_cho_dua)
    under_cau_giay = set(PracticeModel.objects.under(unit_tree.cau_giay))
    assert under_cau_giay == {in_cell, in_district}
    assert set(PracticeModel.objects.under(unit_tree.city)) == {in_cell, in_district, elsewhere}
    with CaptureQueriesContext(connection) as queries:
        list(PracticeModel.objects.under(unit_tree.dich_vong))
    assert len(queries) == 1


def test_add_unit_validates_the_code(unit_tree):
    with pytest.raises(ValidationError) as error:
        services.add_unit(unit=Unit(code="HN CG ?", name="Sai mã", kind=UnitKind.DISTRICT), parent=unit_tree.city)
    assert "code" in error.value.message_dict


def test_add_unit_refuses_a_duplicate_code(unit_tree):
    with pytest.raises(ValidationError) as error:
        services.add_unit(unit=Unit(code="HN-CG", name="Trùng mã", kind=UnitKind.DISTRICT), parent=unit_tree.city)
    assert "code" in error.value.message_dict


def test_move_unit_carries_its_subtree(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.cell)
    services.move_unit(unit=unit_tree.dich_vong, parent=unit_tree.dong_da)
    unit_tree.dong_da.refresh_from_db()
    assert Unit.objects.get(code="HN-CG-DV-CB1").get_parent().code == "HN-CG-DV"
    assert model in PracticeModel.objects.under(unit_tree.dong_da)
    unit_tree.cau_giay.refresh_from_db()
    assert model not in PracticeModel.objects.under(unit_tree.cau_giay)


def test_move_unit_refuses_to_go_below_itself(unit_tree):
    with pytest.raises(ValidationError):
        services.move_unit(unit=unit_tree.cau_giay, parent=unit_tree.dich_vong)


def test_unit_can_become_a_root(unit_tree):
    services.move_unit(unit=unit_tree.dong_da, parent=None)
    assert Unit.objects.get(code="HN-DD").is_root()
    assert Unit.objects.get(code="HN-DD-OCD").get_parent().code == "HN-DD"


def test_factory_builds_a_tree_of_any_depth(db):
    parent = UnitFactory(code="ROOT", kind=UnitKind.CITY)
    for depth in range(5):
        parent = UnitFactory(code=f"L{depth}", parent=parent)
    assert parent.depth == 6
    assert [u.code for u in parent.get_ancestors()] == ["ROOT", "L0", "L1", "L2", "L3"]


def test_models_under_a_root_exclude_other_roots(unit_tree, dvk):
    in_hanoi = PracticeModelFactory(unit=unit_tree.dich_vong)
    hai_phong = UnitFactory(code="HP", name="Thành phố Hải Phòng", kind=UnitKind.CITY)
    in_hai_phong = PracticeModelFactory(unit=hai_phong)
    unit_tree.city.refresh_from_db()
    assert set(PracticeModel.objects.under(unit_tree.city)) == {in_hanoi}
    assert set(PracticeModel.objects.under(hai_phong)) == {in_hai_phong}
