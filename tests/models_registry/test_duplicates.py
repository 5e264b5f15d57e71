"""Duplicate detection (issue 6): flags on import and on saving in the admin, earlier-year links,
re-import idempotence, the officer's three decisions and the admin screens."""

import csv
from io import StringIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wagtail.models import ModelLogEntry, Revision

import pytest

from models_registry.duplicates import CandidateIndex, Fingerprint, compare, entry_for, find_twins
from models_registry.factories import CommendationFactory, PracticeModelFactory, UserFactory
from models_registry.models import DuplicateFlag, PracticeModel, PracticeModelImage, UnitMembership
from models_registry.services import duplicates as duplicate_services
from models_registry.services.imports import import_models

HEADER = ["external_id", "title", "unit_code", "movement", "field", "year", "summary"]
STORY = (
    "Chi bộ vận động Nhân dân phân loại rác tại nguồn, trồng cây xanh dọc các tuyến ngõ, "
    "lắp camera an ninh và duy trì tổng vệ sinh vào sáng chủ nhật hằng tuần."
)
OTHER_STORY = (
    "Hội Phụ nữ mở lớp dạy nghề may công nghiệp cho chị em khó khăn, giới thiệu việc làm "
    "tại các doanh nghiệp trên địa bàn và cho vay vốn không lãi để mua máy may."
)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English here; the admin screens switch to Vietnamese themselves."""
    with translation.override("en"):
        yield


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def row(code, title, *, unit="HN-CG-DV", year="2024", summary=STORY):
    return [code, title, unit, "dan-van-kheo", "kinh-te", year, summary]


def model(title, unit, *, year=2023, summary=STORY, live=True, **extra):
    return PracticeModelFactory(title=title, unit=unit, year=year, summary=summary, live=live, **extra)


def flags():
    return list(
        DuplicateFlag.objects.order_by("pk").values_list("practice_model__external_id", "twin__title", "status")
    )


# --- similarity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Tổ dân phố văn minh", "TO DAN PHO VAN MINH"),  # without diacritics, other case
        ("Tổ dân phố văn minh", "Tổ dân phố văn minh năm 2024"),  # the year is not part of the title
        ("Giải phóng mặt bằng nhanh ở phường Dịch Vọng", "Phường Dịch Vọng giải phóng mặt bằng nhanh"),  # reordered
        ("Mô hình “Dân vận khéo” xây dựng nông thôn mới", "Xay dung nong thon moi"),  # the movement's words
    ],
)
def test_titles_alike(first, second):
    similarity = compare(Fingerprint.of(title=first), Fingerprint.of(title=second))
    assert similarity is not None and similarity.score >= 0.75


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mô hình dân vận khéo trong xây dựng nông thôn mới", "Mô hình dân vận khéo trong giải phóng mặt bằng"),
        ("Chi bộ tổ dân phố số 1 bốn tốt", "Chi bộ tổ dân phố số 2 bốn tốt"),  # other numbers
        ("Ngõ xanh sạch đẹp", "Lớp dạy nghề may cho phụ nữ"),
    ],
)
def test_titles_not_alike(first, second):
    assert compare(Fingerprint.of(title=first), Fingerprint.of(title=second)) is None


def test_a_copied_story_is_alike_whatever_the_title():
    similarity = compare(
        Fingerprint.of(title="Ngõ xanh sạch đẹp", text=STORY),
        Fingerprint.of(title="Khu dân cư kiểu mẫu", text=STORY.replace("Chi bộ", "Tổ dân phố")),
    )
    assert similarity is not None and similarity.reasons == ("similar_story",)
    assert compare(Fingerprint.of(title="A", text=STORY), Fingerprint.of(title="B", text=OTHER_STORY)) is None


# --- import --------------------------------------------------------------------------------------------


def test_import_flags_twins_with_and_without_diacritics_and_reordered_words(unit_tree, dvk, tmp_path):
    existing = model("Tổ dân phố văn minh", unit_tree.dich_vong, summary="")
    neighbour = model("Giải phóng mặt bằng nhanh ở phường Dịch Vọng", unit_tree.cau_giay, summary="")
    path = write_csv(
        tmp_path / "mo-hinh.csv",
        [
            row("M1", "TO DAN PHO VAN MINH", year="2023", summary=""),
            row("M2", "Phường Dịch Vọng giải phóng mặt bằng nhanh", summary=""),
            row("M3", "Lớp dạy nghề may cho phụ nữ", summary=""),
        ],
    )
    preview = import_models(source=path, dry_run=True)
    assert preview.ok and preview.created == 3
    assert preview.warnings == [
        f"Row 2 (M1) looks like #{existing.pk} “Tổ dân phố văn minh” (Phường Dịch Vọng, 2023): "
        "same unit, same title, same year, 100% alike.",
        f"Row 3 (M2) looks like #{neighbour.pk} “Giải phóng mặt bằng nhanh ở phường Dịch Vọng” (Quận Cầu Giấy, 2023): "
        "the unit above, similar title, another year, 100% alike.",
    ]
    assert not DuplicateFlag.objects.exists()  # a preview stores nothing

    result = import_models(source=path)
    assert result.ok and result.created == 3
    assert flags() == [
        ("M1", "Tổ dân phố văn minh", "open"),
        ("M2", "Giải phóng mặt bằng nhanh ở phường Dịch Vọng", "open"),
    ]
    flag = DuplicateFlag.objects.get(practice_model__external_id="M1")
    assert flag.reason == "same_unit same_title same_year" and flag.score == 1.0


def test_import_does_not_flag_unrelated_units_or_titles(unit_tree, dvk, tmp_path):
    model("Tổ dân phố văn minh", unit_tree.o_cho_dua)  # another district: not a related unit
    model("Lớp dạy nghề may cho phụ nữ", unit_tree.dich_vong, summary=OTHER_STORY)
    path = write_csv(
        tmp_path / "mo-hinh.csv", [row("M1", "Tổ dân phố văn minh"), row("M2", "Ngõ xanh sạch đẹp", summary="")]
    )
    result = import_models(source=path)
    assert result.ok and result.created == 2
    assert result.warnings == []
    assert not DuplicateFlag.objects.exists()


def test_a_model_registered_again_for_a_new_year_is_linked_not_flagged(unit_tree, dvk, tmp_path):
    first = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2022, external_id="TDP-2022")
    second = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023, previous_record=first)
    path = write_csv(tmp_path / "mo-hinh.csv", [row("TDP-2024", "To dan pho van minh nam 2024", year="2024")])

    preview = import_models(source=path, dry_run=True)
    assert preview.warnings == [
        f"Row 2 (TDP-2024): linked to the record of 2023: #{second.pk} “Tổ dân phố văn minh” (Phường Dịch Vọng, 2023)."
    ]
    result = import_models(source=path)
    assert result.ok and result.created == 1
    created = PracticeModel.objects.get(external_id="TDP-2024")
    assert created.previous_record == second
    # The link is part of the model's content: publishing its draft keeps it.
    assert created.latest_revision.content["previous_record"] == second.pk
    created.latest_revision.publish()
    created.refresh_from_db()
    assert created.previous_record == second
    assert not DuplicateFlag.objects.exists()


def test_same_title_in_the_same_year_is_flagged_not_linked(unit_tree, dvk, tmp_path):
    earlier = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023)
    same_year = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2024)
    result = import_models(source=write_csv(tmp_path / "mo-hinh.csv", [row("M1", "Tổ dân phố văn minh")]))
    created = PracticeModel.objects.get(external_id="M1")
    assert created.previous_record is None
    assert {flag.twin for flag in created.duplicate_flags.all()} == {same_year, earlier}
    assert "same year" in result.warnings[0]


def test_reimporting_the_same_file_changes_nothing(unit_tree, dvk, tmp_path):
    model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023)
    model("Ngõ xanh sạch đẹp", unit_tree.dich_vong, year=2024, summary="")
    path = write_csv(
        tmp_path / "mo-hinh.csv",
        [
            row("M1", "Tổ dân phố văn minh"),  # linked to 2023
            row("M2", "Ngo xanh sach dep", summary=""),  # flagged
            row("M3", "Lớp dạy nghề may cho phụ nữ", summary=OTHER_STORY),
            row("M4", "Lop day nghe may cho phu nu", summary=OTHER_STORY),  # the row above's twin
        ],
    )
    first = import_models(source=path)
    assert first.ok and first.created == 4
    before = (
        list(DuplicateFlag.objects.values_list("pk", "practice_model_id", "twin_id", "status")),
        PracticeModel.objects.count(),
        Revision.objects.count(),
        list(PracticeModel.objects.order_by("pk").values_list("pk", "previous_record_id", "updated_at")),
    )
    assert len(before[0]) == 2  # M2 ~ the registry's model, M4 ~ M3

    again = import_models(source=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.warnings == []
    after = (
        list(DuplicateFlag.objects.values_list("pk", "practice_model_id", "twin_id", "status")),
        PracticeModel.objects.count(),
        Revision.objects.count(),
        list(PracticeModel.objects.order_by("pk").values_list("pk", "previous_record_id", "updated_at")),
    )
    assert after == before


def test_a_changed_row_is_checked_again_but_a_pair_kept_apart_never_returns(unit_tree, dvk, users, tmp_path):
    model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2024)
    path = write_csv(tmp_path / "a.csv", [row("M1", "Tổ dân phố văn minh", summary="Bản đầu.")])
    import_models(source=path)
    flag = DuplicateFlag.objects.get()
    duplicate_services.keep_apart(flag=flag, user=users.admin)

    changed = import_models(source=write_csv(tmp_path / "b.csv", [row("M1", "Tổ dân phố văn minh", summary="Sửa.")]))
    assert changed.updated == 1 and changed.warnings == []
    assert list(DuplicateFlag.objects.values_list("status", flat=True)) == ["kept_apart"]


def test_the_command_prints_the_warnings(unit_tree, dvk, tmp_path):
    model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2024)
    out = StringIO()
    with translation.override("vi"):
        call_command(
            "import_models", str(write_csv(tmp_path / "a.csv", [row("M1", "To dan pho van minh")])), stdout=out
        )
    assert "Dòng 2 (M1) giống" in out.getvalue()
    assert "cùng đơn vị, cùng tên" in out.getvalue()


def test_a_scoped_import_never_names_another_units_draft(unit_tree, dvk, users, tmp_path):
    # The officer of Dịch Vọng may not see the district women's union's drafts: no warning, no flag naming them.
    model("Tổ dân phố văn minh", unit_tree.women, year=2024, live=False)
    result = import_models(
        source=write_csv(tmp_path / "a.csv", [row("M1", "Tổ dân phố văn minh")]), user=users.officer
    )
    assert result.ok and result.warnings == []
    assert not DuplicateFlag.objects.exists()


# --- saving in the admin ---------------------------------------------------------------------------


@pytest.fixture
def officer(users):
    """The ward officer with the officers' permissions (add, change, view models; the admin)."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Cán bộ")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "add_practicemodel", "change_practicemodel", "view_practicemodel"]
        )
    )
    users.officer.groups.add(group)
    return users.officer


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


def test_saving_a_model_in_the_editor_flags_its_twin_and_says_so(unit_tree, dvk, users, officer_client):
    twin = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023)
    with translation.override("vi"):
        response = officer_client.post(
            reverse("wagtailsnippets_models_registry_practicemodel:add"),
            {
                "title": "TO DAN PHO VAN MINH",
                "unit": unit_tree.dich_vong.pk,
                "movement": dvk.pk,
                "year": 2023,
                "summary": "",
                "story-count": 0,
                "measured_results-TOTAL_FORMS": 0,
                "measured_results-INITIAL_FORMS": 0,
                "gallery_images-TOTAL_FORMS": 0,
                "gallery_images-INITIAL_FORMS": 0,
                "attachments-TOTAL_FORMS": 0,
                "attachments-INITIAL_FORMS": 0,
            },
            follow=True,
        )
    assert response.status_code == 200
    created = PracticeModel.objects.get(title="TO DAN PHO VAN MINH")
    flag = DuplicateFlag.objects.get()
    assert (flag.practice_model, flag.twin, flag.status) == (created, twin, "open")
    page = response.content.decode()
    assert "Mô hình này có thể trùng với:" in page and "Tổ dân phố văn minh" in page

    # Opening the editor again shows the open flag; saving again raises no second flag.
    with translation.override("vi"):
        page = officer_client.get(
            reverse("wagtailsnippets_models_registry_practicemodel:edit", args=[created.pk])
        ).content.decode()
    assert "Mô hình này có thể trùng với:" in page
    assert duplicate_services.flag_practice_model(practice_model=created, user=users.officer) == []


def test_one_model_is_checked_against_its_group_as_an_import_row_would_be(unit_tree, dvk):
    """The editor's check (every candidate of the group compared, fingerprints memoised) finds what
    the import's word index finds, and a model edited since is fingerprinted afresh."""
    model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023, summary=OTHER_STORY)
    model("Khu phố văn minh sạch đẹp", unit_tree.dich_vong, year=2022)  # the same story
    model("Tổ dân phố văn minh số 2", unit_tree.cau_giay, year=2024, summary="")
    model("Tổ dân phố văn minh", unit_tree.dong_da, year=2023)  # another district: not a candidate
    newcomer = model("TO DAN PHO VAN MINH", unit_tree.dich_vong, year=2024, live=False)

    def indexed():
        index = CandidateIndex.build(unit_ids=[newcomer.unit_id], exclude_pks=[newcomer.pk])
        return [(match.twin.pk, match.score, match.reason) for match in index.matches(entry_for(newcomer))]

    def direct():
        return [(match.twin.pk, match.score, match.reason) for match in find_twins(practice_model=newcomer)]

    assert {twin for twin, _score, _reason in direct()} == set(
        PracticeModel.objects.exclude(unit=unit_tree.dong_da).exclude(pk=newcomer.pk).values_list("pk", flat=True)
    )
    assert direct() == indexed()
    assert direct() == indexed()  # the memoised fingerprints answer alike

    PracticeModel.objects.filter(title="Khu phố văn minh sạch đẹp").update(summary=OTHER_STORY + " Thêm.")
    assert direct() == indexed()
    assert len(direct()) == 2  # no longer the same story


# --- decisions -------------------------------------------------------------------------------------------


@pytest.fixture
def pair(unit_tree, dvk, officer):
    twin = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023, external_id=None)
    newcomer = model("To dan pho van minh", unit_tree.dich_vong, year=2024, live=False, external_id="M-NEW")
    [_flag] = duplicate_services.flag_practice_model(practice_model=newcomer)
    return newcomer, twin, DuplicateFlag.objects.get(twin=twin)


def test_link_points_the_later_record_at_the_earlier_one(pair, users):
    newcomer, twin, flag = pair
    later = duplicate_services.link_records(flag=flag, user=users.officer)
    assert later == newcomer and later.previous_record == twin
    assert later.latest_revision.content["previous_record"] == twin.pk
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by) == ("linked", users.officer)
    assert ModelLogEntry.objects.filter(action="models_registry.duplicate.link", object_id=str(newcomer.pk)).exists()
    with pytest.raises(ValidationError):  # decided once
        duplicate_services.keep_apart(flag=flag, user=users.officer)


def test_link_refuses_the_same_year_and_other_units(pair, users, unit_tree):
    newcomer, _twin, flag = pair
    PracticeModel.objects.filter(pk=newcomer.pk).update(year=2023)
    with pytest.raises(ValidationError):
        duplicate_services.link_records(flag=flag, user=users.officer)
    PracticeModel.objects.filter(pk=newcomer.pk).update(year=2024)
    outsider = UserFactory(username="canbo_ocd")
    UnitMembership.objects.create(user=outsider, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    with pytest.raises(PermissionDenied):
        duplicate_services.link_records(flag=flag, user=outsider)
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "open"


def test_merge_moves_what_the_twin_lacks_and_deletes_a_never_published_newcomer(pair, users):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    newcomer, twin, flag = pair
    image = get_image_model().objects.create(title="Ảnh", file=get_test_image_file())
    PracticeModelImage.objects.create(practice_model=newcomer, image=image, caption="Ngõ sạch")
    kept = CommendationFactory(practice_model=twin, decision_number="12/QĐ-UBND", issuing_body="UBND quận")
    CommendationFactory(practice_model=newcomer, decision_number="12/qđ-ubnd", issuing_body="UBND QUẬN")  # held
    moved = CommendationFactory(practice_model=newcomer, decision_number="99/QĐ-UBND")

    result = duplicate_services.merge_into_twin(flag=flag, user=users.officer)

    assert result == twin
    assert not PracticeModel.objects.filter(pk=newcomer.pk).exists()
    assert set(twin.commendations.values_list("pk", flat=True)) == {kept.pk, moved.pk}
    assert [item.caption for item in twin.gallery_images.all()] == ["Ngõ sạch"]
    assert [
        item["caption"] for item in Revision.objects.get(pk=twin.latest_revision_id).content["gallery_images"]
    ] == ["Ngõ sạch"]
    # The spreadsheet code now names the twin: importing the file again updates it, no duplicate returns.
    assert PracticeModel.objects.get(pk=twin.pk).external_id == "M-NEW"
    assert ModelLogEntry.objects.filter(action="models_registry.duplicate.merge", object_id=str(twin.pk)).exists()


def test_merge_is_all_or_nothing(pair, users, monkeypatch):
    newcomer, twin, flag = pair
    CommendationFactory(practice_model=newcomer, decision_number="99/QĐ-UBND")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(duplicate_services, "_take_external_id", broken)
    with pytest.raises(RuntimeError):
        duplicate_services.merge_into_twin(flag=flag, user=users.officer)
    assert PracticeModel.objects.filter(pk=newcomer.pk).exists()
    assert newcomer.commendations.count() == 1 and twin.commendations.count() == 0
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "open"


def test_merge_refusals(pair, users, unit_tree):
    newcomer, twin, flag = pair
    # A twin in a unit the officer cannot edit.
    PracticeModel.objects.filter(pk=twin.pk).update(unit=unit_tree.women)
    with pytest.raises(PermissionDenied):
        duplicate_services.merge_into_twin(flag=flag, user=users.officer)
    PracticeModel.objects.filter(pk=twin.pk).update(unit=unit_tree.dich_vong)
    # A published newcomer is withdrawn only by someone who may publish.
    PracticeModel.objects.filter(pk=newcomer.pk).update(live=True)
    with pytest.raises(PermissionDenied):
        duplicate_services.merge_into_twin(flag=flag, user=users.officer)
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "open"


def test_merging_a_published_newcomer_withdraws_it_and_keeps_its_revisions(pair, users):
    newcomer, _twin, flag = pair
    newcomer.latest_revision.publish()
    duplicate_services.merge_into_twin(flag=flag, user=users.admin)
    newcomer.refresh_from_db()
    assert not newcomer.live and newcomer.revisions.exists()
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "merged"


def test_keep_apart_is_never_flagged_again(pair, users):
    newcomer, twin, flag = pair
    duplicate_services.keep_apart(flag=flag, user=users.officer)
    assert duplicate_services.flag_practice_model(practice_model=newcomer) == []
    assert duplicate_services.flag_practice_model(practice_model=twin) == []
    assert list(DuplicateFlag.objects.values_list("status", flat=True)) == ["kept_apart"]


# --- admin screens ----------------------------------------------------------------------------------------


def test_admin_screens_render_in_vietnamese_and_act_with_csrf(pair, users, officer_client):
    _newcomer, _twin, flag = pair
    with translation.override("vi"):
        listing = officer_client.get(reverse("duplicates:list"))
        detail = officer_client.get(reverse("duplicates:detail", args=[flag.pk]))
        confirm = officer_client.get(reverse("duplicates:action", args=[flag.pk, "keep-apart"]))
    assert listing.status_code == detail.status_code == confirm.status_code == 200
    assert "Mô hình có thể trùng" in listing.content.decode()
    assert "cùng đơn vị, cùng tên" in listing.content.decode()
    assert "Liên kết thành bản ghi các năm" in detail.content.decode()
    assert "Giữ riêng" in confirm.content.decode()

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(users.officer)
    refused = csrf_client.post(reverse("duplicates:action", args=[flag.pk, "keep-apart"]))
    assert refused.status_code == 403
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "open"

    with translation.override("vi"):
        done = officer_client.post(reverse("duplicates:action", args=[flag.pk, "keep-apart"]), follow=True)
    assert "không bị đánh dấu lại" in done.content.decode()
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "kept_apart"


def test_admin_screens_refuse_other_units(pair, unit_tree):
    from django.contrib.auth.models import Permission

    _newcomer, _twin, flag = pair
    outsider = UserFactory(username="canbo_ocd")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    UnitMembership.objects.create(user=outsider, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("duplicates:detail", args=[flag.pk])).status_code == 404
    assert client.post(reverse("duplicates:action", args=[flag.pk, "merge"])).status_code == 404
    assert "To dan pho van minh" not in client.get(reverse("duplicates:list")).content.decode()
    assert DuplicateFlag.objects.get(pk=flag.pk).status == "open"


# --- public page ------------------------------------------------------------------------------------------


def test_the_public_page_shows_the_records_of_other_years(client, unit_tree, dvk):
    first = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2022)
    second = model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2023, previous_record=first)
    model("Tổ dân phố văn minh", unit_tree.dich_vong, year=2024, previous_record=second, live=False)
    with translation.override("vi"):
        page = client.get(second.url).content.decode()
    assert "Bản ghi các năm" in page
    assert f'href="{first.url}"' in page
    assert "(bản ghi này)" in page
    assert "2024" not in page.split("Bản ghi các năm")[1].split("</section>")[0]  # a draft is not shown
