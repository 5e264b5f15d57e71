"""The Elasticsearch search backend: the `SearchBackend` contract (search.query) over elasticsearch.dsl.

Matching works on the folded sub-fields (no diacritics, đ -> d), so "dong da" finds "Đống Đa":
every word of the query (or of one of its synonym variants) must occur in some text field and
each quoted phrase must occur as a phrase. When nothing matches, a word of 4 or more letters that
no document holds may match within one edit (one typo); when still nothing matches, any word is
enough and phrases only rank. These are the database backend's rules too. Ranking: title > summary > body > context;
an exact-diacritics match ("vệ sinh hồ": the lake, not the household "hộ") and a phrase match
add to the score; ties go to the newest. Facets follow the rules of search.query: each facet's
counts apply every filter except its own. Every failure raises `SearchUnavailable`, and the
service answers from the database instead.
"""

import logging
from collections.abc import Iterator

from django.conf import settings

from elasticsearch import NotFoundError
from elasticsearch.dsl import A, Q, Search
from elasticsearch.dsl.query import Query

from .. import elastic
from ..analysis import QueryAnalysis
from ..query import (
    FACET_FIELD,
    FACET_FORM,
    FACET_LEVEL,
    FACET_MOVEMENT,
    FACET_UNIT,
    FACET_YEAR,
    FACETS,
    SORT_RELEVANCE,
    SORT_REPLICATED,
    SORT_TITLE,
    BackendResult,
    SearchFilters,
    SearchRequest,
    SearchUnavailable,
)
from ..text import fold

logger = logging.getLogger(__name__)

BOOSTS = {"title": 8, "summary": 4, "body": 2, "context": 1}
FOLDED_FIELDS = [f"{name}.folded^{boost}" for name, boost in BOOSTS.items()]
EXACT_FIELDS = [f"{name}^{boost}" for name, boost in BOOSTS.items()]
FUZZY_MIN_LENGTH = 4
EXACT_BOOST = 3
PHRASE_BOOST = 2
FACET_SIZE = 500
# How long Elasticsearch keeps a scroll (every match, for exports) between two reads of it.
SCROLL_KEEP_ALIVE = "2m"

# The index field behind each facet; the unit facet filters and counts on the ancestors' codes.
FACET_FIELDS = {
    FACET_MOVEMENT: "movement",
    FACET_FIELD: "field",
    FACET_UNIT: "unit_codes",
    FACET_YEAR: "year",
    FACET_LEVEL: "level",
    FACET_FORM: "forms",
}

NEWEST_ORDER = [
    {"year": {"order": "desc"}},
    {"published_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}},
    {"id": {"order": "desc"}},
]
TITLE_ORDER = [{"title_sort": {"order": "asc"}}, {"id": {"order": "asc"}}]
# An index built before the field existed sorts as if every count were 0 instead of failing.
REPLICATED_ORDER = [{"replication_count": {"order": "desc", "unmapped_type": "integer"}}, *NEWEST_ORDER]


def _order(request: SearchRequest) -> list:
    if request.sort == SORT_TITLE:
        return TITLE_ORDER
    if request.sort == SORT_REPLICATED:
        return REPLICATED_ORDER
    if request.sort == SORT_RELEVANCE and not request.query.is_empty:
        return ["_score", *NEWEST_ORDER]
    return NEWEST_ORDER  # newest, or relevance without a query


def _words_query(text: str, *, operator: str) -> Query:
    # cross_fields: the words may come from different fields (title and unit name, say).
    return Q("multi_match", query=text, fields=FOLDED_FIELDS, type="cross_fields", operator=operator)


def _typo_tolerant_query(tokens: tuple[str, ...], typos: frozenset[str], *, operator: str) -> Query:
    """Every (or any) folded token; those of `typos` (long words the index lacks) within one edit."""
    # Real Elasticsearch and osmem both refuse fuzziness on cross_fields: one best_fields
    # multi_match per token keeps "tokens from different fields" all the same.
    clauses = [
        Q("multi_match", query=token, fields=FOLDED_FIELDS, type="best_fields", fuzziness=1)
        if token in typos
        else Q("multi_match", query=token, fields=FOLDED_FIELDS, type="best_fields")
        for token in tokens
    ]
    if operator == "and":
        return Q("bool", must=clauses)
    return Q("bool", should=clauses, minimum_should_match=1)


def text_query(query: QueryAnalysis, *, relaxed: bool = False, typos: frozenset[str] = frozenset()) -> Query:
    """The matching and ranking query for a non-empty analysed query.

    `relaxed`: any word is enough and quoted phrases only add to the score. `typos`: the long
    words the index does not hold, matched within one edit.
    """
    operator = "or" if relaxed else "and"
    if typos:
        alternatives = [_typo_tolerant_query(query.folded_tokens, typos, operator=operator)]
    else:
        alternatives = [_words_query(query.folded, operator=operator)]
    alternatives += [_words_query(fold(variant), operator=operator) for variant in query.expansions]
    must = [Q("bool", should=alternatives, minimum_should_match=1)]
    phrases = [Q("multi_match", query=fold(phrase), fields=FOLDED_FIELDS, type="phrase") for phrase in query.phrases]
    if not relaxed:
        must += phrases
    should = [
        Q(
            "multi_match",
            query=query.folded,
            fields=["title.folded^3", "summary.folded"],
            type="phrase",
            boost=PHRASE_BOOST,
        )
    ]
    if relaxed:
        should += phrases
    if query.has_diacritics:
        should.append(
            Q("multi_match", query=query.normalised, fields=EXACT_FIELDS, type="cross_fields", boost=EXACT_BOOST)
        )
    return Q("bool", must=must, should=should)


def _filter_clauses(filters: SearchFilters) -> dict[str, Query]:
    return {
        facet: Q("terms", **{FACET_FIELDS[facet]: list(values)})
        for facet, values in filters.by_facet().items()
        if values
    }


def _add_facets(search: Search, request: SearchRequest, clauses: dict[str, Query]) -> Search:
    for facet in FACETS:
        if facet == FACET_UNIT:
            if not request.unit_facet_codes:
                continue
            codes = list(request.unit_facet_codes)
            terms = A("terms", field=FACET_FIELDS[facet], include=codes, size=len(codes))
        else:
            terms = A("terms", field=FACET_FIELDS[facet], size=FACET_SIZE)
        others = [clause for name, clause in clauses.items() if name != facet]
        scope = Q("bool", filter=others) if others else Q("match_all")
        search.aggs.bucket(facet, "filter", filter=scope).bucket("values", terms)
    return search


def _read_facets(response, request: SearchRequest) -> dict[str, dict]:
    facets: dict[str, dict] = {}
    aggregations = response.aggregations.to_dict() if hasattr(response, "aggregations") else {}
    for facet in FACETS:
        counts = {}
        for bucket in aggregations.get(facet, {}).get("values", {}).get("buckets", []):
            key, count = bucket["key"], bucket["doc_count"]
            if key in ("", None) or not count:
                continue
            counts[int(key) if facet == FACET_YEAR else key] = count
        facets[facet] = counts
    return facets


class ElasticsearchBackend:
    """Answers searches from the Elasticsearch alias named by settings.ELASTICSEARCH_INDEX."""

    name = "elasticsearch"

    def __init__(self, *, index: str):
        self.index = index

    @classmethod
    def from_settings(cls) -> "ElasticsearchBackend":
        return cls(index=settings.ELASTICSEARCH_INDEX)

    def _search(self) -> Search:
        try:
            return Search(using=elastic.search_client(), index=self.index)
        except elastic.ERRORS as exc:
            raise SearchUnavailable(str(exc)) from exc

    def _build(self, request: SearchRequest, *, relaxed: bool = False, typos: frozenset[str] = frozenset()) -> Search:
        search = self._search().source(False).extra(track_total_hits=True)
        has_query = not request.query.is_empty
        if has_query:
            search = search.query(text_query(request.query, relaxed=relaxed, typos=typos))
        clauses = _filter_clauses(request.filters)
        if clauses:
            # A post_filter narrows the hits but not the aggregations, which apply their own.
            search = search.post_filter(Q("bool", filter=list(clauses.values())))
        if request.with_facets:
            search = _add_facets(search, request, clauses)
        search = search.sort(*_order(request))
        return search[request.offset : request.offset + request.page_size]

    def _scan(self, request: SearchRequest, *, relaxed: bool = False, typos: frozenset[str] = frozenset()) -> Search:
        """Every match of the request in its order, without facets: for a scroll (which refuses
        `track_total_hits=false`, as Elasticsearch does)."""
        search = self._search().source(False)
        if not request.query.is_empty:
            search = search.query(text_query(request.query, relaxed=relaxed, typos=typos))
        if clauses := _filter_clauses(request.filters):
            # Filter context: narrows the matches, adds nothing to their scores (as the post_filter).
            search = search.filter(Q("bool", filter=list(clauses.values())))
        return search.sort(*_order(request))

    def search(self, request: SearchRequest) -> BackendResult:
        try:
            response = self._build(request).execute()
            if response.hits.total.value == 0 and not request.query.is_empty:
                # Nothing has every word: forgive a typo in the long words the index lacks, then
                # let any word do. Each step costs a request only when the previous found nothing.
                typos = self._unknown_words(request.query)
                if typos:
                    response = self._build(request, typos=typos).execute()
                if response.hits.total.value == 0 and len(request.query.folded_tokens) > 1:
                    response = self._build(request, relaxed=True, typos=typos).execute()
        except elastic.ERRORS as exc:
            raise SearchUnavailable(f"Elasticsearch search failed: {exc}") from exc
        return BackendResult(
            total=response.hits.total.value,
            ids=[int(hit.meta.id) for hit in response.hits],
            facets=_read_facets(response, request) if request.with_facets else {},
        )

    def iter_ids(self, request: SearchRequest, *, chunk_size: int) -> Iterator[list[int]]:
        """Every id matching the request, in its order, in chunks read with a scroll.

        A scroll rather than `search_after`: osmem ignores `search_after` when the sort starts with
        `_score` (relevance), and a scroll also reads one consistent view on Elasticsearch (osmem
        has no point in time). The strict query, the typo-tolerant one and the relaxed one are
        tried in turn, as `search()` does. The scroll is cleared at the end, or when the caller
        stops early; its keep-alive covers an abandoned one.
        """
        client = None
        scroll_id = None
        try:
            client = elastic.search_client()
            search = self._scan(request)
            response = self._open_scroll(search, chunk_size)
            if not response["hits"]["hits"] and not request.query.is_empty:
                typos = self._unknown_words(request.query)
                if typos:
                    self._clear_scroll(client, response.get("_scroll_id"))
                    response = self._open_scroll(self._scan(request, typos=typos), chunk_size)
                if not response["hits"]["hits"] and len(request.query.folded_tokens) > 1:
                    self._clear_scroll(client, response.get("_scroll_id"))
                    response = self._open_scroll(self._scan(request, relaxed=True, typos=typos), chunk_size)
            while True:
                scroll_id = response.get("_scroll_id") or scroll_id
                hits = response["hits"]["hits"]
                if not hits:
                    return
                yield [int(hit["_id"]) for hit in hits]
                if len(hits) < chunk_size:
                    return
                response = client.scroll(scroll_id=scroll_id, scroll=SCROLL_KEEP_ALIVE).body
        except elastic.ERRORS as exc:
            raise SearchUnavailable(f"Elasticsearch search failed: {exc}") from exc
        finally:
            if client is not None:
                self._clear_scroll(client, scroll_id)

    @staticmethod
    def _open_scroll(search: Search, size: int) -> dict:
        return search.extra(size=size).params(scroll=SCROLL_KEEP_ALIVE).execute().to_dict()

    @staticmethod
    def _clear_scroll(client, scroll_id: str | None) -> None:
        if not scroll_id:
            return
        try:
            client.clear_scroll(scroll_id=scroll_id)
        except elastic.ERRORS:
            # It expires with its keep-alive anyway; the ids read are not wrong because of it.
            logger.info("Could not clear an Elasticsearch scroll", exc_info=True)

    def _unknown_words(self, query: QueryAnalysis) -> frozenset[str]:
        """The query's words of 4+ letters that no document holds (in any folded text field)."""
        long_words = sorted({token for token in query.folded_tokens if len(token) >= FUZZY_MIN_LENGTH})
        if not long_words:
            return frozenset()
        search = self._search().extra(size=0, track_total_hits=False)
        search.aggs.bucket(
            "words",
            "filters",
            filters={
                word: Q("multi_match", query=word, fields=FOLDED_FIELDS, type="best_fields") for word in long_words
            },
        )
        buckets = search.execute().aggregations.to_dict()["words"]["buckets"]
        return frozenset(word for word in long_words if not buckets.get(word, {}).get("doc_count"))

    def related(self, practice_model_id: int, *, limit: int) -> list[int]:
        """Models most like this one by their folded text (more_like_this), best first."""
        doc_id = str(practice_model_id)
        try:
            client = elastic.search_client()
            try:
                source = client.get(index=self.index, id=doc_id, source_includes=["title", "summary"]).body["_source"]
            except NotFoundError:
                return []
            # The document itself is the real `like`; its title and summary as text too, because
            # osmem ignores a document `like` (on Elasticsearch they only weigh those words more).
            like_text = " ".join(filter(None, [source.get("title"), source.get("summary")]))
            like = [{"_index": self.index, "_id": doc_id}]
            if like_text:
                like.append(like_text)
            similar = Q(
                "more_like_this",
                fields=[f"{name}.folded" for name in BOOSTS],
                like=like,
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=25,
                minimum_should_match="10%",
            )
            search = (
                Search(using=client, index=self.index)
                .query(Q("bool", must=[similar], must_not=[Q("ids", values=[doc_id])]))
                .sort("_score", *NEWEST_ORDER)
                .source(False)[:limit]
            )
            response = search.execute()
        except elastic.ERRORS as exc:
            raise SearchUnavailable(f"Elasticsearch related search failed: {exc}") from exc
        return [int(hit.meta.id) for hit in response.hits]

    def suggest(self, query: QueryAnalysis, *, limit: int) -> list[int]:
        """Titles whose words start like the query's (the last word may be partial), best first."""
        if query.is_empty:
            return []
        folded = " ".join(query.folded_tokens)
        matches = Q("match_bool_prefix", **{"title.folded": {"query": folded, "operator": "and"}})
        ranking = [
            # The whole title starting with the query first, then the query as a phrase inside it.
            Q("prefix", title_sort={"value": folded, "boost": 4}),
            Q("match_phrase_prefix", **{"title.folded": {"query": folded, "boost": 2}}),
        ]
        try:
            search = (
                self._search()
                .query(Q("bool", must=[matches], should=ranking))
                .sort("_score", *NEWEST_ORDER)
                .source(False)[:limit]
            )
            response = search.execute()
        except elastic.ERRORS as exc:
            raise SearchUnavailable(f"Elasticsearch suggestions failed: {exc}") from exc
        return [int(hit.meta.id) for hit in response.hits]
