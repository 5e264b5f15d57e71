"""Emulation 0003 adopts the movement pages' own criteria (movements 0003 then removes them).

The planning is tested directly; one test runs the real migrations back and forth on a database that
holds the lists as editors left them before the change.
"""

import importlib
from decimal import Decimal

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

from emulation.models import Criterion

adoption = importlib.import_module("emulation.migrations.0003_adopt_movement_criteria")
PAGE_SEED = importlib.import_module("movements.migrations.0002_initial_content")

DVK, CB4T = 1, 2  # movement ids, for the planning tests


def test_names_are_compared_without_case_diacritics_or_extra_spaces():
    assert (
        adoption.fold("  ĐOÀN KẾT,   kỷ luật  tốt ")
        == adoption.fold("Đoàn kết, kỷ luật tốt")
        == "doan ket, ky luat tot"
    )
    assert adoption.fold("Phát huy được sức dân") != adoption.fold("Phát huy sức dân")


def test_a_matching_page_criterion_fills_only_an_empty_description():
    descriptions, additions = adoption.plan_adoption(
        page_criteria=[
            (DVK, "phát huy được  SỨC DÂN", "Mô tả của biên tập viên"),
            (DVK, "Mang lại hiệu quả thiết thực", "Kết quả đo đếm được."),
            (DVK, "Có khả năng nhân rộng", ""),
        ],
        emulation_criteria=[
            (10, DVK, "Phát huy được sức dân", "Mô tả đã có", 0),
            (11, DVK, "Mang lại hiệu quả thiết thực", "", 1),
            (12, DVK, "Có khả năng nhân rộng", "", 2),
        ],
    )
    assert descriptions == {11: "Kết quả đo đếm được."}
    assert additions == []


def test_a_page_criterion_matching_none_is_added_after_the_rest_not_in_use_by_the_caller():
    descriptions, additions = adoption.plan_adoption(
        page_criteria=[
            (DVK, "Bảo đảm an toàn", "Không để xảy ra mất an toàn."),
            (DVK, "Tiết kiệm", ""),
            (CB4T, "Phát huy được sức dân", "Cùng tên nhưng của phong trào khác."),
            (DVK, "  ", "Không tên: bỏ qua."),
        ],
        emulation_criteria=[
            (10, DVK, "Phát huy được sức dân", "", 0),
            (11, DVK, "Có khả năng nhân rộng", "", 7),
        ],
    )
    assert descriptions == {}  # the other movement's criterion of the same name does not count
    assert additions == [
        {"movement_id": DVK, "name": "Bảo đảm an toàn", "description": "Không để xảy ra mất an toàn.", "sort_order": 8},
        {"movement_id": DVK, "name": "Tiết kiệm", "description": "", "sort_order": 9},
        {"movement_id": CB4T, "name": "Phát huy được sức dân", "description": "Cùng tên nhưng của phong trào khác.",
         "sort_order": 0},
    ]  # fmt: skip


def test_two_page_criteria_of_one_name_make_one_criterion():
    _, additions = adoption.plan_adoption(
        page_criteria=[(DVK, "Bảo đảm an toàn", ""), (DVK, "bảo đảm an toàn", "Mô tả ở bản thứ hai.")],
        emulation_criteria=[],
    )
    assert additions == [
        {"movement_id": DVK, "name": "Bảo đảm an toàn", "description": "Mô tả ở bản thứ hai.", "sort_order": 0}
    ]


def test_the_old_seed_left_as_it_was_is_replaced_but_an_edited_one_is_kept():
    seed = adoption.seeded_page_criteria()["chi-bo-bon-tot"]
    name, description = next(iter(sorted(seed)))
    seeded = {(CB4T, seed_name, seed_description) for seed_name, seed_description in seed}
    _, additions = adoption.plan_adoption(
        page_criteria=[(CB4T, name, description), (CB4T, name, description + " Bổ sung của biên tập viên.")],
        emulation_criteria=[],
        seeded=seeded,
    )
    assert [(a["name"], a["description"]) for a in additions] == [(name, description + " Bổ sung của biên tập viên.")]


def test_a_seeded_page_criterion_that_matches_still_fills_an_empty_description():
    descriptions, additions = adoption.plan_adoption(
        page_criteria=[(DVK, "Có khả năng nhân rộng", "Có thể áp dụng ở các địa phương, đơn vị khác.")],
        emulation_criteria=[(12, DVK, "Có khả năng nhân rộng", "", 0)],
        seeded={(DVK, "Có khả năng nhân rộng", "Có thể áp dụng ở các địa phương, đơn vị khác.")},
    )
    assert descriptions == {12: "Có thể áp dụng ở các địa phương, đơn vị khác."}
    assert additions == []


BEFORE = [("emulation", "0002_seed_criteria"), ("movements", "0002_initial_content")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_keeps_the_editors_wording_without_changing_scores():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        MovementPage = old.get_model("movements", "MovementPage")
        PageCriterion = old.get_model("movements", "Criterion")
        OldCriterion = old.get_model("emulation", "Criterion")
        dvk = MovementPage.objects.get(slug="dan-van-kheo")
        cb4t = MovementPage.objects.get(slug="chi-bo-bon-tot")
        # The page lists as the released site has them: the seed of movements 0002, then editors' changes.
        PageCriterion.objects.all().delete()
        for data in PAGE_SEED.MOVEMENTS:
            movement = MovementPage.objects.get(slug=data["slug"])
            for order, (name, description) in enumerate(data["criteria"]):
                PageCriterion.objects.create(movement=movement, sort_order=order, name=name, description=description)
        PageCriterion.objects.filter(movement=dvk, name="Phát huy được sức dân").update(
            name="phát huy được  SỨC DÂN", description="Mô tả của biên tập viên."
        )
        OldCriterion.objects.filter(movement=dvk, name="Mang lại hiệu quả thiết thực").update(description="")
        PageCriterion.objects.create(movement=dvk, sort_order=9, name="Bảo đảm an toàn", description="Không sự cố.")
        PageCriterion.objects.filter(movement=cb4t, name="Xây dựng đội ngũ đảng viên tốt").update(
            description="Đảng viên gương mẫu; mô tả do biên tập viên sửa."
        )
        PageCriterion.objects.create(movement=cb4t, sort_order=9, name="ĐOÀN KẾT, KỶ LUẬT TỐT", description="")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    def listing(slug):
        return [
            (c.name, c.kind, c.is_active, c.sort_order, c.description)
            for c in Criterion.objects.filter(movement__slug=slug).order_by("sort_order", "pk")
        ]

    dvk_criteria = listing("dan-van-kheo")
    assert [row[:4] for row in dvk_criteria] == [
        ("Có cách làm mới, sáng tạo", "weighted", True, 0),
        ("Phát huy được sức dân", "weighted", True, 1),
        ("Mang lại hiệu quả thiết thực", "weighted", True, 2),
        ("Có khả năng nhân rộng", "weighted", True, 3),
        ("Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước", "pass_fail", True, 4),
        ("Bảo đảm an toàn", "pass_fail", False, 5),
    ]
    descriptions = {name: description for name, *_, description in dvk_criteria}
    assert descriptions["Phát huy được sức dân"].startswith("Huy động được Nhân dân")  # not overwritten
    assert descriptions["Mang lại hiệu quả thiết thực"] == "Kết quả đo đếm được, được Nhân dân đồng tình, ủng hộ."
    assert descriptions["Bảo đảm an toàn"] == "Không sự cố."

    # "Chi bộ bốn tốt": the Resolution 21 list stays in use; the old seed left as it was is not copied,
    # the edited one is kept, not in use, and the capitalised "Đoàn kết…" matched its criterion.
    assert [row[:4] for row in listing("chi-bo-bon-tot")] == [
        ("Lãnh đạo hoàn thành tốt nhiệm vụ chính trị", "weighted", True, 0),
        ("Chất lượng sinh hoạt tốt", "weighted", True, 1),
        ("Đoàn kết, kỷ luật tốt", "weighted", True, 2),
        ("Cán bộ, đảng viên tốt", "weighted", True, 3),
        ("Xây dựng đội ngũ đảng viên tốt", "pass_fail", False, 4),
    ]
    kept = Criterion.objects.get(name="Xây dựng đội ngũ đảng viên tốt")
    assert kept.description == "Đảng viên gương mẫu; mô tả do biên tập viên sửa."
    assert kept.weighted_maximum == Decimal("0")  # it changes no score, even once switched on
