"""Feeding Elasticsearch from the outbox (search.models.PendingIndexUpdate).

`queue_elasticsearch_update()` runs inside the transaction that changed the models: it writes
one outbox row per model and, once the transaction commits, enqueues `sync_elasticsearch`. The
task sends the changes with the bulk API and removes the rows that made it; a row that failed
keeps its error and a later retry time (exponential backoff). Nothing here ever raises because
Elasticsearch is down: saving a model must not fail for that, and `search_index repair` drains
whatever is left.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from django_tasks import default_task_backend, task

from . import elastic
from .backends import elasticsearch_enabled
from .models import PendingIndexUpdate

logger = logging.getLogger(__name__)

OUTBOX_BATCH_SIZE = 500
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min… at most 1 h."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def queue_elasticsearch_update(ids) -> None:
    """Record, in the current transaction, that these models' documents must be refreshed."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    now = timezone.now()
    # A row already waiting (even one backing off after a failure) becomes due at once, and its
    # created_at moves on: the task only deletes a row whose created_at it read, so a change
    # made while the task was sending the previous one is never dropped.
    PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(practice_model_id=pk, created_at=now) for pk in ids],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["practice_model_id"],
        update_fields=["created_at", "next_attempt_at"],
    )
    transaction.on_commit(_enqueue_sync, robust=True)


def _enqueue_sync() -> None:
    try:
        sync_elasticsearch.enqueue()
    except Exception:  # the rows stay in the outbox; repair or the next change sends them
        logger.warning("Could not enqueue the Elasticsearch sync task", exc_info=True)


def _due_rows(*, include_deferred: bool):
    rows = PendingIndexUpdate.objects.order_by("pk")
    if not include_deferred:
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
    return rows


def _record_failures(rows: list[PendingIndexUpdate], errors: dict) -> None:
    """Count one more attempt on each failed row, with its error and the next retry time."""
    now = timezone.now()
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.attempts, errors[row.practice_model_id])].append(row.pk)
    for (attempts, error), pks in groups.items():
        PendingIndexUpdate.objects.filter(pk__in=pks).update(
            attempts=min(attempts + 1, 32767),
            last_error=error,
            next_attempt_at=now + retry_delay(attempts + 1),
        )


def _remove_done(rows: list[PendingIndexUpdate]) -> None:
    """Delete the rows sent, unless a newer change re-queued one meanwhile (created_at moved)."""
    if not rows:
        return
    # Rows queued together share their created_at: one condition per queueing, not per row.
    by_time: dict = defaultdict(list)
    for row in rows:
        by_time[row.created_at].append(row.pk)
    condition = Q()
    for created_at, pks in by_time.items():
        condition |= Q(created_at=created_at, pk__in=pks)
    PendingIndexUpdate.objects.filter(condition).delete()


def process_pending_updates(limit: int | None = None, *, include_deferred: bool = False) -> tuple[int, int]:
    """Send the due outbox rows to Elasticsearch in batches; returns (done, failed).

    Published models are indexed, the others' documents deleted. `include_deferred` also takes
    the rows still backing off (repair does). When Elasticsearch cannot be reached, the batch is
    marked failed and the rest waits for the next run: this never raises for Elasticsearch errors.
    """
    if not elasticsearch_enabled():
        return 0, 0
    done = failed = 0
    last_pk = 0
    ensured = False
    while limit is None or done + failed < limit:
        size = OUTBOX_BATCH_SIZE if limit is None else min(OUTBOX_BATCH_SIZE, limit - done - failed)
        rows = list(_due_rows(include_deferred=include_deferred).filter(pk__gt=last_pk)[:size])
        if not rows:
            break
        last_pk = rows[-1].pk
        ids = [row.practice_model_id for row in rows]
        try:
            if not ensured:
                # Writing through a missing alias would let Elasticsearch create a plain index
                # with guessed mappings under the alias's name.
                elastic.ensure_index()
                ensured = True
            outcome = elastic.apply_changes(ids)
        except elastic.ERRORS as exc:
            logger.warning("Elasticsearch is unavailable; %s index updates wait for a retry: %s", len(rows), exc)
            _record_failures(rows, dict.fromkeys(ids, f"{type(exc).__name__}: {exc}"[:1000]))
            return done, failed + len(rows)
        ok_rows = [row for row in rows if row.practice_model_id not in outcome.failed]
        bad_rows = [row for row in rows if row.practice_model_id in outcome.failed]
        _remove_done(ok_rows)
        if bad_rows:
            logger.warning("Elasticsearch refused %s documents; they wait for a retry", len(bad_rows))
            _record_failures(bad_rows, outcome.failed)
        done += len(ok_rows)
        failed += len(bad_rows)
    return done, failed


def _schedule_retry() -> None:
    """Enqueue the task again for the earliest retry, when the task backend can defer runs."""
    if not default_task_backend.supports_defer:
        return
    next_at = (
        PendingIndexUpdate.objects.filter(next_attempt_at__isnull=False)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if next_at is not None:
        sync_elasticsearch.using(run_after=max(next_at, timezone.now())).enqueue()


@task()
def sync_elasticsearch() -> dict:
    """Background task: send the outbox to Elasticsearch; schedules its own retry after failures."""
    try:
        done, failed = process_pending_updates()
        if failed:
            _schedule_retry()
    except Exception:  # never fail the caller (with the immediate backend, a save)
        logger.warning("Elasticsearch index sync failed; the outbox keeps the changes", exc_info=True)
        return {"done": 0, "failed": 0, "error": True}
    return {"done": done, "failed": failed}
