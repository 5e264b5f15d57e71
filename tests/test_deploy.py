"""The production setup of deploy/: what can run here runs here.

Production settings pass `check --deploy`; the task worker runs a task queued in the database;
every scheduled command of deploy/crontab exists and runs with the arguments written there.
"""

import io
import re
import shlex
import subprocess
import sys

from django.core.management import call_command, get_commands
from django.http import Http404
from django.test import RequestFactory, override_settings

import pytest

from ops import sendfile_nginx
from tests.production import ROOT, manage, production_env, production_settings

DEPLOY = ROOT / "deploy"
CRON_LINE = re.compile(r"^(\S+\s+){5}(?P<command>.+)$")


def crontab_commands() -> list[list[str]]:
    """The `manage.py` command and arguments of every job in deploy/crontab."""
    jobs = []
    for line in (DEPLOY / "crontab").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = CRON_LINE.match(line)
        assert match, f"not a cron line: {line}"
        words = shlex.split(match["command"])
        assert words[:2] == ["python", "manage.py"], f"each job is one manage.py command: {line}"
        jobs.append(words[2:])
    return jobs


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = manage(
        production_env(tmp_path, DJANGO_SENDFILE_NGINX="1"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    shown = production_settings(
        production_env(tmp_path, DJANGO_SENDFILE_NGINX="1"),
        "[s.TASKS['default']['BACKEND'], s.SENDFILE_BACKEND, s.WAGTAILDOCS_SERVE_METHOD, s.DEBUG]",
    )
    assert shown == ["django_tasks_db.DatabaseBackend", "ops.sendfile_nginx", "serve_view", False]


@pytest.mark.slow
def test_the_worker_runs_a_task_queued_in_the_database(tmp_path):
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0")
    assert manage(env, "migrate", "--no-input", "-v0").returncode == 0
    enqueue = (
        "import django; django.setup()\n"
        "from models_registry.open_data import regenerate_open_data_task\n"
        "result = regenerate_open_data_task.enqueue()\n"
        "print(result.id, result.status)\n"
    )
    queued = subprocess.run(
        [sys.executable, "-c", enqueue], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result_id, status = queued.stdout.split()
    assert status == "READY"  # queued, not run: nothing runs it but the worker
    assert not (tmp_path / "media" / "open-data" / "metadata.json").exists()

    worker = manage(env, "db_worker", "--batch", "--no-startup-delay")
    assert worker.returncode == 0, worker.stdout + worker.stderr

    check = (
        "import django, sys; django.setup()\n"
        "from django_tasks import default_task_backend\n"
        "print(default_task_backend.get_result(sys.argv[1]).status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, result_id], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "SUCCESSFUL"
    assert (tmp_path / "media" / "open-data" / "metadata.json").is_file()


def test_the_crontab_schedules_what_the_issue_asks():
    names = {job[0] for job in crontab_commands()}
    assert {"publish_scheduled", "search_index", "purge_revisions", "backup", "export_open_data"} <= names
    assert {tuple(job[:2]) for job in crontab_commands() if job[0] == "search_index"} == {
        ("search_index", "check"),
        ("search_index", "repair"),
    }


@pytest.mark.parametrize("job", crontab_commands(), ids=lambda job: " ".join(job))
def test_every_scheduled_command_exists_and_runs(job, db, settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The scheduler runs with the production settings: tasks go to the database queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert job[0] in get_commands(), f"{job[0]} is not a management command"
    call_command(*job, stdout=io.StringIO(), stderr=io.StringIO())
    if job[0] == "backup":
        assert list((tmp_path / "backups").glob("mohinh-backup-*.tar.gz"))


def compose_services() -> dict[str, str]:
    """Each service of deploy/compose.yaml with its block of text (no YAML parser in the dependencies)."""
    text = (DEPLOY / "compose.yaml").read_text()
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    return dict(re.findall(r"^  ([a-z]+):\n((?:(?:    .*|\s*#.*|)\n)*)", body + "\n", flags=re.MULTILINE))


def test_compose_file_runs_every_part_from_one_image():
    text = (DEPLOY / "compose.yaml").read_text()
    services = compose_services()
    assert {"postgres", "elasticsearch", "redis", "release", "web", "worker", "scheduler", "nginx"} <= set(services)
    assert "REDIS_URL: redis://redis:6379/0" in text
    assert "image: postgres:16" in services["postgres"]
    assert "elasticsearch/elasticsearch:${ELASTICSEARCH_VERSION:-9." in services["elasticsearch"]
    assert 'xpack.security.enabled: "true"' in services["elasticsearch"]
    assert "ports:" not in services["elasticsearch"]  # reachable only on the compose network
    assert 'command: ["python", "manage.py", "db_worker"' in services["worker"]
    assert 'command: ["supercronic", "-passthrough-logs", "deploy/crontab"]' in services["scheduler"]
    assert 'command: ["gunicorn", "--config", "deploy/gunicorn.conf.py", "config.wsgi:application"]' in services["web"]
    for name in ("release", "web", "worker", "scheduler"):
        assert "<<: *app" in services[name]
    assert "TASKS_BACKEND: django_tasks_db.DatabaseBackend" in text
    assert "dockerfile: deploy/Dockerfile" in text
    assert (DEPLOY / "Dockerfile").is_file()


def test_gunicorn_config_loads():
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["bind"] == "0.0.0.0:8000"
    assert namespace["workers"] >= 1
    assert namespace["timeout"] >= 60


def test_nginx_keeps_documents_behind_django():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"location /media/documents/ \{\s*return 404;", conf)
    assert re.search(r"location /_protected_media/ \{\s*internal;", conf)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


def test_sendfile_backend_hands_the_file_to_nginx(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SENDFILE_URL = "/_protected_media/"
    document = tmp_path / "documents" / "báo cáo.pdf"
    document.parent.mkdir()
    document.write_bytes(b"%PDF-1.4")
    request = RequestFactory().get("/documents/1/bao-cao.pdf")
    response = sendfile_nginx.sendfile(request, str(document))
    assert response["X-Accel-Redirect"] == "/_protected_media/documents/b%C3%A1o%20c%C3%A1o.pdf"
    assert response.content == b""
    with pytest.raises(Http404), override_settings(MEDIA_ROOT=str(tmp_path / "documents")):
        sendfile_nginx.sendfile(request, str(tmp_path / "secret.txt"))
