"""Open data: the bulk download of every published practice model, as CSV and JSON Lines.

`regenerate_open_data()` writes `MEDIA_ROOT/open-data/mo-hinh.csv` and `mo-hinh.jsonl` in one pass
over the published models, each to a temporary file swapped in with `os.replace`, so a download
never sees a half-written file; `metadata.json` next to them records when they were generated and
how many models they hold (a file rather than a database table: it describes the files and lives
and dies with them).

Keeping them fresh: every change to what they contain (publish, unpublish, delete, commendations,
unit renames) calls `request_refresh()` once per committed transaction. It enqueues the
`regenerate_open_data_task` unless one is already waiting (a `.pending` marker, created atomically,
tells), so a burst of changes costs one regeneration; where the task backend can defer, the run
waits `OPEN_DATA_DELAY` seconds to gather the burst. The task removes the marker before it reads
the database, so a change committed during a run queues the next one and is never lost. The
`export_open_data` command regenerates at once, for cron and for a first run.

The files are written on local disk and served by the views in open_data_views.py.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import fcntl
import io
import json
import logging
import os
import tempfile
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Prefetch
from django.utils import timezone

from django_tasks import default_task_backend, task

from .exports import EXPORT_FIELDS, HeaderStyle, ModelUrls, export_record, header_row
from .formulas import neutralise
from .models import Commendation, PracticeModel

logger = logging.getLogger(__name__)

CSV_NAME = "mo-hinh.csv"
JSONL_NAME = "mo-hinh.jsonl"
METADATA_NAME = "metadata.json"
PENDING_NAME = ".pending"
LOCK_NAME = ".lock"
CHUNK_SIZE = 2000
# A waiting marker older than this is taken for a lost task (a worker restarted, a queue wiped).
PENDING_EXPIRY = datetime.timedelta(hours=1)

FILES = {"csv": CSV_NAME, "jsonl": JSONL_NAME}

# Inside `refresh_deferred()`: the refreshes asked for, answered by one when the block ends.
_deferred_requests: ContextVar[list | None] = ContextVar("open_data_deferred_requests", default=None)


def open_data_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "open-data"


@dataclass(frozen=True)
class OpenDataInfo:
    """What metadata.json says about the files: when they were generated, how many models, sizes in bytes."""

    generated_at: datetime.datetime
    count: int
    sizes: dict[str, int]


def read_metadata() -> OpenDataInfo | None:
    """The metadata of the current files, or None when they were never generated (or it cannot be read)."""
    try:
        data = json.loads((open_data_dir() / METADATA_NAME).read_text(encoding="utf-8"))
        return OpenDataInfo(
            generated_at=datetime.datetime.fromisoformat(data["generated_at"]),
            count=int(data["count"]),
            sizes={key: int(value) for key, value in data.get("sizes", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def file_path(kind: str) -> Path | None:
    """The path of the `csv` or `jsonl` file if it has been generated, else None."""
    name = FILES.get(kind)
    if name is None:
        return None
    path = open_data_dir() / name
    return path if path.is_file() else None


def published_models():
    """Every published model, oldest first: a stable order, so that successive files diff well."""
    commendations = Commendation.objects.order_by("decision_date", "id").only(
        "practice_model_id", "form", "level", "title", "decision_number", "decision_date", "issuing_body"
    )
    return (
        PracticeModel.objects.published()
        .select_related("unit", "field")
        .only(*EXPORT_FIELDS, "unit__name", "field__name")
        .prefetch_related(Prefetch("commendations", queryset=commendations))
        .order_by("id")
    )


def jsonl_record(practice_model: PracticeModel, record: dict, urls: ModelUrls) -> dict:
    """The JSON Lines object: the CSV's fields plus the id, the names and the commendations."""
    movement = urls.movement(practice_model.movement_id)
    return {
        "id": practice_model.pk,
        **record,
        "unit_name": practice_model.unit.name,
        "movement_name": movement.title if movement is not None else "",
        "field_name": practice_model.field.name if practice_model.field_id else "",
        "commendations": [
            {
                "form": commendation.form,
                "level": commendation.level,
                "title": commendation.title,
                "decision_number": commendation.decision_number,
                "decision_date": commendation.decision_date.isoformat(),
                "issuing_body": commendation.issuing_body,
            }
            for commendation in practice_model.commendations.all()
        ],
    }


@contextlib.contextmanager
def _exclusive_lock(directory: Path):
    """One regeneration at a time on this machine: two would race to replace the same files."""
    with open(directory / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _temporary(directory: Path, name: str):
    # In the same directory as the final file, so that os.replace is an atomic rename.
    return tempfile.NamedTemporaryFile(mode="wb", dir=directory, prefix=f".{name}.", suffix=".tmp", delete=False)


def _finish(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def regenerate_open_data(*, request=None) -> OpenDataInfo:
    """Rewrite the open-data files and their metadata from the published models, atomically."""
    directory = open_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(directory):
        generated_at = timezone.now()
        csv_file = _temporary(directory, CSV_NAME)
        jsonl_file = _temporary(directory, JSONL_NAME)
        temporaries = [csv_file, jsonl_file]
        try:
            # The CSV keeps the English keys as headers: it is for machines (import_models reads them too).
            text = io.TextIOWrapper(csv_file.file, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            keys = header_row(HeaderStyle.KEYS)
            writer.writerow(keys)
            urls = ModelUrls(request)
            count = 0
            for practice_model in published_models().iterator(chunk_size=CHUNK_SIZE):
                record = export_record(practice_model, urls)
                writer.writerow([neutralise(record[key]) for key in keys])
                line = json.dumps(jsonl_record(practice_model, record, urls), ensure_ascii=False)
                jsonl_file.write(line.encode("utf-8") + b"\n")
                count += 1
            text.flush()
            text.detach()
            for handle in temporaries:
                _finish(handle)
            sizes = {kind: os.path.getsize(handle.name) for kind, handle in zip(FILES, temporaries, strict=True)}
            for kind, handle in zip(FILES, temporaries, strict=True):
                os.replace(handle.name, directory / FILES[kind])
        except BaseException:
            for handle in temporaries:
                handle.close()
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(handle.name)
            raise
        info = OpenDataInfo(generated_at=generated_at, count=count, sizes=sizes)
        metadata = {"generated_at": generated_at.isoformat(), "count": count, "sizes": sizes}
        with _temporary(directory, METADATA_NAME) as handle:
            handle.write(json.dumps(metadata, ensure_ascii=False, indent=2).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, directory / METADATA_NAME)
    return info


# ---------------------------------------------------------------------------------------------
# Keeping the files fresh


def _claim_pending(directory: Path) -> bool:
    """Create the waiting marker; False if a live one is already there (a run is queued)."""
    marker = directory / PENDING_NAME
    for _attempt in range(2):
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                age = timezone.now().timestamp() - marker.stat().st_mtime
            except FileNotFoundError:
                continue  # the task took it meanwhile: try again
            if age < PENDING_EXPIRY.total_seconds():
                return False
            with contextlib.suppress(FileNotFoundError):
                marker.unlink()
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(timezone.now().isoformat())
        return True
    return False


def _release_pending(directory: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (directory / PENDING_NAME).unlink()


def refresh_is_pending() -> bool:
    return (open_data_dir() / PENDING_NAME).exists()


@contextlib.contextmanager
def refresh_deferred():
    """Hold back the regenerations asked for inside the block and ask for one when it ends.

    For bulk loads that commit many batches (the demo data): with the immediate task backend every
    batch would otherwise rewrite the files over all the models written so far.
    """
    requests: list = []
    token = _deferred_requests.set(requests)
    try:
        yield
    finally:
        _deferred_requests.reset(token)
        if requests:
            request_refresh()


def request_refresh() -> None:
    """Queue a regeneration of the open-data files unless one is already waiting; never raises."""
    deferred = _deferred_requests.get()
    if deferred is not None:
        deferred.append(True)
        return
    directory = open_data_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not _claim_pending(directory):
            return
    except OSError:
        logger.warning("Could not mark the open-data files for regeneration", exc_info=True)
        return
    try:
        delay = getattr(settings, "OPEN_DATA_DELAY", 60)
        if default_task_backend.supports_defer and delay:
            regenerate_open_data_task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue()
        else:
            regenerate_open_data_task.enqueue()
    except Exception:  # saving a model must not fail because the files could not be refreshed
        logger.warning("Could not enqueue the open-data regeneration", exc_info=True)
        _release_pending(directory)


def refresh_after_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Ask for a regeneration once the current transaction commits, once per transaction.

    Many changes in one transaction (an import, a commendation list) register one callback, not one
    each: with the immediate task backend each callback would rewrite the files.
    """
    connection = connections[using]
    waiting = getattr(connection, "open_data_refresh_callback", None)
    # Django drops the callbacks of a rolled-back savepoint from run_on_commit: looking there for the
    # one not yet run tells exactly whether this transaction already asked.
    if (
        waiting is not None
        and connection.in_atomic_block
        and any(entry[1] is waiting for entry in connection.run_on_commit)
    ):
        return

    def refresh_open_data_after_commit() -> None:
        if getattr(connection, "open_data_refresh_callback", None) is refresh_open_data_after_commit:
            connection.open_data_refresh_callback = None
        request_refresh()

    connection.open_data_refresh_callback = refresh_open_data_after_commit
    transaction.on_commit(refresh_open_data_after_commit, using=using, robust=True)


@task()
def regenerate_open_data_task() -> dict:
    """Background task: rewrite the open-data files (the `.pending` marker is taken off first)."""
    _release_pending(open_data_dir())
    info = regenerate_open_data()
    return {"count": info.count, "generated_at": info.generated_at.isoformat()}
