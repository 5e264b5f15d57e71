"""Load test: simulated citizens and unit officers against gunicorn on loopback, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/load.py [--models 100000] [--users 200] [--officers 10] [--spawn-rate 20]
        [--warm-up 60s] [--run-time 3m] [--workers 5] [--keep] [--only sqlite,postgres] [--redis-url redis://…]

or `make load` (the full run: 100,000 models, 200 users, 1 minute of warm-up and 3 measured each; `make load LOAD_ARGS="--keep"`).
It is not part of CI. What one run does, for the embedded default (SQLite) and then PostgreSQL
(when a server answers at `--postgres-url`, default database `load_bench`):

1. builds the database with `load_demo_data --models N --seed S` (the same bulk path as the other
   benchmarks; `/tmp/load-bench-<N>.sqlite3`, media in `/tmp/load-bench-media`), or with `--keep`
   reuses one that already holds N models;
2. starts gunicorn on 127.0.0.1 with deploy/gunicorn.conf.py and production's settings over plain
   HTTP (benchmarks/load_settings.py): `--workers` sync workers (default 2 × cores + 1, the deploy
   default), persistent database connections, the page cache (local memory per worker, or Redis
   with `--redis-url`), rate limiting off (RATELIMIT_ENABLED=0) so that one address may play 200
   users;
3. runs locust headless (benchmarks/locustfile.py): `--users` users spawned at `--spawn-rate`, for
   `--warm-up` (default 60 s: every user started, the page cache and the database's pages filled
   after a cold start; its figures are reported apart) and then `--run-time`, the steady state
   that the table and the goal are about. Of them, `--officers` are unit officers at a deadline: they sign in to the admin
   and create practice models, each sent for review at once (Wagtail's workflow), and look at the
   model listing and their dashboard. The others are the public: home, movement listings (with
   and without facet filters), model pages, unit pages, the search page, statistics, the honour
   board and the JSON API, each user pausing 3-10 s between pages (`--think`: a person reads a page
   before the next click; `--think 1-3` is the stress run, about three times the requests);
4. stops gunicorn and prints, per request type and in total, requests, failures, throughput
   (req/s), p50/p95/p99 (ms) and the page-cache hit rate, as a Markdown section to paste into
   benchmarks/RESULTS.md. Locust's own CSV files and gunicorn's log stay in `--scratch-dir`.

The load generator runs on the same machine as the server and takes part of its CPU: the figures
are a floor for what the server does alone.
"""

import argparse
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from measure import machine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/load_bench"
SAMPLE_MODELS = 5000
SAMPLE_UNITS = 500
# Public requests are what the goal is about: p95 under this many milliseconds.
PUBLIC_P95_GOAL_MS = 300


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000, help="demo models in each database")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--users", type=int, default=200, help="simulated users in all (default 200)")
    parser.add_argument("--officers", type=int, default=10, help="of which unit officers submitting models")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument(
        "--run-time", default="3m", help="how long each database is measured, after the warm-up (60s, 3m, 1m30s)"
    )
    parser.add_argument(
        "--warm-up",
        default="60s",
        help="load run first and reported apart: every user started, the caches filled (default 60s)",
    )
    parser.add_argument("--think", default="3-10", help="seconds a visitor pauses between pages, min-max")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per gunicorn worker (default: deploy/gunicorn.conf.py's)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="reuse databases that already hold the models")
    parser.add_argument("--scratch-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--only", help="comma-separated subset of sqlite,postgres (default: both when available)")
    parser.add_argument("--redis-url", default="", help="a shared Redis cache for the workers (default: local memory)")
    parser.add_argument("--no-page-cache", action="store_true", help="run with the public page cache off")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: prepare one database
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _search_benchmark():
    """benchmarks/search.py, whose database helpers this script shares (its name hides the search app)."""
    spec = importlib.util.spec_from_file_location("search_benchmark", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def media_root(args) -> Path:
    return args.scratch_dir / "load-bench-media"


def sqlite_path(args) -> Path:
    return args.scratch_dir / f"load-bench-{args.models}.sqlite3"


# ---------------------------------------------------------------------------------------------
# Worker: prepare one database and choose what the simulated users will ask for


def run_prepare(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["MEDIA_ROOT"] = str(media_root(args))
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path.insert(0, str(ROOT))

    import logging

    import django

    django.setup()
    for name in ("django_tasks", "search"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from models_registry.models import PracticeModel, Unit, UnitMembership
    from models_registry.services.demo import DEMO_PASSWORD
    from movements.models import Field, MovementPage

    info = _search_benchmark().prepare_database(args.models, args.seed)
    rng = random.Random(args.seed)
    published = list(PracticeModel.objects.published().values_list("pk", flat=True))
    sample = rng.sample(published, min(SAMPLE_MODELS, len(published)))
    models = [
        [practice_model.pk, practice_model.get_url()]
        for practice_model in PracticeModel.objects.filter(pk__in=sample).select_related("movement")
    ]
    units = list(Unit.objects.values_list("code", flat=True))
    officers = [
        {"username": username, "unit": unit_pk}
        for username, unit_pk in UnitMembership.objects.filter(role=UnitMembership.Role.OFFICER)
        .order_by("user__username")
        .values_list("user__username", "unit_id")
    ]
    years = sorted(set(PracticeModel.objects.published().values_list("year", flat=True)))
    info["warm_up_seconds"] = warm_up(models)
    return {
        **info,
        "targets": {
            "models": [model for model in models if model[1]],
            "units": rng.sample(units, min(SAMPLE_UNITS, len(units))),
            "movements": [{"pk": page.pk, "slug": page.slug} for page in MovementPage.objects.live().order_by("path")],
            "fields": [{"pk": field.pk, "slug": field.slug} for field in Field.objects.all()],
            "years": years,
            "officers": officers,
            "password": DEMO_PASSWORD,
        },
    }


def warm_up(models: list[list]) -> float:
    """Render each demo image's renditions once (a site in service has them) and the main pages.

    A freshly loaded database has no image renditions yet: the first page showing an image would
    resize it, which a site in service did long ago. Stored in the database, they serve every worker.
    """
    from django.test import Client

    from models_registry.models import PracticeModel, PracticeModelImage

    started = time.perf_counter()
    client = Client(HTTP_HOST="127.0.0.1")
    urls = ["/", "/tim-kiem/?q=dân", "/don-vi/", "/thong-ke/", "/bang-vinh-danh/"]
    # One model page per image, as a cover and in a gallery.
    first_by_image: dict[tuple[str, int], int] = {}
    published = PracticeModel.objects.published()
    for pk, image in published.exclude(cover_image=None).values_list("pk", "cover_image").iterator():
        first_by_image.setdefault(("cover", image), pk)
    for pk, image in PracticeModelImage.objects.filter(practice_model__in=published).values_list(
        "practice_model", "image"
    ):
        first_by_image.setdefault(("gallery", image), pk)
    for practice_model in PracticeModel.objects.filter(pk__in=set(first_by_image.values())).select_related("movement"):
        urls.append(practice_model.get_url())
    seen_images = {image for _kind, image in first_by_image}
    urls += [url for _pk, url in models[:50]]
    for url in urls:
        client.get(url)
    log(f"warmed up {len(urls)} pages ({len(seen_images)} images)")
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Parent: for each database, prepare it, serve it, load it, report


def prepare(args, target: str, database_url: str) -> dict:
    if target == "sqlite" and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(args)}{suffix}").unlink(missing_ok=True)
    if target == "postgres":
        _search_benchmark().recreate_postgres(database_url, keep=args.keep)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        output = Path(handle.name)
    command = [
        sys.executable,
        __file__,
        "--worker",
        "prepare",
        "--database-url",
        database_url,
        "--output",
        str(output),
    ]
    command += ["--models", str(args.models), "--seed", str(args.seed), "--scratch-dir", str(args.scratch_dir)]
    log(f"{target}: preparing {args.models:,} models (reused when --keep finds them)")
    started = time.perf_counter()
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"preparing the {target} database failed ({completed.returncode})")
    result = json.loads(output.read_text())
    output.unlink()
    result["prepare_seconds"] = time.perf_counter() - started
    return result


def server_env(args, database_url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env.update(
        {
            # benchmarks/ as a namespace package: on the path itself, its search.py would hide the app.
            "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "MEDIA_ROOT": str(media_root(args)),
            "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{args.port}",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # Rate limiting off: every simulated user comes from 127.0.0.1.
            "RATELIMIT_ENABLED": "0",
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_LOG_LEVEL": "warning",
            "LOG_LEVEL": "WARNING",
        }
    )
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if args.no_page_cache:
        env["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
    return env


def start_server(args, target: str, database_url: str) -> subprocess.Popen:
    log_path = args.scratch_dir / f"load-gunicorn-{target}.log"
    command = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    command += ["--access-logfile", os.devnull, "config.wsgi:application"]
    log(f"{target}: starting gunicorn ({args.workers} workers) on 127.0.0.1:{args.port}, log {log_path}")
    handle = log_path.open("w")
    server = subprocess.Popen(
        command, cwd=ROOT, env=server_env(args, database_url), stdout=handle, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}: see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/", timeout=10) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer within 120 s: see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_locust(args, target: str, targets: dict) -> dict:
    scratch = args.scratch_dir
    targets_path = scratch / f"load-targets-{target}.json"
    results_path = scratch / f"load-results-{target}.json"
    targets_path.write_text(json.dumps(targets))
    results_path.unlink(missing_ok=True)
    think_min, _dash, think_max = args.think.partition("-")
    env = {
        **os.environ,
        "LOAD_TARGETS": str(targets_path),
        "LOAD_RESULTS": str(results_path),
        "LOAD_OFFICERS": str(min(args.officers, args.users)),
        "LOAD_WARMUP": str(seconds(args.warm_up)),
        "LOAD_THINK_MIN": think_min,
        "LOAD_THINK_MAX": think_max or think_min,
    }
    command = [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
    total = seconds(args.warm_up) + seconds(args.run_time)
    command += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{total}s"]
    command += ["--host", f"http://127.0.0.1:{args.port}", "--stop-timeout", "15", "--only-summary"]
    command += ["--csv", str(scratch / f"load-locust-{target}"), "--loglevel", "WARNING"]
    if args.officers <= 0:
        # Locust reads a fixed count of 0 as "no fixed count" and would spawn officers by weight.
        command.append("Visitor")
    log(f"{target}: locust, {args.users} users ({args.officers} officers): {args.warm_up} + {args.run_time}")
    completed = subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    if not results_path.exists():
        raise RuntimeError(f"locust wrote no results (exit {completed.returncode})")
    return json.loads(results_path.read_text())


def run_target(args, target: str, database_url: str) -> dict:
    try:
        prepared = prepare(args, target, database_url)
        server = start_server(args, target, database_url)
        try:
            results = run_locust(args, target, prepared.pop("targets"))
        finally:
            stop_server(server)
    except RuntimeError as exc:
        return {"target": target, "error": str(exc)}
    return {"target": target, **prepared, **results}


def seconds(duration: str) -> int:
    """Locust's duration syntax in seconds: "90s", "3m", "1m30s", "1h"; a bare number is seconds."""
    if duration.strip().isdigit():
        return int(duration)
    parts = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*", duration)
    if not parts or not any(parts.groups()):
        raise SystemExit(f"not a duration: {duration!r} (60s, 3m, 1m30s)")
    hours, minutes, secs = (int(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def fmt_ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}".replace(",", ".")


def fmt_count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def fmt_rate(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _row(name: str, stats: dict, seconds: float) -> str:
    hits = stats.get("cache_hits", 0)
    cached = stats.get("cache_answers", 0)
    hit_rate = f"{100 * hits / cached:.0f} %" if cached else "–"
    return (
        f"| {name} | {fmt_count(stats['requests'])} | {fmt_count(stats['failures'])} "
        f"| {fmt_rate(stats['requests'] / seconds if seconds else 0)} | {fmt_ms(stats['p50'])} "
        f"| {fmt_ms(stats['p95'])} | {fmt_ms(stats['p99'])} | {hit_rate} |"
    )


def report(args, results: list[dict], notes: list[str]) -> str:
    info = machine()
    cache = "off" if args.no_page_cache else ("Redis" if args.redis_url else "local memory per worker")
    threads = f" of {args.threads} threads" if args.threads > 1 else " (sync)"
    lines = [
        f"## Load test (issue 7): {fmt_count(args.models)} models, {args.users} users — {info['date']}",
        "",
        f"`benchmarks/load.py --models {args.models} --users {args.users} --officers {args.officers} "
        f"--spawn-rate {args.spawn_rate:g} --warm-up {args.warm_up} --run-time {args.run_time} "
        f"--workers {args.workers}{f' --threads {args.threads}' if args.threads else ''}`"
        f"{' --redis-url …' if args.redis_url else ''}{' --no-page-cache' if args.no_page_cache else ''} "
        f"(machine: {info['cores']} cores {info['cpu']}, {info['memory']}, Python {info['python']}, "
        f"SQLite {info['sqlite']}). gunicorn with {args.workers} workers{threads} on 127.0.0.1, production "
        f"settings over plain HTTP, page cache: {cache}; locust on the same machine. {args.users - args.officers} "
        f"visitors pause {args.think} s between pages; {args.officers} unit officers sign in and create "
        f"models sent for review. The first {args.warm_up} (all users spawned at once, caches cold) are "
        f"load but are reported apart: the table is the {args.run_time} after them, the steady state. Times in ms.",
        "",
    ]
    for result in results:
        lines.append(f"### {result['target']}")
        lines.append("")
        if "error" in result:
            lines += [f"Not measured: {result['error']}", ""]
            continue
        steady, whole = result["steady"], result["whole"]
        lines += [
            f"{fmt_count(result['models'])} models ({fmt_count(result['published'])} published), "
            f"{result['warm_up']:.0f} s of warm-up then {steady['seconds']:.0f} s measured.",
            "",
            "| request | requests | failures | req/s | p50 | p95 | p99 | page cache hits |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, stats in steady["by_name"].items():
            lines.append(_row(name, stats, steady["seconds"]))
        lines.append(_row("**public pages and API, all**", steady["public"], steady["seconds"]))
        lines.append(_row("**officers (admin), all**", steady["officers"], steady["seconds"]))
        lines.append(_row("**total**", steady["total"], steady["seconds"]))
        lines.append(_row("*whole run, warm-up included: public*", whole["public"], whole["seconds"]))
        lines.append(_row("*whole run, warm-up included: total*", whole["total"], whole["seconds"]))
        lines.append("")
        public = steady["public"]
        failures = whole["total"]["failures"]
        verdict = "met" if failures == 0 and (public["p95"] or 0) < PUBLIC_P95_GOAL_MS else "NOT met"
        lines.append(
            f"- Goal (zero errors, public p95 < {PUBLIC_P95_GOAL_MS} ms in the steady state): **{verdict}** "
            f"({fmt_count(failures)} failures in the whole run, public p95 {fmt_ms(public['p95'])} ms; "
            f"{fmt_ms(whole['public']['p95'])} ms with the warm-up)."
        )
        if result.get("submitted"):
            lines.append(f"- Models created and sent for review by the officers: {fmt_count(result['submitted'])}.")
        for message, count in sorted(result.get("errors", {}).items(), key=lambda item: -item[1])[:10]:
            lines.append(f"- Failure ×{count}: `{message}`")
        lines.append("")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    args = parse_args()
    if args.worker == "prepare":
        args.output.write_text(json.dumps(run_prepare(args)))
        return 0
    if not shutil.which(str(BIN / "locust")):
        print("locust is missing: pip install -r requirements-dev.txt", file=sys.stderr)
        return 2
    args.scratch_dir.mkdir(parents=True, exist_ok=True)
    wanted = set((args.only or "sqlite,postgres").split(","))
    notes: list[str] = []
    results = []
    if "sqlite" in wanted:
        results.append(run_target(args, "sqlite", f"sqlite:///{sqlite_path(args)}"))
    if "postgres" in wanted:
        if _search_benchmark().postgres_answers(args.postgres_url):
            results.append(run_target(args, "postgres", args.postgres_url))
        else:
            notes.append(f"PostgreSQL not measured: nothing answers at {args.postgres_url.rpartition('@')[2]}.")
    print(report(args, results, notes))
    failed = any("error" in result or result["whole"]["total"]["failures"] for result in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
