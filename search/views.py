"""The public search page, and the search part of the movement and unit listings.

All three pages parse the query string with `SearchParamsForm`, ask `search.services.search()` and
render the same search layout (query box, sort, facet sidebar, result cards, pages): they differ
only in what is fixed (a movement, a unit) and in the page around the layout.
"""

from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caching.public_pages import cache_public_page, keep_briefly
from models_registry.models import Unit
from movements.models import MovementPage

from . import services
from .forms import SearchParamsForm
from .query import (
    FACET_FIELD,
    FACET_FORM,
    FACET_LEVEL,
    FACET_MOVEMENT,
    FACET_UNIT,
    FACET_YEAR,
    MAX_RESULT_WINDOW,
    SearchFilters,
)

# The names the page shows for each query-string parameter, in the notice about bad values.
PARAMETER_LABELS = {
    "q": _("Search terms"),
    "sort": _("Sort by"),
    "page": _("Page"),
    "page_size": _("Results per page"),
    FACET_MOVEMENT: _("Movement"),
    FACET_FIELD: pgettext_lazy("taxonomy", "Field"),
    FACET_UNIT: _("Unit"),
    FACET_YEAR: _("Year"),
    FACET_LEVEL: _("Recognition level"),
    FACET_FORM: _("Commendation form"),
}

# The facet groups of the sidebar, in the order shown.
FACET_ORDER = (FACET_MOVEMENT, FACET_FIELD, FACET_UNIT, FACET_YEAR, FACET_LEVEL, FACET_FORM)

SORT_CHOICES = (
    ("relevance", _("Most relevant")),
    ("newest", _("Newest first")),
    ("title", _("Title A–Z")),
    ("replicated", _("Most replicated")),
)


@dataclass(frozen=True)
class FacetGroup:
    """One checkbox group of the sidebar: a facet's options, and for units the way up the tree."""

    name: str
    legend: str
    options: list
    unit_trail: tuple = ()  # (label, query value or None for "every unit", is_current) from the top down
    links_to_unit_pages: bool = False  # on a unit's page the units below are pages of their own


def results_page(results: services.SearchResults) -> Page:
    """A Django `Page` for includes/pagination.html, built from the numbers of `results`.

    The paginator counts a `range`, so nothing is queried; it stops at the result window the
    backends serve, and `page_range` carries the elided page numbers the include links to.
    """
    paginator = Paginator(range(min(results.count, MAX_RESULT_WINDOW)), results.page_size)
    page = paginator.get_page(results.page)
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    page.ellipsis = paginator.ELLIPSIS
    return page


def _narrowest_units(filters: SearchFilters) -> SearchFilters:
    """Drop a selected unit when a unit below it is selected too.

    Ticking a unit listed under the one drilled into sends both codes; as subtrees OR-ed the lower
    one would change nothing, while the person clearly meant to narrow the search to it.
    """
    if len(filters.units) < 2:
        return filters
    paths = dict(Unit.objects.filter(code__in=filters.units).values_list("code", "path"))

    def has_selected_descendant(code: str) -> bool:
        path = paths[code]
        return any(other != path and other.startswith(path) for other in paths.values())

    kept = tuple(code for code in filters.units if code in paths and not has_selected_descendant(code))
    return replace(filters, units=kept)


def _unit_trail(results: services.SearchResults, form: SearchParamsForm) -> tuple:
    """The way back up from the unit the facet lists the children of, for the drill-down breadcrumb."""
    parent = results.unit_facet_parent
    if parent is None or form.fixed_unit is not None or not results.filters.units:
        return ()  # the top level, or a unit page (whose own breadcrumb leads up)
    roots = Unit.get_root_nodes().filter(is_active=True).count()
    trail = [(str(_("All units")), None, False)]
    for unit in [*parent.get_ancestors(), parent]:
        if unit.depth == 1 and roots == 1:
            continue  # the only root holds everything: "All units" is that level already
        trail.append((unit.name, unit.code, unit.pk == parent.pk))
    return tuple(trail)


def _unit_options(results: services.SearchResults, form: SearchParamsForm) -> list[services.FacetOption]:
    """The unit facet's options: the unit drilled into first, with the count of the results, then its children."""
    options = results.facets.get(FACET_UNIT, [])
    parent = results.unit_facet_parent
    if form.fixed_unit is not None:
        # The page's own unit is the fixed filter, not an option: list what is below it.
        return [option for option in options if option.value != form.fixed_unit.code]
    if parent is None or results.filters.units != (parent.code,):
        return options
    # The backends count the units below the one drilled into, not that unit itself: everything
    # found is in it. It stays a ticked box so that unticking it widens the search again.
    drilled = services.FacetOption(parent.code, parent.name, results.count, selected=True, has_children=False)
    return [drilled, *(option for option in options if option.value != parent.code)]


def _facet_groups(results: services.SearchResults, form: SearchParamsForm) -> list[FacetGroup]:
    groups = []
    for name in FACET_ORDER:
        if name == FACET_MOVEMENT and form.fixed_movement is not None:
            continue  # the page is the movement
        options = _unit_options(results, form) if name == FACET_UNIT else results.facets.get(name, [])
        if not options:
            continue
        groups.append(
            FacetGroup(
                name=name,
                legend=str(PARAMETER_LABELS[name]),
                options=options,
                unit_trail=_unit_trail(results, form) if name == FACET_UNIT else (),
                links_to_unit_pages=name == FACET_UNIT and form.fixed_unit is not None,
            )
        )
    return groups


def search_context(request, *, fixed_movement: MovementPage | None = None, fixed_unit: Unit | None = None) -> dict:
    """Parse the query string, search, and return what the search layout template needs.

    Bad parameters never fail the page: they are listed in a notice and left out of the search.
    On a unit's page the unit facet drills into the units below that unit.
    """
    form = SearchParamsForm(request.GET, fixed_movement=fixed_movement, fixed_unit=fixed_unit)
    arguments = form.search_kwargs()
    arguments["filters"] = _narrowest_units(arguments["filters"])
    results = services.search(**arguments, unit_facet_parent=fixed_unit)
    if results.degraded:
        keep_briefly(request)
    errors = form.all_errors()
    sort = form.value("sort", "relevance")
    return {
        "search_form": form,
        "results": results,
        "page_obj": results_page(results),
        "practice_models": results.practice_models,
        "facet_groups": _facet_groups(results, form),
        "invalid_parameters": [(PARAMETER_LABELS.get(name, name), message) for name, message in errors.items()],
        "sort_choices": SORT_CHOICES,
        "current_sort": sort if sort in dict(SORT_CHOICES) else "relevance",
        "query_text": form.value("q", ""),
        "page_size_param": form.value("page_size") if "page_size" in request.GET else None,
    }


@cache_public_page
def search_page(request):
    """/tim-kiem/: every published model, searched and filtered."""
    return render(request, "search/search.html", search_context(request))
