"""A citizen opens the honour board in a real browser, filters it and shares the address."""

import datetime
import re

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, RecognitionLevel
from models_registry.services.demo import REVIEWERS, ensure_groups

from .conftest import ARTEFACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "matkhau-e2e-2025"


@pytest.fixture
def commended(unit_tree, dvk, cb4t):
    green = PracticeModelFactory(title="Ngõ phố xanh - sạch - đẹp ở Dịch Vọng", unit=unit_tree.dich_vong, movement=dvk)
    cell = PracticeModelFactory(title="Chi bộ bốn tốt Tổ dân phố số 1", unit=unit_tree.cell, movement=cb4t)
    safe = PracticeModelFactory(title="Tổ an ninh tự quản Ô Chợ Dừa", unit=unit_tree.o_cho_dua, movement=dvk)
    CommendationFactory(
        practice_model=green,
        form=CommendationForm.DIPLOMA_OF_MERIT,
        level=RecognitionLevel.CITY,
        title="Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2024",
        decision_number="1234/QĐ-UBND",
        decision_date=datetime.date(2024, 12, 5),
        issuing_body="Ủy ban nhân dân thành phố Hà Nội",
    )
    CommendationFactory(
        practice_model=cell,
        form=CommendationForm.CERTIFICATE_OF_MERIT,
        level=RecognitionLevel.GRASSROOTS,
        decision_number="15-QĐ/ĐU",
        decision_date=datetime.date(2023, 9, 1),
        issuing_body="Đảng ủy phường Dịch Vọng",
    )
    CommendationFactory(
        practice_model=safe,
        form=CommendationForm.CERTIFICATE_OF_MERIT,
        level=RecognitionLevel.DISTRICT,
        decision_number="77/QĐ-UBND",
        decision_date=datetime.date(2024, 4, 10),
        issuing_body="Ủy ban nhân dân quận Đống Đa",
    )
    return green


def test_citizen_filters_the_honour_board_and_shares_it(page, live_server, commended):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Bảng vinh danh").click()
    page.wait_for_url("**/bang-vinh-danh/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bảng vinh danh"
    assert page.get_by_role("heading", level=2, name="Năm 2024").is_visible()
    assert page.get_by_role("heading", level=2, name="Năm 2023").is_visible()
    assert page.locator(".result-count").inner_text() == "3 lượt khen thưởng"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "honour_board.png"), full_page=True)

    # Narrow to the city level in Quận Cầu Giấy: the address carries both choices.
    page.get_by_label("Cấp", exact=True).select_option("thanh-pho")
    page.get_by_label("Đơn vị").select_option("HN-CG")
    page.get_by_role("button", name="Áp dụng bộ lọc").click()
    page.wait_for_url("**level=thanh-pho**")
    assert "unit=HN-CG" in page.url
    assert page.get_by_text("Tổ an ninh tự quản Ô Chợ Dừa").count() == 0
    assert page.get_by_role("link", name="Ngõ phố xanh - sạch - đẹp ở Dịch Vọng").is_visible()
    page.screenshot(path=str(ARTEFACTS / "honour_board_filtered.png"), full_page=True)

    # The shared address opens the same board in a fresh tab, choices kept.
    shared = page.context.new_page()
    shared.goto(page.url)
    assert shared.get_by_label("Cấp", exact=True).input_value() == "thanh-pho"
    assert shared.locator(".result-count").inner_text() == "1 lượt khen thưởng"
    shared.close()

    # The certificate link serves the PDF, and the model's own page carries the timeline.
    certificate = page.get_by_role("link", name="Giấy chứng nhận (PDF)").first.get_attribute("href")
    response = page.request.get(live_server.url + certificate)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="Ngõ phố xanh - sạch - đẹp ở Dịch Vọng").click()
    page.wait_for_url("**/dan-van-kheo/ngo-pho-xanh-sach-dep-o-dich-vong/")
    timeline = page.locator("section", has=page.get_by_role("heading", name="Khen thưởng", exact=True))
    assert "05/12/2024" in timeline.inner_text()
    assert "Quyết định số 1234/QĐ-UBND của Ủy ban nhân dân thành phố Hà Nội" in timeline.inner_text()


def test_bad_parameters_show_a_notice_in_the_browser(page, live_server, commended):
    page.goto(live_server.url + "/bang-vinh-danh/?year=abc&level=tinh")
    notice = page.locator(".search-notice")
    assert "Một số tham số không hợp lệ và đã được bỏ qua" in notice.inner_text()
    assert "Không có cấp công nhận “tinh”." in notice.inner_text()
    assert page.locator(".result-count").inner_text() == "3 lượt khen thưởng"


def test_reviewer_commends_a_nomination_list_and_the_board_shows_it(
    page, live_server, users, unit_tree, dvk, tmp_path
):
    reviewer = users.reviewer
    reviewer.groups.add(ensure_groups()[REVIEWERS])
    reviewer.set_password(PASSWORD)
    reviewer.save()
    first = PracticeModelFactory(
        title="Tổ dân phố văn minh Dịch Vọng", unit=unit_tree.dich_vong, movement=dvk, year=2024
    )
    second = PracticeModelFactory(
        title="Hội phụ nữ giúp nhau thoát nghèo", unit=unit_tree.women, movement=dvk, year=2024
    )
    PracticeModelFactory(title="Mô hình của quận Đống Đa", unit=unit_tree.o_cho_dua, movement=dvk, year=2024)
    scan = tmp_path / "quyet-dinh-245.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

    # The admin scrolls inside its own panel: a tall window shows the whole form in a screenshot.
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(live_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(reviewer.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Khen thưởng theo danh sách").click()
    page.wait_for_url("**/admin/khen-thuong/theo-danh-sach/")
    # Only the published models of the district's units are offered.
    assert page.get_by_text("Mô hình của quận Đống Đa").count() == 0
    page.get_by_label(first.title).check()
    page.get_by_label(second.title).check()
    page.get_by_label("Hình thức").select_option("giay-khen")
    page.get_by_label("Cấp").select_option("quan-huyen")
    page.get_by_label("Số quyết định").fill("245/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("20/12/2024")
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân quận Cầu Giấy")
    page.get_by_text("Quyết định khen thưởng", exact=True).click()  # closes the date picker
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "bulk_award_choose.png"), full_page=True)
    page.get_by_role("button", name="Xem lại danh sách").click()

    page.get_by_role("heading", name="Xem lại và xác nhận").wait_for()
    assert page.get_by_role("heading", name="2 mô hình sẽ được khen thưởng").is_visible()
    page.get_by_label("Bản quét quyết định").set_input_files(str(scan))
    page.screenshot(path=str(ARTEFACTS / "bulk_award_confirm.png"), full_page=True)
    page.get_by_role("button", name="Xác nhận: khen thưởng 2 mô hình").click()
    page.wait_for_url("**/admin/snippets/models_registry/commendation/")
    assert page.get_by_text("Đã ghi Quyết định 245/QĐ-UBND: 2 mô hình được khen thưởng.").is_visible()

    page.goto(live_server.url + "/bang-vinh-danh/?year=2024&unit=HN-CG")
    assert page.locator(".result-count").inner_text() == "2 lượt khen thưởng"
    assert page.get_by_role("link", name=first.title).is_visible()
    assert page.get_by_role("link", name=second.title).is_visible()
