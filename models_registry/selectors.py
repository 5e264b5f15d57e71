"""Reads that span models or depend on who asks: listings, model pages, unit pages, totals."""

from django.db.models import Count, QuerySet

from movements.models import Field, MovementPage
from search import services as search_services

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
