"""The one search interface of the public site, its listings and the JSON API.

`search()` analyses the query once, asks the configured backend (Elasticsearch when
ELASTICSEARCH_URL is set, else the database), falls back to the database backend when Elasticsearch
is down, slow or failing — logging it and marking the results `degraded` so the page can say they
may be less precise — and builds what the user sees (models, highlights, facet options with labels)
from the backend's ids, the same way whichever backend answered.
"""

import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from models_registry.models import CommendationForm, PracticeModel, RecognitionLevel, Unit

from . import highlight, vocabulary
from .analysis import QueryAnalysis, analyse
from .backends import database_backend, primary_backend
from .documents import story_text
from .query import (
    DEFAULT_PAGE_SIZE,
    FACET_FIELD,
    FACET_FORM,
    FACET_LEVEL,
    FACET_MOVEMENT,
    FACET_UNIT,
    FACET_YEAR,
    MAX_PAGE_SIZE,
    MAX_RESULT_WINDOW,
    SORT_RELEVANCE,
    SORTS,
    BackendResult,
    SearchBackend,
    SearchFilters,
    SearchRequest,
    SearchUnavailable,
)

logger = logging.getLogger(__name__)

# After Elasticsearch fails, this process answers from the database for a while instead of making
# every visitor wait for the same timeout again.
CIRCUIT_BREAK_SECONDS = 30.0
_elasticsearch_down_until = 0.0
# Ids per read when streaming every match (exports): a few kilobytes per chunk, few round trips.
ID_CHUNK_SIZE = 1000


@dataclass(frozen=True)
class FacetOption:
    """One value of a facet as the page and the API show it."""

    value: str
    label: str
    count: int
    selected: bool
    has_children: bool = False  # unit facet: there are units below to drill into


@dataclass
class SearchItem:
    practice_model: PracticeModel
    highlight: dict[str, SafeString] = field(default_factory=dict)


@dataclass
class SearchResults:
    """A page of results with its facets; `degraded` when the database answered in Elasticsearch's place."""

    query: QueryAnalysis
    filters: SearchFilters
    sort: str
    count: int
    page: int
    page_size: int
    items: list[SearchItem]
    facets: dict[str, list[FacetOption]]
    backend: str
    degraded: bool = False
    unit_facet_parent: Unit | None = None
    # The names the answer was labelled with: the API labels its results from the same copy.
    names: vocabulary.Vocabulary | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(min(self.count, MAX_RESULT_WINDOW) / self.page_size))

    @property
    def practice_models(self) -> list[PracticeModel]:
        return [item.practice_model for item in self.items]


def clamp_page_size(page_size: int | None) -> int:
    if not page_size or page_size < 1:
        return DEFAULT_PAGE_SIZE
    return min(page_size, MAX_PAGE_SIZE)


def last_page(count: int, page_size: int) -> int:
    return max(1, math.ceil(min(count, MAX_RESULT_WINDOW) / page_size))


def _ask(backend: SearchBackend, fallback: bool, call):
    """Run `call(backend)`; on an Elasticsearch failure answer from the database when allowed."""
    global _elasticsearch_down_until
    if fallback and backend.name != "database" and time.monotonic() < _elasticsearch_down_until:
        return call(database_backend()), "database", True
    try:
        return call(backend), backend.name, False
    except SearchUnavailable:
        if not fallback or backend.name == "database":
            raise
        logger.warning("Elasticsearch unavailable, answering from the database backend", exc_info=True)
        _elasticsearch_down_until = time.monotonic() + CIRCUIT_BREAK_SECONDS
        return call(database_backend()), "database", True


def reset_circuit_breaker() -> None:
    global _elasticsearch_down_until
    _elasticsearch_down_until = 0.0


def unit_facet_scope(
    filters: SearchFilters, parent: Unit | None, names: vocabulary.Vocabulary | None = None
) -> tuple[Unit | None, list[Unit]]:
    """The unit the facet drills into and the units it lists: the given unit's or the single
    selected unit's children, else the top-level units (or, with one root, the units below it)."""
    names = names or vocabulary.get()
    if parent is None and len(filters.units) == 1:
        parent = names.active_unit(filters.units[0])
    if parent is not None:
        return parent, names.children(parent)
    roots = names.active_roots
    if len(roots) == 1:
        return roots[0], names.children(roots[0])
    return None, list(roots)


def _hydrate(ids: Sequence[int], queryset: QuerySet | None, *, with_story: bool = True) -> list[PracticeModel]:
    if queryset is None:
        queryset = PracticeModel.objects.published().for_listing()
        if not with_story:
            # Only a highlight reads the story (where the summary lacks the words): a listing
            # without one leaves the longest column of the table unread.
            queryset = queryset.defer("story")
    found = queryset.in_bulk(list(ids))
    # An id the index still holds for a model unpublished a moment ago is simply left out.
    return [found[pk] for pk in ids if pk in found]


def _highlights(practice_model: PracticeModel, terms: frozenset[str]) -> dict[str, SafeString]:
    marks = {}
    if title := highlight.highlight(practice_model.title, terms):
        marks["title"] = title
    if summary := highlight.snippet(practice_model.summary, terms):
        marks["summary"] = summary
    else:
        # The words may be in the story or the results: show where.
        text = " ".join(filter(None, [story_text(practice_model.story.raw_data), practice_model.results]))
        if body := highlight.snippet(text, terms):
            marks["body"] = body
    return marks


def _facet_options(
    counts: dict[str, dict], filters: SearchFilters, unit_options: list[Unit], names: vocabulary.Vocabulary
) -> dict[str, list[FacetOption]]:
    selected = filters.by_facet()

    def options(name, choices):
        chosen = {str(value) for value in selected[name]}
        raw = {str(value): count for value, count in counts.get(name, {}).items()}
        built = []
        for value, label, *extra in choices:
            value = str(value)
            count = raw.get(value, 0)
            if count or value in chosen:
                built.append(FacetOption(value, str(label), count, value in chosen, *extra))
        return built

    movements = [(movement.slug, movement.title) for movement in names.movements]
    years = sorted({int(year) for year in counts.get(FACET_YEAR, {})} | set(filters.years), reverse=True)
    return {
        FACET_MOVEMENT: options(FACET_MOVEMENT, movements),
        FACET_FIELD: options(FACET_FIELD, [(item.slug, item.name) for item in names.fields]),
        FACET_UNIT: options(
            FACET_UNIT,
            [(unit.code, unit.name, unit.numchild > 0) for unit in unit_options],
        ),
        FACET_YEAR: options(FACET_YEAR, [(year, year) for year in years]),
        FACET_LEVEL: options(FACET_LEVEL, RecognitionLevel.choices),
        FACET_FORM: options(FACET_FORM, CommendationForm.choices),
    }


def search(
    *,
    q: str | None = "",
    filters: SearchFilters | None = None,
    sort: str = SORT_RELEVANCE,
    page: int = 1,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    unit_facet_parent: Unit | None = None,
    with_facets: bool = True,
    with_highlights: bool = True,
    queryset: QuerySet | None = None,
    backend: SearchBackend | None = None,
    names: vocabulary.Vocabulary | None = None,
) -> SearchResults:
    """Published models matching `q` and `filters`, one page of them, with facets.

    The page size is capped and the page number clamped to the last page. With `backend` given,
    that backend answers and its failures propagate (benchmarks, the relevance suite); otherwise
    the configured backend answers with the database as fallback. `names`: the vocabulary the
    caller already read for this request (the parameters form's), to spare reading it again.
    """
    filters = filters or SearchFilters()
    names = names or vocabulary.get()
    query = analyse(q)
    sort = sort if sort in SORTS else SORT_RELEVANCE
    page_size = clamp_page_size(page_size)
    page = max(1, min(int(page or 1), last_page(MAX_RESULT_WINDOW, page_size)))
    parent, unit_options = unit_facet_scope(filters, unit_facet_parent, names) if with_facets else (None, [])
    if with_facets and filters.units:
        # Selected units elsewhere in the tree stay listed, with their own counts, so they can be
        # unticked; the unit being drilled into is the facet's heading, not one of its options.
        listed = {unit.code for unit in unit_options} | {parent.code if parent else None}
        others = [names.unit_by_code[code] for code in set(filters.units) - listed if code in names.unit_by_code]
        unit_options += sorted(others, key=lambda unit: unit.path)
    request = SearchRequest(
        query=query,
        filters=filters,
        sort=sort,
        page=page,
        page_size=page_size,
        with_facets=with_facets,
        unit_facet_codes=tuple(unit.code for unit in unit_options),
    )
    chosen = backend or primary_backend()
    result, answered_by, degraded = _ask(chosen, backend is None, lambda b: b.search(request))
    if result.total and page > last_page(result.total, page_size):
        # Past the last page: show the last one rather than an empty page.
        page = last_page(result.total, page_size)
        request = replace(request, page=page, with_facets=False)
        facets = result.facets
        result, answered_by, again = _ask(chosen, backend is None, lambda b: b.search(request))
        result = BackendResult(total=result.total, ids=result.ids, facets=facets)
        degraded = degraded or again
    if not result.total:
        page = 1
    terms = highlight.query_terms(query) if with_highlights and not query.is_empty else frozenset()
    models = _hydrate(result.ids, queryset, with_story=bool(terms))
    items = [SearchItem(model, _highlights(model, terms) if terms else {}) for model in models]
    return SearchResults(
        query=query,
        filters=filters,
        sort=sort,
        count=result.total,
        page=page,
        page_size=page_size,
        items=items,
        facets=_facet_options(result.facets, filters, unit_options, names) if with_facets else {},
        backend=answered_by,
        degraded=degraded,
        unit_facet_parent=parent,
        names=names,
    )


def matching_ids(
    *,
    q: str | None = "",
    filters: SearchFilters | None = None,
    sort: str = SORT_RELEVANCE,
    backend: SearchBackend | None = None,
    chunk_size: int = ID_CHUNK_SIZE,
) -> Iterator[int]:
    """Every published model matching q and filters, in the listing's order, streamed in chunks.

    The same matching, filters and order as `search()` without its result window: exports read
    every match. Elasticsearch falls back to the database as in `search()` when it fails before
    the first id; a failure after that raises `SearchUnavailable` to the caller (the ids already
    given cannot be taken back). Nothing is read until the first id is asked for.
    """
    request = SearchRequest(
        query=analyse(q),
        filters=filters or SearchFilters(),
        sort=sort if sort in SORTS else SORT_RELEVANCE,
        with_facets=False,
    )
    chunk_size = max(1, int(chunk_size))

    def first_chunk(answering: SearchBackend) -> tuple[Iterator[list[int]], list[int]]:
        chunks = answering.iter_ids(request, chunk_size=chunk_size)
        return chunks, next(chunks, [])

    (chunks, head), _answered_by, _degraded = _ask(backend or primary_backend(), backend is None, first_chunk)
    yield from head
    for chunk in chunks:
        yield from chunk


def related_models(*, practice_model: PracticeModel, limit: int = 4) -> list[PracticeModel]:
    """Published models most like this one: more-like-this in Elasticsearch, shared words in the database."""
    try:
        ids, _name, _degraded = _ask(primary_backend(), True, lambda b: b.related(practice_model.pk, limit=limit))
    except SearchUnavailable:
        logger.warning("Related models unavailable", exc_info=True)
        return []
    return _hydrate(ids[:limit], None)


def suggest(*, q: str | None, limit: int = 8, queryset: QuerySet | None = None) -> list[PracticeModel]:
    """Type-ahead: published models whose title starts like `q`, best first."""
    query = analyse(q)
    if query.is_empty:
        return []
    limit = max(1, min(limit, 20))
    ids, _name, _degraded = _ask(primary_backend(), True, lambda b: b.suggest(query, limit=limit))
    queryset = queryset if queryset is not None else PracticeModel.objects.published().select_related("movement")
    return _hydrate(ids[:limit], queryset)
