"""Open data: the files, their regeneration after changes, the page and the stable download addresses."""

import csv
import io
import json

from django.core.management import call_command
from django.db import transaction
from django.utils import translation

import pytest

from models_registry import open_data
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.services.imports import import_models


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def read_csv():
    data = (open_data.open_data_dir() / "mo-hinh.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_jsonl():
    lines = (open_data.open_data_dir() / "mo-hinh.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_regenerate_writes_csv_jsonl_and_metadata(unit_tree, fields):
    model = PracticeModelFactory(
        unit=unit_tree.cau_giay, external_id="M1", field=fields["kinh-te"], recognition_level="thanh-pho",
        summary="=cmd|' /C calc'!A0",
    )  # fmt: skip
    CommendationFactory(practice_model=model, title="Mô hình tiêu biểu")
    PracticeModelFactory(unit=unit_tree.dong_da, live=False, title="Bản nháp không công khai")

    info = open_data.regenerate_open_data()

    assert info.count == 1
    rows = read_csv()
    assert [row["external_id"] for row in rows] == ["M1"]
    assert rows[0]["unit_code"] == "HN-CG" and rows[0]["field"] == "kinh-te" and rows[0]["year"] == "2023"
    assert rows[0]["summary"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["url"].endswith(f"/dan-van-kheo/{model.slug}/")
    (record,) = read_jsonl()
    assert record["id"] == model.pk and record["title"] == model.title and record["year"] == 2023
    assert record["summary"] == "=cmd|' /C calc'!A0"  # JSON is not a spreadsheet: kept as is
    assert record["unit_name"] == "Quận Cầu Giấy"
    assert record["movement_name"] == "Dân vận khéo"
    assert record["field_name"] == fields["kinh-te"].name
    assert record["commendations"] == [
        {
            "form": "giay-khen",
            "level": "quan-huyen",
            "title": "Mô hình tiêu biểu",
            "decision_number": model.commendations.get().decision_number,
            "decision_date": "2023-12-15",
            "issuing_body": "Ủy ban nhân dân quận Cầu Giấy",
        }
    ]
    metadata = open_data.read_metadata()
    assert metadata.count == 1 and metadata.generated_at == info.generated_at
    assert metadata.sizes["csv"] == (open_data.open_data_dir() / "mo-hinh.csv").stat().st_size
    # No temporary file is left behind.
    assert sorted(p.name for p in open_data.open_data_dir().iterdir() if not p.name.startswith(".lock")) == [
        "metadata.json", "mo-hinh.csv", "mo-hinh.jsonl",
    ]  # fmt: skip


def test_open_data_csv_imports_back_unchanged(unit_tree, tmp_path):
    with translation.override("en"):
        assert import_models(
            source=io.BytesIO(
                "external_id,title,unit_code,movement,year,content\n"
                'X1,Mô hình một,HN-CG,dan-van-kheo,2023,"Đoạn 1\n\n-Đoạn 2"\n'.encode()
            ),
            filename="a.csv",
            publish=True,
        ).ok
        open_data.regenerate_open_data()
        result = import_models(source=open_data.open_data_dir() / "mo-hinh.csv", publish=True)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_publish_and_unpublish_regenerate_after_commit(unit_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        model = PracticeModelFactory(unit=unit_tree.cau_giay, external_id="P1")
    assert [row["external_id"] for row in read_csv()] == ["P1"]
    assert open_data.read_metadata().count == 1
    assert not open_data.refresh_is_pending()

    with django_capture_on_commit_callbacks(execute=True):
        model.unpublish()
    assert read_csv() == []
    assert open_data.read_metadata().count == 0


def test_commendation_and_delete_regenerate(unit_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        model = PracticeModelFactory(unit=unit_tree.cau_giay)
    with django_capture_on_commit_callbacks(execute=True):
        CommendationFactory(practice_model=model, decision_number="77/QĐ-UBND")
    assert read_jsonl()[0]["commendations"][0]["decision_number"] == "77/QĐ-UBND"
    with django_capture_on_commit_callbacks(execute=True):
        model.delete()
    assert read_jsonl() == []


def test_one_regeneration_per_transaction(unit_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for _index in range(3):
            PracticeModelFactory(unit=unit_tree.cau_giay)
    ours = [callback for callback in callbacks if callback.__name__ == "refresh_open_data_after_commit"]
    assert len(ours) == 1


def test_a_waiting_regeneration_is_not_queued_twice(unit_tree, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    open_data.request_refresh()
    open_data.request_refresh()
    assert open_data.refresh_is_pending()
    assert len(default_task_backend.results) == 1
    # The task takes the marker off before it reads, so a later change queues the next run.
    open_data.regenerate_open_data_task.call()
    assert not open_data.refresh_is_pending()
    open_data.request_refresh()
    assert len(default_task_backend.results) == 2


def test_a_bulk_load_regenerates_once_at_its_end(unit_tree, django_capture_on_commit_callbacks, monkeypatch):
    """Inside refresh_deferred() (the demo loader) committed batches do not each rewrite the files."""
    runs = []
    regenerate = open_data.regenerate_open_data
    monkeypatch.setattr(open_data, "regenerate_open_data", lambda **kwargs: runs.append(1) or regenerate(**kwargs))
    with open_data.refresh_deferred():
        for external_id in ("B1", "B2", "B3"):
            with django_capture_on_commit_callbacks(execute=True):
                PracticeModelFactory(unit=unit_tree.cau_giay, external_id=external_id)
        assert runs == [] and not (open_data.open_data_dir() / "mo-hinh.csv").exists()
    assert runs == [1]
    assert sorted(row["external_id"] for row in read_csv()) == ["B1", "B2", "B3"]
    # Outside the block, each commit asks again.
    with django_capture_on_commit_callbacks(execute=True):
        PracticeModelFactory(unit=unit_tree.cau_giay, external_id="B4")
    assert runs == [1, 1] and len(read_csv()) == 4


def test_files_are_served_at_stable_addresses(client, unit_tree):
    PracticeModelFactory(unit=unit_tree.cau_giay, external_id="S1", title="Mô hình Cầu Giấy")
    call_command("export_open_data", stdout=io.StringIO())

    response = client.get("/du-lieu-mo/mo-hinh.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "mo-hinh.csv" in response["Content-Disposition"]
    assert "Last-Modified" in response
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "Mô hình Cầu Giấy".encode() in body

    response = client.get("/du-lieu-mo/mo-hinh.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert json.loads(b"".join(response.streaming_content).decode())["external_id"] == "S1"

    page = client.get("/du-lieu-mo/").content.decode()
    assert "Dữ liệu mở" in page
    assert 'href="/du-lieu-mo/mo-hinh.csv"' in page and 'href="/du-lieu-mo/mo-hinh.jsonl"' in page
    assert "với 1 mô hình đã công bố" in page
    assert "recognition_level" in page and "Cấp công nhận" in page


def test_missing_files_answer_a_vietnamese_404(client, db):
    response = client.get("/du-lieu-mo/mo-hinh.csv")
    assert response.status_code == 404
    assert "Tệp chưa sẵn sàng" in response.content.decode()
    page = client.get("/du-lieu-mo/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Các tệp đang được chuẩn bị" in html, html[html.find("<main") :][:1500]
    assert client.post("/du-lieu-mo/mo-hinh.csv").status_code == 405


def test_footer_links_to_open_data(client, db):
    page = client.get("/du-lieu-mo/").content.decode()
    assert '<a href="/du-lieu-mo/">Dữ liệu mở</a>' in page
