"""A background worker killed in the middle of a spreadsheet import, and the way back.

Everything runs as in production: a file-based SQLite database migrated by `manage.py migrate`,
the database task backend (django_tasks_db), a real `manage.py db_worker` process that is sent
SIGKILL while it imports, `manage.py recover_tasks` and a second worker. The test reads the
database file directly between the steps, as an operator would.
"""

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.production import ROOT, manage, production_env

ROWS = 800

SETUP = """
import csv, io, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from models_registry.models import Unit, UnitKind
from models_registry.services import import_jobs

Unit.add_root(code="HN", name="Thành phố Hà Nội", kind=UnitKind.CITY)
admin = get_user_model().objects.create_superuser("quantri", "quantri@example.vn", "matkhau-quantri-2025")
upload = SimpleUploadedFile("mo-hinh-lon.csv", sys.stdin.buffer.read())
job = import_jobs.create_import_job(user=admin, uploaded_file=upload, kind="models", publish=True)
assert not job.errors, job.errors[:3]
import_jobs.confirm_import_job(job=job, user=admin)
print(job.pk, job.file.name)
"""


def spreadsheet(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã mô hình", "Tên mô hình", "Mã đơn vị", "Phong trào", "Lĩnh vực", "Năm", "Tóm tắt"])
    for n in range(rows):
        writer.writerow(
            [f"KILL-{n:05d}", f"Mô hình dân vận khéo số {n}", "HN", "dan-van-kheo", "kinh-te", "2024", f"Tóm tắt {n}."]
        )
    return buffer.getvalue().encode()


class Database:
    """Read-only looks into the site's SQLite file, one short connection each."""

    def __init__(self, path: Path):
        self.path = path

    def rows(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            return connection.execute(sql, params).fetchall()

    def value(self, sql: str, *params):
        return self.rows(sql, *params)[0][0]

    def job(self, pk: int) -> dict:
        status, started_at, warnings = self.rows(
            "SELECT status, started_at, warnings FROM models_registry_importjob WHERE id = ?", pk
        )[0]
        return {"status": status, "started_at": started_at, "warnings": warnings}

    def import_tasks(self) -> list[tuple[str, str]]:
        return self.rows(
            "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'models_registry.tasks.run_import_job' ORDER BY enqueued_at"
        )

    def imported(self) -> int:
        return self.value("SELECT COUNT(*) FROM models_registry_practicemodel WHERE external_id LIKE 'KILL-%'")


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_an_import_survives_its_worker_being_killed(tmp_path):
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0", PYTHONPATH=str(ROOT))
    migrated = manage(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    database = Database(tmp_path / "production.sqlite3")

    # An administrator uploads 800 rows and confirms: the import waits in the queue for a worker.
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], input=spreadsheet(ROWS), cwd=ROOT, env=env, capture_output=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr.decode()
    job_id, stored_name = setup.stdout.decode().split()
    job_id = int(job_id)
    stored_file = tmp_path / "media-private" / stored_name
    assert stored_file.is_file()
    assert database.job(job_id)["status"] == "queued"
    assert database.import_tasks() == [("READY", "")]

    # A worker picks it up and is killed outright while the rows are being written.
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: database.job(job_id)["status"] == "running", timeout=120, what="the import to start")
        time.sleep(0.2)  # into the rows: 800 take several seconds
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()

    # What the dead worker left: a task and a job "running" for ever. The import writes all its rows
    # in one transaction: killed while writing, none is there (it died with the worker's connection);
    # killed in the instant between that commit and the job's own update, all of them. Never a part.
    assert database.job(job_id)["status"] == "running"
    assert database.import_tasks() == [("RUNNING", "")]
    assert database.imported() in (0, ROWS)
    assert stored_file.is_file()

    # Before its timeout, nothing is touched: a live worker's import must not run twice.
    patient = manage(env, "recover_tasks")
    assert patient.returncode == 0, patient.stderr
    assert database.import_tasks() == [("RUNNING", "")]

    # Past it (here at once), the task is marked lost and the import queued again from its file.
    recovered = manage(env, "recover_tasks", "--older-than", "0")
    assert recovered.returncode == 0, recovered.stderr
    assert "Tác vụ có tiến trình đã dừng, đã đánh dấu thất bại: 1." in recovered.stdout
    assert "Lượt nhập bị gián đoạn đã đưa lại vào hàng đợi: 1." in recovered.stdout
    assert database.import_tasks() == [("FAILED", "ops.services.task_recovery.WorkerLost"), ("READY", "")]
    assert database.job(job_id)["status"] == "queued"

    # The next worker runs it to the end: every row once, published and in the search index.
    finished = manage(env, "db_worker", "--batch", "--no-startup-delay")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert database.job(job_id)["status"] == "done"
    assert database.imported() == ROWS
    assert database.value("SELECT COUNT(DISTINCT external_id) FROM models_registry_practicemodel") == ROWS
    assert database.value("SELECT COUNT(*) FROM models_registry_practicemodel WHERE live = 1") == ROWS
    assert stored_file.is_file()  # the report can still be checked against the file

    # Recovering again changes nothing, and the search index has no drift.
    again = manage(env, "recover_tasks", "--older-than", "0")
    assert again.returncode == 0
    assert database.import_tasks() == [("FAILED", "ops.services.task_recovery.WorkerLost"), ("SUCCESSFUL", "")]
    check = manage(env, "search_index", "check")
    assert check.returncode == 0, check.stdout + check.stderr
