"""gunicorn settings for the web container (compose.yaml); every value can be overridden by environment.

The web tier keeps no state of its own (sessions and the task queue live in PostgreSQL, media on a
shared volume or in object storage), so it scales by adding workers here or containers behind nginx.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the views are short database reads; long work goes to the task worker. 2 per core
# + 1: measured on 2 cores under 200 users with PostgreSQL on the same machine (benchmarks/RESULTS.md),
# 5 workers gave a public p95 of 636 ms against 969 ms with 9 (the database's own processes need the
# cores too). With the database elsewhere, or on SQLite, more workers help a cached page not to
# queue behind an editor's save (SQLite: 372-407 ms with 9-10 workers, 449-516 ms with 5):
# GUNICORN_WORKERS. About 150 MB each.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Exports stream every matching model (up to 100,000 rows): give them time, but not forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx is the only client; it sets X-Forwarded-For and X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Importing Django once in the master saves memory per worker.
preload_app = True
