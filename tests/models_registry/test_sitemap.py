"""sitemap.xml: an index of sections; models (published only), units and the other public pages."""

import xml.etree.ElementTree as ET

from models_registry import sitemaps
from models_registry.factories import PracticeModelFactory

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response):
    assert response.status_code == 200
    return [element.text for element in ET.fromstring(b"".join([response.content])).iter(f"{NS}loc")]


def test_index_lists_the_sections(client, unit_tree):
    locs = locations(client.get("/sitemap.xml"))
    assert {loc.split("testserver")[1] for loc in locs} == {
        "/sitemap-trang.xml",
        "/sitemap-mo-hinh.xml",
        "/sitemap-don-vi.xml",
        "/sitemap-khac.xml",
    }


def test_models_section_lists_published_models_not_drafts(client, unit_tree):
    published = PracticeModelFactory(unit=unit_tree.cau_giay, title="Đã công bố")
    draft = PracticeModelFactory(unit=unit_tree.cau_giay, title="Bản nháp", live=False)
    response = client.get("/sitemap-mo-hinh.xml")
    locs = locations(response)
    assert locs == [f"http://testserver/dan-van-kheo/{published.slug}/"]
    assert draft.slug not in response.content.decode()
    assert "<lastmod>" in response.content.decode()


def test_models_section_is_paged(client, unit_tree, monkeypatch):
    monkeypatch.setattr(sitemaps.PracticeModelSitemap, "limit", 2)
    for _index in range(3):
        PracticeModelFactory(unit=unit_tree.cau_giay)
    index = locations(client.get("/sitemap.xml"))
    assert "http://testserver/sitemap-mo-hinh.xml?p=2" in index
    assert len(locations(client.get("/sitemap-mo-hinh.xml?p=2"))) == 1
    assert client.get("/sitemap-mo-hinh.xml?p=3").status_code == 404
    assert client.get("/sitemap-mo-hinh.xml?p=x").status_code == 404


def test_other_sections(client, unit_tree, home_page):
    units = locations(client.get("/sitemap-don-vi.xml"))
    assert "http://testserver/don-vi/HN-CG/" in units and len(units) == 7
    other = locations(client.get("/sitemap-khac.xml"))
    assert {loc.split("testserver")[1] for loc in other} == {
        "/don-vi/",
        "/bang-vinh-danh/",
        "/thong-ke/",
        "/du-lieu-mo/",
    }
    pages = locations(client.get("/sitemap-trang.xml"))
    assert any(loc.endswith("/dan-van-kheo/") for loc in pages)  # Wagtail writes its Site's host


def test_unknown_section_is_404(client, db):
    assert client.get("/sitemap-khong-co.xml").status_code == 404
