"""Time the public search API side by side on SQLite, PostgreSQL and Elasticsearch, against Wagtail's stock search.

    .venv/bin/python benchmarks/search.py [--models 100000] [--baseline-models 10000] [--requests 50] [--keep]

One run measures every configuration this machine offers, each in a worker process of its own (one
settings module per database):

- the database backend on SQLite: `/tmp/search-bench-<N>.sqlite3` (`--scratch-dir`);
- the database backend on PostgreSQL, when a server answers at 127.0.0.1:5432 (`--postgres-url`):
  a scratch database `search_bench`, created when missing;
- the Elasticsearch backend, only when ELASTICSEARCH_URL is set (never against osmem-server: its
  timings mean nothing), with the API's own work (the time minus the time spent waiting for the
  search server) reported alongside;
- without ELASTICSEARCH_URL, the API's own work with the Elasticsearch backend against osmem-server
  (`osmem-own-work`): only the time minus the time spent waiting for the server is recorded, since
  that part does not depend on which server answers;
- the baseline a Wagtail developer would write: Wagtail's stock search
  (`wagtail.search.backends.get_search_backend()`, the `wagtail.search.backends.database` backend
  of WAGTAILSEARCH_BACKENDS, i.e. modelsearch's SQLite FTS5 or PostgreSQL full text) over the same
  published PracticeModel rows, one page of 20 and the count, no facets: on a separate
  `--baseline-models` (10,000) SQLite database, because it slows down badly on SQLite, with a time
  budget per query (`--baseline-budget`), and at N models on PostgreSQL. PracticeModel is not
  `index.Indexed` and has no `search_fields`: the worker process (only) adds `index.Indexed` to its
  bases and sets `search_fields` (title, summary, story, results; `live` as a filter), then fills
  Wagtail's index for it once (`update_index`-equivalent, kept with `--keep`).

For each database configuration: p50/p95 of `--requests` requests of `GET /api/v1/models/` through
Django's test Client (DEBUG off), for a common word ("dân") and a multi-word query, each without
filters and with five facet filters selected (movement, field, unit, year, level; the unit and
year rotate so no request repeats its neighbour), plus the p50 of the admin's practice-model
listing search (`/admin/snippets/models_registry/practicemodel/?q=dong+da` as a superuser).

Databases are loaded with `load_demo_data --models N --seed S` (config.settings.dev, media in
`<scratch-dir>/search-bench-media`). Without `--keep` the scratch databases are recreated; with it a
database that already holds the models is reused as it is. Loading 100,000 models takes several
minutes on SQLite and longer on PostgreSQL. Results of the last full run: benchmarks/RESULTS.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/search_bench"
COMMON_QUERY = "dân"
MULTI_WORD_QUERY = "vệ sinh môi trường khu dân cư"
# Five facets selected; the unit and the year rotate over these values from request to request.
FILTER_UNITS = ("HN-CG", "HN-DD", "HN-BD", "HN-HK", "HN-DA")
FILTER_YEARS = (2021, 2022, 2023, 2024, 2025)
FIXED_FILTERS = {"movement": "dan-van-kheo", "field": "kinh-te", "level": "quan-huyen"}
ADMIN_URL = "/admin/snippets/models_registry/practicemodel/"
ADMIN_QUERY = "dong da"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000, help="demo models for the main databases")
    parser.add_argument("--baseline-models", type=int, default=10_000, help="models of the SQLite baseline database")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per query (default 50)")
    parser.add_argument("--baseline-budget", type=float, default=60.0, help="seconds per stock-search query on SQLite")
    parser.add_argument("--keep", action="store_true", help="reuse scratch databases that already hold the models")
    parser.add_argument("--scratch-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--only",
        help="comma-separated subset of sqlite,sqlite-baseline,postgres,elasticsearch,osmem-own-work (default: all available)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run one configuration
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# Figures


def filter_params(index: int) -> dict:
    return {
        **FIXED_FILTERS,
        "unit": FILTER_UNITS[index % len(FILTER_UNITS)],
        "year": FILTER_YEARS[(index // len(FILTER_UNITS)) % len(FILTER_YEARS)],
    }


# ---------------------------------------------------------------------------------------------
# Worker: one database configuration, in its own process


def sqlite_url(args, models: int) -> str:
    return f"sqlite:///{args.scratch_dir / f'search-bench-{models}.sqlite3'}"


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_maintenance_dsn(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _maintenance_dsn(url: str) -> str:
    base, _slash, _name = url.rpartition("/")
    return f"{base}/postgres"


def recreate_postgres(url: str, *, keep: bool) -> None:
    """Create the scratch database when missing; without --keep, drop and create it afresh."""
    import psycopg
    from psycopg import sql

    name = url.rpartition("/")[2]
    with psycopg.connect(_maintenance_dsn(url), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_worker(database_url: str, args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(args.scratch_dir / "search-bench-media")
    # Every request is measured doing its work: no answer from the public page cache, no 429 from
    # the rate limits (one address sends them all).
    os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
    os.environ["RATELIMIT_ENABLED"] = "0"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import logging

    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    for name in ("django_tasks", "elastic_transport", "search"):
        logging.getLogger(name).setLevel(logging.WARNING)


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def prepare_database(models: int, seed: int) -> dict:
    """Migrate, load the demo models that are missing, bring the database search index in step."""
    from django.core.management import call_command
    from django.db import connection

    from models_registry.models import PracticeModel
    from models_registry.services.demo import load_demo_data
    from search.indexing import rebuild_database_index
    from search.models import SearchEntry

    call_command("migrate", verbosity=0)
    info = {"load_seconds": None}
    if PracticeModel.objects.count() < models:
        log(f"loading {fmt_count(models)} demo models")
        started = time.perf_counter()
        load_demo_data(models=models, seed=seed)
        info["load_seconds"] = time.perf_counter() - started
    published = PracticeModel.objects.published().count()
    if SearchEntry.objects.count() != published:
        # A database loaded by an older checkout (or before the search app existed) has no entries yet.
        log(f"rebuilding the database search index ({published:,} models)")
        started = time.perf_counter()
        rebuild_database_index()
        info["index_seconds"] = time.perf_counter() - started
    info["models"] = PracticeModel.objects.count()
    info["published"] = published
    if connection.vendor == "postgresql":
        # What autovacuum does on a server in service (this machine's cluster runs without it): the
        # planner's statistics and the visibility map, without which a freshly loaded table looks
        # empty to the planner and every index scan visits the heap.
        log("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return info


def time_api(client, *, requests: int) -> dict:
    """p50/p95 of the API for each query, without and with the five facet filters."""
    results = {}
    for query in (COMMON_QUERY, MULTI_WORD_QUERY):
        for filtered in (False, True):
            timings, counts = [], []
            # One untimed request first: the first one of a process compiles templates and warms caches.
            for index in range(-1, requests):
                params = {"q": query, **(filter_params(max(index, 0)) if filtered else {})}
                started = time.perf_counter()
                response = client.get("/api/v1/models/", params)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"/api/v1/models/ answered {response.status_code}: {response.content[:300]!r}")
                if index >= 0:
                    timings.append(elapsed)
                    counts.append(response.json()["count"])
            key = f"{query} | {'5 filters' if filtered else 'no filter'}"
            results[key] = {**percentiles(timings), "median_count": statistics.median(counts)}
    return results


def time_admin_search(client, *, requests: int) -> dict:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        return {"error": "no superuser in the database"}
    client.force_login(user)
    timings = []
    for index in range(-1, min(requests, 20)):
        started = time.perf_counter()
        response = client.get(ADMIN_URL, {"q": ADMIN_QUERY})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return {"error": f"{ADMIN_URL} answered {response.status_code}"}
        if index >= 0:
            timings.append(elapsed)
    client.logout()
    return percentiles(timings)


def make_practice_model_wagtail_indexed() -> None:
    """Benchmark process only: give PracticeModel the stock Wagtail search configuration it lacks."""
    from wagtail.search import index

    from models_registry.models import PracticeModel

    if not issubclass(PracticeModel, index.Indexed):
        PracticeModel.__bases__ = (index.Indexed, *PracticeModel.__bases__)
    PracticeModel.search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("summary"),
        index.SearchField("story"),
        index.SearchField("results"),
        index.FilterField("live"),
    ]
    # modelsearch gives each indexed model this relation when the app registry is ready; a model made
    # indexed afterwards needs it added by hand (the PostgreSQL backend joins through it).
    if not any(field.name == "index_entries" for field in PracticeModel._meta.private_fields):
        from wagtail.search.models import IndexEntry

        from modelsearch.abstract_models import TextIDGenericRelation

        TextIDGenericRelation(IndexEntry).contribute_to_class(PracticeModel, "index_entries")


def ensure_wagtail_index() -> float | None:
    """Fill Wagtail's own index for PracticeModel once, as `update_index` would; seconds spent or None."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from models_registry.models import PracticeModel

    content_type = ContentType.objects.get_for_model(PracticeModel)
    wanted = PracticeModel.objects.count()
    if IndexEntry.objects.filter(content_type=content_type).count() >= wanted:
        return None
    log(f"filling Wagtail's stock search index ({wanted:,} models)")
    backend = get_search_backend()
    started = time.perf_counter()
    search_index = backend.get_index_for_model(PracticeModel)
    last_pk, batch_size = 0, 1000
    while True:
        batch = list(PracticeModel.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        search_index.add_items(PracticeModel, batch)
        last_pk = batch[-1].pk
    return time.perf_counter() - started


def time_wagtail_baseline(*, requests: int, budget: float) -> dict:
    """What a Wagtail developer would write: stock search, one page of 20 and the count, as JSON."""
    from wagtail.search.backends import get_search_backend

    from models_registry.models import PracticeModel

    backend = get_search_backend()
    results = {}
    for query in (COMMON_QUERY, MULTI_WORD_QUERY):
        timings = []
        first = None
        spent = 0.0
        timed_out = False
        for index in range(-1, requests):
            started = time.perf_counter()
            found = backend.search(query, PracticeModel.objects.filter(live=True))
            page = [{"id": item.pk, "title": item.title} for item in found[:20]]
            json.dumps({"count": found.count(), "results": page})
            elapsed = time.perf_counter() - started
            spent += elapsed
            if index >= 0:
                timings.append(elapsed)
            else:
                first = elapsed
            if spent > budget:
                timed_out = index + 1 < requests
                break
        results[f"{query} | no filter"] = {
            # When even the untimed first request used up the budget, it is the only figure there is.
            **percentiles(timings or [first]),
            "timed_out": timed_out,
            "first_only": not timings,
            "engine": type(backend).__name__,
        }
    return results


def instrument_elasticsearch() -> list[float]:
    """Accumulate the time spent waiting for Elasticsearch, per HTTP request, into the returned list."""
    from elastic_transport import Transport

    waits: list[float] = []
    original = Transport.perform_request

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            waits.append(time.perf_counter() - started)

    Transport.perform_request = timed
    return waits


def time_api_elasticsearch(client, *, requests: int) -> dict:
    """Like time_api, with the time spent in Elasticsearch subtracted as the API's own work."""
    waits = instrument_elasticsearch()
    results = {}
    for query in (COMMON_QUERY, MULTI_WORD_QUERY):
        for filtered in (False, True):
            timings, own = [], []
            for index in range(-1, requests):
                params = {"q": query, **(filter_params(max(index, 0)) if filtered else {})}
                waits.clear()
                started = time.perf_counter()
                response = client.get("/api/v1/models/", params)
                elapsed = time.perf_counter() - started
                body = response.json()
                if response.status_code != 200 or body.get("degraded"):
                    raise RuntimeError(f"Elasticsearch did not answer: {response.status_code} {body}")
                if index >= 0:
                    timings.append(elapsed)
                    own.append(elapsed - sum(waits))
            key = f"{query} | {'5 filters' if filtered else 'no filter'}"
            results[key] = {**percentiles(timings), "own": percentiles(own)}
    return results


def run_worker(args) -> dict:
    target = args.worker
    out: dict = {"target": target}
    configure_worker(os.environ["SEARCH_BENCH_DATABASE_URL"], args)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    models = args.baseline_models if target == "sqlite-baseline" else args.models
    out["database"] = connection.vendor
    out["prepare"] = prepare_database(models, args.seed)
    client = Client()
    if target == "elasticsearch":
        from search import elastic

        settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
        elastic.reset_client()
        log("rebuilding the Elasticsearch index")
        started = time.perf_counter()
        elastic.rebuild()
        elastic.refresh_index()
        out["es_rebuild_seconds"] = time.perf_counter() - started
        out["api"] = time_api_elasticsearch(client, requests=args.requests)
        return out
    if target == "osmem-own-work":
        # osmem-server's own timings mean nothing, but the API's work around them (parsing,
        # building the query, hydrating the page, highlights, facet labels, JSON) is the same
        # whatever server answers: only that is recorded.
        from osmem_server import OsmemServer

        from search import elastic

        server = OsmemServer.start(japanese=False)
        try:
            settings.ELASTICSEARCH_URL = server.url
            # osmem answers a search over 80,000 documents in seconds: wait for it (its time is
            # subtracted anyway) instead of falling back to the database after half a second.
            settings.ELASTICSEARCH_TIMEOUT = 120.0
            elastic.reset_client()
            log("indexing into osmem-server")
            elastic.rebuild()
            elastic.refresh_index()
            api = time_api_elasticsearch(client, requests=args.requests)
        finally:
            server.close()
        out["own_work"] = {key: figures["own"] for key, figures in api.items()}
        return out
    # The database backend answers: make sure the process does not try Elasticsearch first.
    settings.ELASTICSEARCH_URL = ""
    log(f"timing the API ({target})")
    out["api"] = time_api(client, requests=args.requests)
    if target != "sqlite-baseline":
        log("timing the admin listing search")
        out["admin"] = time_admin_search(client, requests=args.requests)
    if target in {"sqlite-baseline", "postgres"}:
        make_practice_model_wagtail_indexed()
        out["wagtail_index_seconds"] = ensure_wagtail_index()
        log("timing Wagtail's stock search")
        budget = args.baseline_budget if connection.vendor == "sqlite" else float("inf")
        out["baseline"] = time_wagtail_baseline(requests=args.requests, budget=budget)
    return out


# ---------------------------------------------------------------------------------------------
# Parent: prepare the scratch databases, run the workers, print the report


def spawn(target: str, args, *, database_url: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        output = Path(handle.name)
    command = [sys.executable, __file__, "--worker", target, "--output", str(output)]
    command += ["--models", str(args.models), "--baseline-models", str(args.baseline_models)]
    command += [
        "--seed",
        str(args.seed),
        "--requests",
        str(args.requests),
        "--baseline-budget",
        str(args.baseline_budget),
    ]
    command += ["--scratch-dir", str(args.scratch_dir), "--postgres-url", args.postgres_url]
    if args.skip_postgres:
        command.append("--skip-postgres")
    env = {**os.environ, "SEARCH_BENCH_DATABASE_URL": database_url}
    if target != "elasticsearch":
        env.pop("ELASTICSEARCH_URL", None)
    print(f"- {target}: running", file=sys.stderr, flush=True)
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, check=False)
    if completed.returncode != 0:
        return {"target": target, "error": f"worker exited with {completed.returncode}"}
    result = json.loads(output.read_text())
    output.unlink()
    result["seconds"] = time.perf_counter() - started
    return result


def fmt(value) -> str:
    """Milliseconds as RESULTS.md writes them: one decimal, decimal comma."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def fmt_count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def report(results: list[dict], args, notes: list[str]) -> str:
    info = machine()
    lines = [
        f"## Search — {info['date']}",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM; Python {info['python']}, "
        f"SQLite {info['sqlite']}; {info['platform']}",
        "",
        f"`.venv/bin/python benchmarks/search.py --models {args.models} --baseline-models {args.baseline_models} "
        f"--requests {args.requests}{' --keep' if args.keep else ''}`",
        "",
        "| configuration | models | query | filters | p50 ms | p95 ms | n |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: |",
    ]
    labels = {
        "sqlite": "API, database backend, SQLite",
        "postgres": "API, database backend, PostgreSQL",
        "sqlite-baseline": "API, database backend, SQLite",
        "elasticsearch": "API, Elasticsearch backend",
    }
    baselines = {}
    for result in results:
        if "error" in result:
            lines.append(f"| {result['target']} | | | | {result['error']} | | |")
            continue
        models = result["prepare"]["models"]
        for key, figures in result.get("api", {}).items():
            query, filters = key.split(" | ")
            lines.append(
                f"| {labels[result['target']]} | {fmt_count(models)} | {query} | {filters} | {fmt(figures['p50'])} | "
                f"{fmt(figures['p95'])} | {figures['n']} |"
            )
            if "own" in figures:
                lines.append(
                    f"| … the API's own work (minus time in Elasticsearch) | | {query} | {filters} | "
                    f"{fmt(figures['own']['p50'])} | {fmt(figures['own']['p95'])} | {figures['own']['n']} |"
                )
        for key, figures in result.get("own_work", {}).items():
            query, filters = key.split(" | ")
            lines.append(
                f"| API's own work with the Elasticsearch backend (osmem-server, its time subtracted) | "
                f"{fmt_count(models)} | {query} | {filters} | {fmt(figures['p50'])} | {fmt(figures['p95'])} | {figures['n']} |"
            )
        for key, figures in result.get("baseline", {}).items():
            query, filters = key.split(" | ")
            engine = "SQLite" if result["database"] == "sqlite" else "PostgreSQL"
            suffix = " (stopped at the time budget)" if figures.get("timed_out") else ""
            if figures.get("first_only"):
                suffix = " (one cold request used the whole time budget)"
            lines.append(
                f"| Wagtail stock search ({figures['engine']}), {engine} | {fmt_count(models)} | {query} | none{suffix} | "
                f"{fmt(figures['p50'])} | {fmt(figures['p95'])} | {figures['n']} |"
            )
            baselines[(result["target"], query)] = figures["p50"]
        if "admin" in result:
            admin = result["admin"]
            lines.append(
                f"| admin listing search `?q={ADMIN_QUERY.replace(' ', '+')}`, {result['database']} | {fmt_count(models)} | "
                f"{ADMIN_QUERY} | | {fmt(admin.get('p50'))} | {fmt(admin.get('p95'))} | {admin.get('n', '')} |"
            )
    lines.append("")
    for result in results:
        for (target, query), baseline_p50 in baselines.items():
            if result.get("target") != target or not baseline_p50:
                continue
            api = result["api"].get(f"{query} | no filter")
            if api and api["p50"]:
                lines.append(
                    f"- {target}: stock search / API (no filter) p50 for “{query}”: "
                    f"{fmt(baseline_p50)} / {fmt(api['p50'])} ms = {baseline_p50 / api['p50']:.1f}×".replace(".", ",")
                )
    for result in results:
        prepare = result.get("prepare", {})
        extra = []
        if prepare.get("load_seconds"):
            extra.append(f"loaded in {prepare['load_seconds']:.0f} s")
        if prepare.get("index_seconds"):
            extra.append(f"database search index rebuilt in {prepare['index_seconds']:.0f} s")
        if result.get("wagtail_index_seconds"):
            extra.append(f"Wagtail's stock index filled in {result['wagtail_index_seconds']:.0f} s")
        if extra:
            lines.append(f"- {result['target']}: {', '.join(extra)}")
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    args = parse_args()
    args.scratch_dir = args.scratch_dir.resolve()
    if args.worker:
        result = run_worker(args)
        args.output.write_text(json.dumps(result))
        return 0

    notes = []
    wanted = set(args.only.split(",")) if args.only else {"sqlite", "sqlite-baseline", "postgres", "elasticsearch"}
    if not args.keep:
        sizes = {
            args.models if "sqlite" in wanted else None,
            args.baseline_models if "sqlite-baseline" in wanted else None,
        }
        for models in sizes - {None}:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.scratch_dir / f'search-bench-{models}.sqlite3'}{suffix}").unlink(missing_ok=True)
    targets = {"sqlite": sqlite_url(args, args.models), "sqlite-baseline": sqlite_url(args, args.baseline_models)}
    if args.skip_postgres:
        notes.append("PostgreSQL skipped (--skip-postgres).")
    elif "postgres" not in wanted and "elasticsearch" not in wanted:
        pass
    elif postgres_answers(args.postgres_url):
        recreate_postgres(args.postgres_url, keep=args.keep)
        targets["postgres"] = args.postgres_url
    else:
        notes.append(f"PostgreSQL did not answer at {args.postgres_url.rpartition('@')[2]}: not measured.")
    if os.environ.get("ELASTICSEARCH_URL"):
        # Over the production-like database when there is one; the models come from it either way.
        targets["elasticsearch"] = targets.get("postgres", targets["sqlite"])
    else:
        notes.append(
            "ELASTICSEARCH_URL is not set: the Elasticsearch backend was not measured "
            "(osmem-server timings mean nothing); the API's own work around it was, against osmem-server."
        )
        if "osmem-own-work" in wanted or not args.only:
            wanted.add("osmem-own-work")
            targets["osmem-own-work"] = targets["sqlite"]
    targets = {target: url for target, url in targets.items() if target in wanted}
    results = [spawn(target, args, database_url=url) for target, url in targets.items()]
    print(report(results, args, notes))
    return 0 if all("error" not in result for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
