"""Atom feeds of newly recognised models: all, per movement, per unit (with the units below)."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def recognised(unit_tree, cb4t):
    old = PracticeModelFactory(title="Cũ Cầu Giấy", unit=unit_tree.dich_vong)
    CommendationFactory(practice_model=old, decision_date=datetime.date(2021, 5, 1))
    new = PracticeModelFactory(title="Mới Đống Đa", unit=unit_tree.o_cho_dua)
    CommendationFactory(practice_model=new, decision_date=datetime.date(2024, 3, 2), title="Mô hình tiêu biểu")
    # Its latest commendation dates it: 2025, newer than the others.
    twice = PracticeModelFactory(title="Hai lần Cầu Giấy", unit=unit_tree.cell, movement=cb4t)
    CommendationFactory(practice_model=twice, decision_date=datetime.date(2020, 1, 1))
    CommendationFactory(practice_model=twice, decision_date=datetime.date(2025, 1, 1))
    # A level set by the review, no commendation: dated by first publication (today).
    level_only = PracticeModelFactory(title="Chỉ có cấp", unit=unit_tree.cau_giay, recognition_level="thanh-pho")
    PracticeModelFactory(title="Chưa công nhận", unit=unit_tree.cau_giay)
    draft = PracticeModelFactory(title="Bản nháp", unit=unit_tree.cau_giay, live=False)
    CommendationFactory(practice_model=draft, decision_date=datetime.date(2025, 6, 1))
    return {"old": old, "new": new, "twice": twice, "level_only": level_only}


def test_all_feed_lists_recognised_models_newest_first(client, recognised):
    feed, titles = entries(client, "/nguon-tin/moi-cong-nhan.atom")
    assert feed.findtext(f"{ATOM}title") == "Mô hình mới được công nhận"
    assert titles == ["Chỉ có cấp", "Hai lần Cầu Giấy", "Mới Đống Đa", "Cũ Cầu Giấy"]
    entry = feed.findall(f"{ATOM}entry")[2]
    link = entry.find(f"{ATOM}link").get("href")
    assert link.endswith(f"/dan-van-kheo/{recognised['new'].slug}/")
    assert entry.findtext(f"{ATOM}updated").startswith("2024-03-02")
    summary = entry.findtext(f"{ATOM}summary")
    assert "Mô hình tiêu biểu, Quyết định số" in summary and "02/03/2024" in summary
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Phường Ô Chợ Dừa"
    assert "Được công nhận cấp" in feed.findall(f"{ATOM}entry")[0].findtext(f"{ATOM}summary")


def test_movement_feed(client, recognised):
    feed, titles = entries(client, "/nguon-tin/phong-trao/chi-bo-bon-tot.atom")
    assert titles == ["Hai lần Cầu Giấy"]
    assert "Chi bộ bốn tốt" in feed.findtext(f"{ATOM}title")


def test_unit_feed_includes_units_below(client, recognised):
    _feed, titles = entries(client, "/nguon-tin/don-vi/HN-CG.atom")
    assert titles == ["Chỉ có cấp", "Hai lần Cầu Giấy", "Cũ Cầu Giấy"]
    _feed, titles = entries(client, "/nguon-tin/don-vi/HN-DD-OCD.atom")
    assert titles == ["Mới Đống Đa"]


def test_feed_keeps_fifty_entries(client, unit_tree):
    for index in range(53):
        model = PracticeModelFactory(unit=unit_tree.cau_giay, title=f"Mô hình {index:02d}")
        CommendationFactory(
            practice_model=model, decision_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=index)
        )
    _feed, titles = entries(client, "/nguon-tin/moi-cong-nhan.atom")
    assert len(titles) == 50
    assert titles[0] == "Mô hình 52" and titles[-1] == "Mô hình 03"


@pytest.mark.parametrize(
    "url",
    [
        "/nguon-tin/phong-trao/khong-co.atom",
        "/nguon-tin/don-vi/KHONG-CO.atom",
        "/nguon-tin/don-vi/%00.atom",
        "/nguon-tin/phong-trao/.atom",
        "/nguon-tin/khac.atom",
    ],
)
def test_unknown_movement_or_unit_is_404(client, unit_tree, url):
    assert client.get(url).status_code == 404


def test_pages_announce_their_feeds(client, recognised):
    assert 'type="application/atom+xml"' in client.get("/").content.decode()
    html = client.get("/chi-bo-bon-tot/").content.decode()
    assert 'href="/nguon-tin/phong-trao/chi-bo-bon-tot.atom"' in html
    html = client.get("/don-vi/HN-CG/").content.decode()
    assert 'href="/nguon-tin/don-vi/HN-CG.atom"' in html
