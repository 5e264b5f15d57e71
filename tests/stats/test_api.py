"""`GET /api/v1/stats/` (issue 5, item 6): the answer's shape, exact agreement with `/api/v1/models/`
for the same filters, successor units, and bad parameters answered 400 naming the parameter."""

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from models_registry.models import UnitChangeKind
from models_registry.services.unit_history import record_unit_change
from stats.selectors import GROUP_BYS

from .conftest import EFFECTIVE

STATS = "/api/v1/stats/"
MODELS = "/api/v1/models/"


def stats(client, **params):
    response = client.get(STATS, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def models(client, **params):
    response = client.get(MODELS, {**params, "page_size": 1})
    assert response.status_code == 200, response.content
    return response.json()


def counts(answer) -> dict:
    return {group["value"]: group["count"] for group in answer["groups"]}


def test_counts_by_field_with_the_models_without_a_field_last(client, registry):
    answer = stats(client, group_by="field")
    assert answer["group_by"] == "field"
    assert answer["total"] == 9
    assert answer["groups"][0] == {"value": "kinh-te", "label": "Kinh tế", "count": 3}
    assert counts(answer) == {
        "kinh-te": 3,
        "van-hoa-xa-hoi": 3,
        "quoc-phong-an-ninh": 1,
        "xay-dung-he-thong-chinh-tri": 0,
        None: 2,
    }
    assert answer["groups"][-1]["label"] == "Chưa phân lĩnh vực"


def test_counts_by_year_are_integers_in_order(client, registry):
    answer = stats(client, group_by="year")
    assert [group["value"] for group in answer["groups"]] == [2021, 2022, 2023, 2024]
    assert [group["label"] for group in answer["groups"]] == ["2021", "2022", "2023", "2024"]
    assert sum(counts(answer).values()) == answer["total"] == 9


def test_counts_by_level_in_rank_order(client, registry):
    answer = stats(client, group_by="level")
    assert [group["value"] for group in answer["groups"]] == ["co-so", "quan-huyen", "thanh-pho", "trung-uong", None]
    assert counts(answer) == {"co-so": 1, "quan-huyen": 2, "thanh-pho": 1, "trung-uong": 0, None: 5}
    assert answer["groups"][-1]["label"] == "Chưa được công nhận"


def test_counts_by_movement(client, registry):
    answer = stats(client, group_by="movement")
    assert answer["groups"] == [
        {"value": "dan-van-kheo", "label": "Dân vận khéo", "count": 7},
        {"value": "chi-bo-bon-tot", "label": "Chi bộ bốn tốt", "count": 2},
    ]


def test_units_are_the_roots_or_the_units_directly_below_the_filter(client, registry, unit_tree):
    top = stats(client, group_by="unit")
    assert top["parent"] is None
    assert top["groups"] == [
        {"value": "HN", "label": "Thành phố Hà Nội", "count": 9, "has_children": True},
    ]
    city = stats(client, group_by="unit", unit="HN")
    assert city["parent"] == {"code": "HN", "name": "Thành phố Hà Nội"}
    assert counts(city) == {"HN-CG": 5, "HN-DD": 3}
    # The model filed at the city itself counts in the total, under no unit below it.
    assert city["total"] == 9
    district = stats(client, group_by="unit", unit="HN-CG")
    assert counts(district) == {"HN-CG-DV": 3, "HN-CG-PN": 1}
    assert district["total"] == 5
    leaf = stats(client, group_by="unit", unit="HN-CG-DV-CB1")
    assert leaf["groups"] == []
    assert leaf["total"] == 1


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"movement": "dan-van-kheo"},
        {"movement": "chi-bo-bon-tot"},
        {"unit": "HN-CG"},
        {"unit": "HN-DD-OCD"},
        {"year": "2023"},
        {"year": "2022,2024"},
        {"movement": "dan-van-kheo", "unit": "HN-CG", "year": "2023"},
        {"movement": "dan-van-kheo", "unit": "HN-DD"},
        {"unit": "HN-CG,HN-DD-OCD", "year": "2021"},
        {"field": "kinh-te", "level": "thanh-pho"},
        {"form": "bang-khen"},
    ],
)
def test_totals_and_groups_agree_with_the_search_api(client, registry, filters):
    """Every grouping's total is the search API's count; each group is the search API's facet count."""
    search = models(client, **filters)
    for group_by in GROUP_BYS:
        answer = stats(client, group_by=group_by, **filters)
        assert answer["total"] == search["count"], (group_by, filters)
    # A facet's counts leave out its own filter, so compare each grouping with the filters but its own.
    for group_by in ("movement", "field", "year", "level"):
        others = {name: value for name, value in filters.items() if name != group_by}
        answer = stats(client, group_by=group_by, **others)
        facet = {entry["value"]: entry["count"] for entry in models(client, **others)["facets"][group_by]}
        nonzero = {value: count for value, count in counts(answer).items() if count and value is not None}
        assert nonzero == facet, (group_by, filters)
    if filters.get("unit") and "," not in filters["unit"]:
        answer = stats(client, group_by="unit", **filters)
        facet = {entry["value"]: entry["count"] for entry in search["facets"]["unit"]}
        assert {value: count for value, count in counts(answer).items() if count} == facet


def test_a_successor_counts_its_predecessors_models(client, registry, unit_tree, new_ward):
    """Dịch Vọng (3 models, one in its party cell) and Ô Chợ Dừa (2) merge into a new ward (1 of its own)."""
    record_unit_change(
        kind=UnitChangeKind.MERGE,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.dich_vong, unit_tree.o_cho_dua],
        successors=[new_ward],
    )
    assert stats(client, group_by="field", unit="HN-PCG")["total"] == 6
    assert stats(client, group_by="year", unit="HN-PCG", year="2023")["total"] == 2
    below_city = stats(client, group_by="unit", unit="HN")
    # The new ward counts its predecessors' models; the old districts keep theirs (they are still
    # in the tree); the merged wards, no longer active, are not listed.
    assert counts(below_city) == {"HN-CG": 5, "HN-DD": 3, "HN-PCG": 6}
    assert stats(client, group_by="unit", unit="HN-CG")["groups"] == [
        {"value": "HN-CG-PN", "label": "Hội Liên hiệp Phụ nữ quận Cầu Giấy", "count": 1, "has_children": False}
    ]


def test_each_answer_costs_a_fixed_number_of_queries(client, registry):
    # The first request of a process reads the search vocabulary (movements, fields, the unit tree),
    # then cached under the index token: the count that matters is the steady one.
    stats(client, group_by="unit", unit="HN-CG", movement="dan-van-kheo")
    for group_by in GROUP_BYS:
        with CaptureQueriesContext(connection) as few:
            stats(client, group_by=group_by, unit="HN-CG", year="2021", movement="dan-van-kheo")
        with CaptureQueriesContext(connection) as more:
            stats(
                client, group_by=group_by, unit="HN-CG", year="2021,2022,2023", movement="dan-van-kheo,chi-bo-bon-tot"
            )
        assert len(few) <= 10, group_by
        assert len(more) == len(few), group_by


# Bad parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({}, "group_by", "group_by là một trong unit, field, year, level, movement"),
        ({"group_by": "form"}, "group_by", "Không có cách nhóm “form”"),
        ({"group_by": "unit", "unit": "KHONG-CO"}, "unit", "Không có đơn vị nào mang mã “KHONG-CO”."),
        ({"group_by": "year", "year": "20x3"}, "year", "“20x3” không phải là một năm"),
        ({"group_by": "year", "year": "1500"}, "year", "“1500” không phải là một năm"),
        ({"group_by": "field", "movement": "khong-co"}, "movement", "Không có phong trào “khong-co”."),
        ({"group_by": "field", "q": "dân vận"}, "q", "không lọc theo từ khóa"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client, registry, params, parameter, message):
    response = client.get(STATS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["parameter"] == parameter
    assert message in body["error"]["message"]
    assert parameter in body["errors"]


def test_every_bad_parameter_is_named(client, registry):
    body = client.get(STATS, {"group_by": "x", "unit": "NOPE", "year": "abc"}).json()
    assert list(body["errors"]) == ["group_by", "unit", "year"]


@pytest.mark.parametrize(
    "value", ["\x00", "'; DROP TABLE search_searchentry; --", "%", "_", "ü" * 5000, "0001", "HN%"]
)
def test_odd_input_never_fails(client, registry, value):
    for name in ("group_by", "unit", "movement", "year", "field", "level", "form"):
        response = client.get(STATS, {"group_by": "unit", name: value})
        assert response.status_code == 400, (name, value)
        assert response.json()["error"]["parameter"] == name


def test_only_get_is_accepted(client, registry):
    response = client.post(STATS, {"group_by": "field"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_the_answer_is_open_data(client, registry):
    response = client.get(STATS, {"group_by": "field"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]


def test_combinations_of_filters_never_disagree(client, registry):
    """Every pairing of a few values of the three documented filters, against the search API."""
    values = {"movement": ["", "dan-van-kheo"], "unit": ["", "HN", "HN-CG-DV", "HN-DD"], "year": ["", "2022", "2024"]}
    for movement, unit, year in itertools.product(*values.values()):
        filters = {name: value for name, value in zip(values, (movement, unit, year), strict=True) if value}
        assert stats(client, group_by="unit", **filters)["total"] == models(client, **filters)["count"], filters
