"""The Elasticsearch side of the search, against osmem-server (or the cluster of ELASTICSEARCH_URL).

Assertions are on ids and counts only: osmem's scores and timings are not Elasticsearch's.
"""

import socket
import threading
import time

import pytest

from models_registry import services as registry_services
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, PracticeModel, RecognitionLevel
from search import elastic, tasks
from search.analysis import analyse, build_groups
from search.backends.elasticsearch import ElasticsearchBackend
from search.documents import iter_documents
from search.models import PendingIndexUpdate
from search.query import SORT_NEWEST, SORT_RELEVANCE, SORT_TITLE, SearchFilters, SearchRequest, SearchUnavailable


def sync():
    tasks.process_pending_updates()
    elastic.refresh_index()


def ask(q="", *, groups=(), **kwargs) -> tuple:
    request = SearchRequest(query=analyse(q, groups=list(groups)), **kwargs)
    return ElasticsearchBackend.from_settings().search(request)


def ids(q="", **kwargs) -> list[int]:
    return ask(q, **kwargs).ids


@pytest.fixture
def es(elasticsearch, db):
    return elasticsearch


@pytest.fixture
def stories(es, unit_tree, dvk, cb4t, fields):
    """A handful of published models across movements, fields, units, years and levels."""
    made = {
        "lake": PracticeModelFactory(
            title="Vệ sinh hồ Đống Đa",
            summary="Nhân dân cùng dọn rác quanh hồ nước.",
            unit=unit_tree.o_cho_dua,
            movement=dvk,
            field=fields["van-hoa-xa-hoi"],
            year=2022,
            recognition_level=RecognitionLevel.DISTRICT,
        ),
        "household": PracticeModelFactory(
            title="Vệ sinh hộ gia đình sạch đẹp",
            summary="Mỗi hộ gia đình giữ nhà sạch, ngõ sạch.",
            unit=unit_tree.dich_vong,
            movement=dvk,
            field=fields["van-hoa-xa-hoi"],
            year=2023,
        ),
        "cell": PracticeModelFactory(
            title="Chi bộ bốn tốt ở tổ dân phố",
            summary="Sinh hoạt chi bộ nền nếp, đảng viên gương mẫu.",
            unit=unit_tree.cell,
            movement=cb4t,
            field=fields["xay-dung-he-thong-chinh-tri"],
            year=2024,
            recognition_level=RecognitionLevel.CITY,
        ),
        "women": PracticeModelFactory(
            title="Phụ nữ khởi nghiệp kinh tế",
            summary="Hội viên vay vốn phát triển kinh tế gia đình.",
            unit=unit_tree.women,
            movement=dvk,
            field=fields["kinh-te"],
            year=2024,
        ),
        "youth": PracticeModelFactory(
            title="Thanh niên tình nguyện giải phóng mặt bằng",
            summary="Đoàn viên giúp dân di dời, bàn giao mặt bằng đúng hạn.",
            unit=unit_tree.cau_giay,
            movement=dvk,
            field=fields["quoc-phong-an-ninh"],
            year=2021,
        ),
    }
    sync()
    return {key: model.pk for key, model in made.items()}


# --- Mapping and analysis ---------------------------------------------------------------------


def test_every_text_field_has_both_analyzers_explicitly(es):
    client = elastic.indexing_client()
    (mapping,) = client.indices.get_mapping(index=elastic.alias_name()).body.values()
    properties = mapping["mappings"]["properties"]
    for name in elastic.TEXT_FIELDS:
        assert properties[name]["analyzer"] == "vi_exact"
        assert properties[name]["fields"]["folded"]["analyzer"] == "vi_folded"
    assert properties["unit_codes"]["type"] == "keyword"
    assert properties["year"]["type"] == "integer"


def test_folded_query_finds_diacritics(stories):
    assert ids("dong da") == [stories["lake"]]
    assert ids("ĐỐNG ĐA") == [stories["lake"]]
    assert set(ids("ve sinh")) == {stories["lake"], stories["household"]}


def test_exact_diacritics_rank_first(stories):
    # Both match "ve sinh ho" folded; the lake ("hồ") matches the diacritics exactly, the household ("hộ") does not.
    assert ids("vệ sinh hồ")[:2] == [stories["lake"], stories["household"]]
    assert ids("vệ sinh hộ")[:2] == [stories["household"], stories["lake"]]


def test_every_word_must_match_then_relaxes(stories):
    assert ids("chi bộ gương mẫu") == [stories["cell"]]  # words from title and summary
    # No model has all of these words: any of them is then enough.
    assert set(ids("vệ sinh xyzxyz")) == {stories["lake"], stories["household"], stories["cell"]}


def test_one_typo_on_long_words(stories):
    assert ids("tinh nguyem") == [stories["youth"]]  # "nguyen" with one typo
    assert ids("tinh nguyen") == [stories["youth"]]
    assert ids("hp") == []  # too short to forgive a typo ("hồ", "hộ")
    # "kinh" is a word the index holds: no typo is assumed for it ("tinh" of the youth model).
    assert ids("kinh") == [stories["women"]]


def test_synonym_variants_match(stories):
    groups = build_groups([["GPMB", "giải phóng mặt bằng"]])
    assert ids("GPMB", groups=groups) == [stories["youth"]]


def test_quoted_phrase_is_required(stories):
    assert ids('"hộ gia đình"') == [stories["household"]]
    # The lake has "vệ sinh" too, but not the phrase.
    assert ids('"hộ gia đình" vệ sinh') == [stories["household"]]


def test_query_dsl_injection_is_plain_text(stories):
    for q in ['{"query": {"match_all": {}}}', "*:*", "title:x OR", "\\", "a" * 5000, ") OR (1=1", "<script>"]:
        result = ask(q)
        assert result.total >= 0
    assert ask("*:*").total == len(stories)  # no words: every model, not a query-string match


# --- Filters, facets, sorts, pages --------------------------------------------------------------


def test_facets_exclude_their_own_filter(stories, dvk):
    result = ask(filters=SearchFilters(movements=("dan-van-kheo",)))
    assert set(result.ids) == {stories[k] for k in ("lake", "household", "women", "youth")}
    assert result.total == 4
    # The movement facet ignores the movement filter, so the other movement can be added.
    assert result.facets["movement"] == {"dan-van-kheo": 4, "chi-bo-bon-tot": 1}
    # The other facets apply it.
    assert result.facets["field"] == {"van-hoa-xa-hoi": 2, "kinh-te": 1, "quoc-phong-an-ninh": 1}
    assert result.facets["year"] == {2022: 1, 2023: 1, 2024: 1, 2021: 1}
    assert result.facets["level"] == {"quan-huyen": 1}

    both = ask(filters=SearchFilters(movements=("dan-van-kheo",), years=(2024,)))
    assert both.ids == [stories["women"]]
    assert both.facets["year"] == {2022: 1, 2023: 1, 2024: 1, 2021: 1}
    assert both.facets["movement"] == {"dan-van-kheo": 1, "chi-bo-bon-tot": 1}


def test_facets_with_a_query(stories):
    result = ask("ve sinh", filters=SearchFilters(fields=("van-hoa-xa-hoi",)))
    assert result.total == 2
    assert result.facets["movement"] == {"dan-van-kheo": 2}
    assert result.facets["field"] == {"van-hoa-xa-hoi": 2}


def test_unit_filter_is_the_whole_subtree(stories, unit_tree):
    result = ask(filters=SearchFilters(units=("HN-CG",)), unit_facet_codes=("HN-CG", "HN-DD"))
    assert set(result.ids) == {stories[k] for k in ("household", "cell", "women", "youth")}
    # The unit facet ignores the unit filter and counts only the codes asked for.
    assert result.facets["unit"] == {"HN-CG": 4, "HN-DD": 1}
    children = ask(unit_facet_codes=("HN-CG-DV", "HN-CG-PN"))
    assert children.facets["unit"] == {"HN-CG-DV": 2, "HN-CG-PN": 1}
    assert ids(filters=SearchFilters(units=("HN-CG-DV", "HN-DD"))) != []
    assert set(ids(filters=SearchFilters(units=("HN-CG-DV", "HN-DD")))) == {
        stories["household"],
        stories["cell"],
        stories["lake"],
    }
    assert ask(unit_facet_codes=()).facets["unit"] == {}


def test_forms_filter_and_facet(stories):
    CommendationFactory(
        practice_model=PracticeModel.objects.get(pk=stories["cell"]), form=CommendationForm.EMULATION_FLAG
    )
    CommendationFactory(practice_model=PracticeModel.objects.get(pk=stories["lake"]))
    sync()
    result = ask(filters=SearchFilters(forms=(CommendationForm.EMULATION_FLAG,)))
    assert result.ids == [stories["cell"]]
    assert result.facets["form"] == {"co-thi-dua": 1, "giay-khen": 1}


def test_sorts(stories):
    newest = [stories[k] for k in ("women", "cell", "household", "lake", "youth")]
    # Same year (2024): the later publication first.
    assert ids(sort=SORT_NEWEST) == newest
    assert ids(sort=SORT_RELEVANCE) == newest  # no query: newest
    by_title = sorted(stories.values(), key=lambda pk: _folded_title(pk))
    assert ids(sort=SORT_TITLE) == by_title
    assert ids("ve sinh", sort=SORT_NEWEST) == [stories["household"], stories["lake"]]


def _folded_title(pk):
    from search.text import fold

    return fold(PracticeModel.objects.get(pk=pk).title)


def test_pagination(stories):
    everything = ids(sort=SORT_NEWEST, page_size=10)
    page_two = ask(sort=SORT_NEWEST, page=2, page_size=2)
    assert page_two.total == 5
    assert page_two.ids == everything[2:4]
    assert ask(sort=SORT_NEWEST, page=3, page_size=2).ids == everything[4:]
    assert ask(with_facets=False).facets == {}


# --- related and suggest ------------------------------------------------------------------------


def test_related_excludes_the_model_itself(stories):
    backend = ElasticsearchBackend.from_settings()
    related = backend.related(stories["lake"], limit=3)
    assert stories["lake"] not in related
    assert related[0] == stories["household"]
    assert len(related) <= 3
    assert backend.related(999_999, limit=3) == []


def test_suggest_prefixes_of_title_words(stories):
    backend = ElasticsearchBackend.from_settings()
    assert backend.suggest(analyse("ve si", groups=[]), limit=5)[:2] in (
        [stories["lake"], stories["household"]],
        [stories["household"], stories["lake"]],
    )
    assert backend.suggest(analyse("Chi bộ bố", groups=[]), limit=5) == [stories["cell"]]
    assert backend.suggest(analyse("", groups=[]), limit=5) == []


# --- Failures -----------------------------------------------------------------------------------


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_timeout_raises_search_unavailable_quickly(db, settings, silent_server):
    settings.ELASTICSEARCH_URL = silent_server
    settings.ELASTICSEARCH_INDEX = "practice-models-timeout"
    settings.ELASTICSEARCH_TIMEOUT = 0.2
    elastic.reset_client()
    try:
        backend = ElasticsearchBackend.from_settings()
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            backend.search(SearchRequest(query=analyse("ve sinh", groups=[])))
        with pytest.raises(SearchUnavailable):
            backend.suggest(analyse("ve", groups=[]), limit=3)
        with pytest.raises(SearchUnavailable):
            backend.related(1, limit=3)
        assert time.monotonic() - started < 5
    finally:
        elastic.reset_client()


def test_connection_refused_raises_search_unavailable(db, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    try:
        with pytest.raises(SearchUnavailable) as caught:
            ElasticsearchBackend.from_settings().search(SearchRequest(query=analyse("", groups=[])))
        assert caught.value.__cause__ is not None
    finally:
        elastic.reset_client()


def test_error_answer_raises_search_unavailable(es, settings):
    settings.ELASTICSEARCH_INDEX = "no-such-index"
    with pytest.raises(SearchUnavailable):
        ask("ve sinh")


# --- Outbox -------------------------------------------------------------------------------------


def test_publishing_with_elasticsearch_down_keeps_the_change(
    es, settings, unit_tree, django_capture_on_commit_callbacks
):
    up = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    with django_capture_on_commit_callbacks(execute=True):
        model = PracticeModelFactory(title="Mô hình khi máy chủ tìm kiếm ngừng", unit=unit_tree.dich_vong)
    assert PracticeModel.objects.get(pk=model.pk).live
    row = PendingIndexUpdate.objects.get(practice_model_id=model.pk)
    assert row.attempts == 1
    assert row.last_error
    assert row.next_attempt_at is not None

    settings.ELASTICSEARCH_URL = up
    elastic.reset_client()
    assert tasks.process_pending_updates() == (0, 0)  # still backing off
    PendingIndexUpdate.objects.update(next_attempt_at=row.created_at)  # the retry time has come
    assert tasks.process_pending_updates() == (1, 0)
    elastic.refresh_index()
    assert not PendingIndexUpdate.objects.exists()
    assert ids("may chu tim kiem") == [model.pk]


def test_queueing_many_ids_is_one_row_each(es):
    tasks.queue_elasticsearch_update(range(1, 100_001))
    tasks.queue_elasticsearch_update([5, 6, 100_000])
    assert PendingIndexUpdate.objects.count() == 100_000


def test_a_change_queued_while_sending_is_not_dropped(stories):
    tasks.queue_elasticsearch_update([stories["lake"]])
    row = PendingIndexUpdate.objects.get()
    PendingIndexUpdate.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=2000))
    tasks._remove_done([row])
    assert PendingIndexUpdate.objects.filter(pk=row.pk).exists()


def test_task_never_raises_when_elasticsearch_is_down(es, settings, stories):
    tasks.queue_elasticsearch_update([stories["lake"]])
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    result = tasks.sync_elasticsearch.enqueue()
    assert result.return_value == {"done": 0, "failed": 1}


def test_changes_propagate(stories, unit_tree):
    lake = PracticeModel.objects.get(pk=stories["lake"])
    lake.unpublish()
    sync()
    assert stories["lake"] not in ids("dong da")
    assert ask().total == 4

    PracticeModel.objects.get(pk=stories["household"]).delete()
    sync()
    assert stories["household"] not in ids("ve sinh")
    assert ask().total == 3

    CommendationFactory(practice_model=PracticeModel.objects.get(pk=stories["women"]), title="Bằng khen xuất sắc")
    sync()
    assert ids("xuat sac") == [stories["women"]]

    unit_tree.women.name = "Hội Phụ nữ Hoa Sen"
    unit_tree.women.save()
    sync()
    assert ids("hoa sen") == [stories["women"]]

    registry_services.move_unit(unit=unit_tree.dich_vong, parent=unit_tree.dong_da)
    sync()
    assert set(ids(filters=SearchFilters(units=("HN-DD",)))) == {stories["cell"]}
    assert stories["cell"] not in ids(filters=SearchFilters(units=("HN-CG",)))


# --- Rebuild, check, repair ---------------------------------------------------------------------


def test_rebuild_swaps_the_alias_while_the_old_index_answers(stories):
    client = elastic.indexing_client()
    (old_index,) = client.indices.get_alias(name=elastic.alias_name()).body
    client.delete(index=elastic.alias_name(), id=str(stories["women"]), refresh=True)
    seen_during = []

    def progress(advance, total):
        seen_during.append((advance, total, ask().total))

    result = elastic.rebuild(progress=progress)
    assert seen_during == [(5, 5, 4)]  # mid-rebuild, the old index (missing one) still answered
    assert result.indexed == 5
    assert result.deleted_indices == [old_index]
    assert list(client.indices.get_alias(name=elastic.alias_name()).body) == [result.index]
    assert ask().total == 5
    assert not client.indices.exists(index=old_index)


def test_outbox_writes_reach_an_index_being_rebuilt(stories, monkeypatch):
    def progress(advance, total):
        model = PracticeModel.objects.get(pk=stories["youth"])
        PracticeModel.objects.filter(pk=model.pk).update(title="Thanh niên xung kích")
        tasks.queue_elasticsearch_update([model.pk])
        tasks.process_pending_updates()

    elastic.rebuild(progress=progress)
    assert ids("xung kich") == [stories["youth"]]
    assert elastic.check().is_clean


def test_check_finds_drift_and_repair_fixes_it(stories):
    client = elastic.indexing_client()
    assert elastic.check().is_clean
    client.delete(index=elastic.alias_name(), id=str(stories["women"]))  # missing
    PracticeModel.objects.filter(pk=stories["cell"]).update(title="Chi bộ đổi tên")  # stale
    (extra,) = iter_documents([stories["lake"]])
    extra.id = 987_654
    client.index(index=elastic.alias_name(), id="987654", document=elastic.document_source(extra))  # extra
    elastic.refresh_index()

    drift = elastic.check()
    assert (drift.missing, drift.stale, drift.extra) == ([stories["women"]], [stories["cell"]], [987_654])
    assert drift.expected == 5
    assert drift.indexed == 5

    result = elastic.repair()
    assert (result.indexed, result.deleted) == (2, 1)
    assert elastic.check().is_clean
    assert ids("doi ten") == [stories["cell"]]


def test_check_pages_past_one_page(stories, monkeypatch):
    monkeypatch.setattr(elastic, "SCAN_PAGE_SIZE", 2)
    assert sorted(pk for pk, _fp in elastic.iter_indexed_fingerprints()) == sorted(stories.values())


def test_ensure_index_is_idempotent_and_delete_all_removes_everything(es):
    assert elastic.ensure_index() is False
    elastic.rebuild()
    elastic.delete_all_indices()
    client = elastic.indexing_client()
    assert not client.indices.exists_alias(name=elastic.alias_name())
    assert elastic.ensure_index() is True
