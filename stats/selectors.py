"""Counting published practice models for the statistics page, the admin dashboard and the JSON API.

Every count is read from the search app's narrow table `search.models.SearchEntry` (one row per
published model, kept in step with publishing inside the same transaction), with the filters the
search backends apply — values OR-ed within a filter, filters AND-ed, a unit standing for its whole
subtree — so the totals agree exactly with `/api/v1/models/` for the same filters. A unit also
counts its predecessors' models (units merged or split into it, see
`models_registry.selectors.unit_scope_paths`).

Each breakdown is one grouped query over that table; units are counted per tree path in that query
and summed into the units listed, so the size of the tree costs Python, not SQL. The registration
and recognition figures per emulation cycle come from the `emulation` app's own tables.
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

from django.apps import apps
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from models_registry import permissions
from models_registry.models import RECOGNITION_RANK, CommendationForm, PracticeModel, RecognitionLevel, Unit
from models_registry.selectors import unit_scope_paths
from movements.models import Field, MovementPage
from search.models import SearchEntry
from search.query import SearchFilters

GROUP_UNIT = "unit"
GROUP_FIELD = "field"
GROUP_YEAR = "year"
GROUP_LEVEL = "level"
GROUP_MOVEMENT = "movement"
# What the API groups by, in the order its documentation lists them.
GROUP_BYS = (GROUP_UNIT, GROUP_FIELD, GROUP_YEAR, GROUP_LEVEL, GROUP_MOVEMENT)
# The page also counts models by commendation form (a model commended twice counts under both).
GROUP_FORM = "form"

_COLUMNS = {GROUP_FIELD: "field", GROUP_YEAR: "year", GROUP_LEVEL: "level", GROUP_MOVEMENT: "movement"}
# Above every character of a tree path: path + this bounds the paths below it when sorted.
_PATH_END = "\U0010ffff"


@dataclass(frozen=True)
class Group:
    """One bar of a chart, one row of a table, one entry of the API's `groups`.

    `value` is a slug, a unit code or a year; None stands for models without a field, without a
    recognition level or without a commendation.
    """

    value: str | int | None
    label: str
    count: int
    has_children: bool = False  # units: there are units below to drill into


@dataclass
class Breakdown:
    """The models matching the filters, counted by one dimension."""

    group_by: str
    total: int
    groups: list[Group]
    parent: Unit | None = None  # units: the unit whose children are the groups, None for the roots

    def as_dict(self) -> dict:
        return {"group_by": self.group_by, "total": self.total, "groups": [group_dict(g) for g in self.groups]}


def group_dict(group: Group) -> dict:
    return {"value": group.value, "label": group.label, "count": group.count}


@dataclass
class UnitScope:
    """The tree paths a unit filter covers, and the predecessors (by name) that widen it."""

    paths: list[str]
    predecessor_names: list[str] = field(default_factory=list)


# Filters ---------------------------------------------------------------------------------------


def unit_filter_paths(codes) -> list[str]:
    """Every tree path the unit codes stand for (their subtrees and their predecessors'), minimal."""
    scopes = unit_scope_paths(codes)
    paths = sorted({path for code_paths in scopes.values() for path in code_paths})
    kept: list[str] = []
    for path in paths:
        if not (kept and path.startswith(kept[-1])):
            kept.append(path)
    return kept


def _path_end(path: str) -> str | None:
    """The first tree path after every path that starts with `path`; None when there is none.

    Tree paths are written in treebeard's alphabet (digits, then capitals), so a subtree is one
    range of the unit path index: [path, the path with its last step's last character advanced).
    """
    alphabet = Unit.alphabet
    characters = list(path)
    while characters:
        position = alphabet.find(characters.pop())
        if 0 <= position < len(alphabet) - 1:
            return "".join(characters) + alphabet[position + 1]
    return None


def _path_q(paths: list[str], column: str = "unit_path") -> Q:
    """Rows of units in these subtrees: index range scans, where LIKE 'path%' reads every row."""
    condition = Q(pk__in=[])
    for path in paths:
        end = _path_end(path)
        bounds = {f"{column}__gte": path, **({f"{column}__lt": end} if end else {})}
        condition |= Q(**bounds)
    return condition


def _unindexed(column: str):
    """The column as an expression no index serves (its value unchanged)."""
    field = SearchEntry._meta.get_field(column)
    if isinstance(field, models.IntegerField):
        return ExpressionWrapper(F(column) + Value(0), output_field=models.IntegerField())
    return Concat(F(column), Value(""), output_field=models.CharField())


def matching_entries(filters: SearchFilters, *, unit_paths: list[str] | None = None) -> QuerySet[SearchEntry]:
    """The published models' entries that match the filters, as the search backends match them.

    `unit_paths` replaces the unit codes of `filters` with tree paths (e.g. an admin's scope).
    """
    if unit_paths is None and filters.units:
        unit_paths = unit_filter_paths(filters.units)
    entries = SearchEntry.objects.order_by()
    # With a subtree to read, the unit path range is the narrow way in. SQLite keeps no statistics
    # unless ANALYZE is run, and would rather take the movement or year index and read half the
    # table (0.5 s at 80,000 models instead of 20 ms): the other filters compare expressions of
    # their columns, which no index serves, so the range is read and they are checked on its rows.
    indexed = unit_paths is None
    for column, values in (
        ("movement", filters.movements),
        ("field", filters.fields),
        ("year", filters.years),
        ("level", filters.levels),
    ):
        if not values:
            continue
        if indexed:
            entries = entries.filter(**{f"{column}__in": values})
        else:
            entries = entries.alias(**{f"{column}_value": _unindexed(column)}).filter(
                **{f"{column}_value__in": values}
            )
    if filters.forms:
        condition = Q(pk__in=[])
        for form in filters.forms:
            condition |= Q(forms__contains=f" {form} ")
        entries = entries.filter(condition)
    if unit_paths is not None:
        entries = entries.filter(_path_q(unit_paths))  # no paths at all: nothing matches
    return entries


# Breakdowns ------------------------------------------------------------------------------------


def _counts(entries: QuerySet[SearchEntry], column: str) -> dict:
    return dict(entries.values_list(column).annotate(count=Count("pk")).order_by())


def _categorical(group_by, counts: dict, choices, *, none_label: str, keep_zero: bool = True) -> Breakdown:
    """Groups in the order of `choices` (value, label), then values no choice names, then "none"."""
    groups = []
    named = set()
    for value, label in choices:
        named.add(value)
        count = counts.get(value, 0)
        if count or keep_zero:
            groups.append(Group(value, str(label), count))
    for value in sorted(value for value in counts if value not in named and value):
        groups.append(Group(value, value, counts[value]))  # e.g. a field renamed since: its slug
    if counts.get(""):
        groups.append(Group(None, none_label, counts[""]))
    return Breakdown(group_by=group_by, total=sum(counts.values()), groups=groups)


def _movement_choices() -> list[tuple[str, str]]:
    return list(MovementPage.objects.live().public().order_by("path").values_list("slug", "title"))


def _level_choices() -> list[tuple[str, str]]:
    return sorted(RecognitionLevel.choices, key=lambda choice: RECOGNITION_RANK[choice[0]])


def count_by_field(entries: QuerySet[SearchEntry]) -> Breakdown:
    counts = _counts(entries, "field")
    choices = Field.objects.order_by("sort_order", "name").values_list("slug", "name")
    return _categorical(GROUP_FIELD, counts, choices, none_label=_("No field"))


def count_by_level(entries: QuerySet[SearchEntry]) -> Breakdown:
    counts = _counts(entries, "level")
    return _categorical(GROUP_LEVEL, counts, _level_choices(), none_label=_("Not recognised yet"))


def count_by_movement(entries: QuerySet[SearchEntry]) -> Breakdown:
    return _categorical(GROUP_MOVEMENT, _counts(entries, "movement"), _movement_choices(), none_label="")


def count_by_year(entries: QuerySet[SearchEntry]) -> Breakdown:
    counts = _counts(entries, "year")
    groups = [Group(year, str(year), counts[year]) for year in sorted(counts)]
    return Breakdown(group_by=GROUP_YEAR, total=sum(counts.values()), groups=groups)


def count_by_form(entries: QuerySet[SearchEntry]) -> Breakdown:
    """Models commended with each form (a model with two forms counts under both), then the uncommended."""
    counts: dict[str, int] = {}
    total = 0
    for forms, count in _counts(entries, "forms").items():
        total += count
        for form in forms.split() or [""]:
            counts[form] = counts.get(form, 0) + count
    breakdown = _categorical(
        GROUP_FORM, counts, CommendationForm.choices, none_label=pgettext("statistics", "Not commended")
    )
    breakdown.total = total
    return breakdown


class _PathCounts:
    """Models per unit path, summed over any subtree in two binary searches."""

    def __init__(self, rows):
        ordered = sorted(rows)
        self.paths = [path for path, _count in ordered]
        self.running = [0, *accumulate(count for _path, count in ordered)]

    @property
    def total(self) -> int:
        return self.running[-1]

    def under(self, path: str) -> int:
        start = bisect_left(self.paths, path)
        end = bisect_left(self.paths, path + _PATH_END)
        return self.running[end] - self.running[start]


def unit_groups_parent(unit_codes) -> Unit | None:
    """The unit whose children a unit breakdown lists: the one unit filtered on, else None (the roots)."""
    if len(unit_codes) != 1:
        return None
    return Unit.objects.filter(code=unit_codes[0]).first()


def count_by_unit(
    entries: QuerySet[SearchEntry], *, parent: Unit | None, units: list[Unit] | None = None
) -> Breakdown:
    """The active units directly below `parent` (or the top-level units), each counting its whole
    subtree and its predecessors'; `units` lists other units instead (an admin's own units)."""
    if units is None:
        units = list((parent.get_children() if parent is not None else Unit.get_root_nodes()).filter(is_active=True))
    per_path = _PathCounts(entries.values_list("unit_path").annotate(count=Count("pk")).order_by())
    scopes = unit_scope_paths([unit.code for unit in units])
    groups = [
        Group(unit.code, unit.name, sum(per_path.under(path) for path in scopes.get(unit.code, ())), unit.numchild > 0)
        for unit in units
    ]
    return Breakdown(group_by=GROUP_UNIT, total=per_path.total, groups=groups, parent=parent)


def breakdown(*, group_by: str, filters: SearchFilters) -> Breakdown:
    """The published models matching `filters`, counted by `group_by` (one of GROUP_BYS or "form")."""
    entries = matching_entries(filters)
    if group_by == GROUP_UNIT:
        return count_by_unit(entries, parent=unit_groups_parent(filters.units))
    counters = {
        GROUP_FIELD: count_by_field,
        GROUP_YEAR: count_by_year,
        GROUP_LEVEL: count_by_level,
        GROUP_MOVEMENT: count_by_movement,
        GROUP_FORM: count_by_form,
    }
    return counters[group_by](entries)


def count_by_movement_and_year(entries: QuerySet[SearchEntry]) -> dict[str, dict[int, int]]:
    """Models per year for each movement slug: the growth chart's lines."""
    series: dict[str, dict[int, int]] = {}
    # No index holds both columns: reading the table straight through and sorting the pairs is
    # faster than walking the movement index and fetching each row's year (80 ms, not 150, at 80,000).
    pairs = entries.annotate(movement_value=_unindexed("movement")).values_list("movement_value", "year")
    for movement, year, count in pairs.annotate(count=Count("pk")).order_by():
        series.setdefault(movement, {})[year] = count
    return series


def unit_scope(unit: Unit) -> UnitScope:
    """What a filter on `unit` covers, and the names of the predecessors it takes in."""
    paths = unit_scope_paths([unit.code]).get(unit.code, [unit.path])
    others = [path for path in paths if not path.startswith(unit.path)]
    names = list(Unit.objects.filter(path__in=others).order_by("path").values_list("name", flat=True))
    return UnitScope(paths=paths, predecessor_names=names)


def available_years() -> list[int]:
    """Every year some published model has, newest first (read off the year index)."""
    return list(SearchEntry.objects.order_by("-year").values_list("year", flat=True).distinct())


@dataclass
class Overview:
    """Everything the statistics page and the admin dashboard chart, for one set of filters."""

    total: int
    by_unit: Breakdown
    by_field: Breakdown
    by_year: Breakdown
    by_level: Breakdown
    by_form: Breakdown
    by_movement: Breakdown
    growth: dict[str, dict[int, int]]  # movement slug → year → models
    by_cycle: list["CycleCount"] | None = None  # None without the emulation app
    replication: "Replication | None" = None

    @property
    def recognised(self) -> int:
        return self.total - sum(group.count for group in self.by_level.groups if group.value is None)

    @property
    def commended(self) -> int:
        return self.total - sum(group.count for group in self.by_form.groups if group.value is None)


MOST_REPLICATED_SHOWN = 10


@dataclass
class Replication:
    """How far the matching models spread: those adopted by other units, and the most adopted."""

    replicated_models: int  # models at least one other unit adopted
    adoptions: int  # units adopting them, summed over the models
    most_replicated: list[tuple[PracticeModel, int]]


def replication(entries: QuerySet[SearchEntry], *, shown: int = MOST_REPLICATED_SHOWN) -> Replication:
    """The replication figures of the matching models (the counts the listings sort by)."""
    adopted = entries.filter(replication_count__gt=0)
    totals = adopted.aggregate(models=Count("pk"), adoptions=Sum("replication_count"))
    top = list(
        adopted.order_by("-replication_count", "-published_at", "-practice_model")[:shown].values_list(
            "practice_model_id", "replication_count"
        )
    )
    models_by_id = PracticeModel.objects.select_related("unit", "movement").in_bulk([pk for pk, _count in top])
    return Replication(
        replicated_models=totals["models"] or 0,
        adoptions=totals["adoptions"] or 0,
        most_replicated=[(models_by_id[pk], count) for pk, count in top if pk in models_by_id],
    )


def overview(
    *,
    filters: SearchFilters,
    unit_paths: list[str] | None = None,
    parent: Unit | None = None,
    units: list[Unit] | None = None,
) -> Overview:
    """Every breakdown of the published models matching `filters`: five grouped queries over the
    entries (movement × year gives the movements, the years and the growth), and the cycles' three.

    The units charted are those directly below `parent` (the top-level units when None), or
    `units` when given; `unit_paths` narrows everything to those subtrees (an admin's own units).
    """
    entries = matching_entries(filters, unit_paths=unit_paths)
    growth = count_by_movement_and_year(entries)
    per_movement = {movement: sum(years.values()) for movement, years in growth.items()}
    per_year: dict[int, int] = {}
    for years in growth.values():
        for year, count in years.items():
            per_year[year] = per_year.get(year, 0) + count
    by_movement = _categorical(GROUP_MOVEMENT, per_movement, _movement_choices(), none_label="")
    by_year = Breakdown(
        group_by=GROUP_YEAR,
        total=sum(per_year.values()),
        groups=[Group(year, str(year), per_year[year]) for year in sorted(per_year)],
    )
    return Overview(
        total=by_year.total,
        by_unit=count_by_unit(entries, parent=parent, units=units),
        by_field=count_by_field(entries),
        by_year=by_year,
        by_level=count_by_level(entries),
        by_form=count_by_form(entries),
        by_movement=by_movement,
        growth=growth,
        by_cycle=count_by_cycle(filters, unit_paths=unit_paths),
        replication=replication(entries),
    )


def home_parent() -> Unit | None:
    """The unit whose children the statistics start with: the only top-level unit, if there is one."""
    roots = list(Unit.get_root_nodes().filter(is_active=True)[:2])
    return roots[0] if len(roots) == 1 else None


def unit_totals(units: list[Unit], *, year: int) -> list[tuple[Unit, int, int]]:
    """Each unit with its published models in all and in `year` (its subtree and predecessors'), in one query."""
    scopes = unit_scope_paths([unit.code for unit in units])
    everything = unit_filter_paths([unit.code for unit in units])
    rows = matching_entries(SearchFilters(), unit_paths=everything).values_list("unit_path", "year")
    all_years: list[tuple[str, int]] = []
    this_year: list[tuple[str, int]] = []
    for path, entry_year, count in rows.annotate(count=Count("pk")).order_by():
        all_years.append((path, count))
        if entry_year == year:
            this_year.append((path, count))
    in_all, in_year = _PathCounts(_merge(all_years)), _PathCounts(this_year)
    return [
        (
            unit,
            sum(in_all.under(path) for path in scopes.get(unit.code, ())),
            sum(in_year.under(path) for path in scopes.get(unit.code, ())),
        )
        for unit in units
    ]


def _merge(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for path, count in rows:
        merged[path] = merged.get(path, 0) + count
    return list(merged.items())


def root_units() -> list[Unit]:
    return list(Unit.get_root_nodes().filter(is_active=True))


@dataclass(frozen=True)
class CycleCount:
    """One emulation cycle: the models its units registered, and those it recognised (passed or better)."""

    label: str
    year: int
    movement: str
    registered: int
    recognised: int


def count_by_cycle(filters: SearchFilters, *, unit_paths: list[str] | None = None) -> list[CycleCount] | None:
    """Registered and recognised models per cycle matching the filters; None without the emulation app.

    Registrations and evaluations are counted whether or not the model is published yet (units
    register at the start of the year): these are the campaign's own figures, not the registry's.
    A model is recognised in a cycle when its evaluation there passed (passed, good or excellent).
    """
    if not apps.is_installed("emulation"):
        return None
    from emulation.models import NOMINABLE_RESULTS, Cycle, Evaluation, Registration

    cycles = Cycle.objects.select_related("movement")
    if filters.movements:
        cycles = cycles.filter(movement__slug__in=filters.movements)
    if filters.years:
        cycles = cycles.filter(year__in=filters.years)
    cycles = list(cycles.order_by("year", "movement__path", "name"))
    if not cycles:
        return []
    if unit_paths is None and filters.units:
        unit_paths = unit_filter_paths(filters.units)

    def per_cycle(rows) -> dict[int, int]:
        rows = rows.filter(cycle__in=cycles)
        if unit_paths is not None:
            rows = rows.filter(_path_q(unit_paths, "practice_model__unit__path"))
        if filters.fields:
            rows = rows.filter(practice_model__field__slug__in=filters.fields)
        if filters.levels:
            rows = rows.filter(practice_model__recognition_level__in=filters.levels)
        return dict(rows.order_by().values_list("cycle_id").annotate(count=Count("pk")))

    registered = per_cycle(Registration.objects.all())
    recognised = per_cycle(Evaluation.objects.filter(result__in=NOMINABLE_RESULTS))
    several_movements = len({cycle.movement_id for cycle in cycles}) > 1
    counts = []
    for cycle in cycles:
        if not (registered.get(cycle.pk) or recognised.get(cycle.pk)):
            continue
        movement = cycle.movement
        label = f"{cycle.name} – {movement.abbreviation or movement.title}" if several_movements else cycle.name
        counts.append(
            CycleCount(
                label=label,
                year=cycle.year,
                movement=movement.slug,
                registered=registered.get(cycle.pk, 0),
                recognised=recognised.get(cycle.pk, 0),
            )
        )
    return counts


def user_units(user) -> list[Unit] | None:
    """The units whose statistics `user` sees in the admin: those of their memberships, in tree
    order (an empty list for none); None for those who see every unit."""
    if permissions.is_unscoped(user):
        return None
    units = {membership.unit.pk: membership.unit for membership in permissions.memberships(user)}
    return sorted(units.values(), key=lambda unit: unit.path)


def is_within(unit: Unit, scope: list[Unit]) -> bool:
    """Whether `unit` is one of `scope` or below one of them."""
    return any(unit.path.startswith(own.path) for own in scope)


@dataclass
class DashboardScope:
    """What the admin's dashboard counts for one user, and how it charts the units."""

    own_units: list[Unit] | None  # the user's units; None: every unit
    unit: Unit | None  # the unit drilled into (or the user's only unit)
    parent: Unit | None  # the unit whose children are charted
    units: list[Unit] | None  # or these units instead (the user's several units)
    unit_paths: list[str] | None  # the subtrees counted; None: everything


def dashboard_scope(user, *, unit_codes) -> DashboardScope | None:
    """The user's statistics in the admin: below the unit asked for when it is within their units,
    else their units themselves (everything for those who see every unit); None when they have none."""
    own = user_units(user)
    if own is not None and not own:
        return None
    unit = unit_groups_parent(unit_codes)
    if unit is not None and own is not None and not is_within(unit, own):
        unit = None  # out of reach: their own units instead
    if unit is None and own is not None and len(own) == 1:
        unit = own[0]
    if unit is not None:
        return DashboardScope(own, unit, parent=unit, units=None, unit_paths=unit_filter_paths([unit.code]))
    if own is None:
        return DashboardScope(own, None, parent=home_parent(), units=None, unit_paths=None)
    return DashboardScope(own, None, parent=None, units=own, unit_paths=unit_filter_paths([u.code for u in own]))
