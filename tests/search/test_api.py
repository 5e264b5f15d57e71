"""The public JSON API (search/api.py): format, filters and facets, errors, detail, suggest, schema.

Every test that searches takes `search_backend`, so it runs once against the database backend and
once against Elasticsearch (osmem-server, or the cluster ELASTICSEARCH_URL names).
"""

import datetime
import json
import re
from types import SimpleNamespace

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import (
    FIRST_YEAR,
    CommendationForm,
    PracticeModel,
    PracticeModelResult,
    RecognitionLevel,
    last_allowed_year,
)
from search import api, elastic, services
from search.forms import MULTI_VALUED, SearchParamsForm
from search.indexing import practice_models_changed
from search.openapi import build_schema
from search.query import FACETS, MAX_PAGE_SIZE, SORTS, SearchUnavailable
from search.text import fold
from stats.forms import PARAMETERS as STATS_PARAMETERS

LIST = "/api/v1/models/"
SUGGEST = "/api/v1/models/suggest"
SCHEMA = "/api/v1/schema"
RESULT_KEYS = {
    "id",
    "external_id",
    "title",
    "url",
    "summary",
    "unit",
    "movement",
    "field",
    "year",
    "recognition_level",
    "replication_count",
    "highlight",
}
VIETNAMESE_LETTER = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


def is_vietnamese(message: str) -> bool:
    return bool(message) and bool(VIETNAMESE_LETTER.search(message.lower()))


@pytest.fixture
def catalogue(search_backend, unit_tree, dvk, cb4t, fields):
    """Four published models across two movements, three fields (one none), four years, and a draft."""
    market = PracticeModelFactory(
        title="Chợ văn minh, an toàn thực phẩm",
        external_id="M001",
        unit=unit_tree.dich_vong,
        movement=dvk,
        field=fields["kinh-te"],
        year=2023,
        recognition_level=RecognitionLevel.CITY,
        summary="Ban quản lý chợ cùng tiểu thương giữ vệ sinh, niêm yết giá.",
        story=json.dumps([{"type": "paragraph", "value": "<p>Tiểu thương <b>ký cam kết</b> bán hàng.</p>"}]),
        results="Không còn hàng giả trong chợ.",
    )
    street = PracticeModelFactory(
        title="Tổ dân phố xanh sạch đẹp",
        unit=unit_tree.o_cho_dua,
        movement=dvk,
        field=fields["van-hoa-xa-hoi"],
        year=2022,
        recognition_level=RecognitionLevel.DISTRICT,
        summary="Nhân dân trồng cây, phân loại rác tại nguồn.",
    )
    cell = PracticeModelFactory(
        title="Chi bộ bốn tốt gắn với dân",
        unit=unit_tree.cell,
        movement=cb4t,
        field=None,
        year=2024,
        summary="Sinh hoạt chi bộ định kỳ có chuyên đề.",
    )
    women = PracticeModelFactory(
        title="Phụ nữ khởi nghiệp <script>alert(1)</script> tại quê",
        unit=unit_tree.women,
        movement=dvk,
        field=fields["kinh-te"],
        year=2021,
        recognition_level=RecognitionLevel.GRASSROOTS,
        summary="Hội viên vay vốn, mở cửa hàng nhỏ.",
    )
    draft = PracticeModelFactory(title="Bản nháp chợ văn minh", unit=unit_tree.dich_vong, movement=dvk, live=False)
    CommendationFactory(
        practice_model=market,
        form=CommendationForm.DIPLOMA_OF_MERIT,
        level=RecognitionLevel.CITY,
        title="Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2023",
        decision_number="123/QĐ-UBND",
        decision_date=datetime.date(2023, 12, 15),
        issuing_body="Ủy ban nhân dân thành phố Hà Nội",
    )
    CommendationFactory(
        practice_model=market,
        form=CommendationForm.CERTIFICATE_OF_MERIT,
        level=RecognitionLevel.DISTRICT,
        decision_number="45/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 1),
        issuing_body="Ủy ban nhân dân quận Cầu Giấy",
    )
    PracticeModelResult.objects.create(
        practice_model=market, label="Tiểu thương ký cam kết", value=120, unit_of_measure="hộ", sort_order=0
    )
    # Measured results are indexed with the model (commendations reindex it themselves).
    practice_models_changed([market.pk])
    search_backend.sync()
    return SimpleNamespace(
        market=market, street=street, cell=cell, women=women, draft=draft, all=[market, street, cell, women]
    )


def get(client, path=LIST, **params):
    response = client.get(path, params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response


def ids(body) -> list[int]:
    return [result["id"] for result in body["results"]]


def facet(body, name) -> dict:
    return {entry["value"]: entry for entry in body["facets"][name]}


# The list: format ---------------------------------------------------------------------------


def test_result_format_field_by_field(client, catalogue, dvk, fields):
    response = get(client, q="chợ văn minh")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "page", "page_size", "num_pages", "degraded", "results", "facets"}
    assert (body["page"], body["page_size"], body["num_pages"], body["degraded"]) == (1, 20, 1, False)
    assert body["results"][0]["id"] == catalogue.market.pk
    result = body["results"][0]
    assert set(result) == RESULT_KEYS
    market = catalogue.market
    assert result["external_id"] == "M001"
    assert result["title"] == "Chợ văn minh, an toàn thực phẩm"
    assert result["url"] == "http://testserver" + market.get_url()
    assert result["summary"] == market.summary
    assert result["unit"] == {"code": "HN-CG-DV", "name": "Phường Dịch Vọng"}
    assert result["movement"] == {"slug": "dan-van-kheo", "name": dvk.title}
    assert result["field"] == {"slug": "kinh-te", "name": fields["kinh-te"].name}
    assert result["year"] == 2023
    assert result["recognition_level"] == "thanh-pho"
    assert result["replication_count"] == 0
    assert result["highlight"]["title"] == "<mark>Chợ</mark> <mark>văn</mark> <mark>minh</mark>, an toàn thực phẩm"
    assert "<mark>chợ</mark>" in result["highlight"]["summary"]
    assert catalogue.draft.pk not in ids(body)


def test_absent_values_are_null_and_no_query_means_no_highlight(client, catalogue):
    body = get(client).json()
    assert body["count"] == 4
    assert set(ids(body)) == {model.pk for model in catalogue.all}
    by_id = {result["id"]: result for result in body["results"]}
    cell = by_id[catalogue.cell.pk]
    assert (cell["external_id"], cell["field"], cell["recognition_level"]) == (None, None, None)
    assert all(result["highlight"] == {} for result in body["results"])


def test_highlight_escapes_html_and_adds_only_marks(client, catalogue):
    body = get(client, q="khởi nghiệp").json()
    assert ids(body)[0] == catalogue.women.pk
    result = body["results"][0]
    assert result["title"] == "Phụ nữ khởi nghiệp <script>alert(1)</script> tại quê"  # JSON text, not HTML
    marked = result["highlight"]["title"]
    assert marked == "Phụ nữ <mark>khởi</mark> <mark>nghiệp</mark> &lt;script&gt;alert(1)&lt;/script&gt; tại quê"
    assert "<" not in marked.replace("<mark>", "").replace("</mark>", "")


def test_body_highlight_when_only_the_story_matches(client, catalogue):
    body = get(client, q="cam kết").json()
    assert catalogue.market.pk in ids(body)
    highlight = next(r["highlight"] for r in body["results"] if r["id"] == catalogue.market.pk)
    assert set(highlight) == {"body"}
    assert "<mark>cam</mark> <mark>kết</mark>" in highlight["body"]


def test_headers_cache_vary_and_cors(client, catalogue):
    response = get(client, q="chợ")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Accept-Encoding" in response["Vary"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.head(LIST).status_code == 200


# Filters and facets --------------------------------------------------------------------------


def test_facets_count_values_with_labels(client, catalogue, dvk, cb4t, fields):
    body = get(client).json()
    assert set(body["facets"]) == set(FACETS)
    movements = facet(body, "movement")
    assert movements["dan-van-kheo"] == {"value": "dan-van-kheo", "label": dvk.title, "count": 3, "selected": False}
    assert movements["chi-bo-bon-tot"]["count"] == 1
    assert facet(body, "field")["kinh-te"] == {
        "value": "kinh-te",
        "label": fields["kinh-te"].name,
        "count": 2,
        "selected": False,
    }
    years = facet(body, "year")
    assert set(years) == {2021, 2022, 2023, 2024}  # integers, like the results' "year"
    assert all(entry["count"] == 1 for entry in years.values())
    with translation.override("vi"):
        assert facet(body, "level")["thanh-pho"]["label"] == str(RecognitionLevel.CITY.label)
    assert facet(body, "form")["bang-khen"]["count"] == 1
    # One root (Hà Nội): the unit facet lists the units directly below it, counting their subtrees.
    units = facet(body, "unit")
    assert units["HN-CG"] == {
        "value": "HN-CG",
        "label": "Quận Cầu Giấy",
        "count": 3,
        "selected": False,
        "has_children": True,
    }
    assert units["HN-DD"]["count"] == 1


def test_a_facet_ignores_its_own_filter(client, catalogue):
    body = get(client, field="kinh-te").json()
    assert set(ids(body)) == {catalogue.market.pk, catalogue.women.pk}
    fields_facet = facet(body, "field")
    assert fields_facet["kinh-te"]["selected"] is True
    assert fields_facet["kinh-te"]["count"] == 2
    assert fields_facet["van-hoa-xa-hoi"] == {**fields_facet["van-hoa-xa-hoi"], "count": 1, "selected": False}
    # The other facets apply the field filter.
    assert facet(body, "movement")["dan-van-kheo"]["count"] == 2
    assert "chi-bo-bon-tot" not in facet(body, "movement")
    assert set(facet(body, "year")) == {2021, 2023}


@pytest.mark.parametrize(
    "params",
    [
        {"field": ["kinh-te", "van-hoa-xa-hoi"]},
        {"field": "kinh-te,van-hoa-xa-hoi"},
        {"field": "kinh-te, van-hoa-xa-hoi"},
    ],
    ids=["repeated", "comma", "comma-space"],
)
def test_multi_select_repeated_and_comma_forms(client, catalogue, params):
    body = get(client, **params).json()
    assert set(ids(body)) == {catalogue.market.pk, catalogue.street.pk, catalogue.women.pk}
    assert {value for value, entry in facet(body, "field").items() if entry["selected"]} == {
        "kinh-te",
        "van-hoa-xa-hoi",
    }


def test_multi_select_years_levels_forms_and_movements(client, catalogue):
    assert set(ids(get(client, year="2022,2023").json())) == {catalogue.market.pk, catalogue.street.pk}
    assert set(ids(get(client, level=["co-so", "quan-huyen"]).json())) == {catalogue.women.pk, catalogue.street.pk}
    assert ids(get(client, form="giay-khen,co-thi-dua").json()) == [catalogue.market.pk]
    both = get(client, movement="dan-van-kheo,chi-bo-bon-tot").json()
    assert both["count"] == 4
    # Facets are AND-ed: a movement and a year.
    assert ids(get(client, movement="chi-bo-bon-tot", year="2024").json()) == [catalogue.cell.pk]
    assert get(client, movement="chi-bo-bon-tot", year="2023").json()["count"] == 0


def test_unit_filter_takes_the_whole_subtree(client, catalogue):
    assert get(client, unit="HN").json()["count"] == 4
    district = get(client, unit="HN-CG").json()
    assert set(ids(district)) == {catalogue.market.pk, catalogue.cell.pk, catalogue.women.pk}
    assert set(ids(get(client, unit="HN-CG-DV").json())) == {catalogue.market.pk, catalogue.cell.pk}
    two = get(client, unit="HN-CG-DV,HN-DD").json()
    assert set(ids(two)) == {catalogue.market.pk, catalogue.cell.pk, catalogue.street.pk}
    # One unit chosen: the unit facet drills into its children (the unit itself is the heading).
    units = facet(district, "unit")
    assert set(units) == {"HN-CG-DV", "HN-CG-PN"}
    assert units["HN-CG-DV"] == {
        "value": "HN-CG-DV",
        "label": "Phường Dịch Vọng",
        "count": 2,
        "selected": False,
        "has_children": True,
    }
    assert (units["HN-CG-PN"]["count"], units["HN-CG-PN"]["has_children"]) == (1, False)
    # Two units chosen: the top level again, the chosen unit elsewhere in the tree listed too.
    units = facet(two, "unit")
    assert units["HN-DD"]["selected"] is True
    assert units["HN-CG-DV"]["selected"] is True


def test_query_and_filters_combine(client, catalogue):
    assert ids(get(client, q="cho", unit="HN-CG-DV").json()) == [catalogue.market.pk]
    assert get(client, q="cho van minh", movement="chi-bo-bon-tot").json()["count"] == 0


# Sorts and pages -----------------------------------------------------------------------------


def test_sorts(client, catalogue):
    newest = get(client, sort="newest").json()
    assert [r["year"] for r in newest["results"]] == [2024, 2023, 2022, 2021]
    titles = [r["title"] for r in get(client, sort="title").json()["results"]]
    assert titles == sorted(titles, key=lambda title: fold(title).lower())
    assert titles[0] == "Chi bộ bốn tốt gắn với dân"
    assert ids(get(client, q="chợ văn minh", sort="relevance").json())[0] == catalogue.market.pk


def test_pages_sizes_and_clamping(client, catalogue):
    first = get(client, sort="newest", page_size=3).json()
    second = get(client, sort="newest", page_size=3, page=2).json()
    assert (first["count"], first["page"], first["page_size"], first["num_pages"]) == (4, 1, 3, 2)
    assert len(first["results"]) == 3
    assert (second["page"], len(second["results"])) == (2, 1)
    assert set(ids(first)).isdisjoint(ids(second))
    # Past the last page: the last page, and "page" says so.
    past = get(client, sort="newest", page_size=3, page=99).json()
    assert past["page"] == 2
    assert ids(past) == ids(second)
    assert get(client, page_size=MAX_PAGE_SIZE).json()["page_size"] == MAX_PAGE_SIZE
    assert get(client).json()["page_size"] == 20


def test_no_match_is_an_empty_first_page_not_an_error(client, catalogue):
    body = get(client, q="xyzzy plugh", page=3).json()
    assert (body["count"], body["page"], body["num_pages"], body["results"]) == (0, 1, 1, [])


# Bad parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"movement": "khong-co"}, "movement"),
        ({"movement": "dan-van-kheo,khong-co"}, "movement"),
        ({"field": "thu-cong"}, "field"),
        ({"unit": "NOPE"}, "unit"),
        ({"unit": "HN\x00CG"}, "unit"),  # PostgreSQL refuses NUL in any value it is sent
        ({"movement": "dan-van\x00kheo"}, "movement"),
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"year": "3000"}, "year"),
        ({"year": "２０２３"}, "year"),
        ({"level": "cao-nhat"}, "level"),
        ({"form": "ky-niem-chuong"}, "form"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "10000"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"sort": "random"}, "sort"),
        ({"field": ",".join(f"f{n}" for n in range(60))}, "field"),
    ],
)
def test_bad_parameter_is_a_400_naming_it(client, search_backend, unit_tree, params, parameter):
    response = get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert body["error"]["parameter"] == parameter
    assert body["errors"] == {parameter: body["error"]["message"]}
    assert is_vietnamese(body["error"]["message"]), body["error"]["message"]


def test_every_bad_parameter_is_listed_the_first_named(client, search_backend, unit_tree):
    body = get(client, sort="x", page="0", field="khong-co", year="abc").json()
    assert body["error"]["parameter"] == "field"  # the order of the documented parameters
    assert list(body["errors"]) == ["field", "year", "sort", "page"]
    assert all(is_vietnamese(message) for message in body["errors"].values())


def test_bad_value_messages_say_what_is_allowed(client, search_backend, unit_tree):
    with translation.override("vi"):
        year = get(client, year="1800").json()["error"]["message"]
        assert str(FIRST_YEAR) in year
        assert str(last_allowed_year()) in year
        assert "relevance" in get(client, sort="x").json()["error"]["message"]
        assert str(MAX_PAGE_SIZE) in get(client, page_size="500").json()["error"]["message"]
        assert "khong-co" in get(client, movement="khong-co").json()["error"]["message"]


def test_unknown_parameters_are_ignored(client, catalogue):
    # Cache-busters and tracking parameters must not break scripts.
    assert get(client, _="12345", utm_source="x").json()["count"] == 4


# Hostile queries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "x" * 5000,
        "chợ " * 1250,
        "chợ\x00văn\x01minh\x1f\u200b\ufeff\u202e",
        "chợ\tvăn\nminh\r",
        "'; DROP TABLE models_registry_practicemodel; --",
        "chợ' OR '1'='1",
        '{"query": {"match_all": {}}}',
        'title:chợ AND (văn OR minh) NOT "',
        "chợ* văn~2 minh^3 /regex/ \\ + - && || ! {} [] :",
        'MATCH "chợ" NEAR(văn, 2)',
        "*",
        '"',
        "%_%",
        "\U0001f600 🇻🇳",
    ],
    ids=[
        "long",
        "long-words",
        "controls",
        "whitespace",
        "sql-drop",
        "sql-or",
        "es-dsl",
        "lucene",
        "lucene-operators",
        "fts5",
        "star",
        "quote",
        "like-wildcards",
        "emoji",
    ],
)
def test_hostile_queries_are_plain_text(client, catalogue, q):
    response = get(client, q=q)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]) <= 4
    assert PracticeModel.objects.published().count() == 4  # nothing was dropped
    if q.startswith("chợ"):
        assert catalogue.market.pk in ids(body)  # the words still count, the syntax does not
    if q == '{"query": {"match_all": {}}}':
        assert body["count"] == 0  # no "match everything": just three words nobody wrote
    if q in ("%_%", "*", '"'):
        assert body["count"] == 4  # no words at all: the same as no query, not an error


# Detail --------------------------------------------------------------------------------------


def test_detail_with_commendations_and_results(client, catalogue):
    market = catalogue.market
    response = get(client, f"/api/v1/models/{market.pk}/")
    assert response.status_code == 200
    body = response.json()
    extra = {"story", "results", "measured_results", "cover_image", "commendations", "first_published_at"}
    extra |= {"replicated_from"}
    assert set(body) == RESULT_KEYS | extra
    assert body["id"] == market.pk
    assert body["url"] == "http://testserver" + market.get_url()
    assert body["unit"] == {"code": "HN-CG-DV", "name": "Phường Dịch Vọng"}
    assert body["highlight"] == {}
    assert body["story"] == "Tiểu thương ký cam kết bán hàng."
    assert body["results"] == "Không còn hàng giả trong chợ."
    assert body["measured_results"] == [
        {"label": "Tiểu thương ký cam kết", "value": "120.00", "unit_of_measure": "hộ"}
    ]
    assert body["cover_image"] is None
    assert body["replicated_from"] is None
    market.refresh_from_db()
    assert datetime.datetime.fromisoformat(body["first_published_at"]) == market.first_published_at
    assert body["first_published_at"].endswith("+07:00")
    with translation.override("vi"):
        assert body["commendations"] == [
            {
                "form": "giay-khen",
                "form_label": str(CommendationForm.CERTIFICATE_OF_MERIT.label),
                "level": "quan-huyen",
                "level_label": str(RecognitionLevel.DISTRICT.label),
                "title": "",
                "decision_number": "45/QĐ-UBND",
                "decision_date": "2022-06-01",
                "issuing_body": "Ủy ban nhân dân quận Cầu Giấy",
            },
            {
                "form": "bang-khen",
                "form_label": str(CommendationForm.DIPLOMA_OF_MERIT.label),
                "level": "thanh-pho",
                "level_label": str(RecognitionLevel.CITY.label),
                "title": "Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2023",
                "decision_number": "123/QĐ-UBND",
                "decision_date": "2023-12-15",
                "issuing_body": "Ủy ban nhân dân thành phố Hà Nội",
            },
        ]


def test_detail_cover_image_is_an_absolute_rendition_url(client, catalogue):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Chợ", file=get_test_image_file())
    catalogue.street.cover_image = image
    catalogue.street.save(update_fields=["cover_image"])
    cover = get(client, f"/api/v1/models/{catalogue.street.pk}/").json()["cover_image"]
    assert cover.startswith("http://testserver/")
    assert api.COVER_RENDITION in cover  # Wagtail names a rendition's file after its filter


@pytest.mark.parametrize("which", ["draft", "unknown"])
def test_detail_404_for_drafts_and_unknown_ids(client, catalogue, which):
    pk = catalogue.draft.pk if which == "draft" else 999_999
    response = get(client, f"/api/v1/models/{pk}/")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    assert is_vietnamese(body["error"]["message"])


# Suggest -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SUGGEST, SUGGEST + "/"])
def test_suggest(client, catalogue, path):
    response = get(client, path, q="cho van")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.json()
    assert body["query"] == "cho van"
    assert body["suggestions"][0] == {
        "id": catalogue.market.pk,
        "title": catalogue.market.title,
        "url": "http://testserver" + catalogue.market.get_url(),
    }
    assert catalogue.draft.pk not in [s["id"] for s in body["suggestions"]]


def test_suggest_empty_query_and_limits(client, catalogue):
    assert get(client, SUGGEST).json() == {"query": "", "suggestions": []}
    assert get(client, SUGGEST, q="   ").json()["suggestions"] == []
    assert len(get(client, SUGGEST, q="c", limit="1").json()["suggestions"]) <= 1
    assert get(client, SUGGEST, q="chợ", limit="500").status_code == 200  # capped, not refused
    for bad in ("0", "-3", "abc", "2.5"):
        response = get(client, SUGGEST, q="chợ", limit=bad)
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == "limit"
        assert is_vietnamese(response.json()["error"]["message"])


# Methods, failures, query counts ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", [LIST, "/api/v1/models/1/", SUGGEST, SCHEMA])
def test_other_methods_are_405_json(db, method, path):
    client = Client(enforce_csrf_checks=True)  # a 403 from the CSRF check would not be JSON
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Allow"] == "GET, HEAD"
    assert is_vietnamese(response.json()["error"]["message"])


def test_query_count_does_not_grow_with_the_page_size(
    client, search_backend, unit_tree, dvk, fields, django_assert_max_num_queries
):
    for number in range(25):
        PracticeModelFactory(
            title=f"Chợ văn minh số {number}",
            unit=unit_tree.dich_vong if number % 2 else unit_tree.o_cho_dua,
            field=fields["kinh-te"] if number % 3 else None,
            movement=dvk,
            year=2020 + number % 4,
            recognition_level=RecognitionLevel.GRASSROOTS,
        )
    search_backend.sync()
    get(client, q="chợ", page_size=1)  # warms the per-process caches (sites, synonyms)
    for params in ({"q": "chợ văn minh"}, {}):
        with CaptureQueriesContext(connection) as one_result:
            assert len(get(client, page_size=1, **params).json()["results"]) == 1
        with django_assert_max_num_queries(len(one_result)):
            assert len(get(client, page_size=25, **params).json()["results"]) == 25
    with CaptureQueriesContext(connection) as one_suggestion:
        assert len(get(client, SUGGEST, q="chợ", limit=1).json()["suggestions"]) == 1
    with django_assert_max_num_queries(len(one_suggestion)):
        assert len(get(client, SUGGEST, q="chợ", limit=20).json()["suggestions"]) == 20


def test_no_backend_at_all_is_a_503(client, db, monkeypatch):
    class Down:
        def __init__(self, name):
            self.name = name

        def search(self, request):
            raise SearchUnavailable(self.name)

        def suggest(self, query, *, limit):
            raise SearchUnavailable(self.name)

    monkeypatch.setattr(services, "primary_backend", lambda: Down("elasticsearch"))
    monkeypatch.setattr(services, "database_backend", lambda: Down("database"))
    services.reset_circuit_breaker()
    try:
        for path, params in ((LIST, {"q": "chợ"}), (SUGGEST, {"q": "chợ"})):
            response = get(client, path, **params)
            assert response.status_code == 503
            assert response["Retry-After"]
            assert is_vietnamese(response.json()["error"]["message"])
    finally:
        services.reset_circuit_breaker()


def test_elasticsearch_down_answers_from_the_database_degraded(client, settings, unit_tree, dvk):
    settings.ELASTICSEARCH_URL = ""
    market = PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dich_vong, movement=dvk)
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    elastic.reset_client()
    services.reset_circuit_breaker()
    try:
        response = get(client, q="chợ văn minh")
        assert response.status_code == 200
        body = response.json()
        assert body["degraded"] is True
        assert ids(body) == [market.pk]
        assert body["results"][0]["highlight"]["title"].startswith("<mark>Chợ</mark>")
        assert response["Cache-Control"] == api.DEGRADED_CACHE_CONTROL
        # The breaker is open now: the next answer comes straight from the database, still degraded.
        assert get(client, q="chợ").json()["degraded"] is True
    finally:
        elastic.reset_client()
        services.reset_circuit_breaker()


# Schema --------------------------------------------------------------------------------------


def check(value, schema: dict, root: dict, where: str = "$") -> None:
    """Validate `value` against the JSON Schema subset search/openapi.py uses; raise on the first mismatch."""
    if "$ref" in schema:
        schema = root["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        python = {
            "object": dict,
            "array": list,
            "string": str,
            "boolean": bool,
            "null": type(None),
            "integer": int,
        }
        ok = any(
            isinstance(value, python[name]) and not (name == "integer" and isinstance(value, bool)) for name in types
        )
        assert ok, f"{where}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, int) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value), f"{where}: {value} < minimum"
        assert value <= schema.get("maximum", value), f"{where}: {value} > maximum"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing {name}"
        for name, item in value.items():
            if name in properties:
                check(item, properties[name], root, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                raise AssertionError(f"{where}: unexpected {name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                check(item, schema["additionalProperties"], root, f"{where}.{name}")
    if isinstance(value, list):
        assert len(value) <= schema.get("maxItems", len(value)), f"{where}: too many items"
        for index, item in enumerate(value):
            check(item, schema.get("items", {}), root, f"{where}[{index}]")


def response_schema(document: dict, path: str, status: int) -> dict:
    return document["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("path", [SCHEMA, SCHEMA + "/"])
def test_schema_is_openapi_31_json(client, db, path):
    response = get(client, path)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/models/", "/models/{id}/", "/models/suggest", "/stats/", "/schema"}
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]


def test_schema_documents_every_parameter_from_the_views_constants(db):
    document = build_schema()
    listed = {p["name"]: p for p in document["paths"]["/models/"]["get"]["parameters"]}
    # What the form reads is exactly what the view accepts and the schema documents.
    assert set(SearchParamsForm.base_fields) | set(MULTI_VALUED) == set(api.LIST_PARAMETERS) == set(listed)
    assert listed["sort"]["schema"]["enum"] == list(SORTS)
    assert listed["level"]["schema"]["items"]["enum"] == list(RecognitionLevel.values)
    assert listed["form"]["schema"]["items"]["enum"] == list(CommendationForm.values)
    assert listed["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE
    assert listed["year"]["schema"]["items"]["maximum"] == last_allowed_year()
    suggest = {p["name"] for p in document["paths"]["/models/suggest"]["get"]["parameters"]}
    assert suggest == set(api.SUGGEST_PARAMETERS)
    assert document["paths"]["/models/suggest"]["get"]["parameters"][1]["schema"]["default"] == 8
    stats = {p["name"] for p in document["paths"]["/stats/"]["get"]["parameters"]}
    assert stats == set(STATS_PARAMETERS) - {"q"}  # the statistics refuse q


def test_real_answers_validate_against_the_schema(client, catalogue):
    document = build_schema()
    market = catalogue.market
    answers = [
        ("/models/", 200, get(client, q="chợ văn minh", field="kinh-te")),
        ("/models/", 200, get(client, unit="HN-CG", year="2023,2024")),
        ("/models/", 400, get(client, page="0", level="x")),
        ("/models/{id}/", 200, get(client, f"/api/v1/models/{market.pk}/")),
        ("/models/{id}/", 200, get(client, f"/api/v1/models/{catalogue.cell.pk}/")),
        ("/models/{id}/", 404, get(client, f"/api/v1/models/{catalogue.draft.pk}/")),
        ("/models/suggest", 200, get(client, SUGGEST, q="chợ")),
        ("/models/suggest", 400, get(client, SUGGEST, limit="x")),
        ("/stats/", 200, get(client, "/api/v1/stats/", group_by="field", unit="HN-CG")),
        ("/stats/", 200, get(client, "/api/v1/stats/", group_by="unit")),
        ("/stats/", 400, get(client, "/api/v1/stats/", group_by="x")),
    ]
    for path, status, response in answers:
        assert response.status_code == status
        check(response.json(), response_schema(document, path, status), document)
    # The checker does catch a wrong answer.
    body = answers[0][2].json()
    body["results"][0]["year"] = "2023"
    with pytest.raises(AssertionError):
        check(body, response_schema(document, "/models/", 200), document)
