"""Profile the API's own work around Elasticsearch: request time minus the time waiting on the server.

    .venv/bin/python benchmarks/profile_es_api.py --models 10000 [--keep] [--no-filters] [--save-profile]
        [--requests 200] [--no-vocabulary-cache]

Loads the demo models into `/tmp/search-bench-<N>.sqlite3` (the database benchmarks/search.py uses;
with `--keep` one that already holds them is reused), starts an osmem-server, indexes the published
models into it, then calls `GET /api/v1/models/?q=dân&<five facet filters>` (movement, field, unit,
year, level; the unit and year rotate) through Django's test client (DEBUG off) `--requests` times.
The time spent inside the Elasticsearch client's transport (`elastic_transport.Transport.perform_request`)
is the waiting; total minus waiting is the API's own work, which does not depend on which server
answers (osmem's own timings mean nothing and are only subtracted). Prints p50/p95 of the total, of
the waiting and of the own work, and the database queries per request; `--save-profile` also runs the
requests under cProfile and writes `/tmp/profile_es_api-<N>.prof` (and prints the top functions).
`--no-vocabulary-cache` reads the vocabulary (movements, fields, units) afresh on every request, as
before search/vocabulary.py: a side-by-side figure for that change.
"""

import argparse
import cProfile
import importlib.util
import io
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from measure import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent
QUERY = "dân"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=200, help="timed requests (default 200)")
    parser.add_argument("--keep", action="store_true", help="reuse a scratch database that holds the models")
    parser.add_argument("--no-filters", action="store_true", help="only q, no facet filter")
    parser.add_argument("--save-profile", action="store_true", help="write a cProfile dump of the requests")
    parser.add_argument("--no-vocabulary-cache", action="store_true", help="read the vocabulary per request")
    parser.add_argument("--scratch-dir", type=Path, default=Path(tempfile.gettempdir()))
    return parser.parse_args(argv)


def _search_bench():
    """benchmarks/search.py under another name: `search` is the Django app's."""
    spec = importlib.util.spec_from_file_location("search_bench", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    args = parse_args()
    bench = _search_bench()
    database = args.scratch_dir / f"search-bench-{args.models}.sqlite3"
    if not args.keep and database.exists():
        database.unlink()
    bench.configure_worker(f"sqlite:///{database}", args)

    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from osmem_server import OsmemServer

    from search import elastic, services

    try:
        from search import vocabulary
    except ImportError:  # a checkout from before search/vocabulary.py
        vocabulary = None

    prepared = bench.prepare_database(args.models, args.seed)
    if args.no_vocabulary_cache and vocabulary is not None:
        vocabulary.CACHE_SECONDS = 0
    server = OsmemServer.start(japanese=False)
    try:
        settings.ELASTICSEARCH_URL = server.url
        # osmem is slow on large indexes: wait for it (its time is subtracted) rather than fall back.
        settings.ELASTICSEARCH_TIMEOUT = 120.0
        elastic.reset_client()
        services.reset_circuit_breaker()
        bench.log(f"indexing {prepared['published']:,} models into osmem-server")
        started = time.perf_counter()
        elastic.rebuild()
        elastic.refresh_index()
        index_seconds = time.perf_counter() - started
        waits = bench.instrument_elasticsearch()
        client = Client()

        def params(index: int) -> dict:
            return {"q": QUERY} if args.no_filters else {"q": QUERY, **bench.filter_params(index)}

        def call(index: int):
            response = client.get("/api/v1/models/", params(index))
            body = response.json()
            if response.status_code != 200 or body.get("degraded"):
                raise RuntimeError(f"Elasticsearch did not answer: {response.status_code} {body}")
            return body

        for index in range(10):  # warm up: templates, caches, the client's connection
            call(index)
        totals, waited, own, counts = [], [], [], []
        for index in range(args.requests):
            waits.clear()
            started = time.perf_counter()
            body = call(index)
            elapsed = time.perf_counter() - started
            totals.append(elapsed)
            waited.append(sum(waits))
            own.append(elapsed - sum(waits))
            counts.append(body["count"])
        queries = []
        for index in range(10):
            with CaptureQueriesContext(connection) as captured:
                call(index)
            queries.append(len(captured))
        reset_queries()
        profile_path = None
        profile_top = ""
        if args.save_profile:
            profile_path = args.scratch_dir / f"profile_es_api-{args.models}.prof"
            profiler = cProfile.Profile()
            profiler.enable()
            for index in range(args.requests):
                call(index)
            profiler.disable()
            profiler.dump_stats(profile_path)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            profile_top = out.getvalue()
    finally:
        server.close()

    def fmt(value) -> str:
        return f"{value:.1f}".replace(".", ",")

    info = machine()
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}; Python {info['python']}")
    print(
        f"Models: {prepared['models']:,} ({prepared['published']:,} published); osmem indexing {index_seconds:.0f} s"
    )
    label = f"q={QUERY}" + ("" if args.no_filters else " + 5 facet filters")
    if args.no_vocabulary_cache:
        label += ", vocabulary read per request"
    print(f"GET /api/v1/models/?{label}: {args.requests} requests, median count {statistics.median(counts):.0f}")
    print("| measure | p50 ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for name, timings in (("total", totals), ("waiting on Elasticsearch", waited), ("API's own work", own)):
        figures = percentiles(timings)
        print(f"| {name} | {fmt(figures['p50'])} | {fmt(figures['p95'])} |")
    print(f"Database queries per request: {statistics.median(queries):.0f} (min {min(queries)}, max {max(queries)})")
    if profile_path:
        print(f"cProfile dump: {profile_path}")
        print(profile_top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
