"""`services.matching_ids()`: every match of a search, in the listing's order, for the exports.

Each test runs on both backends; the reference is always `services.search()` paged to the end.
"""

import itertools
import logging

import pytest

from models_registry.factories import PracticeModelFactory
from models_registry.models import RecognitionLevel
from search import elastic, services
from search.backends import database_backend, elasticsearch_backend
from search.query import SORT_NEWEST, SORT_RELEVANCE, SORT_TITLE, SearchFilters, SearchUnavailable

CHUNK = 4  # several chunks out of a couple of dozen models


@pytest.fixture(autouse=True)
def closed_circuit():
    services.reset_circuit_breaker()
    yield
    services.reset_circuit_breaker()


@pytest.fixture(autouse=True)
def no_silent_fallback(request, caplog):
    """The Elasticsearch runs must be answered by Elasticsearch, not by the database behind it."""
    with caplog.at_level(logging.WARNING, logger="search.services"):
        yield
    if request.node.originalname != "test_elasticsearch_down_falls_back_to_the_database":
        assert "Elasticsearch unavailable" not in caplog.text


@pytest.fixture
def catalogue(search_backend, unit_tree, dvk, cb4t, fields):
    """22 published models and one draft, spread over units, fields, years, levels and titles."""
    units = [unit_tree.dong_da, unit_tree.o_cho_dua, unit_tree.dich_vong, unit_tree.cell, unit_tree.women]
    field_cycle = [fields["kinh-te"], fields["van-hoa-xa-hoi"], None]
    titles = [
        "Vệ sinh hồ Văn Chương số {n}",
        "Vệ sinh hộ gia đình sạch đẹp {n}",
        "Chợ văn minh thương mại số {n}",
        "Dân vận khéo giải phóng mặt bằng {n}",
    ]
    made = []
    for n, (unit, field, title) in enumerate(
        zip(itertools.islice(itertools.cycle(units), 22), itertools.cycle(field_cycle), itertools.cycle(titles))
    ):
        made.append(
            PracticeModelFactory(
                title=title.format(n=n),
                summary="Đoàn viên, hội viên cùng làm." if n % 3 else "Nhân dân giữ gìn vệ sinh môi trường.",
                unit=unit,
                movement=cb4t if n % 5 == 0 else dvk,
                field=field,
                year=2021 + n % 4,
                recognition_level=RecognitionLevel.CITY if n % 4 == 0 else "",
            )
        )
    draft = PracticeModelFactory(title="Vệ sinh hồ bản nháp", unit=unit_tree.dong_da, live=False)
    search_backend.sync()
    return {"models": made, "draft": draft}


def paged(**kwargs) -> list[int]:
    """Every id `search()` lists, page after page (7 per page: pages and chunks never line up)."""
    ids, page = [], 1
    while True:
        results = services.search(**kwargs, page=page, page_size=7, with_facets=False, with_highlights=False)
        ids += [item.practice_model.pk for item in results.items]
        if page >= results.num_pages:
            return ids
        page += 1


@pytest.mark.parametrize("q", ["", "ve sinh", "vệ sinh hồ", "cho van minh so", "giai phong mat bang 3"])
@pytest.mark.parametrize("sort", [SORT_RELEVANCE, SORT_NEWEST, SORT_TITLE])
def test_the_same_ids_in_the_same_order_as_paging_through_search(catalogue, q, sort):
    expected = paged(q=q, sort=sort)
    assert expected, "the fixture must match something"
    assert list(services.matching_ids(q=q, sort=sort, chunk_size=CHUNK)) == expected


def test_more_than_one_chunk_and_no_draft(catalogue):
    ids = list(services.matching_ids(chunk_size=CHUNK))
    assert len(ids) == 22 > CHUNK
    assert len(set(ids)) == 22
    assert catalogue["draft"].pk not in ids
    # A chunk size dividing the total exactly ends cleanly too.
    assert list(services.matching_ids(chunk_size=11)) == ids


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(units=("HN-CG",)),  # Cầu Giấy and everything below it
        SearchFilters(units=("HN-DD",), years=(2022, 2024)),
        SearchFilters(fields=("kinh-te", "van-hoa-xa-hoi"), movements=("dan-van-kheo",)),
        SearchFilters(levels=(RecognitionLevel.CITY,)),
    ],
)
def test_filters_as_search_applies_them(catalogue, unit_tree, filters):
    for q in ("", "ve sinh"):
        expected = paged(q=q, filters=filters)
        assert list(services.matching_ids(q=q, filters=filters, chunk_size=CHUNK)) == expected


def test_the_unit_filter_takes_the_whole_subtree(catalogue, unit_tree):
    under = {unit_tree.cau_giay.pk, unit_tree.dich_vong.pk, unit_tree.cell.pk, unit_tree.women.pk}
    expected = {model.pk for model in catalogue["models"] if model.unit_id in under}
    ids = list(services.matching_ids(filters=SearchFilters(units=("HN-CG",)), chunk_size=CHUNK))
    assert set(ids) == expected and len(ids) == len(expected)


def test_with_or_without_diacritics(catalogue):
    folded = list(services.matching_ids(q="ve sinh ho", sort=SORT_NEWEST, chunk_size=CHUNK))
    exact = list(services.matching_ids(q="VỆ SINH HỒ", sort=SORT_NEWEST, chunk_size=CHUNK))
    assert folded == exact
    lakes = {model.pk for model in catalogue["models"] if model.title.startswith("Vệ sinh hồ")}
    assert lakes <= set(folded)
    # With diacritics the lake ("hồ") ranks above the households ("hộ"), as in search().
    ranked = list(services.matching_ids(q="vệ sinh hồ", chunk_size=CHUNK))
    assert set(ranked[: len(lakes)]) == lakes


def test_a_bad_sort_is_relevance_and_no_query_is_newest(catalogue):
    relevance = list(services.matching_ids(q="ve sinh", sort=SORT_RELEVANCE, chunk_size=CHUNK))
    assert list(services.matching_ids(q="ve sinh", sort="nonsense", chunk_size=CHUNK)) == relevance
    newest = list(services.matching_ids(sort=SORT_NEWEST, chunk_size=CHUNK))
    assert list(services.matching_ids(sort=SORT_RELEVANCE, chunk_size=CHUNK)) == newest
    assert list(services.matching_ids(q="   ", sort="", chunk_size=CHUNK)) == newest


def test_nothing_matching_and_typos(catalogue):
    assert list(services.matching_ids(q="zzqxw", chunk_size=CHUNK)) == []
    assert list(services.matching_ids(filters=SearchFilters(years=(2019,)), chunk_size=CHUNK)) == []
    # One typo in a long word is forgiven, as search() forgives it.
    assert list(services.matching_ids(q="thuong nai", chunk_size=CHUNK)) == paged(q="thuong nai")
    assert paged(q="thuong nai")


def test_nothing_is_read_before_the_first_id_is_asked_for(catalogue, django_assert_num_queries):
    with django_assert_num_queries(0):
        ids = services.matching_ids(q="ve sinh")
    assert next(ids)


def test_elasticsearch_down_falls_back_to_the_database(settings, unit_tree, caplog):
    made = [PracticeModelFactory(title=f"Vệ sinh ngõ xóm {n}", unit=unit_tree.dong_da) for n in range(5)]
    expected = list(services.matching_ids(q="ve sinh", backend=database_backend(), chunk_size=2))
    assert sorted(expected) == sorted(model.pk for model in made)
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.ELASTICSEARCH_TIMEOUT = 0.3
    elastic.reset_client()
    try:
        with caplog.at_level(logging.WARNING, logger="search.services"):
            assert list(services.matching_ids(q="ve sinh", chunk_size=2)) == expected
        assert "Elasticsearch unavailable" in caplog.text
        # With a backend given, its failure is the caller's.
        with pytest.raises(SearchUnavailable):
            list(services.matching_ids(q="ve sinh", backend=elasticsearch_backend()))
    finally:
        elastic.reset_client()
