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
