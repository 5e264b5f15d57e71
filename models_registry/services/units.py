"""Placing units in the tree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Unit
from ..signals import unit_moved


@transaction.atomic
def add_unit(*, unit: Unit, parent: Unit | None) -> Unit:
    """Save a new unit under `parent` (or as a root); codes are unique across the whole tree."""
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Unit.add_root(instance=unit)
    parent.refresh_from_db()
    return parent.add_child(instance=unit)


@transaction.atomic
def move_unit(*, unit: Unit, parent: Unit | None) -> Unit:
    """Hang `unit` (and everything below it) under `parent`; a unit cannot move below itself."""
    current_parent = unit.get_parent()
    if (current_parent and parent and current_parent.pk == parent.pk) or (current_parent is None and parent is None):
        return unit
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
    if parent is None:
        unit.move(Unit.get_last_root_node(), "last-sibling")
    else:
        parent.refresh_from_db()
        unit.move(parent, "last-child")
    unit.refresh_from_db()
    unit_moved.send(sender=Unit, unit=unit)
    return unit
