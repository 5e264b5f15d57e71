"""Background work whose worker died: find it, mark it failed, and run spreadsheet imports again.

`manage.py db_worker` (django_tasks_db) claims a task by setting its row RUNNING, runs it, then
records the outcome. A worker killed in between (out of memory, a host restart, `docker stop` past
its grace period) leaves the row RUNNING for ever: django_tasks_db 0.12 has no heartbeat and never
looks at such rows again. An import job (models_registry.ImportJob) that task was running stays
"running" with it, and its uploader waits for a progress bar that never moves.

`recover_stuck_tasks()` (the `recover_tasks` command, scheduled in deploy/crontab) ends that:

- a task RUNNING for longer than the timeout is marked FAILED, with `WorkerLost` as its error;
- an import job "running" for longer than the timeout with no task still running it is queued
  again. An import writes all its rows in one transaction, which the dead worker's database
  connection rolled back, and re-importing the same file updates by external id, never duplicates:
  running it again is safe. Its uploaded file is kept until then. After `MAX_IMPORT_RUNS` runs lost
  this way, the job goes back to "checked, waiting for confirmation" with a note, so its uploader
  decides whether to confirm it once more instead of the scheduler retrying for ever.

Other tasks are not re-run automatically (a notification email must not go out twice); what they
did is redone by their own schedules (the search outbox by `search_index repair`, the open-data
files by `export_open_data`). The timeout must exceed the longest task: a live worker's task is
never touched before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from models_registry.models import ImportJob

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = timedelta(hours=2)
MAX_IMPORT_RUNS = 3
IMPORT_TASK_PATH = "models_registry.tasks.run_import_job"


class WorkerLost(Exception):
    """The worker running a task stopped before recording its outcome (recorded as the task's error)."""


WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


@dataclass
class RecoveryResult:
    """What one recovery pass did: task ids marked failed, import jobs queued again or handed back."""

    failed_tasks: list[str] = field(default_factory=list)
    requeued_imports: list[int] = field(default_factory=list)
    returned_imports: list[int] = field(default_factory=list)


def _import_tasks(job_id: int):
    return DBTaskResult.objects.filter(task_path=IMPORT_TASK_PATH, args_kwargs__args__0=job_id)


def _mark_lost_tasks(cutoff, now) -> list[str]:
    failed = []
    stuck = DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("pk", "task_path", "worker_ids")
    for pk, task_path, worker_ids in stuck:
        # Conditional: a worker that finishes the task meanwhile wins.
        updated = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST_PATH,
            traceback=(
                f"{WORKER_LOST_PATH}: the worker {', '.join(worker_ids or []) or '?'} stopped before this task "
                f"finished (started before {cutoff.isoformat()}); marked failed by recover_tasks."
            ),
            return_value=None,
        )
        if updated:
            logger.warning("Task %s (%s) was running on a worker that stopped: marked failed", pk, task_path)
            failed.append(str(pk))
    return failed


def _enqueue_import(job_id: int) -> None:
    from models_registry.services.import_jobs import _enqueue

    _enqueue(job_id)


def _recover_import(job: ImportJob) -> str | None:
    """Queue a stuck import again, or hand it back to its uploader; None when a task still runs it."""
    tasks = _import_tasks(job.pk)
    if tasks.filter(status__in=[TaskResultStatus.RUNNING, TaskResultStatus.READY]).exists():
        return None  # a live worker has it, or it is already queued again
    lost_runs = tasks.filter(exception_class_path=WORKER_LOST_PATH).count()
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.RUNNING:
            return None
        job.rows_done = 0
        job.started_at = None
        if lost_runs >= MAX_IMPORT_RUNS:
            with translation.override(settings.LANGUAGE_CODE):
                note = _(
                    "The import was interrupted %(count)s times because the background worker stopped; "
                    "nothing of it was saved. Confirm it again to run it once more, or tell an administrator."
                ) % {"count": lost_runs}
            job.status = ImportJob.Status.PREVIEWED
            job.warnings = [*job.warnings, note]
            job.save(update_fields=["status", "rows_done", "started_at", "warnings"])
            return "returned"
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["status", "rows_done", "started_at"])
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return "requeued"


def recover_stuck_tasks(*, older_than: timedelta = DEFAULT_TIMEOUT) -> RecoveryResult:
    """Mark tasks running past `older_than` as failed (their worker died) and re-run their stuck imports."""
    now = timezone.now()
    cutoff = now - older_than
    result = RecoveryResult(failed_tasks=_mark_lost_tasks(cutoff, now))
    stuck_jobs = ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=cutoff).order_by("pk")
    for job in stuck_jobs:
        outcome = _recover_import(job)
        if outcome == "requeued":
            logger.warning("Import job %s was interrupted: queued again", job.pk)
            result.requeued_imports.append(job.pk)
        elif outcome == "returned":
            logger.warning("Import job %s was interrupted too often: handed back to its uploader", job.pk)
            result.returned_imports.append(job.pk)
    return result
