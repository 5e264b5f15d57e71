"""A citizen browses the registry in a real browser, on a desktop and on a phone."""

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import PracticeModelImage, RecognitionLevel

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
    return model


def test_citizen_finds_a_model_from_the_home_page(page, live_server, published):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("navigation").get_by_role("link", name="Dân vận khéo").click()
    page.wait_for_url("**/dan-van-kheo/**")
    page.get_by_label("Lĩnh vực").select_option("van-hoa-xa-hoi")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**field=van-hoa-xa-hoi**")
    assert page.get_by_text("Tổ an ninh tự quản Ô Chợ Dừa").count() == 0
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
        for path in ("/", "/dan-van-kheo/", published.url, "/don-vi/HN-CG/"):
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()
