"""Spreadsheet imports started in the admin: upload and preview, confirmation, the background run.

The rows are read and written by services.imports (the same code as the `import_models` and
`import_units` commands); this module keeps the `ImportJob` that carries one upload from its
preview to its report, and decides who may do what with it.
"""

from __future__ import annotations

import logging
import os
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import permissions
from ..models import ImportJob
from .imports import ImportResult, import_models, import_units

logger = logging.getLogger(__name__)

ACCESS_ADMIN = "wagtailadmin.access_admin"


def can_import(user) -> bool:
    """Whether `user` may import at all: an administrator, or an officer or reviewer of some unit."""
    if not user.is_authenticated or not user.is_active or not user.has_perm(ACCESS_ADMIN):
        return False
    return permissions.is_unscoped(user) or bool(permissions.memberships(user))


def is_administrator(user) -> bool:
    """Administrators (superusers and city editors) may publish directly and import units."""
    return permissions.is_unscoped(user)


def visible_import_jobs(user) -> QuerySet[ImportJob]:
    """The imports `user` may see: their own; every import for an administrator."""
    jobs = ImportJob.objects.select_related("user")
    if not can_import(user):
        return jobs.none()
    if is_administrator(user):
        return jobs
    return jobs.filter(user=user)


def _store_result(job: ImportJob, result: ImportResult) -> None:
    job.rows_total = result.rows
    job.created_count = result.created
    job.updated_count = result.updated
    job.unchanged_count = result.unchanged
    job.refused_count = result.refused
    job.submitted_count = result.submitted
    job.errors = [{"row": error.row, "column": error.column, "message": error.message} for error in result.errors]
    job.warnings = list(result.warnings)


def _run_service(job: ImportJob, *, dry_run: bool, progress=None) -> ImportResult:
    with job.file.open("rb") as handle:
        if job.kind == ImportJob.Kind.UNITS:
            return import_units(source=handle, filename=job.original_filename, dry_run=dry_run)
        return import_models(
            source=handle,
            filename=job.original_filename,
            publish=job.publish,
            dry_run=dry_run,
            user=job.user,
            progress=progress,
        )


def create_import_job(*, user, uploaded_file: UploadedFile, kind: str, publish: bool) -> ImportJob:
    """Keep an uploaded spreadsheet and check it without writing anything: the preview.

    Officers and reviewers import models of their units only; publishing directly and importing units
    are for administrators.
    """
    if not can_import(user):
        raise PermissionDenied(_("You may not import spreadsheets."))
    if (publish or kind == ImportJob.Kind.UNITS) and not is_administrator(user):
        raise PermissionDenied(_("Only administrators may publish directly or import units."))
    if kind not in ImportJob.Kind.values:
        raise PermissionDenied(_("This kind of import does not exist."))
    original = os.path.basename(uploaded_file.name or "")[:255] or "bang-tinh"
    extension = os.path.splitext(original)[1].lower()[:10]
    job = ImportJob(
        user=user, original_filename=original, kind=kind, publish=publish and kind == ImportJob.Kind.MODELS
    )
    # A random stored name: the original one may carry anything, and is kept only as data.
    job.file.save(f"{uuid.uuid4().hex}{extension}", uploaded_file, save=False)
    try:
        # The check reads the stored file only; the job is then written once, with its preview, so a
        # database refusing writes leaves no job half-recorded (and no write lock is held meanwhile).
        result = _run_service(job, dry_run=True)
        _store_result(job, result)
        job.status = ImportJob.Status.PREVIEWED
        with transaction.atomic():
            job.save()
    except BaseException:
        # Nothing points at the stored file: do not keep it.
        job.file.storage.delete(job.file.name)
        raise
    return job


def can_confirm(*, job: ImportJob, user) -> bool:
    return (
        job.status == ImportJob.Status.PREVIEWED
        and not job.errors
        and can_import(user)
        and (job.user_id == user.pk or is_administrator(user))
    )


def confirm_import_job(*, job: ImportJob, user) -> ImportJob:
    """Queue a previewed import without errors for its background run; only its uploader (or an administrator)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not can_confirm(job=job, user=user):
            raise PermissionDenied(_("This import cannot be confirmed."))
        job.status = ImportJob.Status.QUEUED
        job.rows_done = 0
        job.save(update_fields=["status", "rows_done"])
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ..tasks import run_import_job as run_import_job_task

    try:
        run_import_job_task.enqueue(job_id)
    except Exception:
        logger.exception("Could not enqueue import job %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[{"row": None, "column": "", "message": _("The import could not be started: try again later.")}],
        )


class _ProgressRecorder:
    """Records rows done as the import writes its batches.

    The import writes in one transaction (all or nothing), so an update of the job through the same
    connection would stay invisible to the progress bar until the end. On PostgreSQL the figure goes
    through a second connection in autocommit; SQLite allows one writer at a time, so there it is
    only written at the start and the end.
    """

    def __init__(self, job: ImportJob):
        self.job = job
        self.connection = None
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
        self.job.rows_done, self.job.rows_total = done, total
        if self.connection is None:
            return
        table = self.connection.ops.quote_name(ImportJob._meta.db_table)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s, rows_total = %s WHERE id = %s",  # noqa: S608 - our table name
                    [done, total, self.job.pk],
                )
        except DatabaseError:  # the progress bar lags; the import itself goes on
            logger.warning("Could not record the progress of import job %s", self.job.pk, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run_import_job(*, job_id: int) -> ImportJob | None:
    """Run a queued import for real (the background task); a job that is not queued is left alone."""
    updated = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not updated:
        return None  # run already, or never confirmed
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    recorder = _ProgressRecorder(job)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            result = _run_service(job, dry_run=False, progress=recorder)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The import stopped on an unexpected error; nothing was saved. Try again or tell an administrator."
            )
        job.errors = [{"row": None, "column": "", "message": message}]
        job.status = ImportJob.Status.FAILED
    else:
        _store_result(job, result)
        job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
        if result.ok:
            job.rows_done = job.rows_total
    finally:
        recorder.close()
    job.finished_at = timezone.now()
    job.save()
    return job
