"""The "replicated" sort (most units running a copy first, then newest), on both backends, and
the replication figures of the JSON API."""

import pytest

from models_registry.factories import PracticeModelFactory, UnitFactory
from models_registry.models import PracticeModel
from search import elastic, services
from search.query import SORT_NEWEST, SORT_REPLICATED, SearchFilters

LIST = "/api/v1/models/"


@pytest.fixture
def replicated(search_backend, unit_tree, dvk):
    """`twice` is adopted by two other units, `once` by one, `alone` by none."""
    twice = PracticeModelFactory(title="Chợ văn minh Dịch Vọng", unit=unit_tree.dich_vong, year=2021)
    once = PracticeModelFactory(title="Chợ văn minh Ô Chợ Dừa", unit=unit_tree.o_cho_dua, year=2022)
    alone = PracticeModelFactory(title="Chợ văn minh Đống Đa", unit=unit_tree.dong_da, year=2024)
    copies = [
        PracticeModelFactory(title="Chợ văn minh phụ nữ", unit=unit_tree.women, replicated_from=twice, year=2023),
        PracticeModelFactory(title="Chợ văn minh Đống Đa 2", unit=unit_tree.dong_da, replicated_from=twice, year=2023),
        PracticeModelFactory(title="Chợ văn minh chi bộ", unit=unit_tree.cell, replicated_from=once, year=2023),
    ]
    search_backend.sync()
    for model in (twice, once, alone):
        model.refresh_from_db()
    assert (twice.replication_count, once.replication_count, alone.replication_count) == (2, 1, 0)
    return {"twice": twice, "once": once, "alone": alone, "copies": copies}


def listed(**kwargs) -> list[int]:
    return [item.practice_model.pk for item in services.search(**kwargs).items]


def test_most_replicated_first_then_newest(replicated):
    newest = listed(sort=SORT_NEWEST)
    expected = [replicated["twice"].pk, replicated["once"].pk]
    expected += [pk for pk in newest if pk not in expected]
    assert listed(sort=SORT_REPLICATED) == expected
    # With a query and filters too: the order ignores the score.
    found = listed(q="cho van minh", sort=SORT_REPLICATED, filters=SearchFilters(units=("HN-DD",)))
    assert found[0] == replicated["once"].pk  # Ô Chợ Dừa lies under Đống Đa
    assert set(found) == {pk for pk in newest if PracticeModel.objects.get(pk=pk).unit.code.startswith("HN-DD")}
    assert list(services.matching_ids(q="cho van minh", sort=SORT_REPLICATED, chunk_size=2)) == listed(
        q="cho van minh", sort=SORT_REPLICATED
    )


def test_a_new_adopter_moves_the_original_up_at_once(replicated, search_backend, unit_tree):
    elsewhere = UnitFactory(code="HN-BD", name="Quận Ba Đình", parent=unit_tree.city)
    another = UnitFactory(code="HN-HK", name="Quận Hoàn Kiếm", parent=unit_tree.city)
    PracticeModelFactory(title="Chợ văn minh Ba Đình", unit=elsewhere, replicated_from=replicated["once"])
    PracticeModelFactory(title="Chợ văn minh Hoàn Kiếm", unit=another, replicated_from=replicated["once"])
    search_backend.sync()
    assert listed(sort=SORT_REPLICATED)[:2] == [replicated["once"].pk, replicated["twice"].pk]


def test_the_api_sorts_and_shows_the_counts(client, replicated):
    response = client.get(LIST, {"sort": "replicated", "q": "chợ"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["id"] for item in results[:2]] == [replicated["twice"].pk, replicated["once"].pk]
    assert [item["replication_count"] for item in results[:3]] == [2, 1, 0]


def test_the_detail_names_the_original(client, replicated):
    copy = replicated["copies"][0]
    body = client.get(f"{LIST}{copy.pk}/").json()
    original = replicated["twice"]
    assert body["replicated_from"] == {
        "id": original.pk,
        "title": original.title,
        "url": "http://testserver" + original.get_url(),
    }
    assert body["replication_count"] == 0
    assert client.get(f"{LIST}{original.pk}/").json()["replication_count"] == 2
    # An original no longer published is not shown (its page is gone).
    original.unpublish()
    assert client.get(f"{LIST}{copy.pk}/").json()["replicated_from"] is None


def test_the_search_page_offers_the_sort(client, replicated):
    response = client.get("/tim-kiem/", {"sort": "replicated"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="replicated" selected>Được nhân rộng nhiều nhất</option>' in page


def test_an_index_built_before_the_field_gains_it(elasticsearch, unit_tree):
    """Documents now carry `replication_count`; an index made without it (strict mapping) gets it
    added by ensure_index(), which the outbox runs before writing."""
    model = PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dich_vong)
    client = elastic.indexing_client()
    alias = elastic.alias_name()
    (current,) = client.indices.get_alias(name=alias).body
    name = f"{alias}-legacy"
    mapping = elastic.build_index(name).to_dict()
    del mapping["mappings"]["properties"]["replication_count"]
    client.indices.create(index=name, **mapping)
    client.indices.update_aliases(
        actions=[{"remove": {"index": current, "alias": alias}}, {"add": {"index": name, "alias": alias}}]
    )
    try:
        elastic.ensure_index()
        (properties,) = client.indices.get_mapping(index=alias).body.values()
        assert properties["mappings"]["properties"]["replication_count"]["type"] == "integer"
        assert not elastic.apply_changes([model.pk]).failed
    finally:
        client.indices.update_aliases(
            actions=[{"remove": {"index": name, "alias": alias}}, {"add": {"index": current, "alias": alias}}]
        )
        client.indices.delete(index=name)
