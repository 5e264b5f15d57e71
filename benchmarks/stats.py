"""Time `GET /api/v1/stats/` (and the /thong-ke/ page) at 100,000 models on SQLite.

    .venv/bin/python benchmarks/stats.py [--database /tmp/stats-bench-100000.sqlite3]
        [--source /tmp/search-bench-100000.sqlite3] [--requests 50] [--models 100000]

The database is the search benchmark's demo database (`load_demo_data --models 100000 --seed 2025`,
about 80,000 of the models published): `--source` is only ever read, copied once to `--database`,
which is migrated (the statistics need the migrations of this branch) and reused by later runs.
Without a source the script loads the demo models into `--database` itself (half an hour or more).

For each `group_by` (unit, field, year, level, movement): p50/p95 of `--requests` requests through
Django's test Client (DEBUG off, after one untimed request), without filters and with the three
documented filters (`movement=dan-van-kheo`, `unit` rotating over five districts, `year` over
2021–2025, so no request repeats its neighbour). Then p50 of the public page /thong-ke/ unfiltered
and drilled into a district, and a check that every timed answer's `total` equals
`/api/v1/models/`'s `count` for the same filters. Results: benchmarks/RESULTS.md.
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from measure import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent
GROUP_BYS = ("unit", "field", "year", "level", "movement")
FILTER_UNITS = ("HN-CG", "HN-DD", "HN-BD", "HN-HK", "HN-DA")
FILTER_YEARS = (2021, 2022, 2023, 2024, 2025)
PAGES = {"/thong-ke/": {}, "/thong-ke/?unit=HN-CG": {"unit": "HN-CG"}}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=Path("/tmp/stats-bench-100000.sqlite3"))
    parser.add_argument("--source", type=Path, default=Path("/tmp/search-bench-100000.sqlite3"))
    parser.add_argument("--models", type=int, default=100_000, help="demo models to load without a source")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per line (default 50)")
    parser.add_argument("--page-requests", type=int, default=10, help="timed renders per page (default 10)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def filters(index: int) -> dict:
    return {
        "movement": "dan-van-kheo",
        "unit": FILTER_UNITS[index % len(FILTER_UNITS)],
        "year": FILTER_YEARS[(index // len(FILTER_UNITS)) % len(FILTER_YEARS)],
    }


def configure(args) -> None:
    if not args.database.exists() and args.source.exists():
        log(f"copying {args.source} to {args.database} (the source is only read)")
        shutil.copyfile(args.source, args.database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{args.database}"
    os.environ.setdefault("MEDIA_ROOT", str(args.database.parent / "stats-bench-media"))
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import logging

    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    for name in ("django_tasks", "search", "wagtail"):
        logging.getLogger(name).setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)

    from models_registry.models import PracticeModel

    if PracticeModel.objects.count() < args.models:
        from models_registry.services.demo import load_demo_data

        log(f"loading {args.models} demo models (seed {args.seed}); this takes a while")
        load_demo_data(models=args.models, seed=args.seed)


def timed_get(client, url: str, params: dict) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, response


def time_api(client, *, requests: int) -> tuple[dict, list[str]]:
    results, disagreements = {}, []
    for group_by in GROUP_BYS:
        for filtered in (False, True):
            timings = []
            for index in range(-1, requests):
                params = {"group_by": group_by, **(filters(max(index, 0)) if filtered else {})}
                elapsed, response = timed_get(client, "/api/v1/stats/", params)
                if index >= 0:
                    timings.append(elapsed)
                # Each filter combination checked once, the unfiltered total once per group_by.
                if index < (len(FILTER_UNITS) * len(FILTER_YEARS) if filtered else 0):
                    search_params = {name: value for name, value in params.items() if name != "group_by"}
                    _elapsed, search = timed_get(client, "/api/v1/models/", {**search_params, "page_size": 1})
                    if response.json()["total"] != search.json()["count"]:
                        disagreements.append(f"{params}: {response.json()['total']} != {search.json()['count']}")
            results[(group_by, "movement, unit, year" if filtered else "none")] = percentiles(timings)
    return results, disagreements


def time_pages(client, *, requests: int) -> dict:
    results = {}
    for url in PAGES:
        timings = [timed_get(client, url, {})[0] for _index in range(requests + 1)][1:]
        results[url] = percentiles(timings)
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    configure(args)

    from django.test import Client

    from search.models import SearchEntry

    client = Client()
    published = SearchEntry.objects.count()
    info = machine()
    print(f"# Statistics — {info['date']}")
    print(
        f"\n{info['cpu']}, {info['cores']} cores, {info['memory']}; Python {info['python']}, "
        f"SQLite {info['sqlite']}; {info['platform']}"
    )
    print(f"\n{published:,} published models in `{args.database}`.\n")
    api, disagreements = time_api(client, requests=args.requests)
    print("| group_by | filters | p50 ms | p95 ms | n |")
    print("| --- | --- | ---: | ---: | ---: |")
    for (group_by, filtered), figures in api.items():
        print(f"| {group_by} | {filtered} | {figures['p50']:.1f} | {figures['p95']:.1f} | {figures['n']} |")
    pages = time_pages(client, requests=args.page_requests)
    print("\n| page | p50 ms | p95 ms | n |")
    print("| --- | ---: | ---: | ---: |")
    for url, figures in pages.items():
        print(f"| {url} | {figures['p50']:.1f} | {figures['p95']:.1f} | {figures['n']} |")
    if disagreements:
        print("\nTotals that disagree with /api/v1/models/:")
        for line in disagreements:
            print(f"- {line}")
        return 1
    print("\nEvery total checked agrees with /api/v1/models/'s count for the same filters.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
