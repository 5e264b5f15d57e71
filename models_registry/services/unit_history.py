"""Recording changes to the unit tree (renames, merges, splits, moves) and applying them, all or nothing."""

import datetime
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from search.text import normalise_spaces

from ..models import PracticeModel, Unit, UnitChange, UnitChangeKind, UnitChangeLink
from ..selectors import successions
from ..signals import units_succeeded
from .units import move_unit

RECORD_PERMISSION = "models_registry.add_unitchange"
LOG_ACTION = "models_registry.unit_change"


def _distinct(units: Iterable[Unit]) -> list[Unit]:
    """The units in the order given, each once, read afresh (names, paths and parents may have moved on)."""
    seen: dict[int, Unit] = {}
    for unit in units:
        if unit is not None and unit.pk not in seen:
            seen[unit.pk] = unit
    fresh = Unit.objects.in_bulk(list(seen))
    return [fresh[pk] for pk in seen if pk in fresh]


def _names(units: Sequence[Unit]) -> str:
    return ", ".join(f"“{unit.name}”" for unit in units)


def _earlier_units(unit_ids: Iterable[int]) -> set[int]:
    """Every unit that is, through recorded changes, a predecessor of one of `unit_ids` (transitively)."""
    edges: dict[int, set[int]] = {}
    for succession in successions():
        edges.setdefault(succession.successor_id, set()).add(succession.predecessor_id)
    found: set[int] = set()
    pending = list(unit_ids)
    while pending:
        for predecessor in edges.get(pending.pop(), ()):
            if predecessor not in found:
                found.add(predecessor)
                pending.append(predecessor)
    return found


def _validate(
    *,
    kind: str,
    effective_date: datetime.date | None,
    predecessors: list[Unit],
    successors: list[Unit],
    new_name: str,
    new_parent: Unit | None,
) -> dict[str, str]:
    """Every reason the change cannot be recorded, by form field; empty when it can."""
    errors: dict[str, str] = {}
    if kind not in UnitChangeKind.values:
        errors["kind"] = _("Choose what kind of change this is.")
        return errors
    if effective_date is None:
        errors["effective_date"] = _("Enter the date the change takes effect.")
    elif effective_date > timezone.localdate():
        errors["effective_date"] = _("The effective date cannot be in the future: record the change once it applies.")
    if not predecessors:
        errors["predecessors"] = _("Choose the unit or units as they were before the change.")
        return errors

    if kind == UnitChangeKind.RENAME:
        if len(predecessors) != 1 or (successors and [u.pk for u in successors] != [predecessors[0].pk]):
            errors["predecessors"] = _("A rename concerns exactly one unit.")
        elif not new_name:
            errors["new_name"] = _("Enter the unit's new name.")
        elif new_name == predecessors[0].name:
            errors["new_name"] = _("The new name is the unit's present name.")
        return errors

    if kind == UnitChangeKind.MOVE:
        if successors and {u.pk for u in successors} != {u.pk for u in predecessors}:
            errors["successors"] = _("A move keeps the same units: leave the units after the change empty.")
        if new_parent is not None and not new_parent.is_active:
            errors["new_parent"] = _("“%(unit)s” no longer exists: choose an active unit.") % {"unit": new_parent.name}
        for unit in predecessors:
            parent = unit.get_parent()
            if new_parent is not None and new_parent.path.startswith(unit.path):
                errors["new_parent"] = _("A unit cannot be placed below itself.")
            elif (parent.pk if parent else None) == (new_parent.pk if new_parent else None):
                errors["predecessors"] = _("“%(unit)s” already hangs there.") % {"unit": unit.name}
        return errors

    if kind == UnitChangeKind.MERGE:
        if len(successors) != 1:
            errors["successors"] = _("A merge has exactly one unit after the change: the unit the others became.")
            return errors
        if not [unit for unit in predecessors if unit.pk != successors[0].pk]:
            errors["predecessors"] = _("Choose at least one unit, other than the resulting one, that was merged.")
            return errors
    if kind == UnitChangeKind.SPLIT:
        if len(predecessors) != 1:
            errors["predecessors"] = _("A split has exactly one unit before the change: the unit that was divided.")
            return errors
        if not [unit for unit in successors if unit.pk != predecessors[0].pk]:
            errors["successors"] = _("Choose the units the divided unit became.")
            return errors
    inactive = [unit for unit in successors if not unit.is_active]
    if inactive:
        errors["successors"] = _("%(units)s no longer exist: a change cannot result in them.") % {
            "units": _names(inactive)
        }
        return errors
    # A unit that is already, through earlier changes, a predecessor of one before this change
    # cannot come out of it: each unit would then count the other's models and its own twice over.
    earlier = _earlier_units(unit.pk for unit in predecessors)
    looping = [unit for unit in successors if unit.pk in earlier]
    if looping:
        errors["successors"] = _("%(units)s already preceded the units before this change.") % {
            "units": _names(looping)
        }
    return errors


def _link(change: UnitChange, unit: Unit, role: str) -> UnitChangeLink:
    link = UnitChangeLink(change=change, unit=unit, role=role, name=unit.name, parent=unit.get_parent(update=True))
    link.full_clean()
    return link


@transaction.atomic
def record_unit_change(
    *,
    kind: str,
    effective_date: datetime.date | None,
    predecessors: Iterable[Unit],
    successors: Iterable[Unit] = (),
    new_name: str = "",
    new_parent: Unit | None = None,
    legal_basis: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> UnitChange:
    """Record a dated change to the unit tree and apply it; only users who may record unit changes can.

    - rename: one unit takes `new_name`; the old name stays in the record, and the unit's models that
      did not know their unit's name at submission get the old one;
    - merge: the predecessors become one successor (which may be one of them); the others are
      deactivated;
    - split: one predecessor becomes several successors (it may remain one of them); otherwise it is
      deactivated;
    - move (reorganisation): the units, with everything below them, hang under `new_parent` (or at the
      top when None), e.g. communes whose district was abolished in 2025.

    Successors must already exist (create new units first). Bad input raises ValidationError keyed
    by argument, with nothing changed.
    """
    if user is not None and not user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied(_("You cannot record changes to units."))
    predecessors = _distinct(predecessors)
    successors = _distinct(successors)
    new_name = normalise_spaces(new_name or "")
    if new_parent is not None:
        new_parent.refresh_from_db()
    errors = _validate(
        kind=kind,
        effective_date=effective_date,
        predecessors=predecessors,
        successors=successors,
        new_name=new_name,
        new_parent=new_parent,
    )
    if errors:
        raise ValidationError(errors)

    change = UnitChange(
        kind=kind,
        effective_date=effective_date,
        legal_basis=normalise_spaces(legal_basis or ""),
        note=(note or "").strip(),
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    change.full_clean()
    change.save()
    links = [_link(change, unit, UnitChangeLink.Role.PREDECESSOR) for unit in predecessors]
    affected = list(predecessors)

    if kind == UnitChangeKind.RENAME:
        unit = predecessors[0]
        old_name = unit.name
        unit.name = new_name
        unit.full_clean(exclude=["path", "depth", "numchild"])
        unit.save()  # the search receivers re-index the subtree, which carries the name
        # Models created in bulk (imports, demo data) were filed without the name: it was this one.
        PracticeModel.objects.filter(unit=unit, submitted_unit_name="").update(submitted_unit_name=old_name)
        successors = [unit]
    elif kind == UnitChangeKind.MOVE:
        successors = [move_unit(unit=unit, parent=new_parent) for unit in predecessors]
    else:
        remaining = {unit.pk for unit in successors}
        ceasing = [unit.pk for unit in predecessors if unit.pk not in remaining]
        # The search index holds no activity flag: a plain UPDATE needs no re-indexing.
        Unit.objects.filter(pk__in=ceasing).update(is_active=False)
        affected += [unit for unit in successors if unit.pk not in {u.pk for u in predecessors}]

    links += [_link(change, unit, UnitChangeLink.Role.SUCCESSOR) for unit in successors]
    UnitChangeLink.objects.bulk_create(links)
    if kind in {UnitChangeKind.MERGE, UnitChangeKind.SPLIT}:
        # The predecessors' models now count for the successors too: the search index follows.
        units_succeeded.send(sender=UnitChange, units=predecessors)

    log(instance=change, action="wagtail.create", user=user, content_changed=True)
    data = {"change_id": change.pk, "kind": kind, "summary": _summary(links)}
    for unit in affected:
        log(instance=unit, action=LOG_ACTION, user=user, data=data)
    return change


def _summary(links: list[UnitChangeLink]) -> str:
    before = ", ".join(link.name for link in links if link.role == UnitChangeLink.Role.PREDECESSOR)
    after = ", ".join(link.name for link in links if link.role == UnitChangeLink.Role.SUCCESSOR)
    return f"{before} → {after}"


@transaction.atomic
def update_unit_change(
    *,
    change: UnitChange,
    effective_date: datetime.date,
    legal_basis: str,
    note: str,
    user: AbstractBaseUser | None = None,
) -> UnitChange:
    """Correct a recorded change's date, legal basis or note; what it did to the units stays as it is."""
    if user is not None and not user.has_perm("models_registry.change_unitchange"):
        raise PermissionDenied(_("You cannot record changes to units."))
    if effective_date is not None and effective_date > timezone.localdate():
        raise ValidationError(
            {"effective_date": _("The effective date cannot be in the future: record the change once it applies.")}
        )
    change.effective_date = effective_date
    change.legal_basis = normalise_spaces(legal_basis or "")
    change.note = (note or "").strip()
    change.full_clean()
    change.save()
    log(instance=change, action="wagtail.edit", user=user, content_changed=True)
    return change


@transaction.atomic
def save_unit_edit(
    *,
    unit: Unit,
    parent: Unit | None,
    effective_date: datetime.date | None = None,
    legal_basis: str = "",
    user: AbstractBaseUser | None = None,
) -> Unit:
    """Save a unit edited in the Units screen (`unit` carries the edited fields, unsaved).

    A new name or a new parent is not written over the old one: it is recorded as a dated rename or
    move through `record_unit_change`, so the unit's history stays complete whichever screen is used.
    The other fields (code, kind, activity, description) are saved as they are. Bad input raises
    ValidationError keyed by argument (`name` for the unit's name), with nothing changed.
    """
    stored = Unit.objects.get(pk=unit.pk)
    new_name = normalise_spaces(unit.name or "")
    stored_parent = stored.get_parent(update=True)
    renamed = new_name != stored.name
    moved = (parent.pk if parent else None) != (stored_parent.pk if stored_parent else None)
    if (renamed or moved) and user is not None and not user.has_perm(RECORD_PERMISSION):
        raise ValidationError(
            {
                "name" if renamed else "parent": _(
                    "Renaming or moving a unit is recorded in the unit history, which you cannot record: "
                    "ask an administrator."
                )
            }
        )
    effective_date = effective_date or timezone.localdate()
    unit.name = stored.name  # the rename below records the new one
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    keys = {"new_name": "name", "new_parent": "parent", "predecessors": "parent" if moved else "name"}
    try:
        if renamed:
            record_unit_change(
                kind=UnitChangeKind.RENAME,
                effective_date=effective_date,
                predecessors=[unit],
                new_name=new_name,
                legal_basis=legal_basis,
                user=user,
            )
        if moved:
            record_unit_change(
                kind=UnitChangeKind.MOVE,
                effective_date=effective_date,
                predecessors=[unit],
                new_parent=parent,
                legal_basis=legal_basis,
                user=user,
            )
    except ValidationError as error:
        raise ValidationError(
            {keys.get(key, key): messages for key, messages in error.message_dict.items()}
        ) from error
    return Unit.objects.get(pk=unit.pk)
