"""The emulation screens of the admin, as officers, reviewers and administrators use them."""

import datetime
import io
from decimal import Decimal

from django.db import connection
from django.urls import reverse
from django.utils import timezone

import openpyxl
import pytest

from emulation import services
from emulation.factories import CycleFactory, year_cycle
from emulation.models import ActivityCheck, Cycle, Evaluation, EvaluationResult, Registration, Score
from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModel, UnitMembership
from models_registry.services.demo import OFFICERS, REVIEWERS, ensure_groups
from tests.test_admin_vietnamese import english_msgids, visible_texts

from .conftest import marks

D = datetime.date


@pytest.fixture
def roles(users, reviewers):
    """The demo groups give the officer and the reviewers access to the admin."""
    groups = ensure_groups()
    users.officer.groups.add(groups[OFFICERS])
    for reviewer in (reviewers.first, reviewers.second, reviewers.dong_da):
        reviewer.groups.add(groups[REVIEWERS])
    return users


@pytest.fixture
def registered(cycle, practice_model, users):
    services.register_practice_model(cycle=cycle, practice_model=practice_model, user=users.officer)
    return Evaluation.objects.get(cycle=cycle, practice_model=practice_model)


def score_data(criteria, points, met="met"):
    data = {"action": "score"}
    for criterion, value in zip(criteria, points, strict=False):
        data[services.score_field_name(criterion)] = value
    for criterion in criteria:
        if not criterion.is_weighted:
            data[services.score_field_name(criterion)] = met
    return data


# --- Registration ------------------------------------------------------------------------------


def test_the_officer_registers_a_model_to_the_open_cycle(client, roles, cycle, practice_model):
    client.force_login(roles.officer)
    url = reverse("emulation_registration:index")
    html = client.get(url).content.decode()
    assert "Đang mở đăng ký từ ngày" in html
    assert cycle.registration_closes.strftime("%d/%m/%Y") in html
    assert practice_model.title in html
    response = client.post(url, {"cycle": cycle.pk, "practice_models": [practice_model.pk]})
    assert response.status_code == 302
    assert Registration.objects.filter(
        cycle=cycle, practice_model=practice_model, registered_by=roles.officer
    ).exists()
    follow = client.get(response["Location"]).content.decode()
    assert "Đã đăng ký 1 mô hình vào đợt “Năm thi đua hiện tại”." in follow
    assert "Mô hình đã đăng ký" in follow


def _next_ids_from(table: str, value: int) -> None:
    """Make the next row of `table` get an id of `value` or more, as on a database in use for a while."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value - 1])
        else:  # Django creates SQLite's id columns with AUTOINCREMENT, counted in sqlite_sequence
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value - 1])


def test_ids_in_the_registration_form_are_not_written_with_thousand_separators(client, roles, unit_tree, dvk):
    """Vietnamese number formatting writes 12345 as "12.345": an id in a form must stay an id (CI caught the
    checkbox of a model numbered above 999 being refused on PostgreSQL, whose ids are not reused)."""
    _next_ids_from(PracticeModel._meta.db_table, 12345)
    _next_ids_from(Cycle._meta.db_table, 4321)
    practice_model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    cycle = CycleFactory(movement=dvk)  # open today
    assert practice_model.pk >= 12345 and cycle.pk >= 4321
    client.force_login(roles.officer)
    url = reverse("emulation_registration:index")
    html = client.get(url, {"cycle": cycle.pk}).content.decode()
    assert f'name="practice_models" value="{practice_model.pk}"' in html
    assert f'name="cycle" value="{cycle.pk}"' in html
    response = client.post(url, {"cycle": str(cycle.pk), "practice_models": [str(practice_model.pk)]})
    assert response.status_code == 302
    assert Registration.objects.filter(cycle=cycle, practice_model=practice_model).exists()


def test_outside_the_window_the_screen_says_when_it_opens_or_closed(client, roles, dvk, cb4t, practice_model):
    today = timezone.localdate()
    upcoming = CycleFactory(movement=dvk, name="Đợt sắp tới", starts_on=today, ends_on=today + datetime.timedelta(days=300),
                            registration_opens=today + datetime.timedelta(days=10),
                            registration_closes=today + datetime.timedelta(days=40),
                            evaluation_deadline=today + datetime.timedelta(days=90))  # fmt: skip
    closed = year_cycle(year=today.year - 1, movement=cb4t)
    client.force_login(roles.officer)
    html = client.get(reverse("emulation_registration:index")).content.decode()
    opens = upcoming.registration_opens.strftime("%d/%m/%Y")
    assert f"Mở đăng ký từ ngày {opens}." in html
    assert f"Đã hết hạn đăng ký ngày 31/03/{today.year - 1}." in html
    page = client.get(reverse("emulation_registration:index"), {"cycle": upcoming.pk}).content.decode()
    assert 'name="practice_models"' not in page
    # A registration posted anyway is refused with the same words, and nothing is saved.
    response = client.post(
        reverse("emulation_registration:index"), {"cycle": upcoming.pk, "practice_models": [practice_model.pk]}
    )
    assert response.status_code == 200
    assert f"Đợt “Đợt sắp tới” mở đăng ký từ ngày {opens}." in response.content.decode()
    assert closed.registration_state(today) == Cycle.RegistrationState.CLOSED
    assert not Registration.objects.exists()


def test_registration_refuses_bad_input_without_an_error_page(client, roles, cycle, unit_tree, dvk):
    other = PracticeModelFactory(unit=unit_tree.o_cho_dua, movement=dvk)
    client.force_login(roles.officer)
    url = reverse("emulation_registration:index")
    response = client.post(url, {"cycle": cycle.pk, "practice_models": [other.pk]})
    assert response.status_code == 200
    assert "Có mô hình được chọn không thể đăng ký vào đợt thi đua này." in response.content.decode()
    response = client.post(url, {"cycle": cycle.pk})
    assert "Hãy chọn ít nhất một mô hình để đăng ký." in response.content.decode()
    assert client.post(url, {"cycle": "abc", "practice_models": ["x"]}).status_code == 404
    assert client.get(url, {"cycle": "abc", "q": "\x00"}).status_code == 200
    assert not Registration.objects.exists()


def test_reviewers_do_not_see_the_registration_screen(client, roles):
    client.force_login(roles.reviewer)
    # Wagtail answers a refused admin screen with a redirect to the dashboard and a message.
    assert client.get(reverse("emulation_registration:index"))["Location"] == reverse("wagtailadmin_home")
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("emulation_evaluations:index") in menu
    assert reverse("emulation_registration:index") not in menu
    client.force_login(roles.officer)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("emulation_registration:index") in menu
    assert reverse("emulation_evaluations:index") not in menu
    assert client.get(reverse("emulation_evaluations:index"))["Location"] == reverse("wagtailadmin_home")


def withdraw_url(registration_or_id) -> str:
    pk = getattr(registration_or_id, "pk", registration_or_id)
    return reverse("emulation_registration:withdraw", args=[pk])


def test_the_officer_withdraws_a_registration_after_confirming(client, roles, cycle, practice_model, registered):
    registration = Registration.objects.get()
    client.force_login(roles.officer)
    index = reverse("emulation_registration:index")
    html = client.get(index, {"cycle": cycle.pk}).content.decode()
    assert f'href="{withdraw_url(registration)}"' in html
    assert "Rút đăng ký" in html and f'<span class="w-sr-only"> “{practice_model.title}”</span>' in html
    confirm = client.get(withdraw_url(registration))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Rút đăng ký mô hình “Ngõ phố xanh - sạch - đẹp” khỏi đợt “Năm thi đua hiện tại”?" in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page and "Có, rút đăng ký" in page
    assert not {text for text in visible_texts(page) if text in english_msgids()}
    assert Registration.objects.exists()  # asking changes nothing
    response = client.post(withdraw_url(registration))
    assert response.status_code == 302
    assert response["Location"] == f"{index}?cycle={cycle.pk}"
    assert not Registration.objects.exists() and not Evaluation.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "Đã rút đăng ký mô hình “Ngõ phố xanh - sạch - đẹp” khỏi đợt “Năm thi đua hiện tại”." in follow
    assert f'name="practice_models" value="{practice_model.pk}"' in follow  # offered for registration again
    assert client.post(index, {"cycle": cycle.pk, "practice_models": [practice_model.pk]}).status_code == 302
    assert Registration.objects.filter(cycle=cycle, practice_model=practice_model).exists()
    history = client.get(
        reverse("wagtailsnippets_models_registry_practicemodel:history", args=[practice_model.pk])
    ).content.decode()
    assert "Đã rút đăng ký khỏi đợt “Năm thi đua hiện tại”" in history


def test_a_scored_registration_offers_no_withdrawal_and_a_forced_one_is_refused(
    client, roles, reviewers, cycle, registered, dvk_criteria
):
    services.score_evaluation(evaluation=registered, reviewer=reviewers.first, scores=marks(dvk_criteria, 20))
    registration = Registration.objects.get()
    client.force_login(roles.officer)
    html = client.get(reverse("emulation_registration:index"), {"cycle": cycle.pk}).content.decode()
    assert withdraw_url(registration) not in html
    assert "Đã được chấm điểm, không thể rút đăng ký." in html
    confirm = client.get(withdraw_url(registration)).content.decode()
    assert "Mô hình đã được chấm điểm, không thể rút đăng ký." in confirm
    assert "Có, rút đăng ký" not in confirm
    response = client.post(withdraw_url(registration))
    assert response.status_code == 302
    assert "Mô hình đã được chấm điểm, không thể rút đăng ký." in client.get(response["Location"]).content.decode()
    assert Registration.objects.count() == 1 and Score.objects.filter(evaluation=registered).exists()


def test_after_the_window_a_registration_stays(client, roles, dvk, practice_model, users):
    closed = year_cycle(year=2024, movement=dvk)
    services.register_practice_model(
        cycle=closed, practice_model=practice_model, user=users.officer, today=D(2024, 2, 1)
    )
    registration = Registration.objects.get()
    client.force_login(roles.officer)
    html = client.get(reverse("emulation_registration:index"), {"cycle": closed.pk}).content.decode()
    assert practice_model.title in html and withdraw_url(registration) not in html
    response = client.post(withdraw_url(registration))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('emulation_registration:index')}?cycle={closed.pk}"
    follow = client.get(response["Location"]).content.decode()
    assert "Đợt “Năm 2024” đã hết hạn đăng ký ngày 31/03/2024: không thể rút đăng ký nữa." in follow
    assert Registration.objects.count() == 1 and Evaluation.objects.count() == 1


def test_another_units_registration_is_not_found(client, roles, unit_tree, reviewers, registered):
    registration = Registration.objects.get()
    other_officer = UserFactory(username="canbo_ochodua")
    UnitMembershipFactory(user=other_officer, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    other_officer.groups.add(*roles.officer.groups.all())
    client.force_login(other_officer)
    html = client.get(reverse("emulation_registration:index"), {"cycle": registered.cycle_id}).content.decode()
    assert withdraw_url(registration) not in html
    assert client.get(withdraw_url(registration)).status_code == 404
    assert client.post(withdraw_url(registration)).status_code == 404
    # A reviewer is no officer: the screen itself is refused, as the registration screen is.
    client.force_login(reviewers.first)
    assert client.post(withdraw_url(registration))["Location"] == reverse("wagtailadmin_home")
    assert Registration.objects.count() == 1 and Evaluation.objects.count() == 1


# --- Scoring -----------------------------------------------------------------------------------


def test_the_reviewer_scores_beside_the_rules_and_sees_the_result(client, roles, reviewers, registered, dvk_criteria):
    client.force_login(reviewers.first)
    index = client.get(reverse("emulation_evaluations:index")).content.decode()
    url = reverse("emulation_evaluations:evaluation", args=[registered.pk])
    assert url in index and "Chưa chấm" in index
    html = client.get(url).content.decode()
    assert "Cách xếp loại" in html
    assert "<strong>Xuất sắc</strong>: từ 90% tổng điểm tối đa có trọng số." in html
    assert "Từ 0 đến 25 điểm, trọng số 1." in html
    response = client.post(url, score_data(dvk_criteria, ["20", "20", "17,5", "20"]))
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.score_percent == Decimal("77.50")
    assert registered.result == EvaluationResult.GOOD
    html = client.get(url).content.decode()
    assert "Đã lưu điểm của bạn. Kết quả hiện nay là “Tốt”." in html
    assert "77,50%" in html
    assert (
        'value="17,5"' in html and 'value="20"' in html
    )  # the reviewer's scores come back, written the Vietnamese way


def test_a_score_out_of_range_is_shown_on_the_form_and_nothing_is_saved(
    client, roles, reviewers, registered, dvk_criteria
):
    client.force_login(reviewers.first)
    url = reverse("emulation_evaluations:evaluation", args=[registered.pk])
    response = client.post(url, score_data(dvk_criteria, ["20", "30", "20", "20"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Điểm của tiêu chí “Phát huy được sức dân” phải từ 0 đến 25; 30 nằm ngoài khoảng cho phép." in html
    assert 'value="30"' in html  # what was typed is kept
    response = client.post(url, score_data(dvk_criteria, ["20", "hai mươi", "20", "20"], met=""))
    assert response.status_code == 200
    assert "Nhập một số." in response.content.decode()
    response = client.post(url, score_data(dvk_criteria, ["20", "20", "20", "20"], met=""))
    assert response.status_code == 200
    assert (
        "Hãy cho biết tiêu chí “Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước” có đạt hay không."
        in (response.content.decode())
    )
    assert not Score.objects.exists()


def test_a_reviewer_of_another_district_cannot_open_the_evaluation(client, roles, reviewers, registered):
    client.force_login(reviewers.dong_da)
    assert client.get(reverse("emulation_evaluations:evaluation", args=[registered.pk])).status_code == 404
    assert client.get(reverse("emulation_evaluations:evaluation", args=["abc"])).status_code == 404
    assert registered.practice_model.title not in client.get(reverse("emulation_evaluations:index")).content.decode()


def test_the_reviewer_nominates_and_withdraws(client, roles, reviewers, registered, dvk_criteria):
    client.force_login(reviewers.first)
    url = reverse("emulation_evaluations:evaluation", args=[registered.pk])
    refused = client.post(url, {"action": "nominate", "proposed_form": "giay-khen", "proposed_level": "quan-huyen"})
    assert refused.status_code == 200  # not evaluated yet: no form is offered, the refusal is shown
    assert "chưa được chấm" in refused.content.decode()
    client.post(url, score_data(dvk_criteria, ["25", "25", "25", "25"]))
    response = client.post(url, {"action": "nominate", "proposed_form": "", "proposed_level": "quan-huyen"})
    assert response.status_code == 200
    assert not Evaluation.objects.get().nominated
    response = client.post(
        url, {"action": "nominate", "proposed_form": "bang-khen", "proposed_level": "thanh-pho", "note": "Tiêu biểu"}
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (
        evaluation.nominated and evaluation.proposed_form == "bang-khen" and evaluation.nomination_note == "Tiêu biểu"
    )
    assert "Đã đề nghị: Bằng khen, cấp Thành phố, tỉnh." in client.get(url).content.decode()
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    assert not Evaluation.objects.get().nominated
    assert client.post(url, {"action": "something-else"}).status_code == 404


def test_after_the_deadline_the_scoring_form_is_gone(client, roles, reviewers, dvk, practice_model, users):
    cycle = year_cycle(year=2024, movement=dvk)
    services.register_practice_model(
        cycle=cycle, practice_model=practice_model, user=users.officer, today=D(2024, 2, 1)
    )
    evaluation = Evaluation.objects.get()
    client.force_login(reviewers.first)
    url = reverse("emulation_evaluations:evaluation", args=[evaluation.pk])
    html = client.get(url).content.decode()
    assert "Đợt thi đua này đã hết hạn chấm điểm ngày 15/12/2024: không thể thay đổi điểm nữa." in html
    response = client.post(url, {"action": "score"})
    assert response.status_code == 200
    assert "Đợt “Năm 2024” đã hết hạn chấm điểm ngày 15/12/2024" in response.content.decode()
    assert not Score.objects.exists()


# --- Report ------------------------------------------------------------------------------------


def test_the_report_downloads_as_a_spreadsheet(client, roles, reviewers, registered, dvk_criteria, unit_tree):
    services.score_evaluation(evaluation=registered, reviewer=reviewers.first, scores=marks(dvk_criteria, 25))
    services.nominate(evaluation=registered, user=reviewers.first, form="giay-khen", level="quan-huyen")
    client.force_login(reviewers.first)
    url = reverse("emulation_report:index")
    form = client.get(url)
    assert form.status_code == 200
    assert "Tải bảng tính (XLSX)" in form.content.decode()
    response = client.get(url, {"cycle": registered.cycle_id, "unit": unit_tree.cau_giay.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "de-nghi-khen-thuong-dan-van-kheo-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=5, column=3).value == "Ngõ phố xanh - sạch - đẹp"
    # A unit the reviewer does not review, or a bad value, is refused on the form.
    refused = client.get(url, {"cycle": registered.cycle_id, "unit": unit_tree.dong_da.pk})
    assert refused.status_code == 200
    assert "Bạn không thể lập báo cáo cho đơn vị này: hãy chọn đơn vị bạn phụ trách duyệt." in refused.content.decode()
    assert client.get(url, {"cycle": "x", "unit": "y"}).status_code == 200


# --- Still active? -----------------------------------------------------------------------------


def test_the_officer_answers_still_active(client, roles, unit_tree, dvk):
    year = timezone.localdate().year
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, year=year - 2, recognition_level="quan-huyen")
    client.force_login(roles.officer)
    url = reverse("emulation_activity:index")
    assert model.title in client.get(url).content.decode()
    response = client.post(
        url, {"practice_model": model.pk, "year": year, "answer": "yes", "note": "Vẫn họp hằng tháng"}
    )
    assert response.status_code == 302
    check = ActivityCheck.objects.get()
    assert check.is_active and check.year == year and check.note == "Vẫn họp hằng tháng"
    assert "Còn duy trì (xác nhận năm" in client.get(model.url).content.decode()
    response = client.post(url, {"practice_model": model.pk, "year": year + 1, "answer": "no"})
    assert response.status_code == 200
    assert f"Năm rà soát phải từ {year - 2} đến {year}." in response.content.decode()
    response = client.post(url, {"practice_model": "abc", "year": year})
    assert response.status_code == 200
    assert ActivityCheck.objects.count() == 1


# --- Cycles and criteria -----------------------------------------------------------------------


def test_the_administrator_adds_a_cycle_and_bad_dates_are_refused(client, users, dvk):
    client.force_login(users.admin)
    url = reverse("emulation_cycles:add")
    data = {
        "movement": dvk.pk, "year": 2027, "name": "Năm 2027",
        "starts_on": "01/01/2027", "ends_on": "31/12/2027",
        "registration_opens": "15/01/2027", "registration_closes": "31/03/2027", "evaluation_deadline": "15/12/2027",
        "excellent_threshold": "90", "good_threshold": "75", "pass_threshold": "50",
    }  # fmt: skip
    bad = client.post(url, {**data, "registration_closes": "10/01/2027"})
    assert bad.status_code == 200
    assert "Hạn đăng ký không thể trước ngày mở đăng ký." in bad.content.decode()
    assert not Cycle.objects.exists()
    assert client.post(url, data).status_code == 302
    cycle = Cycle.objects.get()
    assert cycle.registration_closes == D(2027, 3, 31)
    listing = client.get(reverse("emulation_cycles:index")).content.decode()
    assert "15/01/2027 – 31/03/2027" in listing and "15/12/2027" in listing


def test_closed_thresholds_are_refused_on_the_cycle_form(client, users, reviewers, dvk, practice_model, dvk_criteria):
    cycle = year_cycle(year=2024, movement=dvk)
    services.register_practice_model(cycle=cycle, practice_model=practice_model, user=users.admin, today=D(2024, 2, 1))
    services.score_evaluation(evaluation=Evaluation.objects.get(), reviewer=reviewers.first,
                              scores=marks(dvk_criteria, 20), today=D(2024, 11, 1))  # fmt: skip
    client.force_login(users.admin)
    data = {
        "movement": dvk.pk, "year": 2024, "name": "Năm 2024",
        "starts_on": "01/01/2024", "ends_on": "31/12/2024",
        "registration_opens": "15/01/2024", "registration_closes": "31/03/2024", "evaluation_deadline": "15/12/2024",
        "excellent_threshold": "90", "good_threshold": "85", "pass_threshold": "50",
    }  # fmt: skip
    response = client.post(reverse("emulation_cycles:edit", args=[cycle.pk]), data)
    assert response.status_code == 200
    assert "kết quả đã được lưu và không thể thay đổi ngưỡng xếp loại" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.good_threshold == Decimal("75")


def test_the_criteria_are_edited_in_the_admin(client, users, cb4t):
    client.force_login(users.admin)
    listing = client.get(reverse("emulation_criteria:index")).content.decode()
    assert "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị" in listing
    response = client.post(
        reverse("emulation_criteria:add"),
        {"movement": cb4t.pk, "name": "Tiêu chí thử", "description": "", "kind": "weighted", "weight": "0",
         "max_score": "10", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Tiêu chí chấm điểm cần có trọng số lớn hơn 0." in response.content.decode()


def test_the_emulation_screens_read_in_vietnamese(client, roles, reviewers, registered, dvk_criteria, users):
    services.score_evaluation(evaluation=registered, reviewer=reviewers.first, scores=marks(dvk_criteria, 25))
    english = english_msgids()
    screens = {
        users.officer: [
            reverse("emulation_registration:index"),
            reverse("emulation_registration:withdraw", args=[Registration.objects.get().pk]),
            reverse("emulation_activity:index"),
        ],
        reviewers.first: [
            reverse("emulation_evaluations:index"),
            reverse("emulation_evaluations:evaluation", args=[registered.pk]),
            reverse("emulation_report:index"),
        ],
        users.admin: [
            reverse("emulation_cycles:index"),
            reverse("emulation_cycles:add"),
            reverse("emulation_cycles:edit", args=[registered.cycle_id]),
            reverse("emulation_criteria:index"),
            reverse("emulation_criteria:add"),
            reverse("wagtailsnippets_models_registry_practicemodel:history", args=[registered.practice_model_id]),
        ],
    }
    untranslated = {}
    for user, urls in screens.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found = sorted({text for text in visible_texts(response.content.decode()) if text in english})
            if found:
                untranslated[url] = found
    assert not untranslated


def test_no_request_ends_in_an_error_page(client, roles, reviewers, cycle, registered):
    """Ids too large for the database, NUL characters and words where numbers belong are all refused calmly."""
    huge = str(10**30)
    client.force_login(roles.officer)
    url = reverse("emulation_registration:index")
    response = client.post(url, {"cycle": cycle.pk, "practice_models": [huge]})
    assert response.status_code == 200
    assert "Có mô hình được chọn không thể đăng ký vào đợt thi đua này." in response.content.decode()
    assert client.post(url, {"cycle": huge}).status_code == 404
    assert client.get(url, {"cycle": huge}).status_code == 200
    for bad in ("abc", huge, str(2**63), "-1", "0", "1.5"):
        assert client.get(reverse("emulation_registration:withdraw", args=[bad])).status_code == 404
        assert client.post(reverse("emulation_registration:withdraw", args=[bad])).status_code == 404
    activity = reverse("emulation_activity:index")
    assert client.get(activity, {"year": huge}).status_code == 200
    assert client.post(activity, {"practice_model": huge, "year": "2025", "answer": "yes"}).status_code == 200
    client.force_login(reviewers.first)
    evaluations = reverse("emulation_evaluations:index")
    assert client.get(evaluations, {"cycle": huge, "q": "ngõ\x00phố", "p": "x"}).status_code == 200
    assert client.get(reverse("emulation_evaluations:evaluation", args=[huge])).status_code == 404
    report = client.get(reverse("emulation_report:index"), {"cycle": huge, "unit": huge})
    assert report.status_code == 200
    assert "Hãy chọn đợt thi đua." in report.content.decode()
    assert not Score.objects.exists() and Registration.objects.count() == 1
