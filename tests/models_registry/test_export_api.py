"""`GET /api/v1/models/export.csv|xlsx`: the listing's matches, every one, streamed; and the links to them.

Each export is read back (CSV with the csv module, XLSX with openpyxl) and compared with what
`/api/v1/models/` lists for the same parameters, page after page, on both search backends.
"""

import csv
import io
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone

import openpyxl
import pytest

from models_registry import exports
from models_registry.factories import PracticeModelFactory
from models_registry.models import RecognitionLevel
from search import services
from tests.search.conftest import (  # noqa: F401 - fixtures: both search backends, as in the search tests
    elasticsearch,
    elasticsearch_server,
    fresh_synonym_cache,
    search_backend,
)

CSV_URL = "/api/v1/models/export.csv"
XLSX_URL = "/api/v1/models/export.xlsx"
DANGEROUS_TITLE = '=HYPERLINK("http://vi.example/","Xem")'


@pytest.fixture(autouse=True)
def closed_circuit():
    services.reset_circuit_breaker()
    yield
    services.reset_circuit_breaker()


@pytest.fixture
def catalogue(search_backend, unit_tree, dvk, cb4t, fields):  # noqa: F811 - the imported fixture
    """23 published models over units, movements, fields, years and levels; one formula title; one draft."""
    units = [unit_tree.dong_da, unit_tree.o_cho_dua, unit_tree.dich_vong, unit_tree.cell, unit_tree.women]
    titles = ["Vệ sinh hồ Văn Chương số {n}", "Chợ văn minh thương mại số {n}", "Dân vận khéo giải phóng mặt bằng {n}"]
    field_cycle = [fields["kinh-te"], fields["van-hoa-xa-hoi"], None]
    for n, (unit, field, title) in enumerate(
        zip(itertools.islice(itertools.cycle(units), 22), itertools.cycle(field_cycle), itertools.cycle(titles))
    ):
        PracticeModelFactory(
            external_id=f"M-{n:03d}",
            title=title.format(n=n),
            unit=unit,
            movement=cb4t if n % 5 == 0 else dvk,
            field=field,
            year=2021 + n % 4,
            recognition_level=RecognitionLevel.CITY if n % 4 == 0 else "",
        )
    PracticeModelFactory(
        external_id="M-FORMULA", title=DANGEROUS_TITLE, summary="-5 hộ nghèo", unit=unit_tree.dich_vong, year=2023
    )
    PracticeModelFactory(external_id="M-DRAFT", title="Vệ sinh hồ bản nháp", unit=unit_tree.dong_da, live=False)
    search_backend.sync()


def listed_codes(client, params: dict) -> list[str]:
    """The model codes `/api/v1/models/` lists for these parameters, every page."""
    codes, page = [], 1
    while True:
        answer = client.get("/api/v1/models/", {**params, "page": page, "page_size": 7}).json()
        codes += [result["external_id"] for result in answer["results"]]
        if page >= answer["num_pages"]:
            return codes
        page += 1


def csv_rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Vietnamese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


PARAMETERS = [
    {},
    {"q": "ve sinh"},
    {"q": "vệ sinh hồ", "sort": "title"},
    {"movement": "dan-van-kheo", "year": "2022,2023", "sort": "title"},
    {"unit": "HN-CG", "field": "kinh-te", "sort": "newest"},
    {"level": "thanh-pho", "page": "2", "page_size": "5"},  # the page does not limit the file
]


@pytest.mark.parametrize("params", PARAMETERS)
def test_the_csv_holds_every_match_in_the_listing_order(client, catalogue, params):
    expected = listed_codes(client, {key: value for key, value in params.items() if key not in ("page", "page_size")})
    assert expected  # every case matches something
    response = client.get(CSV_URL, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="mo-hinh-{today}.csv"'
    rows = csv_rows(response)
    assert rows[0] == exports.header_row()
    assert [row[0] for row in rows[1:]] == expected
    assert "M-DRAFT" not in {row[0] for row in rows}


@pytest.mark.parametrize("params", PARAMETERS[:2] + PARAMETERS[4:5])
def test_the_xlsx_holds_the_same_rows(client, catalogue, params):
    expected = listed_codes(client, params)
    response = client.get(XLSX_URL, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith(f'mo-hinh-{timezone.localdate().isoformat()}.xlsx"')
    rows = list(xlsx_sheet(response).iter_rows(values_only=True))
    assert list(rows[0]) == exports.header_row()
    assert [row[0] for row in rows[1:]] == expected


def test_columns_hold_the_models_values_and_formulas_are_neutralised(client, catalogue, unit_tree):
    rows = csv_rows(client.get(CSV_URL, {"unit": "HN-CG-DV", "year": "2023"}))
    record = dict(zip(exports.header_row("keys"), next(row for row in rows if row[0] == "M-FORMULA"), strict=True))
    assert record["title"] == "'" + DANGEROUS_TITLE
    assert record["summary"] == "'-5 hộ nghèo"
    assert record["unit_code"] == "HN-CG-DV"
    assert record["movement"] == "dan-van-kheo"
    assert record["year"] == "2023"
    assert record["url"].startswith("http")
    assert record["url"].endswith("/dan-van-kheo/hyperlinkhttpviexamplexem/")

    sheet = xlsx_sheet(client.get(XLSX_URL, {"unit": "HN-CG-DV", "year": "2023"}))
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    title_cell = cells["M-FORMULA"][1]
    assert title_cell.data_type == "s"
    assert title_cell.value == "'" + DANGEROUS_TITLE
    assert cells["M-FORMULA"][5].value == 2023  # the year stays a number


def test_nothing_matching_gives_a_header_only_file(client, catalogue):
    rows = csv_rows(client.get(CSV_URL, {"q": "khongcotukhoanay"}))
    assert rows == [exports.header_row()]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"year": "abc"}, "year"),
        ({"movement": "khong-co"}, "movement"),
        ({"unit": "XX-99"}, "unit"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
        ({"level": "\x00"}, "level"),
    ],
)
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_bad_parameters_answer_400_naming_the_parameter(client, unit_tree, dvk, url, params, parameter):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["parameter"] == parameter
    assert error["message"]  # in Vietnamese, from the listing's own form


def test_head_gives_the_headers_only_and_post_is_refused(client, unit_tree, dvk):
    head = client.head(CSV_URL)
    assert head.status_code == 200
    assert head["Content-Disposition"].startswith('attachment; filename="mo-hinh-')
    assert head.content == b""
    assert client.post(XLSX_URL).status_code == 405


def test_the_export_addresses_are_not_taken_for_a_model_id(client, unit_tree, dvk):
    assert client.get(CSV_URL).status_code == 200
    assert client.get("/api/v1/models/export.pdf").status_code == 404


# The links on the listings -------------------------------------------------------------------


@pytest.fixture
def a_few(unit_tree, dvk, fields):
    PracticeModelFactory(title="Vệ sinh hồ Văn Chương", unit=unit_tree.dich_vong, field=fields["kinh-te"])
    PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dong_da)


def export_hrefs(html: str) -> list[str]:
    return [
        part.split('"', 1)[0].replace("&amp;", "&")
        for part in html.split('href="')[1:]
        if part.startswith(("/api/v1/models/export.csv", "/api/v1/models/export.xlsx"))
    ]


def test_the_search_page_links_its_query_and_filters_to_the_exports(client, a_few):
    html = client.get(
        "/tim-kiem/", {"q": "ve sinh", "field": "kinh-te", "sort": "title", "page": "1"}
    ).content.decode()
    assert "Tải về:" in html
    hrefs = export_hrefs(html)
    assert hrefs == [
        "/api/v1/models/export.csv?q=ve+sinh&field=kinh-te&sort=title",
        "/api/v1/models/export.xlsx?q=ve+sinh&field=kinh-te&sort=title",
    ]
    # The link gives the models the page lists.
    rows = csv_rows(client.get(hrefs[0]))
    assert [row[1] for row in rows[1:]] == ["Vệ sinh hồ Văn Chương"]


def test_movement_and_unit_listings_link_with_their_own_scope(client, a_few, unit_tree):
    movement_html = client.get("/dan-van-kheo/", {"year": "2023"}).content.decode()
    assert export_hrefs(movement_html)[0] == "/api/v1/models/export.csv?year=2023&movement=dan-van-kheo"
    unit_html = client.get("/don-vi/HN-CG/").content.decode()
    href = export_hrefs(unit_html)[0]
    assert href == "/api/v1/models/export.csv?unit=HN-CG"
    assert [row[1] for row in csv_rows(client.get(href))[1:]] == ["Vệ sinh hồ Văn Chương"]


def test_no_links_when_nothing_is_listed(client, unit_tree, dvk):
    assert export_hrefs(client.get("/tim-kiem/", {"q": "khongcotukhoanay"}).content.decode()) == []
