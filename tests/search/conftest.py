"""Search fixtures: every test taking `search_backend` runs once per backend.

`search_backend.name` is "database" or "elasticsearch"; after writing models, a test calls
`search_backend.sync()` so the backend sees them (the database index is written in the same
transaction already; Elasticsearch is fed from the outbox, which only drains after a commit that
test transactions never make). The Elasticsearch runs use an osmem-server clone (an in-memory
server speaking the Elasticsearch API, started once per test session), or the real cluster named
by ELASTICSEARCH_URL when it is set, with an index of its own per test.
"""

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from search.analysis import clear_synonym_cache


@dataclass
class BackendUnderTest:
    name: str
    sync: Callable[[], None]


@pytest.fixture(autouse=True)
def fresh_synonym_cache():
    # The cache outlives each test's rolled-back transaction: never let one test see another's list.
    clear_synonym_cache()
    yield
    clear_synonym_cache()


@pytest.fixture(scope="session")
def elasticsearch_server():
    """The URL of a server speaking the Elasticsearch API: the real cluster if configured, else osmem."""
    real = os.environ.get("ELASTICSEARCH_URL", "")
    if real:
        yield None
        return
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


@pytest.fixture
def elasticsearch(elasticsearch_server, settings):
    """Point the project at a fresh Elasticsearch index for one test; removed afterwards."""
    from search import elastic

    real = os.environ.get("ELASTICSEARCH_URL", "")
    clone = None
    if real:
        settings.ELASTICSEARCH_URL = real
    else:
        clone = elasticsearch_server.clone()
        settings.ELASTICSEARCH_URL = clone.url
    settings.ELASTICSEARCH_INDEX = f"test-practice-models-{uuid.uuid4().hex[:12]}"
    elastic.reset_client()
    elastic.ensure_index()
    url = settings.ELASTICSEARCH_URL
    yield url
    # A test may have pointed the project elsewhere (a closed port, a silent server): clean up ours.
    settings.ELASTICSEARCH_URL = url
    elastic.reset_client()
    try:
        elastic.delete_all_indices()
    finally:
        elastic.reset_client()
        if clone is not None:
            clone.close()


def _sync_elasticsearch() -> None:
    from search import elastic, tasks

    tasks.process_pending_updates()
    elastic.refresh_index()


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request, settings, db):
    if request.param == "database":
        settings.ELASTICSEARCH_URL = ""
        yield BackendUnderTest(name="database", sync=lambda: None)
        return
    request.getfixturevalue("elasticsearch")
    yield BackendUnderTest(name="elasticsearch", sync=_sync_elasticsearch)
