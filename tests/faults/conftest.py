"""Fault fixtures: an Elasticsearch process of the test's own to kill or freeze, a database that
refuses writes (Django's `connection.execute_wrapper`), a media storage whose disk is full.

The Elasticsearch here is always an osmem-server process started for one test (as tests/search
starts its session server), never the shared one nor a real cluster: the test kills it with
SIGKILL (it comes back empty, on the same address, like a node that lost its data) or freezes it
with SIGSTOP (requests hang until they time out; SIGCONT brings it back with its data).
"""

import errno
import os
import signal
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection

import pytest

from search import elastic
from search.analysis import clear_synonym_cache
from search.services import reset_circuit_breaker

# The officer, their saved draft, image and document, from the bad-input tests.
from tests.models_registry.test_bad_input import officer, officer_client, root_collection, saved  # noqa: F401

WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class ElasticsearchProcess:
    """One osmem-server process: kill and restart it on the same address, or freeze and thaw it."""

    def __init__(self):
        from osmem_server import OsmemServer

        self._start = OsmemServer.start
        self.server = self._start(japanese=False)
        self.address = urlsplit(self.server.url).netloc
        self.frozen = False

    @property
    def url(self) -> str:
        return self.server.url

    def kill(self) -> None:
        """SIGKILL: connections are refused until `restart()`, and everything it held is gone."""
        self.thaw()
        self.server.process.kill()
        self.server.process.wait(timeout=30)

    def restart(self) -> None:
        self.server = self._start(japanese=False, addr=self.address)

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted, never answered, until `thaw()`."""
        os.kill(self.server.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.frozen:
            os.kill(self.server.process.pid, signal.SIGCONT)
            self.frozen = False

    def close(self) -> None:
        self.thaw()
        self.server.close(grace=1.0)


@pytest.fixture(autouse=True)
def fresh_search_state():
    clear_synonym_cache()
    reset_circuit_breaker()
    yield
    clear_synonym_cache()
    reset_circuit_breaker()


@pytest.fixture
def es_process(settings, db):
    """The project pointed at an Elasticsearch process of this test's own, with an empty index."""
    process = ElasticsearchProcess()
    settings.ELASTICSEARCH_URL = process.url
    settings.ELASTICSEARCH_INDEX = f"faults-{uuid.uuid4().hex[:12]}"
    # A frozen server costs each maintenance request this long, not the production 30 s.
    settings.ELASTICSEARCH_INDEXING_TIMEOUT = 2.0
    elastic.reset_client()
    elastic.ensure_index()
    yield process
    elastic.reset_client()
    process.close()


@contextmanager
def database_refusing_writes(message: str = "database is locked", *, tables: tuple[str, ...] = ()):
    """Every INSERT, UPDATE and DELETE (only those on `tables`, if given) fails as the database would.

    The error is raised at the point where Django hands the SQL to the driver, so the statement
    never runs: the database is left exactly as a refusing server would leave it.
    """
    refused: list[str] = []

    def refuse(execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(WRITE_STATEMENTS) and (not tables or any(f'"{table}"' in sql for table in tables)):
            refused.append(sql)
            raise OperationalError(message)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield refused


class FullDiskStorage(FileSystemStorage):
    """The media folder on a disk with no space left: every new file is refused with ENOSPC."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path(name))


@pytest.fixture
def full_disk(settings):
    """Switch the default storage (images, documents) to a full disk; `full_disk.off()` frees it."""
    original = settings.STORAGES

    class Switch:
        def on(self):
            settings.STORAGES = {**original, "default": {"BACKEND": "tests.faults.conftest.FullDiskStorage"}}

        def off(self):
            settings.STORAGES = original

    switch = Switch()
    switch.on()
    yield switch
    switch.off()
