"""Replication ("nhân rộng"): how many other units run a model adopted from another unit's.

An adopting model names its original in `PracticeModel.replicated_from`. The original's
`replication_count` (other units with a published adopting model) is stored rather than counted
per row, so that listings can sort by it; it is reconciled whenever a model is published,
unpublished or deleted, and the originals whose count changed are re-indexed.
"""

from django.db.models import Count, F

from ..models import PracticeModel


def actual_replication_counts() -> dict[int, int]:
    """For every original with published adopters: how many distinct other units adopted it."""
    rows = (
        PracticeModel.objects.published()
        .filter(replicated_from__isnull=False, replicated_from__live=True)
        .exclude(unit_id=F("replicated_from__unit_id"))
        .order_by()
        .values("replicated_from_id")
        .annotate(units=Count("unit_id", distinct=True))
    )
    return {row["replicated_from_id"]: row["units"] for row in rows}


def sync_replication_counts() -> list[int]:
    """Store each model's current replication count; returns the ids whose count changed.

    One grouped query over the adopting models and one over the stored non-zero counts: cheap
    however the adopters changed (a model re-pointed from one original to another, an original
    unpublished), so it needs no memory of what the counts were before.
    """
    from search.indexing import practice_models_changed  # search builds on this app

    actual = actual_replication_counts()
    stored = dict(
        PracticeModel.objects.filter(replication_count__gt=0).order_by().values_list("pk", "replication_count")
    )
    changed: dict[int, int] = {pk: 0 for pk in stored if pk not in actual}
    changed.update({pk: count for pk, count in actual.items() if stored.get(pk) != count})
    by_count: dict[int, list[int]] = {}
    for pk, count in changed.items():
        by_count.setdefault(count, []).append(pk)
    for count, ids in by_count.items():
        # update() rather than save(): the count is derived data, not an edit of the model, and
        # must not touch its revisions, draft or updated_at.
        PracticeModel.objects.filter(pk__in=ids).update(replication_count=count)
    practice_models_changed(changed)
    return sorted(changed)


def adopters(*, practice_model: PracticeModel):
    """The published models other units adopted from this one, newest first."""
    return (
        PracticeModel.objects.published()
        .filter(replicated_from=practice_model)
        .exclude(unit_id=practice_model.unit_id)
        .select_related("unit", "movement")
        .order_by("-year", "-first_published_at", "-pk")
    )
