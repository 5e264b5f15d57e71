"""The admin listings' "Download XLSX / CSV": the listing's filters, search and order, the user's models only,
streamed through the export core (formulas neutralised), for practice models and for units."""

import csv
import io

from django.http import StreamingHttpResponse
from django.utils import timezone

import openpyxl
import pytest

from models_registry import exports
from models_registry.factories import PracticeModelFactory
from models_registry.models import Unit
from models_registry.services.demo import OFFICERS, ensure_groups

MODELS_URL = "/admin/snippets/models_registry/practicemodel/"
UNITS_URL = "/admin/snippets/models_registry/unit/"


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[tuple]:
    assert isinstance(response, StreamingHttpResponse)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.fixture
def models(unit_tree, dvk, cb4t, fields):
    """Published models and drafts in Dịch Vọng (the officer's ward) and in Đống Đa."""
    return {
        "dv_2023": PracticeModelFactory(
            external_id="DV-1",
            title="Bếp ăn tình thương",
            unit=unit_tree.dich_vong,
            year=2023,
            field=fields["kinh-te"],
        ),
        "dv_draft": PracticeModelFactory(
            external_id="DV-2", title="=1+1 tổ tự quản", unit=unit_tree.dich_vong, year=2024, live=False
        ),
        "cell": PracticeModelFactory(
            external_id="CB-1", title="Chi bộ bốn tốt", unit=unit_tree.cell, movement=cb4t, year=2023
        ),
        "dd": PracticeModelFactory(external_id="DD-1", title="Chợ văn minh", unit=unit_tree.dong_da, year=2023),
        "dd_draft": PracticeModelFactory(
            external_id="DD-2", title="Bản nháp Đống Đa", unit=unit_tree.dong_da, year=2022, live=False
        ),
    }


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


@pytest.fixture
def officer_client(client, users):
    users.officer.groups.add(ensure_groups()[OFFICERS])
    client.force_login(users.officer)
    return client


def test_the_listing_offers_both_downloads_in_vietnamese(admin_client, models):
    html = admin_client.get(MODELS_URL).content.decode()
    assert "Tải xuống XLSX" in html
    assert "Tải xuống CSV" in html


def test_an_administrator_exports_every_model_in_the_listing_order(admin_client, models):
    response = admin_client.get(MODELS_URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="mo-hinh-{timezone.localdate().isoformat()}.csv"'
    rows = csv_rows(response)
    assert rows[0] == exports.header_row()
    # The listing's order: newest year first, then title; drafts included (the admin sees them).
    assert [row[0] for row in rows[1:]] == ["DV-2", "DV-1", "CB-1", "DD-1", "DD-2"]
    draft = next(row for row in rows if row[0] == "DV-2")
    assert draft[1] == "'=1+1 tổ tự quản"  # neutralised


def test_filters_and_search_of_the_listing_apply(admin_client, models, dvk):
    rows = csv_rows(admin_client.get(MODELS_URL, {"export": "csv", "year": "2023", "movement": dvk.pk}))
    assert sorted(row[0] for row in rows[1:]) == ["DD-1", "DV-1"]
    rows = xlsx_rows(admin_client.get(MODELS_URL, {"export": "xlsx", "q": "cho van minh"}))
    assert [row[0] for row in rows[1:]] == ["DD-1"]
    assert list(rows[0]) == exports.header_row()


def test_an_officer_exports_only_their_units_models(officer_client, models):
    for file_format, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        response = officer_client.get(MODELS_URL, {"export": file_format})
        assert response.status_code == 200
        codes = {row[0] for row in read(response)[1:]}
        # Dịch Vọng's models, published or not; never another unit's (the cell below, Đống Đa).
        assert codes == {"DV-1", "DV-2"}


def test_the_xlsx_keeps_formulas_as_text(admin_client, models):
    rows = xlsx_rows(admin_client.get(MODELS_URL, {"export": "xlsx", "q": "to tu quan"}))
    assert rows[1][:2] == ("DV-2", "'=1+1 tổ tự quản")
    assert rows[1][5] == 2024


def test_the_unit_listing_exports_an_import_units_file(admin_client, unit_tree):
    response = admin_client.get(UNITS_URL, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'don-vi-{timezone.localdate().isoformat()}.xlsx"')
    rows = xlsx_rows(response)
    assert list(rows[0]) == ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại"]
    assert rows[1] == ("HN", "Thành phố Hà Nội", None, "city")
    assert ("HN-CG-DV-CB1", "Chi bộ Tổ dân phố số 1", "HN-CG-DV", "party_cell") in rows
    assert len(rows) == 1 + Unit.objects.count()

    rows = csv_rows(admin_client.get(UNITS_URL, {"export": "csv", "kind": "district"}))
    assert rows == [
        exports.unit_header_row(),
        ["HN-CG", "Quận Cầu Giấy", "HN", "district"],
        ["HN-DD", "Quận Đống Đa", "HN", "district"],
    ]
