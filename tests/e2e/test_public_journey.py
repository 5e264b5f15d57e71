"""A citizen browses the registry in a real browser, on a desktop and on a phone."""

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import PracticeModelImage, RecognitionLevel

from .conftest import ARTEFACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def published(unit_tree, dvk, fields):
    image = get_image_model().objects.create(title="Ngõ phố xanh", file=get_test_image_file(size=(800, 520)))
    model = PracticeModelFactory(
        title="Ngõ phố xanh - sạch - đẹp ở Dịch Vọng",
        unit=unit_tree.dich_vong,
        movement=dvk,
        field=fields["van-hoa-xa-hoi"],
        year=2024,
        recognition_level=RecognitionLevel.DISTRICT,
        cover_image=image,
    )
    PracticeModelImage.objects.create(practice_model=model, image=image, caption="Người dân trồng hoa trong ngõ")
    CommendationFactory(practice_model=model, decision_number="245/QĐ-UBND")
    PracticeModelFactory(
        title="Tổ an ninh tự quản Ô Chợ Dừa",
        unit=unit_tree.o_cho_dua,
        movement=dvk,
        field=fields["quoc-phong-an-ninh"],
        year=2023,
    )
    PracticeModelFactory(
        title="Giải phóng mặt bằng ở Ô Chợ Dừa",
        summary="Vận động các hộ dân bàn giao mặt bằng đúng hạn.",
        unit=unit_tree.o_cho_dua,
        movement=dvk,
        field=fields["kinh-te"],
        year=2022,
    )
    PracticeModelFactory(
        title="Chi bộ giải phóng vỉa hè",
        unit=unit_tree.cell,
        movement=dvk,
        field=fields["van-hoa-xa-hoi"],
        year=2024,
    )
    return model


def test_citizen_finds_a_model_from_the_home_page(page, live_server, published):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("navigation").get_by_role("link", name="Dân vận khéo").click()
    page.wait_for_url("**/dan-van-kheo/**")
    assert page.get_by_text("Tổ an ninh tự quản Ô Chợ Dừa").count() == 1
    # Choosing a field in the facet sidebar narrows the results.
    page.locator("#facet-field").get_by_label("Văn hóa - xã hội").check()
    page.get_by_role("button", name="Áp dụng bộ lọc").click()
    page.wait_for_url("**field=van-hoa-xa-hoi**")
    assert page.get_by_text("Tổ an ninh tự quản Ô Chợ Dừa").count() == 0
    assert page.locator("#facet-field").get_by_label("Văn hóa - xã hội").is_checked()
    page.get_by_role("link", name="Ngõ phố xanh - sạch - đẹp ở Dịch Vọng").first.click()
    page.wait_for_url("**/dan-van-kheo/ngo-pho-xanh-sach-dep-o-dich-vong/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ngõ phố xanh - sạch - đẹp ở Dịch Vọng"
    assert page.get_by_text("245/QĐ-UBND").count() >= 1
    # The gallery's rendition really loads in the browser.
    gallery_image = page.locator("img[alt]").filter(has_not=page.locator("[aria-hidden=true]")).first
    gallery_image.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", gallery_image.element_handle())
    # The unit breadcrumb leads to the district, which lists the ward's model.
    page.get_by_role("link", name="Quận Cầu Giấy").first.click()
    page.wait_for_url("**/don-vi/HN-CG/")
    assert page.get_by_text("Ngõ phố xanh - sạch - đẹp ở Dịch Vọng").count() >= 1


def test_pages_fit_a_phone_screen(browser, live_server, published):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/", "/dan-van-kheo/", published.url, "/don-vi/HN-CG/", "/tim-kiem/?q=ngo+pho"):
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()


def test_header_search_suggests_titles_as_you_type(page, live_server, published):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Tìm kiếm mô hình")
    box.click()
    box.press_sequentially("ngo pho", delay=40)  # without diacritics
    listbox = page.get_by_role("listbox", name="Gợi ý")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.first.inner_text() == "Ngõ phố xanh - sạch - đẹp ở Dịch Vọng"
    page.screenshot(path=str(ARTEFACTS / "header_search_suggestions.png"))
    # Escape closes the list; Down opens it again on the first suggestion, Enter opens that model.
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")
    page.wait_for_url("**/dan-van-kheo/ngo-pho-xanh-sach-dep-o-dich-vong/")


def test_header_search_finds_and_facets_narrow(page, live_server, published):
    page.goto(live_server.url + "/dan-van-kheo/")
    box = page.get_by_role("combobox", name="Tìm kiếm mô hình")
    box.fill("giai phong")
    page.get_by_role("listbox", name="Gợi ý").wait_for(state="visible")
    assert page.get_by_role("option").first.inner_text() == "Giải phóng mặt bằng ở Ô Chợ Dừa"
    box.press("Enter")  # no suggestion chosen: the search page
    page.wait_for_url("**/tim-kiem/?q=giai+phong")
    assert page.get_by_role("heading", level=1).inner_text() == "Tìm kiếm mô hình"
    results = page.locator(".search-results .card__title")
    assert results.count() == 2
    assert page.locator(".card__title mark").first.inner_text().lower() == "giải"
    # Choosing a year narrows the results and keeps the query.
    page.locator("#facet-year").get_by_label("2022").check()
    page.get_by_role("button", name="Áp dụng bộ lọc").click()
    page.wait_for_url("**year=2022**")
    assert "q=giai+phong" in page.url
    assert results.count() == 1
    assert results.first.inner_text() == "Giải phóng mặt bằng ở Ô Chợ Dừa"
    page.screenshot(path=str(ARTEFACTS / "search_page_narrowed.png"), full_page=True)
