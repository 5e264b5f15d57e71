"""Keep the cached synonym groups in step with the Synonym table."""

from django.db import transaction

from .analysis import clear_synonym_cache


def synonyms_changed(sender, **kwargs) -> None:
    # Clear now for this process and again after commit, so a search running between the save
    # and the commit cannot cache the old list for the whole cache period.
    clear_synonym_cache()
    transaction.on_commit(clear_synonym_cache)
