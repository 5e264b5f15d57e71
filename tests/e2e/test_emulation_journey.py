"""Issue 5's emulation cycle in a real browser: the officer registers a model to the open cycle, the
district's reviewer scores it (a score out of range first), nominates it and downloads the report."""

import io
import re

import openpyxl
import pytest

from emulation.factories import CycleFactory
from emulation.models import Evaluation, EvaluationResult, Registration
from models_registry.factories import PracticeModelFactory
from models_registry.services.demo import OFFICERS, REVIEWERS, ensure_groups

from .conftest import ARTEFACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "matkhau-thi-dua-2025"
TITLE = "Ngõ phố xanh - sạch - đẹp Dịch Vọng"


@pytest.fixture
def actors(db, users, unit_tree, dvk):
    groups = ensure_groups()
    for user, group in ((users.officer, OFFICERS), (users.reviewer, REVIEWERS)):
        user.groups.add(groups[group])
        user.set_password(PASSWORD)
        user.save()
    CycleFactory(movement=dvk, name="Năm thi đua 2026")
    PracticeModelFactory(title=TITLE, unit=unit_tree.dich_vong, movement=dvk)
    return users


def login(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def shot(page, name):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"emulation-journey-{name}.png"), full_page=True)


def test_a_model_is_registered_scored_nominated_and_reported(page, live_server, actors):
    base = live_server.url

    # 1. The ward's officer registers the model from the "Thi đua" menu.
    login(page, base, "canbo_dichvong")
    page.get_by_role("button", name="Thi đua").click()
    page.get_by_role("link", name="Đăng ký mô hình").click()
    page.wait_for_url("**/admin/emulation/registration/")
    page.locator("p", has_text="Đang mở đăng ký từ ngày").wait_for()
    page.get_by_label(TITLE).check()
    shot(page, "1-registration")
    page.get_by_role("button", name="Đăng ký các mô hình đã chọn").click()
    page.get_by_text("Đã đăng ký 1 mô hình vào đợt “Năm thi đua 2026”.").wait_for()
    assert Registration.objects.count() == 1

    # 2. The district's reviewer opens it from the list and types a score out of range: refused, kept.
    login(page, base, "duyet_caugiay")
    page.get_by_role("button", name="Thi đua").click()
    page.get_by_role("link", name="Chấm điểm mô hình").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name="Cách xếp loại").wait_for()
    fields = page.locator("input[name^=criterion_][type=text]")
    for index, value in enumerate(["20", "27", "17,5", "20"]):
        fields.nth(index).fill(value)
    page.get_by_label("Đạt", exact=True).check()
    page.get_by_role("button", name="Lưu điểm của tôi").click()
    page.get_by_text(
        "Điểm của tiêu chí “Phát huy được sức dân” phải từ 0 đến 25; 27 nằm ngoài khoảng cho phép."
    ).wait_for()
    shot(page, "2-out-of-range")
    assert Evaluation.objects.get().result == ""

    # 3. Corrected, the result follows from the rules shown beside the form.
    page.locator("input[name^=criterion_][type=text]").nth(1).fill("22")
    page.get_by_role("button", name="Lưu điểm của tôi").click()
    page.get_by_text("Đã lưu điểm của bạn. Kết quả hiện nay là “Tốt”.").wait_for()
    assert page.get_by_text("79,50%").count() >= 1
    shot(page, "3-scored")
    assert Evaluation.objects.get().result == EvaluationResult.GOOD

    # 4. The reviewer nominates it for a certificate of merit at district level.
    page.get_by_label("Hình thức khen thưởng đề nghị").select_option("giay-khen")
    page.get_by_label("Cấp khen thưởng đề nghị").select_option("quan-huyen")
    page.get_by_role("button", name="Đề nghị khen thưởng", exact=True).click()
    page.get_by_text("Đã đề nghị khen thưởng mô hình.").wait_for()
    assert Evaluation.objects.get().nominated

    # 5. The report for Cầu Giấy downloads (the reviewer's own unit is chosen already).
    page.get_by_role("button", name="Thi đua").click()
    page.get_by_role("link", name="Báo cáo khen thưởng").click()
    shot(page, "5-report-form")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải bảng tính (XLSX)").click()
    download = download_info.value
    assert re.fullmatch(r"de-nghi-khen-thuong-dan-van-kheo-\d{4}-HN-CG\.xlsx", download.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]  # noqa: SIM115
    assert sheet.cell(row=5, column=3).value == TITLE
    assert sheet.cell(row=5, column=13).value == "Tốt"
