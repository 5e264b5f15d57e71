"""The rules of the emulation cycle: windows, scores and results, several reviewers, nominations,
re-evaluation over the years, activity checks, and cycles whose rules change."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from wagtail.models import ModelLogEntry

import pytest

from emulation import selectors, services
from emulation.factories import CriterionFactory, year_cycle
from emulation.models import ActivityCheck, Criterion, Evaluation, EvaluationResult, Registration, Score
from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import CommendationForm, RecognitionLevel, UnitMembership

from .conftest import marks

D = datetime.date
IN_WINDOW = D(2025, 2, 1)
SCORING_DAY = D(2025, 11, 1)


@pytest.fixture
def cycle_2025(dvk):
    return year_cycle(year=2025, movement=dvk)


@pytest.fixture
def evaluation(cycle_2025, practice_model, users):
    services.register_practice_model(
        cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=IN_WINDOW
    )
    return Evaluation.objects.get(cycle=cycle_2025, practice_model=practice_model)


def score(evaluation, reviewer, criteria, points, met=True):
    return services.score_evaluation(
        evaluation=evaluation, reviewer=reviewer, scores=marks(criteria, points, met), today=SCORING_DAY
    )


# --- Registration window -----------------------------------------------------------------------


def test_registering_inside_the_window_creates_the_registration_and_its_evaluation(cycle_2025, practice_model, users):
    registration = services.register_practice_model(
        cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=IN_WINDOW
    )
    assert registration.registered_by == users.officer
    assert registration.registered_at is not None
    evaluation = Evaluation.objects.get(cycle=cycle_2025, practice_model=practice_model)
    assert evaluation.result == ""
    assert ModelLogEntry.objects.filter(action="emulation.register", object_id=str(practice_model.pk)).exists()


def test_registration_before_the_window_says_when_it_opens(cycle_2025, practice_model, users):
    with pytest.raises(ValidationError) as caught:
        services.register_practice_model(
            cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=D(2025, 1, 14)
        )
    assert caught.value.messages == ["Đợt “Năm 2025” mở đăng ký từ ngày 15/01/2025."]
    assert not Registration.objects.exists()


def test_registration_after_the_window_says_when_it_closed(cycle_2025, practice_model, users):
    with pytest.raises(ValidationError) as caught:
        services.register_practice_model(
            cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=D(2025, 4, 1)
        )
    assert caught.value.messages == ["Đợt “Năm 2025” đã hết hạn đăng ký ngày 31/03/2025."]
    assert not Registration.objects.exists()


def test_the_last_day_of_the_window_still_counts(cycle_2025, practice_model, users):
    services.register_practice_model(
        cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=D(2025, 3, 31)
    )
    assert Registration.objects.count() == 1


def test_a_model_registers_once_per_cycle(cycle_2025, practice_model, users):
    services.register_practice_model(
        cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=IN_WINDOW
    )
    with pytest.raises(ValidationError) as caught:
        services.register_practice_model(
            cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=IN_WINDOW
        )
    assert caught.value.messages == ["“Ngõ phố xanh - sạch - đẹp” đã được đăng ký vào đợt “Năm 2025”."]
    assert Registration.objects.count() == 1 and Evaluation.objects.count() == 1


def test_an_officer_registers_only_the_models_of_their_units(cycle_2025, unit_tree, dvk, users):
    other = PracticeModelFactory(unit=unit_tree.o_cho_dua, movement=dvk)
    with pytest.raises(PermissionDenied):
        services.register_practice_model(cycle=cycle_2025, practice_model=other, user=users.officer, today=IN_WINDOW)
    with pytest.raises(PermissionDenied):  # a reviewer is no officer
        services.register_practice_model(cycle=cycle_2025, practice_model=other, user=users.reviewer, today=IN_WINDOW)


def test_a_batch_with_one_bad_model_registers_none(cycle_2025, unit_tree, dvk, cb4t, users):
    good = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    party_cell = PracticeModelFactory(title="Chi bộ tổ dân phố số 1", unit=unit_tree.dich_vong, movement=cb4t)
    with pytest.raises(ValidationError) as caught:
        services.register_practice_models(
            cycle=cycle_2025, practice_models=[good, party_cell], user=users.officer, today=IN_WINDOW
        )
    assert caught.value.messages == ["“Chi bộ tổ dân phố số 1” thuộc phong trào khác với đợt “Năm 2025”."]
    assert not Registration.objects.exists() and not Evaluation.objects.exists()


# --- Withdrawing a registration ----------------------------------------------------------------


def withdraw(evaluation, user, today=IN_WINDOW):
    registration = Registration.objects.get(cycle=evaluation.cycle, practice_model=evaluation.practice_model)
    services.withdraw_registration(registration=registration, user=user, today=today)


def assert_still_registered(evaluation, scores=0):
    """A refused withdrawal leaves the registration, its evaluation and its scores, and no history entry."""
    assert Registration.objects.filter(cycle=evaluation.cycle, practice_model=evaluation.practice_model).exists()
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert Score.objects.filter(evaluation=evaluation).count() == scores
    assert not ModelLogEntry.objects.filter(action="emulation.withdraw_registration").exists()


def test_a_registration_is_withdrawn_inside_the_window_and_the_model_can_register_again(
    evaluation, practice_model, cycle_2025, users
):
    withdraw(evaluation, users.officer, today=D(2025, 3, 31))  # the last day of the window still counts
    assert not Registration.objects.exists() and not Evaluation.objects.exists()
    entry = ModelLogEntry.objects.get(action="emulation.withdraw_registration", object_id=str(practice_model.pk))
    assert entry.user_id == users.officer.pk and entry.data["cycle"]["name"] == "Năm 2025"
    again = services.register_practice_model(
        cycle=cycle_2025, practice_model=practice_model, user=users.officer, today=IN_WINDOW
    )
    assert Registration.objects.get() == again
    assert Evaluation.objects.get(cycle=cycle_2025, practice_model=practice_model).result == ""


def test_scores_for_a_registration_withdrawn_meanwhile_are_refused_not_an_error(
    evaluation, reviewers, dvk_criteria, users
):
    """The reviewer opened the evaluation before the unit withdrew it: the scores have nowhere to go."""
    withdraw(evaluation, users.officer)
    with pytest.raises(ValidationError) as caught:
        score(evaluation, reviewers.first, dvk_criteria, 20)
    assert caught.value.messages == ["Đăng ký này vừa được rút: không còn gì để chấm điểm."]
    assert not Score.objects.exists()


def test_a_withdrawal_after_the_window_says_when_it_closed(evaluation, users):
    with pytest.raises(ValidationError) as caught:
        withdraw(evaluation, users.officer, today=D(2025, 4, 1))
    assert caught.value.messages == ["Đợt “Năm 2025” đã hết hạn đăng ký ngày 31/03/2025: không thể rút đăng ký nữa."]
    assert_still_registered(evaluation)


def test_a_scored_model_cannot_be_withdrawn(evaluation, reviewers, dvk_criteria, users):
    # Scoring opens with registration: a reviewer may already have scored inside the window.
    services.score_evaluation(
        evaluation=evaluation, reviewer=reviewers.first, scores=marks(dvk_criteria, 10), today=IN_WINDOW
    )
    with pytest.raises(ValidationError) as caught:
        withdraw(evaluation, users.officer)
    assert caught.value.messages == ["Mô hình đã được chấm điểm, không thể rút đăng ký."]
    assert_still_registered(evaluation, scores=len(dvk_criteria))


def test_a_nominated_model_cannot_be_withdrawn(evaluation, reviewers, dvk_criteria, users):
    services.score_evaluation(
        evaluation=evaluation, reviewer=reviewers.first, scores=marks(dvk_criteria, 25), today=IN_WINDOW
    )
    services.nominate(
        evaluation=evaluation, user=reviewers.first, form=CommendationForm.CERTIFICATE_OF_MERIT, level="quan-huyen"
    )
    with pytest.raises(ValidationError) as caught:
        withdraw(evaluation, users.officer)
    assert caught.value.messages == ["Mô hình đã được đề nghị khen thưởng, không thể rút đăng ký."]
    assert_still_registered(evaluation, scores=len(dvk_criteria))
    evaluation.refresh_from_db()
    assert evaluation.nominated


def test_only_the_officers_of_the_models_units_may_withdraw(evaluation, unit_tree, users, reviewers):
    other_officer = UserFactory(username="canbo_ochodua")
    UnitMembershipFactory(user=other_officer, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    for user in (other_officer, reviewers.first):  # another unit's officer; a reviewer above the unit
        with pytest.raises(PermissionDenied) as caught:
            withdraw(evaluation, user)
        assert str(caught.value) == "Bạn chỉ có thể rút đăng ký các mô hình của đơn vị mình."
        assert_still_registered(evaluation)
    withdraw(evaluation, users.admin)  # acting for every unit
    assert not Registration.objects.exists()


def test_the_permission_is_checked_before_the_window(evaluation, unit_tree):
    """Someone who may not act learns nothing about the registration, not even that its window closed."""
    other_officer = UserFactory(username="canbo_ochodua")
    UnitMembershipFactory(user=other_officer, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    with pytest.raises(PermissionDenied):
        withdraw(evaluation, other_officer, today=D(2025, 4, 1))
    assert_still_registered(evaluation)


def test_a_registration_withdrawn_twice_is_refused_the_second_time(evaluation, users):
    registration = Registration.objects.get()
    services.withdraw_registration(registration=registration, user=users.officer, today=IN_WINDOW)
    with pytest.raises(ValidationError) as caught:
        services.withdraw_registration(registration=registration, user=users.officer, today=IN_WINDOW)
    assert caught.value.messages == ["Đăng ký này đã được rút trước đó."]
    assert ModelLogEntry.objects.filter(action="emulation.withdraw_registration").count() == 1


def test_check_withdrawal_answers_as_the_withdrawal_would_and_changes_nothing(evaluation, users):
    registration = Registration.objects.get()
    services.check_withdrawal(registration=registration, user=users.officer, today=IN_WINDOW)
    with pytest.raises(ValidationError):
        services.check_withdrawal(registration=registration, user=users.officer, today=D(2025, 4, 1))
    assert_still_registered(evaluation)


# --- Scores and results ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "percent", "result"),
    [
        (25, "100.00", EvaluationResult.EXCELLENT),
        ([22.5, 22.5, 22.5, 22.5], "90.00", EvaluationResult.EXCELLENT),  # the threshold itself
        ([22.5, 22.5, 22.5, 22.49], "89.99", EvaluationResult.GOOD),
        ([20, 20, 15, 20], "75.00", EvaluationResult.GOOD),
        ([12.5, 12.5, 12.5, 12.5], "50.00", EvaluationResult.PASSED),
        ([12.5, 12.5, 12.5, 12.49], "49.99", EvaluationResult.FAILED),
        (0, "0.00", EvaluationResult.FAILED),
    ],
)
def test_the_result_follows_from_the_thresholds(evaluation, reviewers, dvk_criteria, points, percent, result):
    summary = score(evaluation, reviewers.first, dvk_criteria, points)
    evaluation.refresh_from_db()
    assert summary.percent == Decimal(percent)
    assert evaluation.score_percent == Decimal(percent)
    assert evaluation.result == result
    assert evaluation.reviewer_count == 1


def test_a_condition_not_met_fails_the_model_whatever_its_points(evaluation, reviewers, dvk_criteria):
    summary = score(evaluation, reviewers.first, dvk_criteria, 25, met=False)
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.FAILED
    assert evaluation.score_percent == Decimal("100.00")
    assert [criterion.name for criterion in summary.unmet_conditions] == [
        "Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước"
    ]


def test_weights_count_in_the_total(cycle_2025, evaluation, reviewers, dvk_criteria):
    first = dvk_criteria[0]
    first.weight = Decimal("3")  # its points count three times
    first.save()
    summary = score(evaluation, reviewers.first, selectors.criteria_in_use(movement_id=cycle_2025.movement_id),
                    [10, 25, 25, 25])  # fmt: skip
    # (3 × 10 + 25 + 25 + 25) / (3 × 25 + 75) = 105 / 150
    assert summary.total == Decimal("105.00")
    assert summary.maximum == Decimal("150")
    assert summary.percent == Decimal("70.00")
    assert summary.result == EvaluationResult.PASSED


def test_several_reviewers_are_averaged(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 25)  # 100 %
    score(evaluation, reviewers.second, dvk_criteria, 15)  # 60 %
    evaluation.refresh_from_db()
    assert evaluation.reviewer_count == 2
    assert evaluation.score_percent == Decimal("80.00")
    assert evaluation.result == EvaluationResult.GOOD
    summary = services.evaluation_summary(evaluation=evaluation)
    assert [outcome.average for outcome in summary.outcomes if outcome.criterion.is_weighted] == [Decimal("20.00")] * 4
    # A third reviewer above (the city) may score too.
    score(evaluation, reviewers.city, dvk_criteria, 20)  # 80 %
    evaluation.refresh_from_db()
    assert evaluation.reviewer_count == 3
    assert evaluation.score_percent == Decimal("80.00")
    assert Score.objects.filter(evaluation=evaluation).count() == 15


def test_a_condition_is_met_when_more_than_half_of_the_reviewers_say_so(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 25, met=True)
    score(evaluation, reviewers.second, dvk_criteria, 25, met=False)
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.FAILED  # one of two: not more than half
    score(evaluation, reviewers.city, dvk_criteria, 25, met=True)
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.EXCELLENT  # two of three


def test_a_reviewer_scoring_again_replaces_their_scores(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 10)
    score(evaluation, reviewers.first, dvk_criteria, 20)
    evaluation.refresh_from_db()
    assert Score.objects.filter(evaluation=evaluation, reviewer=reviewers.first).count() == 5
    assert evaluation.score_percent == Decimal("80.00")
    assert evaluation.reviewer_count == 1


def test_pass_fail_criteria_alone_give_passed_or_not_passed(cb4t, unit_tree, users, reviewers):
    for criterion in Criterion.objects.filter(movement=cb4t):
        criterion.is_active = False
        criterion.save()
    CriterionFactory(movement=cb4t, name="Không có đảng viên vi phạm", kind=Criterion.Kind.PASS_FAIL, max_score=0)
    cycle = year_cycle(year=2025, movement=cb4t)
    cell = PracticeModelFactory(title="Chi bộ Tổ dân phố số 1", unit=unit_tree.cell, movement=cb4t)
    services.register_practice_model(cycle=cycle, practice_model=cell, user=users.admin, today=IN_WINDOW)
    evaluation = Evaluation.objects.get(practice_model=cell)
    criteria = selectors.criteria_in_use(movement_id=cb4t.pk)
    summary = services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=marks(criteria, []),
                                        today=SCORING_DAY)  # fmt: skip
    assert summary.result == EvaluationResult.PASSED and summary.percent is None
    summary = services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first,
                                        scores=marks(criteria, [], met=False), today=SCORING_DAY)  # fmt: skip
    assert summary.result == EvaluationResult.FAILED


# --- Bad scores change nothing -----------------------------------------------------------------


def test_a_score_out_of_range_is_refused_and_nothing_is_saved(evaluation, reviewers, dvk_criteria):
    scores = marks(dvk_criteria, [20, 26, 20, 20])
    with pytest.raises(ValidationError) as caught:
        services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=scores, today=SCORING_DAY)
    field = services.score_field_name(dvk_criteria[1])
    assert caught.value.message_dict == {
        field: ["Điểm của tiêu chí “Phát huy được sức dân” phải từ 0 đến 25; 26 nằm ngoài khoảng cho phép."]
    }
    assert not Score.objects.exists()
    evaluation.refresh_from_db()
    assert evaluation.result == "" and evaluation.score_percent is None


def test_a_bad_rescore_leaves_the_earlier_scores_as_they_were(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 20)
    before = sorted(Score.objects.values_list("criterion_id", "value", "passed"))
    with pytest.raises(ValidationError):
        score(evaluation, reviewers.first, dvk_criteria, [25, 25, 25, Decimal("-1")])
    assert sorted(Score.objects.values_list("criterion_id", "value", "passed")) == before
    evaluation.refresh_from_db()
    assert evaluation.score_percent == Decimal("80.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Hãy nhập điểm của tiêu chí “Có cách làm mới, sáng tạo”, từ 0 đến 25."),
        ("mười", "Điểm của tiêu chí “Có cách làm mới, sáng tạo” phải là một số từ 0 đến 25."),
        ("NaN", "Điểm của tiêu chí “Có cách làm mới, sáng tạo” phải là một số từ 0 đến 25."),
        ("-0,5", "Điểm của tiêu chí “Có cách làm mới, sáng tạo” phải từ 0 đến 25; -0,5 nằm ngoài khoảng cho phép."),
        (
            "1234.5",
            "Điểm của tiêu chí “Có cách làm mới, sáng tạo” phải từ 0 đến 25; 1.234,5 nằm ngoài khoảng cho phép.",
        ),
        ("7.125", "Điểm của tiêu chí “Có cách làm mới, sáng tạo” chỉ được có tối đa hai chữ số thập phân."),
        (True, "Hãy nhập điểm của tiêu chí “Có cách làm mới, sáng tạo”, từ 0 đến 25."),
    ],
)
def test_each_bad_points_value_has_its_own_message(evaluation, reviewers, dvk_criteria, value, message):
    scores = marks(dvk_criteria, 20)
    scores[dvk_criteria[0]] = value
    with pytest.raises(ValidationError) as caught:
        services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=scores, today=SCORING_DAY)
    assert caught.value.message_dict[services.score_field_name(dvk_criteria[0])] == [message]
    assert not Score.objects.exists()


def test_every_criterion_in_use_must_be_scored(evaluation, reviewers, dvk_criteria):
    scores = marks(dvk_criteria, 20)
    del scores[dvk_criteria[-1]]
    with pytest.raises(ValidationError) as caught:
        services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=scores, today=SCORING_DAY)
    assert caught.value.message_dict == {
        services.score_field_name(dvk_criteria[-1]): [
            "Hãy cho biết tiêu chí “Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước” có đạt hay không."
        ]
    }
    assert not Score.objects.exists()


def test_a_criterion_of_another_movement_is_refused(evaluation, reviewers, dvk_criteria, cb4t):
    scores = marks(dvk_criteria, 20)
    scores[Criterion.objects.filter(movement=cb4t).first()] = Decimal("20")
    with pytest.raises(ValidationError) as caught:
        services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=scores, today=SCORING_DAY)
    assert caught.value.message_dict["__all__"] == ["Có điểm chấm cho tiêu chí không được áp dụng cho phong trào này."]
    assert not Score.objects.exists()


def test_scores_are_refused_after_the_evaluation_deadline(evaluation, reviewers, dvk_criteria):
    with pytest.raises(ValidationError) as caught:
        services.score_evaluation(
            evaluation=evaluation, reviewer=reviewers.first, scores=marks(dvk_criteria, 20), today=D(2025, 12, 16)
        )
    assert caught.value.messages == [
        "Đợt “Năm 2025” đã hết hạn chấm điểm ngày 15/12/2025: không thể thay đổi điểm nữa."
    ]
    assert not Score.objects.exists()


def test_only_reviewers_above_the_models_unit_may_score(evaluation, reviewers, users, dvk_criteria):
    for outsider in (reviewers.dong_da, users.officer):
        with pytest.raises(PermissionDenied):
            score(evaluation, outsider, dvk_criteria, 20)
    assert not Score.objects.exists()
    score(evaluation, users.admin, dvk_criteria, 20)  # the administrator acts for every unit
    assert Score.objects.filter(reviewer=users.admin).count() == 5


def test_what_a_reviewer_may_score(evaluation, reviewers, users, unit_tree, dvk, cycle_2025):
    other = PracticeModelFactory(unit=unit_tree.o_cho_dua, movement=dvk)
    services.register_practice_model(cycle=cycle_2025, practice_model=other, user=users.admin, today=IN_WINDOW)
    assert list(selectors.scorable_evaluations(user=reviewers.first)) == [evaluation]
    assert list(selectors.scorable_evaluations(user=reviewers.dong_da).values_list("practice_model", flat=True)) == [
        other.pk
    ]
    assert selectors.scorable_evaluations(user=reviewers.city).count() == 2
    assert not selectors.scorable_evaluations(user=users.officer).exists()


# --- Nomination --------------------------------------------------------------------------------


def test_a_model_passed_or_better_can_be_nominated_and_withdrawn(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 20)
    services.nominate(
        evaluation=evaluation,
        user=reviewers.first,
        form=CommendationForm.CERTIFICATE_OF_MERIT,
        level=RecognitionLevel.DISTRICT,
        note="Đề nghị UBND quận tặng giấy khen",
    )
    evaluation.refresh_from_db()
    assert (
        evaluation.nominated and evaluation.proposed_form == "giay-khen" and evaluation.proposed_level == "quan-huyen"
    )
    assert evaluation.nominated_by == reviewers.first
    services.withdraw_nomination(evaluation=evaluation, user=reviewers.first)
    evaluation.refresh_from_db()
    assert not evaluation.nominated


def test_a_model_not_passed_cannot_be_nominated(evaluation, reviewers, dvk_criteria):
    with pytest.raises(ValidationError) as caught:
        services.nominate(evaluation=evaluation, user=reviewers.first, form="giay-khen", level="quan-huyen")
    assert caught.value.messages == [
        "Chỉ mô hình được xếp loại từ “Đạt” trở lên mới được đề nghị khen thưởng; "
        "“Ngõ phố xanh - sạch - đẹp” đang ở mức “chưa được chấm”."
    ]
    score(evaluation, reviewers.first, dvk_criteria, 5)
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.nominate(evaluation=evaluation, user=reviewers.first, form="giay-khen", level="quan-huyen")
    assert not Evaluation.objects.filter(nominated=True).exists()


def test_a_nomination_needs_a_known_form_and_level(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 25)
    with pytest.raises(ValidationError) as caught:
        services.nominate(evaluation=evaluation, user=reviewers.first, form="huy-chuong-vang", level="")
    assert set(caught.value.message_dict) == {"proposed_form", "proposed_level"}
    with pytest.raises(PermissionDenied):
        services.nominate(evaluation=evaluation, user=reviewers.dong_da, form="giay-khen", level="quan-huyen")
    assert not Evaluation.objects.filter(nominated=True).exists()


def test_rescoring_below_passed_withdraws_the_nomination(evaluation, reviewers, dvk_criteria):
    score(evaluation, reviewers.first, dvk_criteria, 25)
    services.nominate(evaluation=evaluation, user=reviewers.first, form="bang-khen", level="thanh-pho")
    score(evaluation, reviewers.first, dvk_criteria, 5)
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.FAILED and not evaluation.nominated


# --- Re-evaluation over the years ----------------------------------------------------------------


def test_each_yearly_evaluation_stays_on_record(dvk, practice_model, users, reviewers, dvk_criteria, client):
    cycle_2022 = year_cycle(year=2022, movement=dvk)
    cycle_2024 = year_cycle(year=2024, movement=dvk)
    for cycle, points in ((cycle_2022, 24), (cycle_2024, 20)):
        services.register_practice_model(
            cycle=cycle, practice_model=practice_model, user=users.officer, today=D(cycle.year, 2, 1)
        )
        services.score_evaluation(
            evaluation=Evaluation.objects.get(cycle=cycle, practice_model=practice_model),
            reviewer=reviewers.first,
            scores=marks(dvk_criteria, points),
            today=D(cycle.year, 11, 1),
        )
    # Criteria edited since 2022 do not rewrite its stored result.
    Criterion.objects.filter(pk=dvk_criteria[0].pk).update(max_score=Decimal("50"))
    history = list(selectors.evaluation_history(practice_model=practice_model))
    assert [(e.cycle.year, e.result, e.score_percent) for e in history] == [
        (2022, EvaluationResult.EXCELLENT, Decimal("96.00")),
        (2024, EvaluationResult.GOOD, Decimal("80.00")),
    ]
    html = client.get(practice_model.url).content.decode()
    assert "Kết quả đánh giá qua các năm" in html
    assert html.index('data-year="2022"') < html.index('data-year="2024"')
    assert "Xuất sắc" in html and "Tốt" in html
    assert "96% điểm tối đa" in html and "80% điểm tối đa" in html


def test_the_public_sees_a_result_once_the_evaluation_has_closed(evaluation, reviewers, dvk_criteria, practice_model):
    score(evaluation, reviewers.first, dvk_criteria, 20)
    assert selectors.public_record(practice_model=practice_model, on=D(2025, 12, 15))["evaluation_history"] == []
    closed = selectors.public_record(practice_model=practice_model, on=D(2025, 12, 16))["evaluation_history"]
    assert [e.result for e in closed] == [EvaluationResult.GOOD]


# --- Still active? -------------------------------------------------------------------------------


def test_recognised_models_are_asked_whether_they_are_still_active(unit_tree, dvk, users, reviewers, client):
    recognised = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, year=2022,
                                      recognition_level=RecognitionLevel.DISTRICT)  # fmt: skip
    PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, year=2022)  # never recognised
    PracticeModelFactory(
        unit=unit_tree.dich_vong, movement=dvk, year=2025, recognition_level="quan-huyen"
    )  # this year's
    due = list(selectors.models_due_activity_check(user=users.officer, year=2025))
    assert due == [recognised]
    check = services.record_activity_check(
        practice_model=recognised, user=users.officer, year=2025, is_active=True, note="Vẫn duy trì hằng tháng",
        today=D(2025, 6, 1),
    )  # fmt: skip
    assert check.checked_by == users.officer
    assert selectors.models_due_activity_check(user=users.officer, year=2025, unanswered_only=True).count() == 0
    # A second answer the same year replaces the first.
    services.record_activity_check(
        practice_model=recognised, user=reviewers.first, year=2025, is_active=False, today=D(2025, 6, 2)
    )
    assert ActivityCheck.objects.get().is_active is False
    html = client.get(recognised.url).content.decode()
    assert "Không còn duy trì (tính đến năm 2025)" in html
    services.record_activity_check(
        practice_model=recognised, user=users.officer, year=2025, is_active=True, today=D(2025, 6, 3)
    )
    assert "Còn duy trì (xác nhận năm 2025)" in client.get(recognised.url).content.decode()


def test_an_earlier_cycles_result_counts_as_a_recognition(dvk, practice_model, users, reviewers, dvk_criteria):
    cycle = year_cycle(year=2022, movement=dvk)
    services.register_practice_model(
        cycle=cycle, practice_model=practice_model, user=users.officer, today=D(2022, 2, 1)
    )
    assert practice_model.year == 2023 and practice_model.recognition_level == ""
    evaluation = Evaluation.objects.get()
    services.score_evaluation(evaluation=evaluation, reviewer=reviewers.first, scores=marks(dvk_criteria, 20),
                              today=D(2022, 11, 1))  # fmt: skip
    assert list(selectors.models_due_activity_check(user=users.officer, year=2025)) == [practice_model]
    assert list(selectors.models_due_activity_check(user=users.officer, year=2023)) == []


def test_an_activity_check_is_refused_out_of_scope_or_out_of_years(practice_model, reviewers):
    with pytest.raises(PermissionDenied):
        services.record_activity_check(practice_model=practice_model, user=reviewers.dong_da, year=2025,
                                       is_active=True, today=D(2025, 6, 1))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.record_activity_check(practice_model=practice_model, user=reviewers.first, year=2026,
                                       is_active=True, today=D(2025, 6, 1))  # fmt: skip
    assert caught.value.message_dict == {"year": ["Năm rà soát phải từ 2023 đến 2025."]}
    assert not ActivityCheck.objects.exists()


# --- Cycles whose rules change -------------------------------------------------------------------


def test_changing_thresholds_recomputes_the_cycles_results(evaluation, reviewers, dvk_criteria, users):
    score(evaluation, reviewers.first, dvk_criteria, 20)  # 80 %: good
    cycle = evaluation.cycle
    cycle.good_threshold = Decimal("85")
    cycle.excellent_threshold = Decimal("95")
    services.save_cycle(cycle=cycle, user=users.admin, today=SCORING_DAY)
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.PASSED


def test_thresholds_are_on_record_once_the_evaluation_has_closed(evaluation, reviewers, dvk_criteria, users):
    score(evaluation, reviewers.first, dvk_criteria, 20)
    cycle = evaluation.cycle
    cycle.good_threshold = Decimal("85")
    with pytest.raises(ValidationError) as caught:
        services.save_cycle(cycle=cycle, user=users.admin, today=D(2026, 1, 5))
    assert caught.value.message_dict["excellent_threshold"] == [
        "Đợt thi đua này đã hết hạn chấm điểm ngày 15/12/2025: kết quả đã được lưu và không thể thay đổi ngưỡng xếp loại."
    ]
    evaluation.refresh_from_db()
    assert evaluation.result == EvaluationResult.GOOD
    cycle.refresh_from_db()
    assert cycle.good_threshold == Decimal("75")


def test_only_those_allowed_change_cycles(cycle_2025, users):
    cycle_2025.name = "Năm 2025 (sửa)"
    with pytest.raises(PermissionDenied):
        services.save_cycle(cycle=cycle_2025, user=users.reviewer)
