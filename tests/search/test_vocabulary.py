"""search.vocabulary: the names search answers use, read once, and read again as soon as they change."""

from wagtail.models import Page, Site

import pytest

from models_registry.factories import PracticeModelFactory, UnitFactory
from models_registry.services.units import move_unit
from movements.factories import FieldFactory
from search import elastic, services, tasks, vocabulary
from search.forms import SearchParamsForm
from search.models import SearchIndexState
from search.query import SearchFilters

LIST = "/api/v1/models/"


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    vocabulary.clear()
    yield
    vocabulary.clear()


def facet(body: dict, name: str) -> dict[str, str]:
    return {entry["value"]: entry["label"] for entry in body["facets"][name]}


def test_values(unit_tree, dvk, cb4t, fields):
    retired = UnitFactory(code="HN-OLD", name="Phường cũ", parent=unit_tree.dong_da, is_active=False)
    names = vocabulary.get()
    assert [movement.slug for movement in names.movements] == ["dan-van-kheo", "chi-bo-bon-tot"]
    assert names.movement_slugs == {"dan-van-kheo", "chi-bo-bon-tot"}
    assert names.field_slugs == set(fields)
    assert names.unit_by_code["HN-CG"].name == "Quận Cầu Giấy"
    assert names.unit_by_id[unit_tree.cell.pk].code == "HN-CG-DV-CB1"
    assert [unit.code for unit in names.active_roots] == ["HN"]
    assert [unit.code for unit in names.children(unit_tree.cau_giay)] == ["HN-CG-DV", "HN-CG-PN"]
    # A retired unit keeps its name (old filters and labels) but is no filter or facet option.
    assert names.unit_by_code["HN-OLD"].pk == retired.pk
    assert names.active_unit("HN-OLD") is None
    assert "HN-OLD" not in [unit.code for unit in names.children(unit_tree.dong_da)]
    assert names.model_routes == {}
    # One site: each movement page's URL is worked out once, for every request.
    assert names.single_site_urls == {dvk.pk: dvk.get_url(), cb4t.pk: cb4t.get_url()}


def test_read_once_then_one_query_per_use(unit_tree, django_assert_num_queries):
    first = vocabulary.get()
    with django_assert_num_queries(1):  # the token
        assert vocabulary.get() is first


def test_another_process_changing_the_token_is_seen(unit_tree):
    first = vocabulary.get()
    SearchIndexState.objects.update_or_create(pk=1, defaults={"token": first.token + 1})
    assert vocabulary.get() is not first


def test_the_copy_is_kept_a_minute_at_most(unit_tree, monkeypatch):
    first = vocabulary.get()
    monkeypatch.setattr(vocabulary, "CACHE_SECONDS", 0)
    assert vocabulary.get() is not first


def test_a_renamed_unit_shows_at_once(client, search_backend, unit_tree):
    PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dich_vong)
    search_backend.sync()
    assert facet(client.get(LIST, {"unit": "HN-CG"}).json(), "unit") == {"HN-CG-DV": "Phường Dịch Vọng"}
    unit = unit_tree.dich_vong
    unit.name = "Phường Dịch Vọng Hậu"
    unit.save()
    search_backend.sync()
    body = client.get(LIST, {"unit": "HN-CG"}).json()
    assert facet(body, "unit") == {"HN-CG-DV": "Phường Dịch Vọng Hậu"}
    assert body["results"][0]["unit"] == {"code": "HN-CG-DV", "name": "Phường Dịch Vọng Hậu"}


def test_a_moved_unit_changes_the_drill_down_at_once(unit_tree):
    assert [unit.code for unit in services.unit_facet_scope(SearchFilters(units=("HN-DD",)), None)[1]] == ["HN-DD-OCD"]
    move_unit(unit=unit_tree.dich_vong, parent=unit_tree.dong_da)
    _parent, children = services.unit_facet_scope(SearchFilters(units=("HN-DD",)), None)
    assert [unit.code for unit in children] == ["HN-DD-OCD", "HN-CG-DV"]
    _parent, children = services.unit_facet_scope(SearchFilters(units=("HN-CG",)), None)
    assert [unit.code for unit in children] == ["HN-CG-PN"]


def test_a_new_unit_or_field_is_a_valid_filter_at_once(unit_tree):
    vocabulary.get()
    UnitFactory(code="HN-BD", name="Quận Ba Đình", parent=unit_tree.city)
    FieldFactory(slug="moi-truong", name="Môi trường")
    form = SearchParamsForm({"unit": "HN-BD", "field": "moi-truong"})
    assert form.all_errors() == {}
    assert form.filters.units == ("HN-BD",) and form.filters.fields == ("moi-truong",)


def test_a_renamed_field_and_movement_show_at_once(client, search_backend, unit_tree, dvk, fields):
    PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dich_vong, movement=dvk, field=fields["kinh-te"])
    search_backend.sync()
    client.get(LIST)
    economy = fields["kinh-te"]
    economy.name = "Kinh tế - tài chính"
    economy.save()
    dvk.title = "Dân vận khéo (mới)"
    dvk.save_revision().publish()
    body = client.get(LIST).json()
    assert facet(body, "field")["kinh-te"] == "Kinh tế - tài chính"
    assert facet(body, "movement")["dan-van-kheo"] == "Dân vận khéo (mới)"
    assert body["results"][0]["field"]["name"] == "Kinh tế - tài chính"
    assert body["results"][0]["movement"]["name"] == "Dân vận khéo (mới)"


def test_urls_with_several_sites(client, search_backend, unit_tree, dvk):
    """With a second site the URLs are routed per request, as Wagtail does, and stay right."""
    model = PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.dich_vong, movement=dvk)
    search_backend.sync()
    single = client.get(LIST).json()["results"][0]["url"]
    assert single == "http://testserver" + model.get_url()
    Site.objects.create(hostname="other.example", port=80, root_page=Page.objects.get(depth=1))
    try:
        assert vocabulary.get().single_site_urls is None
        # The request's site is the default one, whose pages' URLs stay relative to the request's host.
        assert client.get(LIST).json()["results"][0]["url"] == single
    finally:
        # Wagtail caches the sites outside the database, which the test's rollback cannot reach.
        Site.clear_site_root_paths_cache()


def test_two_queries_per_api_request_with_elasticsearch(
    client, elasticsearch, unit_tree, dvk, fields, django_assert_num_queries
):
    for number in range(5):
        PracticeModelFactory(title=f"Chợ văn minh {number}", unit=unit_tree.dich_vong, field=fields["kinh-te"])
    tasks.process_pending_updates()
    elastic.refresh_index()
    params = {"q": "chợ", "movement": "dan-van-kheo", "field": "kinh-te", "unit": "HN-CG", "year": "2023"}
    client.get(LIST, params)
    with django_assert_num_queries(2):  # the vocabulary's token, the page's models
        body = client.get(LIST, params).json()
    assert not body["degraded"] and len(body["results"]) == 5
