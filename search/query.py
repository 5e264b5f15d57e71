"""The contract between the search service and its backends.

`search.services.search()` turns request parameters into a `SearchRequest`, asks the configured
backend (Elasticsearch, or the database) and falls back to the database backend when Elasticsearch
fails. Both backends answer a `SearchRequest` with a `BackendResult`: the ids of the page's
published models in order, the total and the raw facet counts. Everything the user sees (models,
labels, highlights) is built from those ids by the service, once, whichever backend answered, so
both backends keep exactly the same results contract.

Facet semantics, identical in both backends:
- every filter is multi-select: values of one facet are OR-ed, facets are AND-ed;
- a facet's counts apply every filter except its own (selecting "Kinh tế" leaves the other fields'
  counts as they were, so the user can add one);
- `units` filters by subtree: a model matches a unit code when its unit is that unit or any unit
  below it; the unit facet counts, for each code of `unit_facet_codes` (the units the user can
  drill into: the roots, or the units directly below the unit being browsed), the models of its
  whole subtree.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .analysis import QueryAnalysis

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_TITLE = "title"
SORT_REPLICATED = "replicated"  # most units running a copy first (replication_count), then newest
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_TITLE, SORT_REPLICATED)
# The orders that ignore the query's score (relevance is the only one that reads it).
FIXED_SORTS = frozenset({SORT_NEWEST, SORT_TITLE, SORT_REPLICATED})

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Deep pages cost both backends dearly and nobody reads page 5,000: results stop at this offset.
MAX_RESULT_WINDOW = 10_000

FACET_MOVEMENT = "movement"
FACET_FIELD = "field"
FACET_UNIT = "unit"
FACET_YEAR = "year"
FACET_LEVEL = "level"
FACET_FORM = "form"
FACETS = (FACET_MOVEMENT, FACET_FIELD, FACET_UNIT, FACET_YEAR, FACET_LEVEL, FACET_FORM)


@dataclass(frozen=True)
class SearchFilters:
    """Validated filter values; an empty tuple means "any"."""

    movements: tuple[str, ...] = ()  # MovementPage slugs
    fields: tuple[str, ...] = ()  # Field slugs
    units: tuple[str, ...] = ()  # Unit codes, each standing for its whole subtree
    years: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()  # RecognitionLevel values
    forms: tuple[str, ...] = ()  # CommendationForm values: models commended with any of them

    def by_facet(self) -> dict[str, tuple]:
        return {
            FACET_MOVEMENT: self.movements,
            FACET_FIELD: self.fields,
            FACET_UNIT: self.units,
            FACET_YEAR: self.years,
            FACET_LEVEL: self.levels,
            FACET_FORM: self.forms,
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.by_facet().values())


@dataclass(frozen=True)
class SearchRequest:
    """One search: the analysed query, the filters, the order and the page wanted."""

    query: QueryAnalysis
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = SORT_RELEVANCE  # relevance without a query means newest
    page: int = 1  # from 1, already clamped to the result window
    page_size: int = DEFAULT_PAGE_SIZE
    with_facets: bool = True
    unit_facet_codes: tuple[str, ...] = ()  # the units the unit facet counts (see module docstring)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class BackendResult:
    """What a backend answers: the page's ids in order, the total, raw facet counts by value.

    `facets` maps each facet name of `FACETS` to {value: count}: slugs for movement and field,
    codes for unit (only those asked in `unit_facet_codes`), years as int, level and form values.
    Values with a count of 0 may be left out. `facets` is empty when `with_facets` was False.
    """

    total: int
    ids: list[int]
    facets: dict[str, dict] = field(default_factory=dict)


class SearchBackend(Protocol):
    """What the service needs from a backend. Failures raise `SearchUnavailable`."""

    name: str

    def search(self, request: SearchRequest) -> BackendResult: ...

    def iter_ids(self, request: SearchRequest, *, chunk_size: int) -> Iterator[list[int]]:
        """Every id matching the request's query and filters, in its order, in chunks (exports)."""
        ...

    def related(self, practice_model_id: int, *, limit: int) -> list[int]:
        """Ids of published models most like this one (the model itself excluded), best first."""
        ...

    def suggest(self, query: QueryAnalysis, *, limit: int) -> list[int]:
        """Ids of published models whose title starts like the query (type-ahead), best first."""
        ...


class SearchUnavailable(Exception):
    """The backend could not answer (down, too slow, an error): the service falls back."""
