"""Load N demo models into a throwaway SQLite database, then time the public pages.

    .venv/bin/python benchmarks/load_and_render.py [--models 100000] [--seed 2025] [--pages 50] [--repeat 5]

Uses config.settings.dev with DATABASE_URL=benchmarks/bench-<N>.sqlite3 and MEDIA_ROOT=benchmarks/media
(both git-ignored); the database is rebuilt each run unless --keep is given. Reports the load time,
then for the home page, a movement listing, a filtered listing, a unit page and ~50 model pages: the
first (cold) render, p50/p95 of the warm renders and SQL queries per page; then peak RSS.
Results of the last full run are in benchmarks/RESULTS.md.
"""

import argparse
import logging
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from measure import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000, help="demo models to load (default 2000)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--pages", type=int, default=50, help="different model pages to render (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="warm renders of each page (default 5)")
    parser.add_argument("--keep", action="store_true", help="reuse the database of a previous run")
    return parser.parse_args()


def configure(models: int, keep: bool) -> Path:
    database = BENCH_DIR / f"bench-{models}.sqlite3"
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MEDIA_ROOT"] = str(BENCH_DIR / "media")
    sys.path.insert(0, str(ROOT))
    return database


def peak_rss_mib() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / 1024 / (1024 if sys.platform == "darwin" else 1)


def main() -> int:
    args = parse_args()
    database = configure(args.models, args.keep)

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from models_registry.models import PracticeModel, Unit
    from models_registry.services.demo import load_demo_data

    # The test client's host and production-like rendering (no template debug).
    setup_test_environment(debug=False)
    # The immediate task backend logs every index update of the pictures: keep the report readable.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started

    last_report = [0.0]

    def progress(stage: str, advance: int, total: int) -> None:
        progress.done[stage] = progress.done.get(stage, 0) + advance
        now = time.perf_counter()
        if now - last_report[0] > 10 or progress.done[stage] == total:
            last_report[0] = now
            print(f"  … {stage}: {progress.done[stage]}/{total}", flush=True)

    progress.done = {}
    started = time.perf_counter()
    result = load_demo_data(models=args.models, seed=args.seed, progress=progress)
    load_seconds = time.perf_counter() - started
    rss_after_load = peak_rss_mib()
    size_mib = sum(Path(f"{database}{s}").stat().st_size for s in ("", "-wal") if Path(f"{database}{s}").exists())

    client = Client()
    published = list(
        PracticeModel.objects.published().select_related("movement").order_by("pk").values_list("pk", flat=True)
    )
    sample_ids = random.Random(args.seed).sample(published, min(args.pages, len(published)))
    model_urls = [m.url for m in PracticeModel.objects.select_related("movement").filter(pk__in=sample_ids)]
    unit = Unit.objects.get(code="HN-CG")
    groups = {
        "home page /": ["/"],
        "listing /dan-van-kheo/": ["/dan-van-kheo/"],
        "filtered listing": ["/dan-van-kheo/?field=kinh-te&year=2023&level=quan-huyen"],
        "listing page 40": ["/dan-van-kheo/?page=40"],
        "unit page": [unit.get_absolute_url()],
        f"model pages ({len(model_urls)})": model_urls,
    }

    rows = []
    for label, urls in groups.items():
        cold, warm, queries = [], [], []
        for url in urls:
            for attempt in range(args.repeat + 1):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    print(f"!! {url} answered {response.status_code}", file=sys.stderr)
                    return 1
                if attempt == 0:
                    cold.append(elapsed)  # first render: renditions, template and query caches warm up
                else:
                    warm.append(elapsed)
                    queries.append(len(captured))
        summary = percentiles(warm)
        p50, p95 = summary["p50"], summary["p95"]
        rows.append((label, statistics.median(cold) * 1000, p50, p95, min(queries), max(queries)))

    info = machine()
    print()
    print(f"## {args.models:,} models — {info['date']}".replace(",", "."))
    print()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM; "
        f"Python {info['python']}, SQLite {info['sqlite']}; {info['platform']}"
    )
    print()
    print(f"- migrate: {migrate_seconds:.1f} s")
    print(
        f"- load_demo_data --models {args.models} --seed {args.seed}: {load_seconds:.1f} s "
        f"({result.units_created} units, {result.models_created} models, {result.commendations_created} "
        f"commendations, {result.revisions_created} revisions, {result.images_created} pictures)"
    )
    print(f"- database file: {size_mib / 1024 / 1024:.0f} MiB; peak RSS after loading: {rss_after_load:.0f} MiB")
    print()
    print(f"Rendering with django.test.Client, DEBUG off; {args.repeat} warm renders per page after a cold one.")
    print()
    print("| page | cold (median) ms | warm p50 ms | warm p95 ms | SQL queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, cold, p50, p95, fewest, most in rows:
        queries = str(fewest) if fewest == most else f"{fewest}–{most}"
        print(f"| {label} | {cold:.1f} | {p50:.1f} | {p95:.1f} | {queries} |")
    print()
    print(f"Peak RSS of the whole run: {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
