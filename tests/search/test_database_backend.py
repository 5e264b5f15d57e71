"""The database search backend (SQLite FTS5 / PostgreSQL full text): matching, ranking, facets, upkeep.

Models are published through the real publish path, so the index receivers keep the index in
step exactly as in production. Assertions are on ids, orders and counts.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from models_registry import services
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, PracticeModel, RecognitionLevel
from search.analysis import analyse
from search.backends.database import DatabaseBackend, _edits
from search.models import SearchEntry
from search.query import SORT_NEWEST, SORT_TITLE, SearchFilters, SearchRequest

pytestmark = pytest.mark.django_db

backend = DatabaseBackend()

NEUTRAL = {"summary": "Một việc làm cụ thể.", "results": "Được ghi nhận."}


def model(title, **kwargs):
    """A published model whose texts say nothing but what the test gives it."""
    return PracticeModelFactory(title=title, **{**NEUTRAL, **kwargs})


def search(query="", **kwargs) -> "object":
    filters = kwargs.pop("filters", SearchFilters())
    return backend.search(SearchRequest(query=analyse(query), filters=filters, **kwargs))


def ids(query="", **kwargs) -> list[int]:
    return search(query, **kwargs).ids


# -- indexing ---------------------------------------------------------------------------------------


def test_published_models_are_indexed_and_drafts_never(unit_tree):
    published = model("Tuyến phố văn minh", unit=unit_tree.dong_da)
    draft = PracticeModelFactory(title="Tuyến phố văn minh bản nháp", live=False, unit=unit_tree.dong_da)
    assert backend.indexed_count() == 1
    assert ids("tuyến phố") == [published.pk]
    backend.update_index([draft.pk])
    assert not SearchEntry.objects.filter(pk=draft.pk).exists()


def test_unpublish_and_delete_leave_the_index(unit_tree):
    kept = model("Đường hoa xanh", unit=unit_tree.dong_da)
    unpublished = model("Đường hoa bốn mùa", unit=unit_tree.dong_da)
    deleted = model("Đường hoa nở", unit=unit_tree.dong_da)
    assert set(ids("đường hoa")) == {kept.pk, unpublished.pk, deleted.pk}
    unpublished.unpublish()
    deleted.delete()
    assert ids("đường hoa") == [kept.pk]
    assert backend.indexed_count() == 1


def test_commendations_update_forms_and_text(unit_tree):
    pm = model("Nhà văn hóa sạch đẹp", unit=unit_tree.dong_da)
    CommendationFactory(practice_model=pm, form=CommendationForm.DIPLOMA_OF_MERIT, title="Tập thể tiêu biểu xuất sắc")
    assert ids("tiêu biểu xuất sắc") == [pm.pk]
    result = search(filters=SearchFilters(forms=(CommendationForm.DIPLOMA_OF_MERIT,)))
    assert result.ids == [pm.pk]
    assert result.facets["form"] == {CommendationForm.DIPLOMA_OF_MERIT: 1}


def test_unit_rename_and_move_update_the_subtree(unit_tree):
    pm = model("Chi bộ gương mẫu", unit=unit_tree.cell)
    unit_tree.dich_vong.name = "Phường Nghĩa Đô"
    unit_tree.dich_vong.save()
    assert ids("nghia do") == [pm.pk]
    assert ids("dich vong") == []
    services.move_unit(unit=unit_tree.dich_vong, parent=unit_tree.dong_da)
    assert ids(filters=SearchFilters(units=("HN-DD",))) == [pm.pk]
    assert ids(filters=SearchFilters(units=("HN-CG",))) == []
    assert ids("đống đa") == [pm.pk]  # the new ancestor's name is in the context


def test_update_index_with_ids_of_deleted_models(unit_tree):
    pm = model("Mô hình sẽ bị xóa", unit=unit_tree.dong_da)
    pk = pm.pk
    PracticeModel.objects.filter(pk=pk).delete()
    backend.update_index([pk, 987654])  # a deleted model and one that never was: nothing to index
    assert backend.indexed_count() == 0
    assert ids("bị xóa") == []


def test_rebuild_index(unit_tree):
    first = model("Ngõ phố bình yên", unit=unit_tree.dong_da)
    second = model("Ngõ phố không rác", unit=unit_tree.cell)
    SearchEntry.objects.filter(pk=first.pk).delete()
    SearchEntry.objects.filter(pk=second.pk).update(title_sort="stale", fingerprint="stale")
    calls = []
    assert backend.rebuild_index(progress=lambda advance, total: calls.append((advance, total))) == 2
    assert calls == [(2, 2)]
    assert backend.indexed_count() == 2
    assert SearchEntry.objects.get(pk=second.pk).title_sort == "ngo pho khong rac"
    assert set(ids("ngõ phố")) == {first.pk, second.pk}


# -- matching ---------------------------------------------------------------------------------------


def test_diacritic_insensitive_and_d_both_ways(unit_tree):
    marked = model("Dân vận khéo ở Đống Đa", unit=unit_tree.cell)
    plain = model("Dan van kheo o Dong Da", unit=unit_tree.cell)
    assert set(ids("dong da")) == {marked.pk, plain.pk}
    assert set(ids("Đống Đa")) == {marked.pk, plain.pk}
    assert set(ids("ĐỐNG ĐA")) == {marked.pk, plain.pk}
    assert ids("dong da", sort=SORT_NEWEST) == [plain.pk, marked.pk]


def test_every_word_must_match(unit_tree):
    both = model("Vệ sinh môi trường khu dân cư", unit=unit_tree.cell)
    model("Vệ sinh an toàn thực phẩm", unit=unit_tree.cell)
    assert ids("vệ sinh môi trường") == [both.pk]


def test_external_id_and_context_are_searchable(unit_tree):
    pm = model("Một mô hình", unit=unit_tree.o_cho_dua, external_id="HN-2023-0042")
    assert ids("HN-2023-0042") == [pm.pk]
    assert ids("o cho dua") == [pm.pk]


def test_synonyms_both_ways(unit_tree):
    spelled = model("Vận động giải phóng mặt bằng đường vành đai", unit=unit_tree.cell)
    abbreviated = model("Làm tốt công tác GPMB khu tái định cư", unit=unit_tree.cell)
    assert set(ids("GPMB")) == {spelled.pk, abbreviated.pk}
    assert set(ids("giải phóng mặt bằng")) == {spelled.pk, abbreviated.pk}


def test_one_typo_is_tolerated(unit_tree):
    pm = model("Giữ gìn cảnh quan hồ Hoàn Kiếm", unit=unit_tree.dong_da)
    assert ids("hoam kiem") == [pm.pk]  # substitution
    assert ids("kiemm") == [pm.pk]  # insertion
    assert ids("canh qaun") == [pm.pk]  # transposition
    assert ids("kiem hoann") == [pm.pk]
    assert ids("hoaxyz") == []  # more than one edit away


def test_edits_are_one_step():
    neighbours = _edits("ho")
    assert {"o", "h", "oh", "hoa", "hao", "to"} <= neighbours
    assert "ho" not in neighbours


def test_relaxes_to_any_word_when_nothing_matches_every_word(unit_tree):
    lake = model("Bảo vệ cảnh quan hồ Tây", unit=unit_tree.dong_da)
    market = model("Chợ văn minh thương mại", unit=unit_tree.dong_da)
    model("Đường làng sạch đẹp", unit=unit_tree.dong_da)
    assert set(ids("tây chợ")) == {lake.pk, market.pk}
    # A strict match, however small, is never relaxed.
    assert ids("cảnh quan hồ") == [lake.pk]


def test_quoted_phrase_must_appear_as_a_phrase(unit_tree):
    phrase = model("Giữ gìn trật tự đô thị", unit=unit_tree.dong_da)
    model("Đô thị văn minh, giữ trật tự", unit=unit_tree.dong_da)
    assert ids('"trật tự đô thị"') == [phrase.pk]


@pytest.mark.parametrize(
    "query",
    ['" OR 1=1 --', "NEAR(", "*", "title:", "{}", "'; DROP TABLE search_searchentry; --", "a AND", '"""', "\\", "^x"],
)
def test_query_syntax_is_never_interpreted(unit_tree, query):
    model("Dân vận khéo", unit=unit_tree.dong_da)
    result = search(query)
    assert result.total == len(result.ids)
    assert backend.indexed_count() == 1


def test_injection_words_are_matched_as_words(unit_tree):
    pm = model("Near the title or not", unit=unit_tree.dong_da)
    model("Một mô hình khác", unit=unit_tree.dong_da)
    assert ids("NEAR(") == [pm.pk]
    assert ids("title:") == [pm.pk]
    assert ids('"near the"') == [pm.pk]


# -- ranking ----------------------------------------------------------------------------------------


def test_exact_diacritics_rank_first(unit_tree):
    lake = model("Vệ sinh hồ điều hòa", unit=unit_tree.dong_da)
    households = model("Vệ sinh hộ gia đình", unit=unit_tree.dong_da)  # newer: wins ties
    assert ids("vệ sinh hồ") == [lake.pk, households.pk]
    assert ids("vệ sinh hộ") == [households.pk, lake.pk]
    assert ids("ve sinh ho") == [households.pk, lake.pk]  # no diacritics typed: a tie, newest first


def test_title_outranks_body(unit_tree):
    in_title = model("Chợ an toàn thực phẩm", unit=unit_tree.dong_da)
    in_body = model("Mô hình tiểu thương", results="Bảo đảm an toàn thực phẩm ở chợ.", unit=unit_tree.dong_da)
    in_summary = model("Mô hình khác", summary="Chợ an toàn thực phẩm.", unit=unit_tree.dong_da)
    assert ids("an toàn thực phẩm") == [in_title.pk, in_summary.pk, in_body.pk]


def test_phrase_outranks_scattered_words(unit_tree):
    together = model("Mô hình một", summary="Giữ gìn trật tự đô thị.", unit=unit_tree.dong_da)
    scattered = model("Mô hình hai", summary="Đô thị văn minh, trật tự.", unit=unit_tree.dong_da)
    assert ids("trật tự đô thị") == [together.pk, scattered.pk]


# -- filters, facets, sorts, pages ------------------------------------------------------------------


@pytest.fixture
def registry(unit_tree, dvk, cb4t, fields):
    """Six models over two movements, fields, years, levels, units and commendation forms."""
    m = {
        "a": model("Dân vận khéo kinh tế A", unit=unit_tree.cell, movement=dvk, field=fields["kinh-te"], year=2021),
        "b": model(
            "Dân vận khéo văn hóa B",
            unit=unit_tree.women,
            movement=dvk,
            field=fields["van-hoa-xa-hoi"],
            year=2022,
            recognition_level=RecognitionLevel.CITY,
        ),
        "c": model("Chi bộ bốn tốt C", unit=unit_tree.dich_vong, movement=cb4t, year=2022),
        "d": model(
            "Dân vận khéo kinh tế D",
            unit=unit_tree.o_cho_dua,
            movement=dvk,
            field=fields["kinh-te"],
            year=2023,
            recognition_level=RecognitionLevel.DISTRICT,
        ),
        "e": model("Chi bộ bốn tốt E", unit=unit_tree.dong_da, movement=cb4t, field=fields["kinh-te"], year=2023),
        "f": model("Dân vận khéo F", unit=unit_tree.city, movement=dvk, year=2020),
    }
    # A commendation's level counts as a level reached: grassroots for A and E, D's own for D.
    grassroots, district = RecognitionLevel.GRASSROOTS, RecognitionLevel.DISTRICT
    CommendationFactory(practice_model=m["a"], form=CommendationForm.CERTIFICATE_OF_MERIT, level=grassroots)
    CommendationFactory(practice_model=m["a"], form=CommendationForm.DIPLOMA_OF_MERIT, level=grassroots)
    CommendationFactory(practice_model=m["d"], form=CommendationForm.CERTIFICATE_OF_MERIT, level=district)
    CommendationFactory(practice_model=m["e"], form=CommendationForm.EMULATION_FLAG, level=grassroots)
    return {key: pm.pk for key, pm in m.items()}


def test_empty_query_lists_everything_newest_first(registry):
    result = search(unit_facet_codes=("HN",))
    assert result.total == 6
    r = registry
    assert result.ids[:2] == [r["e"], r["d"]]  # 2023, newest first
    assert result.ids[-1] == r["f"]  # 2020
    assert result.facets["movement"] == {"dan-van-kheo": 4, "chi-bo-bon-tot": 2}
    assert result.facets["field"] == {"kinh-te": 3, "van-hoa-xa-hoi": 1}
    assert result.facets["year"] == {2020: 1, 2021: 1, 2022: 2, 2023: 2}
    assert result.facets["level"] == {"thanh-pho": 1, "quan-huyen": 1, "co-so": 2}
    assert result.facets["form"] == {"giay-khen": 2, "bang-khen": 1, "co-thi-dua": 1}
    assert result.facets["unit"] == {"HN": 6}


def test_facets_exclude_their_own_filter(registry):
    r = registry
    result = search(filters=SearchFilters(fields=("kinh-te",)), unit_facet_codes=("HN-CG", "HN-DD"))
    assert set(result.ids) == {r["a"], r["d"], r["e"]}
    assert result.facets["field"] == {"kinh-te": 3, "van-hoa-xa-hoi": 1}  # own filter left out
    assert result.facets["movement"] == {"dan-van-kheo": 2, "chi-bo-bon-tot": 1}
    assert result.facets["year"] == {2021: 1, 2023: 2}
    assert result.facets["unit"] == {"HN-CG": 1, "HN-DD": 2}
    assert result.facets["form"] == {"giay-khen": 2, "bang-khen": 1, "co-thi-dua": 1}

    both = search(filters=SearchFilters(fields=("kinh-te",), movements=("chi-bo-bon-tot",)))
    assert both.ids == [r["e"]]
    assert both.facets["movement"] == {"dan-van-kheo": 2, "chi-bo-bon-tot": 1}
    assert both.facets["field"] == {"kinh-te": 1}
    assert both.total == 1


def test_multi_select_ors_within_a_facet(registry):
    r = registry
    result = search(filters=SearchFilters(years=(2020, 2021), levels=()))
    assert set(result.ids) == {r["a"], r["f"]}
    result = search(filters=SearchFilters(levels=("thanh-pho", "quan-huyen")))
    assert set(result.ids) == {r["b"], r["d"]}
    assert result.facets["level"] == {"thanh-pho": 1, "quan-huyen": 1, "co-so": 2}
    assert result.facets["year"] == {2022: 1, 2023: 1}
    result = search(filters=SearchFilters(forms=("bang-khen", "co-thi-dua")))
    assert set(result.ids) == {r["a"], r["e"]}
    assert result.facets["form"] == {"giay-khen": 2, "bang-khen": 1, "co-thi-dua": 1}
    assert result.facets["movement"] == {"dan-van-kheo": 1, "chi-bo-bon-tot": 1}


def test_unit_filter_covers_the_subtree_and_unit_facets_count_subtrees(registry):
    r = registry
    result = search(filters=SearchFilters(units=("HN-CG",)), unit_facet_codes=("HN-CG-DV", "HN-CG-PN"))
    assert set(result.ids) == {r["a"], r["b"], r["c"]}
    assert result.facets["unit"] == {"HN-CG-DV": 2, "HN-CG-PN": 1}
    assert result.facets["movement"] == {"dan-van-kheo": 2, "chi-bo-bon-tot": 1}
    several = search(filters=SearchFilters(units=("HN-CG-PN", "HN-DD")), unit_facet_codes=("HN-CG", "HN-DD"))
    assert set(several.ids) == {r["b"], r["d"], r["e"]}
    # Own filter excluded: every model under each facet unit is counted.
    assert several.facets["unit"] == {"HN-CG": 3, "HN-DD": 2}
    assert search(filters=SearchFilters(units=("NO-SUCH-UNIT",))).total == 0


def test_query_with_filters_and_facets(registry):
    r = registry
    result = search("dan van kheo", filters=SearchFilters(years=(2023,)), unit_facet_codes=("HN",))
    assert result.ids == [r["d"]]
    assert result.facets["year"] == {2021: 1, 2022: 1, 2023: 1, 2020: 1}
    assert result.facets["unit"] == {"HN": 1}
    assert search("dan van kheo", with_facets=False).facets == {}
    assert search("dan van kheo", with_facets=False).total == 4


def test_sorts(registry):
    r = registry
    assert ids(sort=SORT_TITLE) == [r["c"], r["e"], r["f"], r["a"], r["d"], r["b"]]
    # "Kinh tế" is in A's and D's titles and in E's context (its field).
    assert ids("kinh te", sort=SORT_TITLE) == [r["e"], r["a"], r["d"]]
    assert ids(sort=SORT_NEWEST) == ids()  # relevance without a query is newest
    assert ids(sort=SORT_NEWEST) == [r["e"], r["d"], r["c"], r["b"], r["a"], r["f"]]


def test_pagination(registry):
    everything = ids(page_size=100)
    pages = [search(page=page, page_size=4) for page in (1, 2, 3)]
    assert [p.ids for p in pages] == [everything[:4], everything[4:], []]
    assert all(p.total == 6 for p in pages[:2])


@pytest.mark.parametrize(
    ("query", "filters", "page"),
    [
        ("dan van kheo", SearchFilters(), 1),
        ("dân vận", SearchFilters(fields=("kinh-te",)), 1),
        ("kinh tế", SearchFilters(movements=("dan-van-kheo",), years=(2021, 2023), units=("HN-CG", "HN-DD")), 1),
        ("kinh tế", SearchFilters(forms=("giay-khen",), levels=("quan-huyen",)), 1),
        ("dan van kheo", SearchFilters(), 2),
        ("khéo", SearchFilters(years=(1999,)), 1),
    ],
)
def test_large_matches_rank_in_the_counting_pass_with_the_same_answer(registry, monkeypatch, query, filters, page):
    """Matches of at least _LARGE_MATCH models are counted and ranked in one statement on SQLite:
    whichever way a request goes, its ids, total and facets are the same."""
    from search.backends import database

    request = {"filters": filters, "page": page, "page_size": 2, "unit_facet_codes": ("HN-CG", "HN-DD")}
    counted_then_ranked = search(query, **request)
    monkeypatch.setattr(database, "_LARGE_MATCH", 1)
    one_pass = search(query, **request)
    assert (one_pass.ids, one_pass.total, one_pass.facets) == (
        counted_then_ranked.ids,
        counted_then_ranked.total,
        counted_then_ranked.facets,
    )
    assert one_pass.total or query == "khéo"


def test_cached_listings_follow_every_change_to_the_index(registry, unit_tree, dvk):
    """Query-less answers come from the cache until anything in the index changes."""
    listing = {"filters": SearchFilters(movements=("dan-van-kheo",)), "unit_facet_codes": ("HN-CG", "HN-DD")}
    before = search(**listing)
    assert before.total == 4
    assert search(**listing) == before  # unchanged index: the same answer (from the cache)

    added = model("Dân vận khéo G", unit=unit_tree.o_cho_dua, movement=dvk, year=2024)
    after_publish = search(**listing)
    assert after_publish.total == 5
    assert after_publish.ids[0] == added.pk
    assert after_publish.facets["unit"] == {"HN-CG": 2, "HN-DD": 2}

    CommendationFactory(practice_model=added, form=CommendationForm.EMULATION_FLAG)
    assert search(**listing).facets["form"] == {"giay-khen": 2, "bang-khen": 1, "co-thi-dua": 1}

    added.unpublish()
    assert search(**listing).total == 4
    PracticeModel.objects.get(pk=registry["a"]).delete()
    after_delete = search(**listing)
    assert after_delete.total == 3
    assert registry["a"] not in after_delete.ids


def test_a_rebuild_refreshes_the_planner_statistics(registry):
    backend.rebuild_index()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'search_searchentry' AND idx = 'search_entry_newest'"
            )
            assert cursor.fetchone()[0].startswith("6 ")  # six published models
    assert backend.token() != 0


# -- related and type-ahead -------------------------------------------------------------------------


def test_suggest_matches_title_words_with_a_prefix(unit_tree):
    starts = model("Dân vận khéo trong giải phóng mặt bằng", unit=unit_tree.dong_da)
    inside = model("Mô hình dân vận khéo ở khu phố", unit=unit_tree.dong_da)  # newer
    model("Dân vận trong xây dựng", unit=unit_tree.dong_da)
    model("Khéo léo", summary="Dân vận khéo", unit=unit_tree.dong_da)  # only the title counts
    assert backend.suggest(analyse("dan van k"), limit=5) == [starts.pk, inside.pk]
    assert backend.suggest(analyse("dân vận khéo t"), limit=5) == [starts.pk]
    assert backend.suggest(analyse("dan van k"), limit=1) == [starts.pk]
    assert backend.suggest(analyse('" OR *'), limit=5) == []


def test_related_models_share_distinctive_words(unit_tree, dvk, cb4t, fields):
    pm = model("Tuyến phố hoa giấy rực rỡ", unit=unit_tree.dong_da, movement=dvk, field=fields["kinh-te"])
    same_words = model("Hoa giấy bên sông", unit=unit_tree.cell, movement=cb4t)
    same_words_and_field = model("Hoa giấy ven đê", unit=unit_tree.cell, movement=dvk, field=fields["kinh-te"])
    filler = model("Sân chơi thiếu nhi", unit=unit_tree.cell, movement=dvk, field=fields["kinh-te"])
    elders = model("Sân chơi cho người cao tuổi", unit=unit_tree.cell, movement=cb4t)
    # Same words, the same movement and field first; then the newest of the same movement and field.
    assert backend.related(pm.pk, limit=3) == [same_words_and_field.pk, same_words.pk, filler.pk]
    assert pm.pk not in backend.related(pm.pk, limit=10)
    assert backend.related(filler.pk, limit=3) == [elders.pk, same_words_and_field.pk, pm.pk]


def test_related_models_count_each_word_once_then_read_the_count_from_the_cache(unit_tree, dvk, fields):
    pm = model("Tuyến phố hoa giấy rực rỡ", unit=unit_tree.dong_da, movement=dvk, field=fields["kinh-te"])
    twin = model("Hoa giấy ven đê", unit=unit_tree.cell, movement=dvk, field=fields["kinh-te"])
    model("Hoa giấy bên sông", unit=unit_tree.cell, movement=dvk)
    with CaptureQueriesContext(connection) as first:
        assert backend.related(pm.pk, limit=1) == [twin.pk]
    with CaptureQueriesContext(connection) as again:
        assert backend.related(pm.pk, limit=1) == [twin.pk]

    def word_counts(queries):  # one query counts the matches of every word (json_each / unnest)
        return [query["sql"] for query in queries if "json_each" in query["sql"] or "unnest" in query["sql"]]

    counting = word_counts(first)
    assert len(counting) == 1, "the first call counts how many models hold each word"
    assert word_counts(again) == []
    assert len(again) == len(first) - len(counting)


def test_full_text_rows_follow_the_entries(unit_tree):
    kept = model("Phố đi bộ", unit=unit_tree.dong_da)
    gone = model("Phố ẩm thực", unit=unit_tree.dong_da)
    gone.delete()
    table = "search_entry_fts" if connection.vendor == "sqlite" else "search_entry_document"
    key = "rowid" if connection.vendor == "sqlite" else "practice_model_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM {table}")
        assert [row[0] for row in cursor.fetchall()] == [kept.pk]


def test_published_at_is_kept(unit_tree):
    pm = model("Mô hình có ngày", unit=unit_tree.dong_da)
    entry = SearchEntry.objects.get(pk=pm.pk)
    assert isinstance(entry.published_at, datetime.datetime)
    assert entry.forms == ""
    assert entry.unit_path == unit_tree.dong_da.path
