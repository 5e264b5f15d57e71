"""Signals the registry sends where Django's own do not fire, so the search index can keep in step.

Bulk writes (demo data, imports) skip `save()`, and treebeard moves a subtree with one UPDATE:
the services that do so send these instead.
"""

from django.dispatch import Signal

# Sent with `ids`: the practice models written in bulk (created, updated, published or unpublished).
practice_models_bulk_changed = Signal()

# Sent with `unit`: a unit that moved in the tree, together with every unit below it.
unit_moved = Signal()

# Sent with `units`: the predecessors of a recorded merge or split. Their models now also count for
# the successors (statistics, the search's unit filter and facet), so their index entries change.
units_succeeded = Signal()


# Receivers: the open-data files follow every change to what they publish (open_data.py). Each only
# asks for a regeneration after the transaction commits; the work itself is a background task.


def open_data_changed(sender, **kwargs) -> None:
    from .open_data import refresh_after_commit

    refresh_after_commit()


def open_data_unit_saved(sender, instance, created, raw=False, **kwargs) -> None:
    # A new unit has no published models yet; a renamed one changes the files' unit names.
    if not created and not raw:
        open_data_changed(sender)


def replication_changed(sender, search_indexed=False, **kwargs) -> None:
    # A model published, unpublished or deleted may change how many units run its original.
    # Bulk writes announce their models in one practice_models_bulk_changed first (search_indexed):
    # the counts were reconciled then, once, not once per model.
    if search_indexed:
        return
    from .services.replication import sync_replication_counts

    sync_replication_counts()


def connect_receivers() -> None:
    """Connect the registry's own receivers; called from the app config's ready()."""
    from django.db.models.signals import post_delete, post_save

    from wagtail.signals import published, unpublished

    from .models import Commendation, PracticeModel, Unit

    published.connect(open_data_changed, sender=PracticeModel, dispatch_uid="open_data.published")
    unpublished.connect(open_data_changed, sender=PracticeModel, dispatch_uid="open_data.unpublished")
    post_delete.connect(open_data_changed, sender=PracticeModel, dispatch_uid="open_data.deleted")
    post_save.connect(open_data_changed, sender=Commendation, dispatch_uid="open_data.commendation.save")
    post_delete.connect(open_data_changed, sender=Commendation, dispatch_uid="open_data.commendation.delete")
    post_save.connect(open_data_unit_saved, sender=Unit, dispatch_uid="open_data.unit.save")
    practice_models_bulk_changed.connect(open_data_changed, dispatch_uid="open_data.bulk")
    published.connect(replication_changed, sender=PracticeModel, dispatch_uid="replication.published")
    unpublished.connect(replication_changed, sender=PracticeModel, dispatch_uid="replication.unpublished")
    post_delete.connect(replication_changed, sender=PracticeModel, dispatch_uid="replication.deleted")
    practice_models_bulk_changed.connect(replication_changed, dispatch_uid="replication.bulk")
