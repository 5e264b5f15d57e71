"""Signal receivers: they keep the synonym cache and the search indexes in step, nothing else."""

from django.db import transaction

from . import vocabulary
from .analysis import clear_synonym_cache
from .indexing import practice_models_changed, unit_subtree_changed, vocabulary_changed


def synonyms_changed(sender, **kwargs) -> None:
    # Clear now for this process and again after commit, so a search running between the save
    # and the commit cannot cache the old list for the whole cache period.
    clear_synonym_cache()
    transaction.on_commit(clear_synonym_cache)


def practice_model_published(sender, instance, search_indexed=False, **kwargs) -> None:
    # Bulk imports index their models in one pass before they announce each publication.
    if not search_indexed:
        practice_models_changed([instance.pk])


def practice_model_deleted(sender, instance, **kwargs) -> None:
    practice_models_changed([instance.pk])


def practice_models_bulk_changed(sender, ids, **kwargs) -> None:
    practice_models_changed(ids)


def commendation_changed(sender, instance, **kwargs) -> None:
    practice_models_changed([instance.practice_model_id])


def unit_saved(sender, instance, created, raw=False, **kwargs) -> None:
    # A new unit has no models yet; a saved one may have been renamed.
    if raw:
        return
    if not created:
        unit_subtree_changed(instance)
    names_changed(sender)


def unit_moved(sender, unit, **kwargs) -> None:
    unit_subtree_changed(unit)
    names_changed(sender)


def units_succeeded(sender, units, **kwargs) -> None:
    for unit in units:
        unit_subtree_changed(unit)
    names_changed(sender)


def names_changed(sender, raw=False, **kwargs) -> None:
    # A unit, field or movement was added, renamed, moved or removed: the facet labels and filter
    # checks read them from search.vocabulary, which the new token makes every process reload.
    if raw:
        return
    vocabulary_changed()
    vocabulary.clear()
    transaction.on_commit(vocabulary.clear)
