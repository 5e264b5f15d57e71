"""Importing models from XLSX against creating them one by one, and exporting 100,000 rows to XLSX.

    .venv/bin/python benchmarks/import.py [--rows 10000] [--one-by-one 1000] [--export-rows 100000] [--keep]

What one run measures, each step in a worker process of its own on a fresh copy of one scratch
SQLite database (`<scratch-dir>/import-bench-base.sqlite3`: migrated, Hà Nội's unit tree and the
demo users of `load_demo_data`, no models; config.settings.dev with DEBUG off), wall time and the
worker's peak resident memory (`ru_maxrss`):

- `import (command, --publish)`: `import_models` on an XLSX of `--rows` models, as
  `manage.py import_models FILE --publish` does. The file is written by the export core
  (models_registry/exports.py) from demo-like rows (models_registry/demo/stories.py: titles,
  summaries, stories and results as the demo data has them, over the whole unit tree);
- `import (unit officer, review)`: the same file imported through the admin's service path by an
  officer of the city with the units below (no publishing: every model starts its review workflow,
  the reviewers get their summary email);
- `one by one (save + publish)`: the same rows created through the ordinary path, one model at a
  time: `save_draft` then `publish_practice_model` (a revision, `revision.publish()`, the search
  index, the audit log). Only the first `--one-by-one` rows are created (default 1,000); the time for
  every row is extrapolated from them, and the table says so;
- `export XLSX`: `--export-rows` models (default 100,000) written to an XLSX file by the export
  core, from `<scratch-dir>/import-bench-export-<N>.sqlite3` loaded with
  `load_demo_data --models N` (several minutes; reused with `--keep`). `--export-rows 0` skips it.

Background tasks go to django-tasks' dummy backend (queued, not run), as a production task worker
would take them out of the request; with the immediate backend of development each publication
would rewrite the open-data files in the process.

Targets checked: the import at least 5 times faster than one by one and under 300 MB peak; the
export under 500 MB peak. The figures go to the table printed at the end (RESULTS.md is kept by hand).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import machine

ROOT = Path(__file__).resolve().parent.parent
SEED = 2025
IMPORT_SPEEDUP_TARGET = 5.0
IMPORT_MEMORY_TARGET_MB = 300
EXPORT_MEMORY_TARGET_MB = 500
BENCH_OFFICER = "bench_officer"
EXTERNAL_ID_PREFIX = "BENCH-"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="models in the imported XLSX (default 10,000)")
    parser.add_argument(
        "--one-by-one", type=int, default=1000, help="rows created one by one, the rest extrapolated (default 1,000)"
    )
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows exported to XLSX (0 skips)")
    parser.add_argument("--keep", action="store_true", help="reuse the scratch databases and file when present")
    parser.add_argument("--scratch-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run one step
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# Worker side -----------------------------------------------------------------------------------


def configure_worker(database: Path, scratch_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(scratch_dir / "import-bench-media")
    # Background work (the open-data files, the reference index) is queued, not run in the process,
    # as with production's task worker: the immediate backend would rewrite the open-data files
    # after every single publication, on both paths, and measure that instead.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import logging

    from django.test.utils import setup_test_environment

    # DEBUG off (no query log growing with the rows) and email kept in memory.
    setup_test_environment(debug=False)
    logging.disable(logging.INFO)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _checkpoint() -> None:
    from django.db import connection

    # The next step copies the database file: fold the write-ahead log into it first.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def worker_prepare(args) -> dict:
    """Units, demo users and the benchmark officer; then the XLSX of `--rows` demo-like models."""
    from django.contrib.auth import get_user_model

    from models_registry import exports
    from models_registry.demo import stories
    from models_registry.models import UnitMembership
    from models_registry.services import demo

    units = demo.ensure_units()
    demo.ensure_users(units=units)
    context = demo.ensure_media(seed=SEED)
    officer, _created = get_user_model().objects.get_or_create(
        username=BENCH_OFFICER, defaults={"email": "bench_officer@example.vn", "first_name": "Cán bộ"}
    )
    officer.groups.add(demo.ensure_groups()[demo.OFFICERS])
    root = next(unit for unit in units.values() if unit.depth == 1)
    UnitMembership.objects.get_or_create(
        user=officer, unit=root, role=UnitMembership.Role.OFFICER, defaults={"includes_subunits": True}
    )
    _checkpoint()

    def rows():
        for index in range(1, args.rows + 1):
            draft = stories.generate_model(seed=SEED, index=index, context=context)
            yield [
                f"{EXTERNAL_ID_PREFIX}{index:06d}",
                draft.title,
                draft.unit_code,
                draft.movement_slug,
                draft.field_slug or "",
                draft.year,
                draft.summary,
                exports.story_text(draft.story),
                draft.results,
                draft.recognition_level,
                "",
            ]

    with open(args.file, "wb") as handle:
        exports.write_xlsx(rows(), handle)
    return {"rows": args.rows, "bytes": args.file.stat().st_size}


def _timed_import(args, **kwargs) -> dict:
    from models_registry.models import PracticeModel
    from models_registry.services.imports import import_models

    started = time.perf_counter()
    with open(args.file, "rb") as handle:
        result = import_models(source=handle, filename=args.file.name, **kwargs)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"import failed: {result.errors[:5]}")
    assert PracticeModel.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).count() == args.rows
    return {"rows": args.rows, "seconds": seconds, "created": result.created, "submitted": result.submitted}


def worker_import_command(args) -> dict:
    """What `manage.py import_models FILE --publish` runs."""
    return _timed_import(args, publish=True)


def worker_import_officer(args) -> dict:
    """The admin's import as a unit officer: every model goes to review (ImportJob runs this same call)."""
    from django.contrib.auth import get_user_model
    from django.core import mail

    from wagtail.models import WorkflowState

    officer = get_user_model().objects.get(username=BENCH_OFFICER)
    figures = _timed_import(args, user=officer)
    figures["in_review"] = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count()
    figures["emails"] = len(mail.outbox)
    return figures


def worker_one_by_one(args) -> dict:
    """The ordinary path, one model at a time: `save_draft` then `publish_practice_model`."""
    from django.db import transaction

    from models_registry.models import PracticeModel, Unit
    from models_registry.services.imports import MODEL_COLUMNS, read_table, story_from_text
    from models_registry.services.practice_models import publish_practice_model, save_draft
    from movements.models import Field, MovementPage

    table = read_table(source=args.file)
    keys = [column.key for column in MODEL_COLUMNS]
    rows = [dict(zip(keys, cells, strict=False)) for _number, cells in table.rows[: args.one_by_one]]
    units = {unit.code: unit for unit in Unit.objects.all()}
    movements = {page.slug: page for page in MovementPage.objects.all()}
    fields = {field.slug: field for field in Field.objects.all()}
    started = time.perf_counter()
    for row in rows:
        # One transaction per model, as each save in the editor is.
        with transaction.atomic():
            instance = PracticeModel(
                external_id=row["external_id"],
                title=row["title"],
                unit=units[row["unit_code"]],
                movement=movements[row["movement"]],
                field=fields.get(row["field"]),
                year=int(row["year"]),
                summary=row["summary"],
                story=[("paragraph", paragraph) for paragraph in story_from_text(row["content"])],
                results=row["results"],
                recognition_level=row["recognition_level"],
            )
            save_draft(practice_model=instance)
            publish_practice_model(practice_model=instance)
    seconds = time.perf_counter() - started
    return {"rows": len(rows), "seconds": seconds}


def worker_export(args) -> dict:
    """`--export-rows` models to an XLSX file through the export core."""
    from models_registry import exports
    from models_registry.models import PracticeModel

    available = PracticeModel.objects.count()
    started = time.perf_counter()
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        exports.write_xlsx(exports.iter_rows(PracticeModel.objects.order_by("pk")[: args.export_rows]), handle)
        size = handle.tell()
    seconds = time.perf_counter() - started
    return {"rows": min(available, args.export_rows), "seconds": seconds, "bytes": size}


WORKERS = {
    "prepare": worker_prepare,
    "import-command": worker_import_command,
    "import-officer": worker_import_officer,
    "one-by-one": worker_one_by_one,
    "export": worker_export,
}


def run_worker(args) -> None:
    configure_worker(args.database, args.scratch_dir)
    figures = WORKERS[args.worker](args)
    figures["peak_rss_mb"] = peak_rss_mb()
    args.output.write_text(json.dumps(figures))


# Parent side -----------------------------------------------------------------------------------


def manage(database: Path, scratch_dir: Path, *command: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(scratch_dir / "import-bench-media"),
    }
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def step(args, worker: str, database: Path, **extra) -> dict:
    """Run one worker process and return its figures."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as output:
        output_path = Path(output.name)
    command = [
        sys.executable,
        __file__,
        "--worker",
        worker,
        "--database",
        str(database),
        "--scratch-dir",
        str(args.scratch_dir),
        "--file",
        str(args.file),
        "--output",
        str(output_path),
        "--rows",
        str(args.rows),
        "--one-by-one",
        str(args.one_by_one),
        "--export-rows",
        str(args.export_rows),
    ]
    print(f"… {worker}", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    figures = json.loads(output_path.read_text())
    output_path.unlink()
    return figures


def fresh_copy(base: Path, name: str) -> Path:
    target = base.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def prepare(args) -> Path:
    base = args.scratch_dir / "import-bench-base.sqlite3"
    if args.keep and base.exists() and args.file.exists():
        return base
    for suffix in ("", "-wal", "-shm"):
        Path(f"{base}{suffix}").unlink(missing_ok=True)
    manage(base, args.scratch_dir, "migrate", "--verbosity", "0")
    step(args, "prepare", base)
    return base


def export_database(args) -> Path:
    database = args.scratch_dir / f"import-bench-export-{args.export_rows}.sqlite3"
    if not (args.keep and database.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        manage(database, args.scratch_dir, "migrate", "--verbosity", "0")
    # Idempotent: with --keep and a loaded database this only checks that every model is there.
    manage(database, args.scratch_dir, "load_demo_data", "--models", str(args.export_rows), "--seed", str(SEED))
    return database


def main(argv=None) -> int:
    args = parse_args(argv)
    args.scratch_dir.mkdir(parents=True, exist_ok=True)
    args.file = args.file or args.scratch_dir / f"import-bench-{args.rows}.xlsx"
    if args.worker:
        run_worker(args)
        return 0

    base = prepare(args)
    command = step(args, "import-command", fresh_copy(base, "import-bench-command.sqlite3"))
    officer = step(args, "import-officer", fresh_copy(base, "import-bench-officer.sqlite3"))
    one_by_one = step(args, "one-by-one", fresh_copy(base, "import-bench-one-by-one.sqlite3"))
    export = step(args, "export", export_database(args)) if args.export_rows else None

    per_row = one_by_one["seconds"] / max(one_by_one["rows"], 1)
    one_by_one_total = per_row * args.rows
    extrapolated = one_by_one["rows"] < args.rows
    speedup = one_by_one_total / command["seconds"]

    def line(label, rows, seconds, rss, note=""):
        rate = f"{rows / seconds:,.0f}" if seconds else "-"
        print(f"| {label:<34} | {rows:>8,} | {seconds:>9.1f} | {rate:>7} | {rss:>8.0f} | {note}")

    print()
    print(json.dumps(machine()))
    print(f"| {'step':<34} | {'rows':>8} | {'seconds':>9} | {'rows/s':>7} | {'peak MB':>8} | note")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 11}|{'-' * 9}|{'-' * 10}|------")
    line("import (command, --publish)", command["rows"], command["seconds"], command["peak_rss_mb"])
    line(
        "import (unit officer, review)",
        officer["rows"],
        officer["seconds"],
        officer["peak_rss_mb"],
        f"{officer['in_review']:,} reviews started, {officer['emails']} emails",
    )
    line(
        "one by one (save + publish)",
        args.rows,
        one_by_one_total,
        one_by_one["peak_rss_mb"],
        f"extrapolated from {one_by_one['rows']:,} rows ({one_by_one['seconds']:.1f} s)" if extrapolated else "",
    )
    if export:
        line(
            "export XLSX",
            export["rows"],
            export["seconds"],
            export["peak_rss_mb"],
            f"{export['bytes'] / 1e6:.0f} MB file",
        )
    print()
    checks = [
        (
            f"import ≥ {IMPORT_SPEEDUP_TARGET:.0f}× faster than one by one",
            speedup >= IMPORT_SPEEDUP_TARGET,
            f"{speedup:.1f}×",
        ),
        (
            f"import peak < {IMPORT_MEMORY_TARGET_MB} MB",
            max(command["peak_rss_mb"], officer["peak_rss_mb"]) < IMPORT_MEMORY_TARGET_MB,
            f"{max(command['peak_rss_mb'], officer['peak_rss_mb']):.0f} MB",
        ),
    ]
    if export:
        checks.append(
            (
                f"export of {export['rows']:,} rows peak < {EXPORT_MEMORY_TARGET_MB} MB",
                export["peak_rss_mb"] < EXPORT_MEMORY_TARGET_MB,
                f"{export['peak_rss_mb']:.0f} MB",
            )
        )
    for label, passed, value in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label}: {value}")
    return 0 if all(passed for _label, passed, _value in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
