"""Keeping both search indexes in step with the registry.

The database index is updated at once, inside the transaction that changed the model: it is part
of the same database, so it can never drift and a listing read right after a publish shows it.
Elasticsearch is updated after the transaction commits, by a background task (search.tasks) that
works from an outbox table written in the same transaction, so a change is never lost when
Elasticsearch is down: the task retries, and `search_index repair` catches up with whatever is left.
"""

from collections.abc import Iterable

from models_registry.models import PracticeModel, Unit

from .backends import database_backend, elasticsearch_enabled


def practice_models_changed(ids: Iterable[int]) -> None:
    """Refresh these models in both indexes: published ones are (re)indexed, the others removed."""
    ids = sorted({int(pk) for pk in ids if pk is not None})
    if not ids:
        return
    database_backend().update_index(ids)
    if elasticsearch_enabled():
        from .tasks import queue_elasticsearch_update

        queue_elasticsearch_update(ids)


def unit_subtree_changed(unit: Unit) -> None:
    """A unit was renamed or moved: the models of its whole subtree carry its name and path."""
    ids = PracticeModel.objects.published().under(unit).order_by().values_list("pk", flat=True)
    practice_models_changed(ids)


def vocabulary_changed() -> None:
    """A unit, field or movement changed: a new index token, so every process reads the names
    (search.vocabulary) and the cached listings afresh."""
    database_backend().bump_token()


def rebuild_database_index(progress=None) -> int:
    """Rebuild the database index from the published models; returns how many were indexed."""
    return database_backend().rebuild_index(progress=progress)
