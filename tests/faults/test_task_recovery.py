"""`recover_tasks`: the rules, on the rows a killed worker leaves (test_killed_worker.py kills a real one).

The import is queued through the database task backend, then claimed as `db_worker` claims it
(DBTaskResult.claim) and left "running", as after SIGKILL; its start is moved into the past.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

import pytest
from django_tasks_db.models import DBTaskResult

from models_registry.models import ImportJob
from models_registry.services import import_jobs
from ops.services import task_recovery
from tests.models_registry.test_import_admin import HEADER, csv_bytes, row


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued_job(database_tasks, users, dvk, fields, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("mo-hinh.csv", csv_bytes([HEADER, row("RC-001"), row("RC-002", title="Bếp ăn")]))
    job = import_jobs.create_import_job(user=users.admin, uploaded_file=upload, kind="models", publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        import_jobs.confirm_import_job(job=job, user=users.admin)
    return job


def claim_and_lose(job: ImportJob, *, hours_ago: float) -> DBTaskResult:
    """A worker claims the queued run and dies: task and job stay running since `hours_ago`."""
    task = DBTaskResult.objects.ready().get(task_path=task_recovery.IMPORT_TASK_PATH)
    task.claim("worker-da-chet")
    started = timezone.now() - timedelta(hours=hours_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=started)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=started)
    return task


def recover(*args) -> str:
    out = io.StringIO()
    call_command("recover_tasks", *args, stdout=out)
    return out.getvalue()


def test_a_task_younger_than_the_timeout_is_left_to_its_worker(queued_job):
    task = claim_and_lose(queued_job, hours_ago=1)
    recover()  # 120 minutes by default
    task.refresh_from_db()
    queued_job.refresh_from_db()
    assert task.status == "RUNNING"
    assert queued_job.status == ImportJob.Status.RUNNING


def test_a_lost_import_is_queued_again_then_handed_back_after_three_lost_runs(
    queued_job, client, users, django_capture_on_commit_callbacks
):
    for run in range(1, task_recovery.MAX_IMPORT_RUNS):
        lost = claim_and_lose(queued_job, hours_ago=3)
        with django_capture_on_commit_callbacks(execute=True):
            output = recover()
        with translation.override("vi"):
            assert gettext("Interrupted imports queued again: %(count)s.") % {"count": 1} in output
        lost.refresh_from_db()
        assert (lost.status, lost.exception_class_path) == ("FAILED", task_recovery.WORKER_LOST_PATH)
        queued_job.refresh_from_db()
        assert queued_job.status == ImportJob.Status.QUEUED
        assert DBTaskResult.objects.ready().filter(task_path=task_recovery.IMPORT_TASK_PATH).count() == 1
        assert DBTaskResult.objects.filter(exception_class_path=task_recovery.WORKER_LOST_PATH).count() == run

    claim_and_lose(queued_job, hours_ago=3)
    result = task_recovery.recover_stuck_tasks()
    assert result.returned_imports == [queued_job.pk] and not result.requeued_imports
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.PREVIEWED
    assert "3" in queued_job.warnings[-1]
    assert not DBTaskResult.objects.ready().filter(task_path=task_recovery.IMPORT_TASK_PATH).exists()

    # Its uploader sees the note and confirms it again; the file was kept for that.
    client.force_login(users.admin)
    page = client.get(reverse("spreadsheet_import:detail", args=[queued_job.pk])).content.decode()
    assert queued_job.warnings[-1] in page
    assert import_jobs.can_confirm(job=queued_job, user=users.admin)
    with queued_job.file.open("rb") as handle:
        assert b"RC-002" in handle.read()


def test_a_negative_timeout_is_refused_in_vietnamese(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as refused, translation.override("vi"):
        recover("--older-than", "-1")
    with translation.override("vi"):
        assert str(refused.value) == gettext("--older-than must be 0 or more.")
