"""The public statistics page (/thong-ke/) and the admin's statistics dashboard.

Both parse the query string with `StatsParamsForm` (a bad value is named in a notice and left
out, as on the search pages), ask `selectors.overview()` and lay the numbers out as charts with
their tables (`statistics_context`); the admin's is limited to the user's own units.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from caching.public_pages import cache_public_page
from models_registry.models import Unit
from movements.models import MovementPage
from search.query import SearchFilters

from . import charts, selectors
from .forms import StatsParamsForm

PARAMETER_LABELS = {
    "group_by": _("Grouping"),
    "q": _("Search terms"),
    "movement": _("Movement"),
    "field": pgettext_lazy("taxonomy", "Field"),
    "unit": _("Unit"),
    "year": _("Year"),
    "level": _("Recognition level"),
    "form": _("Commendation form"),
}


def _query(**params) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value not in (None, "")})


def _single(values) -> str | int:
    """The one value chosen, or "" when none (or several) were."""
    return values[0] if len(values) == 1 else ""


def _movement_options() -> list[tuple[str, str]]:
    return list(MovementPage.objects.live().public().order_by("path").values_list("slug", "title"))


def growth_series(overview: selectors.Overview, movements: dict[str, str]) -> tuple[list[str], dict[str, list[int]]]:
    """Cumulative models per year, one line per movement (and one for all when there are several)."""
    years = [group.value for group in overview.by_year.groups]
    if not years:
        return [], {}
    span = list(range(years[0], years[-1] + 1))
    order = {slug: index for index, slug in enumerate(movements)}
    series: dict[str, list[int]] = {}
    for slug, per_year in sorted(overview.growth.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        running, line = 0, []
        for year in span:
            running += per_year.get(year, 0)
            line.append(running)
        series[movements.get(slug, slug)] = line
    if len(series) > 1:
        series[gettext("All movements")] = [sum(values) for values in zip(*series.values(), strict=True)]
    return [str(year) for year in span], series


def statistics_context(
    *,
    overview: selectors.Overview,
    filters: SearchFilters,
    unit: Unit | None,
) -> dict:
    """The charts (each with its table, drilling into units by link) and the headline figures."""
    movements = dict(_movement_options())
    movement, year = _single(filters.movements), _single(filters.years)
    unit_urls = {
        group.value: _query(unit=group.value, movement=movement, year=year) for group in overview.by_unit.groups
    }
    labels, series = growth_series(overview, movements)
    parent = overview.by_unit.parent
    unit_title = (
        gettext("Models by unit below %(unit)s") % {"unit": parent.name}
        if parent is not None
        else gettext("Models by unit")
    )
    bar_charts = [
        charts.bar_chart(
            slug="unit",
            title=unit_title,
            label_heading=gettext("Unit"),
            groups=overview.by_unit.groups,
            urls=unit_urls,
            note=gettext("Each unit counts the models of every unit below it and of the units merged into it."),
        ),
        charts.bar_chart(
            slug="field",
            title=gettext("Models by field"),
            label_heading=pgettext("taxonomy", "Field"),
            groups=overview.by_field.groups,
        ),
        charts.bar_chart(
            slug="level",
            title=gettext("Models by recognition level"),
            label_heading=gettext("Recognition level"),
            groups=overview.by_level.groups,
        ),
        charts.bar_chart(
            slug="form",
            title=gettext("Models by commendation form"),
            label_heading=gettext("Commendation form"),
            groups=overview.by_form.groups,
            note=gettext("A model commended in several forms counts under each of them."),
        ),
    ]
    if not movement:
        bar_charts.append(
            charts.bar_chart(
                slug="movement",
                title=gettext("Models by movement"),
                label_heading=gettext("Movement"),
                groups=overview.by_movement.groups,
            )
        )
    return {
        "overview": overview,
        "total": charts.figure(overview.total),
        "recognised": charts.figure(overview.recognised),
        "commended": charts.figure(overview.commended),
        "bar_charts": [chart for chart in bar_charts if chart.bars],
        "year_chart": charts.column_chart(
            slug="year",
            title=gettext("Models by year"),
            label_heading=gettext("Year"),
            groups=overview.by_year.groups,
        ),
        "growth_chart": charts.line_chart(
            slug="growth",
            title=gettext("Growth over the years (models in all, by movement)"),
            label_heading=gettext("Year"),
            labels=labels,
            series=series,
        ),
        "cycle_chart": _cycle_chart(overview),
        "replication": overview.replication,
        "replicated": charts.figure(overview.replication.replicated_models) if overview.replication else None,
        "unit": unit,
    }


def _cycle_chart(overview: selectors.Overview) -> charts.PairChart | None:
    if overview.by_cycle is None:
        return None  # no emulation app: no cycles to chart
    return charts.pair_chart(
        slug="cycle",
        title=gettext("Registration and recognition by emulation cycle"),
        label_heading=gettext("Emulation cycle"),
        names=(pgettext("statistics", "Registered"), pgettext("statistics", "Recognised")),
        share_heading=gettext("Share recognised"),
        rows=[(cycle.label, cycle.registered, cycle.recognised) for cycle in overview.by_cycle],
    )


def _unit_trail(unit: Unit | None, *, movement: str, year) -> list[tuple[str, str, bool]]:
    """(label, link, is current) from "All units" down to the unit drilled into."""
    trail = [(gettext("All units"), _query(movement=movement, year=year), unit is None)]
    if unit is None:
        return trail
    for step in [*unit.get_ancestors(), unit]:
        trail.append((step.name, _query(unit=step.code, movement=movement, year=year), step.pk == unit.pk))
    return trail


@cache_public_page
def statistics_page(request):
    """/thong-ke/: the published models counted by unit, field, year, level, form and movement."""
    form = StatsParamsForm(request.GET, require_group_by=False)
    filters = form.filters
    unit = selectors.unit_groups_parent(filters.units)
    parent = unit if unit is not None else (None if filters.units else selectors.home_parent())
    overview = selectors.overview(filters=filters, parent=parent)
    movement, year = _single(filters.movements), _single(filters.years)
    context = statistics_context(overview=overview, filters=filters, unit=unit)
    errors = {name: message for name, message in form.errors.items() if name != "group_by"}
    context.update(
        {
            "invalid_parameters": [(PARAMETER_LABELS.get(name, name), message) for name, message in errors.items()],
            "movements": _movement_options(),
            "years": selectors.available_years(),
            "selected_movement": movement,
            "selected_year": year,
            "unit_trail": _unit_trail(unit, movement=movement, year=year),
            "predecessor_names": selectors.unit_scope(unit).predecessor_names if unit is not None else [],
            "json_url": reverse("stats:api")
            + _query(group_by="unit", unit=unit.code if unit else "", movement=movement, year=year),
        }
    )
    return render(request, "stats/statistics.html", context)


# The admin's dashboard ---------------------------------------------------------------------------


class StatisticsDashboardView(WagtailAdminTemplateMixin, TemplateView):
    """The admin's statistics: the same charts as the public page, limited to the user's own units."""

    template_name = "stats/admin/dashboard.html"
    page_title = _("Statistics")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("wagtailadmin.access_admin"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatsParamsForm(self.request.GET, require_group_by=False)
        scope = selectors.dashboard_scope(self.request.user, unit_codes=form.filters.units)
        if scope is None:
            context["no_units"] = True
            return context
        own, unit = scope.own_units, scope.unit
        # The unit filter is the user's scope, applied through `unit_paths`; the others as given.
        filters = SearchFilters(movements=form.filters.movements, years=form.filters.years)
        overview = selectors.overview(
            filters=filters, unit_paths=scope.unit_paths, parent=scope.parent, units=scope.units
        )
        context.update(statistics_context(overview=overview, filters=filters, unit=unit))
        movement, year = _single(filters.movements), _single(filters.years)
        trail = []
        if own is None or len(own) > 1:
            label = gettext("All units") if own is None else gettext("Your units")
            trail.append((label, _query(movement=movement, year=year), unit is None))
        if unit is not None:
            steps = [*unit.get_ancestors(), unit]
            if own is not None:
                steps = [step for step in steps if selectors.is_within(step, own)]
            trail += [
                (step.name, _query(unit=step.code, movement=movement, year=year), step == unit) for step in steps
            ]
        context.update(
            {
                "movements": _movement_options(),
                "years": selectors.available_years(),
                "selected_movement": movement,
                "selected_year": year,
                "selected_unit": unit.code if unit is not None else "",
                "unit_trail": trail,
            }
        )
        return context
