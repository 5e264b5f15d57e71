"""The two search backends and the choice between them.

The database backend (SQLite FTS5 or PostgreSQL full text) is always there and always kept in
step, inside the transaction that changes a model: it answers when Elasticsearch is not configured
and whenever Elasticsearch fails. The Elasticsearch backend answers when ELASTICSEARCH_URL is set.
"""

from functools import cache

from django.conf import settings


def elasticsearch_enabled() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


@cache
def database_backend():
    from .database import DatabaseBackend

    return DatabaseBackend()


def elasticsearch_backend():
    from .elasticsearch import ElasticsearchBackend

    return ElasticsearchBackend.from_settings()


def primary_backend():
    """The backend searches go to first: Elasticsearch when configured, else the database."""
    return elasticsearch_backend() if elasticsearch_enabled() else database_backend()
