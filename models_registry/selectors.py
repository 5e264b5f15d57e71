"""Reads that span models or depend on who asks: listings, model pages, unit pages, totals."""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast, Substr

from movements.models import Field, MovementPage

from .models import Commendation, PracticeModel, RecognitionLevel, Unit


def published_models() -> QuerySet[PracticeModel]:
    return PracticeModel.objects.published()


def published_detail() -> QuerySet[PracticeModel]:
    return published_models().select_related("unit", "movement", "field", "cover_image")


def unit_ancestry(unit: Unit) -> list[Unit]:
    """The unit's ancestors from the root down, then the unit itself (one query)."""
    return [*unit.get_ancestors(), unit]


def practice_model_context(*, practice_model: PracticeModel, preview: bool = False) -> dict:
    """What a model's page shows: the story, gallery, results, commendations, breadcrumb, related models."""
    from emulation.selectors import public_record  # emulation builds on this app, so imported here
    from search import services as search_services  # search's documents read this module's successions

    if preview:
        # A preview shows the unsaved form data: read the in-memory child relations.
        gallery = list(practice_model.gallery_images.all())
        results = list(practice_model.measured_results.all())
        attachments = list(practice_model.attachments.all())
        commendations = list(practice_model.commendations.all()) if practice_model.pk else []
    else:
        gallery = list(practice_model.gallery_images.select_related("image").prefetch_related("image__renditions"))
        results = list(practice_model.measured_results.all())
        attachments = list(practice_model.attachments.select_related("document"))
        commendations = list(
            practice_model.commendations.select_related("decision_document").order_by("decision_date", "id")
        )
    return {
        "practice_model": practice_model,
        "preview": preview,
        "gallery": gallery,
        "measured_results": results,
        "attachments": attachments,
        "commendations": commendations,
        "unit_trail": unit_ancestry(practice_model.unit) if practice_model.unit_id else [],
        # A preview of a model never saved has nothing to compare with in the search index.
        "related_models": search_services.related_models(practice_model=practice_model) if practice_model.pk else [],
        "emulation_record": public_record(practice_model=practice_model) if practice_model.pk else {},
        **replication_context(practice_model=practice_model),
    }


ADOPTERS_SHOWN = 12


def replication_context(*, practice_model: PracticeModel) -> dict:
    """The published original this model was adopted from, and the first units that adopted it."""
    from .services.replication import adopters  # services import this module

    original = None
    if practice_model.replicated_from_id:
        original = published_detail().filter(pk=practice_model.replicated_from_id).first()
    queryset = adopters(practice_model=practice_model) if practice_model.pk else PracticeModel.objects.none()
    shown = list(queryset[:ADOPTERS_SHOWN])
    return {
        "replicated_from": original,
        "adopters": shown,
        # The stored count (units, which listings sort by) is the number the page states.
        "adopter_count": practice_model.replication_count,
        "more_adopters": queryset.count() - len(shown) if len(shown) == ADOPTERS_SHOWN else 0,
    }


def home_page_summary() -> dict:
    """Totals by movement, the latest recognised models and the entry points to browse by."""
    movements = list(MovementPage.objects.live().public().order_by("path"))
    # Grouped counts straight from the registry's tables, each answered from an index; joining
    # them onto the movement pages instead makes the database count 100,000 rows three times over.
    published = published_models().order_by()
    totals_by_movement = {
        row["movement_id"]: row
        for row in published.values("movement_id").annotate(models=Count("id"), units=Count("unit_id", distinct=True))
    }
    commendations_by_movement = dict(
        Commendation.objects.filter(practice_model__live=True)
        .order_by()
        .values_list("practice_model__movement_id")
        .annotate(total=Count("id"))
    )
    for movement in movements:
        totals = totals_by_movement.get(movement.pk, {})
        movement.model_count = totals.get("models", 0)
        movement.unit_count = totals.get("units", 0)
        movement.commendation_count = commendations_by_movement.get(movement.pk, 0)
    latest_recognised = list(
        published_models()
        .exclude(recognition_level="")
        .for_listing()
        .order_by("-year", "-last_published_at", "-id")[:6]
    )
    top_units = list(Unit.objects.filter(depth=2, is_active=True).order_by("path")[:40])
    return {
        "movement_totals": movements,
        "total_models": sum(m.model_count for m in movements),
        "total_units": published_models().values("unit_id").distinct().count(),
        "total_commendations": sum(commendations_by_movement.values()),
        "latest_recognised": latest_recognised,
        "top_units": top_units,
        "fields": list(Field.objects.all()),
        "recognition_levels": RecognitionLevel.choices,
    }


def _subtree_counts(units: list[Unit], within: Unit | None = None) -> dict[str, int]:
    """Published models below each of `units` (siblings), keyed by path.

    Two indexed queries whatever the size of the tree: the published models counted per unit
    (from the partial index on live models' units), then summed by the sibling they hang under.
    """
    if not units:
        return {}
    prefix_len = len(units[0].path)
    tree = Unit.objects.subtree(within) if within is not None else Unit.objects.all()
    paths = dict(tree.order_by().values_list("id", "path"))
    per_unit = (
        published_models()
        .filter(unit_id__in=tree.order_by().values("id"))
        .values_list("unit_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    totals: dict[str, int] = {}
    for unit_id, total in per_unit:
        if within is not None and unit_id == within.pk:
            continue
        prefix = paths[unit_id][:prefix_len]
        totals[prefix] = totals.get(prefix, 0) + total
    return totals


def unit_index_context() -> dict:
    """The unit directory: the top-level units and how many published models each subtree has."""
    roots = list(Unit.get_root_nodes().filter(is_active=True))
    counts = _subtree_counts(roots)
    return {"root_units": [(root, counts.get(root.path, 0)) for root in roots]}


def unit_page_context(*, unit: Unit) -> dict:
    """A unit's page: its trail, the units directly below it and how many models each subtree has."""
    children = list(unit.get_children().filter(is_active=True))
    counts = _subtree_counts(children, within=unit)
    return {
        "unit": unit,
        "unit_trail": unit_ancestry(unit),
        "child_units": [(child, counts.get(child.path, 0)) for child in children],
    }


def unit_members(*, unit_id: int, role: str):
    """The active users holding `role` ("officer" or "reviewer") in the unit."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, unit_memberships__unit_id=unit_id, unit_memberships__role=role)
        .distinct()
    )


@dataclass(frozen=True)
class Succession:
    """One unit that took over another in a recorded change (a merge or a split), with their tree paths."""

    successor_id: int
    successor_path: str
    predecessor_id: int
    predecessor_path: str


def successions() -> list[Succession]:
    """Every recorded succession between two different units (renames and moves link a unit to itself).

    One query over the change links, paired by change here: the table is small (a link per unit
    per change), and pairing in SQL would join the links table to itself.
    """
    from .models import UnitChangeLink

    by_change: dict[int, dict[str, list[tuple[int, str]]]] = {}
    for change_id, role, unit_id, path in UnitChangeLink.objects.order_by().values_list(
        "change_id", "role", "unit_id", "unit__path"
    ):
        by_change.setdefault(change_id, {}).setdefault(role, []).append((unit_id, path))
    found = []
    for roles in by_change.values():
        for successor_id, successor_path in roles.get(UnitChangeLink.Role.SUCCESSOR, ()):
            for predecessor_id, predecessor_path in roles.get(UnitChangeLink.Role.PREDECESSOR, ()):
                if successor_id != predecessor_id:
                    found.append(Succession(successor_id, successor_path, predecessor_id, predecessor_path))
    return found


def _minimal_paths(paths) -> list[str]:
    """The paths, sorted, without any path that lies under another one of them."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        # Sorted, a path comes right after its ancestors and their other descendants: if any kept
        # path is a prefix of it, the last kept one is.
        if not (kept and path.startswith(kept[-1])):
            kept.append(path)
    return kept


def unit_scope_paths(codes) -> dict[str, list[str]]:
    """For each unit code, the tree paths whose subtrees count for that unit in statistics and filters.

    A unit counts the models of its own subtree and those of its predecessors (the units merged into
    it, split from into it, …), transitively: a predecessor's predecessors count too, and so do the
    predecessors of any unit below it, since whatever counts for a unit counts for the units above
    it. Paths are deduplicated and a path already under another is dropped. Unknown codes are left
    out. Two queries whatever the number of codes: the units' paths and the recorded successions.
    """
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    own = dict(Unit.objects.filter(code__in=codes).values_list("code", "path"))
    edges = [(link.successor_path, link.predecessor_path) for link in successions()] if own else []
    scopes = {}
    for code in codes:
        if code not in own:
            continue
        covered = [own[code]]
        changed = bool(edges)
        while changed:
            changed = False
            for successor, predecessor in edges:
                if any(successor.startswith(path) for path in covered) and not any(
                    predecessor.startswith(path) for path in covered
                ):
                    covered.append(predecessor)
                    changed = True
        scopes[code] = _minimal_paths(covered)
    return scopes


# Honour board (issue 5): the commendations of published models, by year, level, form, movement and unit.


def honour_board_commendations(
    *,
    year: int | None = None,
    level: str = "",
    form: str = "",
    movement: MovementPage | None = None,
    unit: Unit | None = None,
) -> QuerySet[Commendation]:
    """The public honour board: commendations of published models, narrowed by the filters given.

    `year` is the decision's year (a date range, which the database compares as is); `unit`
    includes every unit below it, by the prefix of the tree path, as the listings do.
    """
    queryset = Commendation.objects.filter(practice_model__live=True)
    if year is not None:
        queryset = queryset.filter(
            decision_date__gte=datetime.date(year, 1, 1), decision_date__lte=datetime.date(year, 12, 31)
        )
    if level:
        queryset = queryset.filter(level=level)
    if form:
        queryset = queryset.filter(form=form)
    if movement is not None:
        queryset = queryset.filter(practice_model__movement_id=movement.pk)
    if unit is not None:
        # The subtree's unit ids as a subquery: the database then reads the published models of
        # those units off their index, instead of checking the unit of every commended model.
        queryset = queryset.filter(practice_model__unit_id__in=Unit.objects.subtree(unit).order_by().values("id"))
    return queryset


def honour_board_years(queryset: QuerySet[Commendation]) -> list[tuple[int, int]]:
    """How many commendations of `queryset` each decision year has, newest year first (one grouped query)."""
    # The first four characters of the ISO date: a plain string function on SQLite and PostgreSQL
    # alike, where extracting the year would call back into Python for every row on SQLite.
    year = Substr(Cast("decision_date", output_field=CharField()), 1, 4)
    rows = queryset.order_by().annotate(decision_year=year).values_list("decision_year").annotate(total=Count("id"))
    return sorted(((int(value), total) for value, total in rows), reverse=True)


def honour_board_page(queryset: QuerySet[Commendation], *, offset: int, limit: int) -> list[Commendation]:
    """One page of the honour board, newest decision first, with everything a row shows (two queries).

    The page's ids are read first over the narrow sort columns, then only those rows are joined to
    their models, units and movements, so a deep page does not drag every joined row through the sort.
    """
    ids = list(queryset.order_by("-decision_date", "-id").values_list("id", flat=True)[offset : offset + limit])
    rows = Commendation.objects.filter(id__in=ids).select_related(
        "practice_model__unit", "practice_model__movement", "practice_model__cover_image"
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
