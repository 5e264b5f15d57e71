"""The statistics page in headless Chromium, on a desktop and on a 375 px phone; screenshots kept."""

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import RecognitionLevel

from .conftest import ARTEFACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def published(unit_tree, dvk, cb4t, fields):
    plan = [
        (unit_tree.dich_vong, dvk, "kinh-te", 2022, RecognitionLevel.DISTRICT),
        (unit_tree.dich_vong, dvk, "van-hoa-xa-hoi", 2023, RecognitionLevel.CITY),
        (unit_tree.cell, cb4t, "xay-dung-he-thong-chinh-tri", 2023, ""),
        (unit_tree.women, dvk, "van-hoa-xa-hoi", 2024, RecognitionLevel.GRASSROOTS),
        (unit_tree.o_cho_dua, dvk, "quoc-phong-an-ninh", 2021, ""),
        (unit_tree.o_cho_dua, cb4t, None, 2024, ""),
        (unit_tree.dong_da, dvk, "kinh-te", 2025, RecognitionLevel.DISTRICT),
    ]
    models = [
        PracticeModelFactory(
            unit=unit,
            movement=movement,
            field=fields[field] if field else None,
            year=year,
            recognition_level=level,
        )
        for unit, movement, field, year, level in plan
    ]
    CommendationFactory(practice_model=models[1])
    return models


def charts_drawn(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('svg.chart__svg')).map((svg) => {
            const box = svg.getBoundingClientRect();
            return {width: box.width, height: box.height, attribute: Number(svg.getAttribute('height'))};
        })"""
    )


def inline_scripts(page) -> int:
    return page.evaluate("() => Array.from(document.scripts).filter((script) => !script.src).length")


def test_statistics_on_a_desktop(page, live_server, published):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/thong-ke/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thống kê"
    assert page.locator('[data-figure="total"]').inner_text() == "7"
    drawn = charts_drawn(page)
    assert len(drawn) == 7
    # Every chart is drawn at its own height, whatever the site's `svg {height: auto}` says.
    assert all(chart["height"] == chart["attribute"] > 0 for chart in drawn)
    assert inline_scripts(page) == 0
    # Each chart reads as a table too.
    field_chart = page.locator("#chart-field")
    field_chart.get_by_text("Xem dạng bảng").click()
    table = field_chart.get_by_role("table")
    assert table.is_visible()
    assert table.get_by_role("row", name="Văn hóa - xã hội 2").count() == 1
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS.joinpath("statistics-desktop.png")), full_page=True)
    # Drill down from the city's districts to Cầu Giấy's wards, by the bar's label.
    page.locator("#chart-unit svg").get_by_role("link", name="Quận Cầu Giấy").click()
    page.wait_for_url("**/thong-ke/?unit=HN-CG**")
    assert page.get_by_role("heading", level=1).inner_text() == "Thống kê: Quận Cầu Giấy"
    assert page.locator('[data-figure="total"]').inner_text() == "4"
    assert page.locator("#chart-unit svg").get_by_role("link", name="Phường Dịch Vọng").count() == 1
    # Narrow to one year with the form.
    page.get_by_label("Năm", exact=True).select_option("2023")
    page.get_by_role("button", name="Hiển thị").click()
    page.wait_for_url("**year=2023**")
    assert page.locator('[data-figure="total"]').inner_text() == "2"


def test_statistics_on_a_phone(browser, live_server, published):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/thong-ke/")
        assert page.locator('[data-figure="total"]').inner_text() == "7"
        # Nothing wider than the screen: no sideways scrolling.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        drawn = charts_drawn(page)
        assert all(0 < chart["width"] <= PHONE["width"] for chart in drawn)
        assert all(chart["height"] == chart["attribute"] for chart in drawn)
        # Text in the charts keeps a legible size (no viewBox shrinking it to fit).
        sizes = page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.chart__svg text'))
                .filter((text) => text.getBBox().width > 0)
                .map((text) => parseFloat(getComputedStyle(text).fontSize))"""
        )
        assert sizes
        assert min(sizes) >= 12
        # Labels of the bars fit within the screen.
        overflow = page.evaluate(
            """() => Array.from(document.querySelectorAll('.chart__label'))
                .map((text) => text.getBoundingClientRect().right)
                .filter((right) => right > window.innerWidth).length"""
        )
        assert overflow == 0
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS.joinpath("statistics-phone.png")), full_page=True)
        page.locator("#chart-unit svg").get_by_role("link", name="Quận Đống Đa").tap()
        page.wait_for_url("**unit=HN-DD**")
        assert page.locator('[data-figure="total"]').inner_text() == "3"
    finally:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS.joinpath("statistics-phone-last.png")), full_page=True)
        context.close()
