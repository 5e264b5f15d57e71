"""Time the honour board, the certificate and a nomination-list award on a loaded demo database.

    .venv/bin/python benchmarks/honour_board.py --database benchmarks/bench-100000.sqlite3 [--repeat 10]

The database is one `load_demo_data --models N` filled (benchmarks/load_and_render.py --keep leaves
one behind); it is migrated first, then used read-only except for the award, which runs inside a
transaction that is rolled back. Renders with django.test.Client (config.settings.dev, DEBUG off):
one cold request per line, then `--repeat` warm ones; reports p50/p95 and SQL queries per request.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from measure import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite file filled by load_demo_data")
    parser.add_argument("--repeat", type=int, default=10, help="warm requests per line (default 10)")
    parser.add_argument("--list-size", type=int, default=200, help="models in the timed nomination list")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.database).resolve()}"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from models_registry.certificates import certificate_pdf
    from models_registry.models import Commendation, PracticeModel, Unit
    from models_registry.services import commendations
    from models_registry.services.demo import REVIEWERS, ensure_groups

    setup_test_environment(debug=False)
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)

    print("machine:", machine())
    print(
        f"published models: {PracticeModel.objects.published().count():,}; "
        f"commendations: {Commendation.objects.count():,}; units: {Unit.objects.count():,}"
    )
    ward = Unit.objects.filter(depth=3, kind="commune").order_by("path").first()
    district = ward.get_parent()
    lines = [
        ("board, unfiltered", {}),
        ("board, page 40", {"page": "40"}),
        ("board, year", {"year": "2023"}),
        ("board, level + form", {"level": "thanh-pho", "form": "bang-khen"}),
        ("board, movement", {"movement": "chi-bo-bon-tot"}),
        (f"board, district {district.code}", {"unit": district.code}),
        (f"board, ward {ward.code} + year", {"unit": ward.code, "year": "2024"}),
        (
            "board, every filter",
            {"unit": district.code, "year": "2024", "level": "quan-huyen", "movement": "dan-van-kheo"},
        ),
    ]
    client = Client()
    print("\n| request | cold ms | warm p50 ms | warm p95 ms | SQL queries |\n| --- | ---: | ---: | ---: | ---: |")
    for label, query in lines:
        started = time.perf_counter()
        response = client.get("/bang-vinh-danh/", query)
        cold = time.perf_counter() - started
        assert response.status_code == 200, (label, response.status_code)
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get("/bang-vinh-danh/", query)
                timings.append(time.perf_counter() - started)
        figures = percentiles(timings)
        print(
            f"| {label} | {cold * 1000:.1f} | {figures['p50']:.1f} | {figures['p95']:.1f} | {len(queries.captured_queries)} |"
        )

    commendation = (
        Commendation.objects.filter(practice_model__live=True)
        .select_related("practice_model__unit", "practice_model__movement")
        .first()
    )
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        certificate_pdf(commendation=commendation, public_url="https://example.vn/dan-van-kheo/mo-hinh/")
        timings.append(time.perf_counter() - started)
    figures = percentiles(timings)
    print(f"| certificate PDF (in process) | — | {figures['p50']:.1f} | {figures['p95']:.1f} | 0 |")

    # A city reviewer commends a list of published models by a new decision, then it is rolled back.
    from django.contrib.auth import get_user_model

    from models_registry.models import UnitMembership

    class Rollback(Exception):
        pass

    reviewer, _created = get_user_model().objects.get_or_create(username="bench_reviewer")
    nominees = list(PracticeModel.objects.published().order_by("-id")[: args.list_size])
    timings, query_counts = [], []
    for attempt in range(3):
        try:
            with transaction.atomic():
                reviewer.groups.add(ensure_groups()[REVIEWERS])
                UnitMembership.objects.get_or_create(user=reviewer, unit=Unit.get_first_root_node(), role="reviewer")
                user = get_user_model().objects.get(pk=reviewer.pk)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    commendations.award_commendations(
                        user=user,
                        practice_models=nominees,
                        form="bang-khen",
                        level="thanh-pho",
                        decision_number=f"9{attempt}99/QĐ-BENCH",
                        decision_date=django.utils.timezone.localdate(),
                        issuing_body="Ủy ban nhân dân thành phố (benchmark)",
                    )
                    timings.append(time.perf_counter() - started)
                query_counts.append(len(queries.captured_queries))
                raise Rollback
        except Rollback:
            pass
    figures = percentiles(timings)
    print(
        f"| award a list of {len(nominees)} models (rolled back) | — | {figures['p50']:.1f} | "
        f"{figures['p95']:.1f} | {query_counts[-1]} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
