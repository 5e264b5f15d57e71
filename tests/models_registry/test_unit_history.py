"""Unit history (issue 5, item 7): renames, merges, splits and moves, recorded with dates and applied
all or nothing; each model keeps its unit's name at submission; a successor's scope takes in its
predecessors' subtrees (`selectors.unit_scope_paths`)."""

import datetime
import importlib

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest

from models_registry.factories import PracticeModelFactory, UnitFactory, UserFactory
from models_registry.models import PracticeModel, Unit, UnitChange, UnitChangeKind, UnitChangeLink, UnitKind
from models_registry.selectors import unit_scope_paths
from models_registry.services.unit_history import LOG_ACTION, record_unit_change
from search.models import SearchEntry

EFFECTIVE = datetime.date(2025, 7, 1)


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def merge(*predecessors, into, effective_date=EFFECTIVE, **kwargs):
    return record_unit_change(
        kind=UnitChangeKind.MERGE,
        effective_date=effective_date,
        predecessors=predecessors,
        successors=[into],
        **kwargs,
    )


@pytest.fixture
def new_ward(unit_tree):
    """The ward the 2025 reorganisation made of Dịch Vọng and Ô Chợ Dừa (created first, as officers do)."""
    return UnitFactory(code="HN-PCG", name="Phường Cầu Giấy", kind=UnitKind.COMMUNE, parent=unit_tree.city)


# Renames ---------------------------------------------------------------------------------------


def test_rename_keeps_the_old_name_on_record_and_on_the_units_models(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    assert model.submitted_unit_name == "Phường Dịch Vọng"
    change = record_unit_change(
        kind=UnitChangeKind.RENAME,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.dich_vong],
        new_name="  Phường   Dịch Vọng mới ",
        legal_basis="Nghị quyết số 1656/NQ-UBTVQH15",
    )
    assert fresh(unit_tree.dich_vong).name == "Phường Dịch Vọng mới"
    links = {link.role: link.name for link in change.links.all()}
    assert links == {
        UnitChangeLink.Role.PREDECESSOR: "Phường Dịch Vọng",
        UnitChangeLink.Role.SUCCESSOR: "Phường Dịch Vọng mới",
    }
    model.refresh_from_db()
    assert model.submitted_unit_name == "Phường Dịch Vọng"
    assert model.unit_name_differs
    # A rename is not a succession: the unit's scope is its own subtree.
    assert unit_scope_paths(["HN-CG-DV"]) == {"HN-CG-DV": [unit_tree.dich_vong.path]}


def test_rename_gives_models_created_in_bulk_the_old_name(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.o_cho_dua, movement=dvk)
    PracticeModel.objects.filter(pk=model.pk).update(submitted_unit_name="")  # as imports and demo data write them
    record_unit_change(
        kind=UnitChangeKind.RENAME, effective_date=EFFECTIVE, predecessors=[unit_tree.o_cho_dua], new_name="Phường Mới"
    )
    model.refresh_from_db()
    assert model.submitted_unit_name == "Phường Ô Chợ Dừa"


@pytest.mark.parametrize(
    ("new_name", "field"),
    [("", "new_name"), ("Phường Dịch Vọng", "new_name")],
)
def test_rename_refuses_an_empty_or_unchanged_name(unit_tree, new_name, field):
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=UnitChangeKind.RENAME, effective_date=EFFECTIVE, predecessors=[unit_tree.dich_vong], new_name=new_name
        )
    assert field in error.value.message_dict
    assert fresh(unit_tree.dich_vong).name == "Phường Dịch Vọng"
    assert not UnitChange.objects.exists()


def test_rename_concerns_one_unit(unit_tree):
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=UnitChangeKind.RENAME,
            effective_date=EFFECTIVE,
            predecessors=[unit_tree.dich_vong, unit_tree.o_cho_dua],
            new_name="Tên mới",
        )
    assert "predecessors" in error.value.message_dict


def test_a_unit_renamed_under_a_model_shows_its_name_at_submission_on_the_model_page(client, unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, title="Dân vận khéo ở Dịch Vọng")
    label = "Đơn vị (tên tại thời điểm gửi)"
    assert label not in client.get(model.url).content.decode()
    record_unit_change(
        kind=UnitChangeKind.RENAME, effective_date=EFFECTIVE, predecessors=[unit_tree.dich_vong], new_name="Phường Mới"
    )
    html = client.get(model.url).content.decode()
    assert label in html
    assert "Phường Dịch Vọng" in html
    assert "Phường Mới" in html


# Names at submission ---------------------------------------------------------------------------


def test_a_model_moved_to_another_unit_takes_that_units_name(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    model.unit = unit_tree.o_cho_dua
    model.full_clean()
    assert model.submitted_unit_name == "Phường Ô Chợ Dừa"


def test_publishing_an_old_revision_keeps_the_name_at_submission(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    revision = model.latest_revision
    content = dict(revision.content)
    content.pop("submitted_unit_name")  # a revision saved before the field existed
    revision.content = content
    revision.save()
    revision.publish()
    model.refresh_from_db()
    assert model.submitted_unit_name == "Phường Dịch Vọng"


def test_the_migration_fills_the_name_of_existing_models(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.cell, movement=dvk)
    PracticeModel.objects.filter(pk=model.pk).update(submitted_unit_name="")
    migration = importlib.import_module("models_registry.migrations.0007_unit_history")
    migration.fill_submitted_unit_names(apps, None)
    model.refresh_from_db()
    assert model.submitted_unit_name == "Chi bộ Tổ dân phố số 1"


# Merges and splits -----------------------------------------------------------------------------


def test_merge_deactivates_the_merged_units_and_records_the_change(unit_tree, new_ward):
    admin = UserFactory(username="quantri_lichsu", is_superuser=True)
    change = merge(unit_tree.dich_vong, unit_tree.o_cho_dua, into=new_ward, user=admin, note="Sắp xếp 2025")
    assert not fresh(unit_tree.dich_vong).is_active
    assert not fresh(unit_tree.o_cho_dua).is_active
    assert fresh(new_ward).is_active
    assert change.recorded_by == admin
    assert change.predecessor_names == ["Phường Dịch Vọng", "Phường Ô Chợ Dừa"]
    assert change.successor_names == ["Phường Cầu Giấy"]
    parents = {link.unit.code: link.parent.code for link in change.links.all()}
    assert parents == {"HN-CG-DV": "HN-CG", "HN-DD-OCD": "HN-DD", "HN-PCG": "HN"}
    assert ModelLogEntry.objects.filter(action=LOG_ACTION, object_id=str(unit_tree.dich_vong.pk)).exists()
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(change.pk)).exists()


def test_a_unit_absorbing_another_stays_active(unit_tree):
    merge(unit_tree.dich_vong, unit_tree.women, into=unit_tree.dich_vong)
    assert fresh(unit_tree.dich_vong).is_active
    assert not fresh(unit_tree.women).is_active
    assert unit_scope_paths(["HN-CG-DV"])["HN-CG-DV"] == sorted([unit_tree.dich_vong.path, unit_tree.women.path])


def test_split_deactivates_the_divided_unit_unless_it_goes_on(unit_tree, new_ward):
    record_unit_change(
        kind=UnitChangeKind.SPLIT,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.o_cho_dua],
        successors=[new_ward, unit_tree.o_cho_dua],
    )
    assert fresh(unit_tree.o_cho_dua).is_active
    record_unit_change(
        kind=UnitChangeKind.SPLIT,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.women],
        successors=[new_ward, unit_tree.dich_vong],
    )
    assert not fresh(unit_tree.women).is_active


@pytest.mark.parametrize(
    ("kind", "before", "after", "field"),
    [
        (UnitChangeKind.MERGE, ["dich_vong", "o_cho_dua"], [], "successors"),
        (UnitChangeKind.MERGE, ["dich_vong", "o_cho_dua"], ["cau_giay", "dong_da"], "successors"),
        (UnitChangeKind.MERGE, ["dich_vong"], ["dich_vong"], "predecessors"),
        (UnitChangeKind.MERGE, [], ["dich_vong"], "predecessors"),
        (UnitChangeKind.SPLIT, ["dich_vong", "o_cho_dua"], ["cell"], "predecessors"),
        (UnitChangeKind.SPLIT, ["dich_vong"], ["dich_vong"], "successors"),
    ],
)
def test_bad_merges_and_splits_change_nothing(unit_tree, kind, before, after, field):
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=kind,
            effective_date=EFFECTIVE,
            predecessors=[getattr(unit_tree, name) for name in before],
            successors=[getattr(unit_tree, name) for name in after],
        )
    assert field in error.value.message_dict
    assert not UnitChange.objects.exists()
    assert not Unit.objects.filter(is_active=False).exists()


def test_a_merge_into_a_unit_that_no_longer_exists_is_refused(unit_tree, new_ward):
    merge(unit_tree.o_cho_dua, into=new_ward)
    with pytest.raises(ValidationError) as error:
        merge(unit_tree.dich_vong, into=unit_tree.o_cho_dua)
    assert "successors" in error.value.message_dict
    assert fresh(unit_tree.dich_vong).is_active
    assert UnitChange.objects.count() == 1


def test_a_change_cannot_make_a_unit_its_own_predecessor(unit_tree, new_ward):
    merge(unit_tree.dich_vong, into=new_ward)
    record_unit_change(
        kind=UnitChangeKind.SPLIT,
        effective_date=EFFECTIVE,
        predecessors=[new_ward],
        successors=[new_ward, unit_tree.o_cho_dua],
    )
    # Ô Chợ Dừa came out of the new ward: merging it back into the ward would make each count the other.
    with pytest.raises(ValidationError) as error:
        merge(unit_tree.o_cho_dua, into=new_ward)
    assert "successors" in error.value.message_dict


def test_the_effective_date_cannot_be_in_the_future(unit_tree, new_ward):
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=UnitChangeKind.MERGE,
            effective_date=timezone.localdate() + datetime.timedelta(days=1),
            predecessors=[unit_tree.dich_vong],
            successors=[new_ward],
        )
    assert "effective_date" in error.value.message_dict
    assert fresh(unit_tree.dich_vong).is_active


# Moves -----------------------------------------------------------------------------------------


def test_move_rehangs_the_unit_and_the_search_index_follows(unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.cell, movement=dvk)
    change = record_unit_change(
        kind=UnitChangeKind.MOVE,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.dich_vong],
        new_parent=unit_tree.city,
        legal_basis="Cấp huyện kết thúc hoạt động từ 01/7/2025",
    )
    moved = fresh(unit_tree.dich_vong)
    assert moved.get_parent().code == "HN"
    before, after = (
        change.links.get(role=UnitChangeLink.Role.PREDECESSOR),
        change.links.get(role=UnitChangeLink.Role.SUCCESSOR),
    )
    assert (before.parent.code, after.parent.code) == ("HN-CG", "HN")
    cell = fresh(unit_tree.cell)
    assert cell.path.startswith(moved.path)
    assert SearchEntry.objects.get(pk=model.pk).unit_path == cell.path
    # A move is not a succession either.
    assert unit_scope_paths(["HN-CG-DV"]) == {"HN-CG-DV": [moved.path]}


def test_move_refuses_a_unit_below_itself_or_where_it_already_is(unit_tree):
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=UnitChangeKind.MOVE,
            effective_date=EFFECTIVE,
            predecessors=[unit_tree.cau_giay],
            new_parent=unit_tree.dich_vong,
        )
    assert "new_parent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_unit_change(
            kind=UnitChangeKind.MOVE,
            effective_date=EFFECTIVE,
            predecessors=[unit_tree.dich_vong],
            new_parent=unit_tree.cau_giay,
        )
    assert "predecessors" in error.value.message_dict
    assert fresh(unit_tree.cau_giay).get_parent().code == "HN"


# Who may record -------------------------------------------------------------------------------


def test_only_users_allowed_to_record_unit_changes_may(unit_tree, users, new_ward):
    with pytest.raises(PermissionDenied):
        merge(unit_tree.dich_vong, into=new_ward, user=users.reviewer)
    assert fresh(unit_tree.dich_vong).is_active
    users.reviewer.user_permissions.add(Permission.objects.get(codename="add_unitchange"))
    reviewer = type(users.reviewer).objects.get(pk=users.reviewer.pk)  # fresh permission cache
    merge(unit_tree.dich_vong, into=new_ward, user=reviewer)
    assert not fresh(unit_tree.dich_vong).is_active


# Scopes ---------------------------------------------------------------------------------------


def test_unit_scope_paths_take_in_predecessors_transitively_and_drop_nested_paths(unit_tree, new_ward):
    older = UnitFactory(code="HN-XA-CU", name="Xã cũ", parent=unit_tree.dong_da)
    merge(older, into=unit_tree.o_cho_dua, effective_date=datetime.date(2020, 1, 1))
    merge(unit_tree.o_cho_dua, unit_tree.cell, into=new_ward)
    scopes = unit_scope_paths(["HN-PCG", "HN-DD", "HN", "NOPE"])
    assert scopes["HN-PCG"] == sorted([new_ward.path, unit_tree.o_cho_dua.path, older.path, unit_tree.cell.path])
    # Đống Đa holds Ô Chợ Dừa and the old commune already: nothing to add.
    assert scopes["HN-DD"] == [unit_tree.dong_da.path]
    # The city holds everything: one path.
    assert scopes["HN"] == [unit_tree.city.path]
    assert "NOPE" not in scopes


def test_a_unit_takes_in_the_predecessors_of_the_units_below_it(unit_tree, new_ward):
    # The new ward hangs under Cầu Giấy and succeeded Ô Chợ Dừa, which is under Đống Đa.
    ward = UnitFactory(code="HN-CG-MOI", name="Phường mới", parent=unit_tree.cau_giay)
    merge(unit_tree.o_cho_dua, into=ward)
    assert unit_scope_paths(["HN-CG"])["HN-CG"] == sorted([fresh(unit_tree.cau_giay).path, unit_tree.o_cho_dua.path])


# The admin screens ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


def test_the_admin_records_a_merge(admin_client, unit_tree, new_ward):
    url = reverse("unitchange:add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "kind": UnitChangeKind.MERGE,
            "effective_date": "01/07/2025",
            "predecessors": "HN-CG-DV, hn-dd-ocd",
            "successors": "HN-PCG",
            "legal_basis": "Nghị quyết số 1656/NQ-UBTVQH15",
            "note": "",
            "new_name": "",
            "new_parent": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = UnitChange.objects.get()
    assert change.effective_date == EFFECTIVE
    assert not fresh(unit_tree.o_cho_dua).is_active
    listing = admin_client.get(reverse("unitchange:index")).content.decode()
    assert "Phường Dịch Vọng, Phường Ô Chợ Dừa → Phường Cầu Giấy" in listing
    assert "Sáp nhập" in listing


def test_bad_input_in_the_admin_says_why_and_changes_nothing(admin_client, unit_tree, new_ward):
    response = admin_client.post(
        reverse("unitchange:add"),
        {
            "kind": UnitChangeKind.MERGE,
            "effective_date": "01/07/2025",
            "predecessors": "HN-CG-DV",
            "successors": "HN-PCG, HN-DD",
            "legal_basis": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "Sáp nhập có đúng một đơn vị sau thay đổi" in response.content.decode()
    response = admin_client.post(
        reverse("unitchange:add"),
        {"kind": UnitChangeKind.MERGE, "effective_date": "01/07/2025", "predecessors": "KHONG-CO", "successors": ""},
    )
    assert "Không có đơn vị nào mang mã “KHONG-CO”." in response.content.decode()
    assert not UnitChange.objects.exists()
    assert fresh(unit_tree.dich_vong).is_active


def test_a_recorded_change_is_corrected_but_never_deleted(admin_client, unit_tree, new_ward):
    change = merge(unit_tree.dich_vong, into=new_ward)
    response = admin_client.post(
        reverse("unitchange:edit", args=[change.pk]),
        {"effective_date": "02/07/2025", "legal_basis": "Quyết định số 12/QĐ-UBND", "note": "Đính chính"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.effective_date, change.legal_basis) == (datetime.date(2025, 7, 2), "Quyết định số 12/QĐ-UBND")
    assert admin_client.post(reverse("unitchange:delete", args=[change.pk])).status_code in (302, 403)
    assert UnitChange.objects.filter(pk=change.pk).exists()


def unit_edit(unit: Unit, **changes) -> dict:
    parent = unit.get_parent()
    data = {
        "parent": parent.pk if parent else "",
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "is_active": "on",
        "description": unit.description,
        "effective_date": "",
        "legal_basis": "",
    }
    return {**data, **changes}


def test_a_rename_in_the_units_screen_is_recorded_in_the_history(admin_client, unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    url = reverse("wagtailsnippets_models_registry_unit:edit", args=[unit_tree.dich_vong.pk])
    assert "Ngày thay đổi có hiệu lực" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        unit_edit(
            unit_tree.dich_vong,
            name="Phường  Dịch Vọng Hậu",
            effective_date="01/07/2025",
            legal_basis="Nghị quyết số 1656/NQ-UBTVQH15",
            description="Mô tả mới",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = fresh(unit_tree.dich_vong)
    assert (unit.name, unit.description) == ("Phường Dịch Vọng Hậu", "Mô tả mới")
    change = UnitChange.objects.get()
    assert (change.kind, change.effective_date, change.legal_basis) == (
        UnitChangeKind.RENAME,
        EFFECTIVE,
        "Nghị quyết số 1656/NQ-UBTVQH15",
    )
    assert [(link.role, link.name) for link in change.links.order_by("role")] == [
        (UnitChangeLink.Role.PREDECESSOR, "Phường Dịch Vọng"),
        (UnitChangeLink.Role.SUCCESSOR, "Phường Dịch Vọng Hậu"),
    ]
    model.refresh_from_db()
    assert model.submitted_unit_name == "Phường Dịch Vọng"


def test_a_move_in_the_units_screen_is_recorded_dated_today_by_default(admin_client, unit_tree):
    url = reverse("wagtailsnippets_models_registry_unit:edit", args=[unit_tree.dich_vong.pk])
    response = admin_client.post(url, unit_edit(unit_tree.dich_vong, parent=unit_tree.dong_da.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(unit_tree.dich_vong).get_parent().code == "HN-DD"
    change = UnitChange.objects.get()
    assert (change.kind, change.effective_date) == (UnitChangeKind.MOVE, timezone.localdate())
    # Editing only the description records nothing.
    admin_client.post(url, unit_edit(fresh(unit_tree.dich_vong), description="Chỉ sửa mô tả"))
    assert UnitChange.objects.count() == 1
    assert fresh(unit_tree.dich_vong).description == "Chỉ sửa mô tả"


def test_a_refused_rename_in_the_units_screen_says_why_and_saves_nothing(admin_client, client, unit_tree):
    url = reverse("wagtailsnippets_models_registry_unit:edit", args=[unit_tree.dich_vong.pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    response = admin_client.post(
        url, unit_edit(unit_tree.dich_vong, name="Tên mới", effective_date=future, description="Không lưu")
    )
    assert response.status_code == 200
    assert "Ngày có hiệu lực không được ở tương lai" in response.content.decode()
    assert (fresh(unit_tree.dich_vong).name, fresh(unit_tree.dich_vong).description) == ("Phường Dịch Vọng", "")
    assert not UnitChange.objects.exists()

    # Someone who may edit units but not record their history cannot rename through this screen either.
    editor = UserFactory(username="bientap_donvi")
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "change_unit", "view_unit"]))
    client.force_login(editor)
    response = client.post(url, unit_edit(unit_tree.dich_vong, name="Tên khác"))
    assert response.status_code == 200
    assert "không có quyền ghi nhận" in response.content.decode()
    assert fresh(unit_tree.dich_vong).name == "Phường Dịch Vọng"
    response = client.post(url, unit_edit(unit_tree.dich_vong, description="Được sửa"))
    assert response.status_code == 302
    assert fresh(unit_tree.dich_vong).description == "Được sửa"
