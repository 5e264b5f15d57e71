"""Public pages one at a time, uncached: what one page costs the server when nobody asked for it before.

    .venv/bin/python benchmarks/pages.py --database-url sqlite:////tmp/load-bench-100000.sqlite3 \
        [--kinds unit,model,search,api-detail] [--sample 40] [--seed 1]

The load test (benchmarks/load.py) says how the site holds under many users; this says where one
request's time goes, without the noise of the others. It serves the database that load.py built
(`--keep` databases: `/tmp/load-bench-<N>.sqlite3`, PostgreSQL `load_bench`) with the load test's
settings (production's, over plain HTTP), the page cache off and a local-memory cache for the rest,
through `django.test.Client` in this one process: each kind of page is asked for `--sample`
different objects, each once (a first view: neither the page nor its search listing is cached), after
one untimed request. Prints per kind the median and p95 in ms and the queries per page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("unit", "model", "search", "api-list", "api-detail", "listing-filtered")
QUERIES = ("dân vận khéo", "ve sinh moi truong", "chi bộ bốn tốt", "nông thôn mới", "an ninh trật tự", "phụ nữ")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def setup(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": "pages-benchmark-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def urls(kind: str, sample: int, rng: random.Random) -> list[str]:
    from models_registry.models import PracticeModel, Unit
    from movements.models import Field, MovementPage

    if kind == "unit":
        codes = list(Unit.objects.values_list("code", flat=True))
        return [f"/don-vi/{code}/" for code in rng.sample(codes, min(sample + 1, len(codes)))]
    if kind in ("model", "api-detail"):
        ids = list(PracticeModel.objects.published().values_list("pk", flat=True))
        chosen = PracticeModel.objects.filter(pk__in=rng.sample(ids, min(sample + 1, len(ids))))
        if kind == "api-detail":
            return [f"/api/v1/models/{model.pk}/" for model in chosen]
        return [model.get_url() for model in chosen.select_related("movement")]
    if kind in ("search", "api-list"):
        base = "/tim-kiem/" if kind == "search" else "/api/v1/models/"
        pairs = [(query, page) for query in QUERIES for page in (1, 2, 3)]
        rng.shuffle(pairs)
        return [f"{base}?q={query}&page={page}" for query, page in pairs[: sample + 1]]
    if kind == "listing-filtered":
        movements = list(MovementPage.objects.live().values_list("slug", flat=True))
        fields = list(Field.objects.values_list("slug", flat=True))
        years = sorted(set(PracticeModel.objects.published().values_list("year", flat=True)))
        triples = [(m, f, y) for m in movements for f in fields for y in years]
        chosen = rng.sample(triples, min(sample + 1, len(triples)))
        return [f"/{m}/?field={f}&year={y}" for m, f, y in chosen]
    raise SystemExit(f"unknown kind {kind!r}")


def measure(kind: str, page_urls: list[str]) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(page_urls[0])  # untimed: templates, the vocabulary, the connection
    times, queries = [], []
    for url in page_urls[1:]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries.append(len(captured))
    cache.clear()
    cuts = statistics.quantiles(times, n=20, method="inclusive") if len(times) > 1 else times * 19
    return {"kind": kind, "n": len(times), "p50": statistics.median(times), "p95": cuts[18], "queries": max(queries)}


def main(argv=None) -> None:
    args = parse_args(argv)
    setup(args.database_url)
    rng = random.Random(args.seed)
    print("| page | n | p50 ms | p95 ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in args.kinds.split(","):
        result = measure(kind, urls(kind, args.sample, rng))
        print(
            f"| {kind} | {result['n']} | {result['p50']:.1f} | {result['p95']:.1f} | {result['queries']} |", flush=True
        )


if __name__ == "__main__":
    main()
