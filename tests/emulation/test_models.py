"""The cycle's own consistency rules, and the criteria the migration seeds."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from emulation.factories import CriterionFactory, CycleFactory
from emulation.models import Criterion, Cycle

D = datetime.date


def cycle_errors(**overrides) -> dict:
    values = {
        "name": "Năm 2025",
        "year": 2025,
        "starts_on": D(2025, 1, 1),
        "ends_on": D(2025, 12, 31),
        "registration_opens": D(2025, 1, 15),
        "registration_closes": D(2025, 3, 31),
        "evaluation_deadline": D(2025, 12, 15),
        **overrides,
    }
    with pytest.raises(ValidationError) as caught:
        CycleFactory.build(**values).full_clean()
    return caught.value.message_dict


def test_a_well_formed_cycle_is_valid(dvk):
    cycle = CycleFactory(movement=dvk, year=2025, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31),
                         registration_opens=D(2024, 12, 1), registration_closes=D(2025, 3, 31),
                         evaluation_deadline=D(2026, 1, 15))  # fmt: skip
    # Registration may open before the year starts and the evaluation end after it.
    assert cycle.pk is not None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": D(2024, 12, 31)}, "ends_on", "Đợt thi đua không thể kết thúc trước khi bắt đầu."),
        ({"registration_closes": D(2025, 1, 10)}, "registration_closes", "Hạn đăng ký không thể trước ngày mở đăng ký."),
        ({"registration_closes": D(2026, 1, 10), "evaluation_deadline": D(2026, 2, 1)}, "registration_closes",
         "Đăng ký phải kết thúc trước khi đợt thi đua kết thúc."),
        ({"evaluation_deadline": D(2025, 3, 1)}, "evaluation_deadline",
         "Hạn chấm điểm không thể trước hạn đăng ký."),
        ({"year": 2027}, "year", "Năm phải nằm trong khoảng thời gian của đợt thi đua."),
        ({"good_threshold": Decimal("95")}, "good_threshold",
         "Các ngưỡng phải tăng dần từ “đạt” đến “tốt” đến “xuất sắc” (ví dụ 50, 75, 90)."),
        ({"pass_threshold": Decimal("0")}, "pass_threshold", "Ngưỡng “đạt” phải lớn hơn 0%."),
        ({"excellent_threshold": Decimal("120")}, "excellent_threshold", None),
    ],
)  # fmt: skip
def test_cycle_dates_and_thresholds_must_be_in_order(dvk, overrides, field, message):
    errors = cycle_errors(movement=dvk, **overrides)
    assert field in errors
    if message:
        assert message in errors[field]


def test_cycle_registration_state_by_day(dvk):
    cycle = CycleFactory(movement=dvk, year=2025, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31),
                         registration_opens=D(2025, 1, 15), registration_closes=D(2025, 3, 31),
                         evaluation_deadline=D(2025, 12, 15))  # fmt: skip
    assert cycle.registration_state(D(2025, 1, 14)) == Cycle.RegistrationState.UPCOMING
    assert cycle.registration_state(D(2025, 1, 15)) == Cycle.RegistrationState.OPEN  # both ends included
    assert cycle.registration_state(D(2025, 3, 31)) == Cycle.RegistrationState.OPEN
    assert cycle.registration_state(D(2025, 4, 1)) == Cycle.RegistrationState.CLOSED
    assert not cycle.evaluation_is_closed(D(2025, 12, 15))
    assert cycle.evaluation_is_closed(D(2025, 12, 16))
    assert list(Cycle.objects.registration_open(D(2025, 2, 1))) == [cycle]
    assert list(Cycle.objects.registration_open(D(2025, 4, 1))) == []
    assert list(Cycle.objects.evaluation_open(D(2025, 12, 15))) == [cycle]


def test_the_four_goods_of_a_party_cell_are_seeded_as_editable_criteria(cb4t):
    criteria = list(Criterion.objects.filter(movement=cb4t).order_by("sort_order"))
    # The wording of Resolution 21-NQ/TW (2022) for the "chi bộ bốn tốt" model.
    assert [criterion.name for criterion in criteria] == [
        "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị",
        "Chất lượng sinh hoạt tốt",
        "Đoàn kết, kỷ luật tốt",
        "Cán bộ, đảng viên tốt",
    ]
    assert all(c.kind == Criterion.Kind.WEIGHTED and c.max_score == 25 and c.is_active for c in criteria)
    assert sum(c.weighted_maximum for c in criteria) == 100
    criteria[1].name = "Chất lượng sinh hoạt chi bộ tốt"
    criteria[1].full_clean()
    criteria[1].save()
    assert Criterion.objects.filter(movement=cb4t, name="Chất lượng sinh hoạt chi bộ tốt").exists()


def test_dan_van_kheo_has_four_points_criteria_and_one_condition(dvk):
    criteria = list(Criterion.objects.filter(movement=dvk).order_by("sort_order"))
    assert [c.kind for c in criteria] == [Criterion.Kind.WEIGHTED] * 4 + [Criterion.Kind.PASS_FAIL]
    assert criteria[0].name == "Có cách làm mới, sáng tạo"
    assert criteria[-1].name == "Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước"


def test_a_points_criterion_needs_a_weight_and_a_maximum(dvk):
    with pytest.raises(ValidationError) as caught:
        CriterionFactory.build(movement=dvk, weight=Decimal("0"), max_score=Decimal("0")).full_clean()
    assert caught.value.message_dict["weight"] == ["Tiêu chí chấm điểm cần có trọng số lớn hơn 0."]
    assert caught.value.message_dict["max_score"] == ["Tiêu chí chấm điểm cần có điểm tối đa lớn hơn 0."]
    # A pass/fail criterion has no points.
    CriterionFactory.build(movement=dvk, kind=Criterion.Kind.PASS_FAIL, max_score=Decimal("0")).full_clean()
