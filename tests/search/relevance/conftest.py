"""The relevance corpus, imported once per module through the real import services.

Importing 126 models with their revisions takes a few seconds, so the corpus is written once, in a
transaction held open for the whole module and rolled back at its end; each test runs inside it
(pytest-django's per-test transaction becomes a savepoint) and sees the same rows.

The database index is written inside the import's transaction. Elasticsearch is fed from the outbox,
and the outbox is only written while ELASTICSEARCH_URL is set, which is per test (each
Elasticsearch test gets an index of its own): `corpus_in_backend` announces every corpus model as
changed, as the import does, once the backend under test is configured, then syncs the backend.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

import pytest

from models_registry.models import PracticeModel
from models_registry.services.imports import import_models, import_units
from search.indexing import practice_models_changed

HERE = Path(__file__).resolve().parent
UNITS_CSV = HERE / "units.csv"
CORPUS_CSV = HERE / "corpus.csv"


@dataclass(frozen=True)
class Corpus:
    ids: dict[str, int]  # external_id -> primary key

    @property
    def external_ids(self) -> dict[int, str]:
        return {pk: external_id for external_id, pk in self.ids.items()}


@pytest.fixture(scope="module")
def relevance_corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            units = import_units(source=UNITS_CSV)
            assert units.ok, units.errors
            models = import_models(source=CORPUS_CSV, publish=True)
            assert models.ok, models.errors
            ids = dict(PracticeModel.objects.published().values_list("external_id", "pk"))
            assert len(ids) == models.created
            yield Corpus(ids=ids)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def corpus_in_backend(relevance_corpus, search_backend):
    """The corpus, visible to the backend under test."""
    if search_backend.name == "elasticsearch":
        practice_models_changed(relevance_corpus.ids.values())
    search_backend.sync()
    return relevance_corpus
