"""Flagging likely duplicates and deciding on them: link, merge or keep apart.

Detection is models_registry.duplicates (read-only); this module stores what it finds as
`DuplicateFlag` rows (one per pair, in either order) and carries out the officer's decision on a
flag. Each decision checks permission, changes everything in one transaction and goes into the
audit log of the models it touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from modelcluster.models import get_serializable_data_for_fields
from wagtail.actions.unpublish import UnpublishAction
from wagtail.log_actions import log
from wagtail.models import Revision, WorkflowState

from search.text import fold_key

from .. import permissions
from ..duplicates import Match, find_twins, story_text
from ..models import (
    Commendation,
    DuplicateFlag,
    PracticeModel,
    PracticeModelAttachment,
    PracticeModelImage,
    Unit,
)
from ..signals import practice_models_bulk_changed

LINK_ACTION = "models_registry.duplicate.link"
MERGE_ACTION = "models_registry.duplicate.merge"
KEEP_APART_ACTION = "models_registry.duplicate.keep_apart"


def existing_pairs(pks: Iterable[int]) -> dict[frozenset, str]:
    """The flagged pairs that involve any of `pks`, with their status."""
    pks = sorted(set(pks))
    pairs: dict[frozenset, str] = {}
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        rows = DuplicateFlag.objects.filter(Q(practice_model_id__in=chunk) | Q(twin_id__in=chunk)).values_list(
            "practice_model_id", "twin_id", "status"
        )
        pairs.update({frozenset((first, second)): status for first, second, status in rows})
    return pairs


def store_flags(pairs: Iterable[tuple[int, Match]]) -> list[DuplicateFlag]:
    """Record (newcomer pk, match) pairs not flagged before, in either order; returns the new flags."""
    pairs = [(pk, match) for pk, match in pairs if match.twin.pk is not None and match.twin.pk != pk]
    if not pairs:
        return []
    known = set(existing_pairs({pk for pk, _match in pairs}))
    new = []
    for pk, match in pairs:
        key = frozenset((pk, match.twin.pk))
        if key in known:
            continue
        known.add(key)
        new.append(DuplicateFlag(practice_model_id=pk, twin_id=match.twin.pk, score=match.score, reason=match.reason))
    # A flag raised meanwhile by someone else's save is a conflict to ignore, not an error.
    DuplicateFlag.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return new


def flag_practice_model(*, practice_model: PracticeModel, user=None) -> list[DuplicateFlag]:
    """Flag the likely twins of a model just saved in the admin; returns the flags raised now.

    Pairs flagged before (open, linked, merged or kept apart) are not flagged again; with a `user`
    only twins that user may see, or published ones, are considered.
    """
    if practice_model.pk is None:
        return []
    matches = find_twins(practice_model=practice_model, user=user)
    decided = {
        pair for pair, status in existing_pairs([practice_model.pk]).items() if status != DuplicateFlag.Status.OPEN
    }
    matches = [match for match in matches if frozenset((practice_model.pk, match.twin.pk)) not in decided]
    with transaction.atomic():
        return store_flags((practice_model.pk, match) for match in matches)


def open_flags_for(practice_model: PracticeModel):
    """The open flags a model takes part in, as newcomer or as twin."""
    return (
        DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN)
        .filter(Q(practice_model=practice_model) | Q(twin=practice_model))
        .select_related("practice_model__unit", "twin__unit")
    )


def actionable_flags(user):
    """The open flags `user` may decide on: those whose flagged model the user may edit."""
    editable = permissions.editable_practice_models(user).order_by().values("pk")
    return (
        DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN, practice_model_id__in=editable)
        .select_related("practice_model__unit", "practice_model__movement", "twin__unit", "twin__movement")
        .order_by("-score", "-created_at", "-pk")
    )


def can_decide(user, flag: DuplicateFlag) -> bool:
    return permissions.can_act(user, "change", flag.practice_model)


def twin_visible(user, flag: DuplicateFlag) -> bool:
    """Whether `user` may learn the twin's title: published, or within the user's units."""
    return flag.twin.live or permissions.can_view(user, flag.twin)


# ---------------------------------------------------------------------------------------------
# Decisions


def _lock_open_flag(flag: DuplicateFlag) -> DuplicateFlag:
    locked = DuplicateFlag.objects.select_for_update().filter(pk=flag.pk).first()
    if locked is None or locked.status != DuplicateFlag.Status.OPEN:
        raise ValidationError(_("This pair has already been decided on."))
    return locked


def _close(flag: DuplicateFlag, *, status: str, user) -> None:
    flag.status = status
    flag.decided_by = user
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])


def _label(practice_model: PracticeModel) -> str:
    return (
        f"{practice_model.external_id} – {practice_model.title}"
        if practice_model.external_id
        else practice_model.title
    )


def _patch_revisions(practice_model: PracticeModel, change) -> None:
    """Apply `change(content)` to the model's latest and live revisions.

    The fields set here (the earlier record, moved photos and attachments) are part of the
    model's content, which travels in its revisions: without this, publishing the pending draft,
    or reverting to the live version, would undo the decision.
    """
    ids = {practice_model.latest_revision_id, practice_model.live_revision_id} - {None}
    for revision in Revision.objects.select_for_update().filter(pk__in=ids):
        change(revision.content)
        revision.save(update_fields=["content"])


def _set_previous_record(later: PracticeModel, earlier: PracticeModel) -> None:
    PracticeModel.objects.filter(pk=later.pk).update(previous_record=earlier)

    def change(content):
        content["previous_record"] = earlier.pk

    _patch_revisions(later, change)


def link_records(*, flag: DuplicateFlag, user) -> PracticeModel:
    """Link a flagged pair as records of one model in different years: the later one points at the earlier.

    The user must be able to edit the later record and see the earlier one; both must be of
    different years, and the later one must not already continue another record.
    """
    with transaction.atomic():
        flag = _lock_open_flag(flag)
        first, second = (
            PracticeModel.objects.select_for_update().select_related("unit").get(pk=pk)
            for pk in (flag.practice_model_id, flag.twin_id)
        )
        if first.year == second.year:
            raise ValidationError(
                _("Both models are of %(year)s: records of one model in different years must be of different years.")
                % {"year": first.year}
            )
        earlier, later = sorted((first, second), key=lambda model: model.year)
        if not (permissions.can_act(user, "change", later) and (earlier.live or permissions.can_view(user, earlier))):
            raise PermissionDenied(_("You may not link these models."))
        if later.previous_record_id and later.previous_record_id != earlier.pk:
            raise ValidationError(
                _("“%(later)s” already continues another earlier record; change it in the model's editor.")
                % {"later": later.title}
            )
        _set_previous_record(later, earlier)
        _close(flag, status=DuplicateFlag.Status.LINKED, user=user)
        log(
            instance=later,
            action=LINK_ACTION,
            user=user,
            data={"earlier": {"id": earlier.pk, "title": _label(earlier), "year": earlier.year}},
        )
    later.refresh_from_db()
    return later


def keep_apart(*, flag: DuplicateFlag, user) -> DuplicateFlag:
    """Record that a flagged pair are different models; the pair is never flagged again."""
    with transaction.atomic():
        flag = _lock_open_flag(flag)
        if not can_decide(user, flag):
            raise PermissionDenied(_("You may not decide on this pair."))
        _close(flag, status=DuplicateFlag.Status.KEPT_APART, user=user)
        log(
            instance=flag.practice_model,
            action=KEEP_APART_ACTION,
            user=user,
            data={"twin": {"id": flag.twin_id, "title": _label(flag.twin)}},
        )
    return flag


def _has_emulation_records(practice_model: PracticeModel) -> bool:
    return (
        practice_model.emulation_registrations.exists()
        or practice_model.evaluations.exists()
        or practice_model.activity_checks.exists()
    )


def _move_commendations(newcomer: PracticeModel, twin: PracticeModel) -> int:
    held = {
        (fold_key(number), fold_key(body))
        for number, body in twin.commendations.values_list("decision_number", "issuing_body")
    }
    moving = [
        pk
        for pk, number, body in newcomer.commendations.values_list("pk", "decision_number", "issuing_body")
        if (fold_key(number), fold_key(body)) not in held
    ]
    return Commendation.objects.filter(pk__in=moving).update(practice_model=twin)


def _move_children(newcomer: PracticeModel, twin: PracticeModel, model, key: str, relation: str) -> list:
    """Move the newcomer's photos (or attachments) the twin lacks onto the twin, after the twin's own."""
    held = set(getattr(twin, relation).values_list(key, flat=True))
    moving = [child for child in getattr(newcomer, relation).all() if getattr(child, key) not in held]
    order = (getattr(twin, relation).aggregate(last=Max("sort_order"))["last"] or 0) + 1
    for position, child in enumerate(moving):
        child.practice_model_id = twin.pk
        child.sort_order = order + position
    model.objects.bulk_update(moving, ["practice_model", "sort_order"])
    return moving


def merge_into_twin(*, flag: DuplicateFlag, user) -> PracticeModel:
    """Merge a flagged model into its twin: a true duplicate. All or nothing.

    The twin gains the newcomer's commendations, photos and attachments it lacks (and its model
    code, when it has none); the newcomer is then deleted if it was never published, or withdrawn
    from publication with its revisions kept. The user must be able to edit both models, and
    withdrawing a published model needs the right to publish. A model already entered in an
    emulation cycle is not merged.
    """
    with transaction.atomic():
        flag = _lock_open_flag(flag)
        newcomer = PracticeModel.objects.select_for_update().select_related("unit").get(pk=flag.practice_model_id)
        twin = PracticeModel.objects.select_for_update().select_related("unit").get(pk=flag.twin_id)
        if not (permissions.can_act(user, "change", newcomer) and permissions.can_act(user, "change", twin)):
            raise PermissionDenied(_("Merging needs the right to edit both models."))
        if newcomer.live and not permissions.can_act(user, "publish", newcomer):
            raise PermissionDenied(
                _("“%(title)s” is published: only an administrator may withdraw it by merging.")
                % {"title": newcomer.title}
            )
        if _has_emulation_records(newcomer):
            raise ValidationError(
                _(
                    "“%(title)s” is entered in an emulation cycle (registration, scores or yearly check): "
                    "it cannot be merged away. Link the two or keep them apart."
                )
                % {"title": newcomer.title}
            )
        moved_commendations = _move_commendations(newcomer, twin)
        photos = _move_children(newcomer, twin, PracticeModelImage, "image_id", "gallery_images")
        attachments = _move_children(newcomer, twin, PracticeModelAttachment, "document_id", "attachments")

        def add_children(content):
            for relation, children in (("gallery_images", photos), ("attachments", attachments)):
                content.setdefault(relation, []).extend(get_serializable_data_for_fields(child) for child in children)

        if photos or attachments:
            _patch_revisions(twin, add_children)
        # Later records and adoptions of the newcomer now continue the twin.
        PracticeModel.objects.filter(previous_record=newcomer, year__gt=twin.year).update(previous_record=twin)
        PracticeModel.objects.filter(replicated_from=newcomer).exclude(unit_id=twin.unit_id).update(
            replicated_from=twin
        )
        content_type = ContentType.objects.get_for_model(PracticeModel)
        for state in WorkflowState.objects.active().filter(base_content_type=content_type, object_id=str(newcomer.pk)):
            state.cancel(user=user)
        details = {
            "merged": {"id": newcomer.pk, "title": _label(newcomer), "year": newcomer.year},
            "commendations": moved_commendations,
            "photos": len(photos),
            "attachments": len(attachments),
        }
        external_id = newcomer.external_id
        if newcomer.first_published_at is None and not newcomer.live:
            log(instance=newcomer, action="wagtail.delete", user=user)
            newcomer.delete()  # the flag goes with it; the twin's audit log keeps the merge
            details["deleted"] = True
            if external_id and not twin.external_id:
                # Importing the same spreadsheet again now updates the twin instead of re-creating the duplicate.
                _take_external_id(twin, external_id)
        else:
            if newcomer.live:
                UnpublishAction(newcomer, user=user).execute()
            _close(flag, status=DuplicateFlag.Status.MERGED, user=user)
            log(
                instance=newcomer,
                action=MERGE_ACTION,
                user=user,
                data={"twin": {"id": twin.pk, "title": _label(twin)}},
            )
        log(instance=twin, action=MERGE_ACTION, user=user, data=details)
        practice_models_bulk_changed.send(sender=PracticeModel, ids=[twin.pk])
    twin.refresh_from_db()
    return twin


def _take_external_id(twin: PracticeModel, external_id: str) -> None:
    twin.external_id = external_id
    PracticeModel.objects.filter(pk=twin.pk).update(external_id=external_id, search_text=twin.build_search_text())

    def change(content):
        content["external_id"] = external_id

    _patch_revisions(twin, change)


# ---------------------------------------------------------------------------------------------
# Imports

MAX_IMPORT_WARNINGS = 200


class ImportDuplicates:
    """What an import's rows look like: their likely twins, and the earlier records new rows continue.

    Built once per import (`check_import`) from one candidate index over every unit group the
    rows touch; the preview shows `warnings`, the real run stores the flags (`store`) after writing.
    """

    def __init__(self):
        self.warnings: list[str] = []
        self.links: dict[str, int] = {}  # external id of a new row -> pk of the earlier record it continues
        self.matches: list[tuple[str, Match]] = []  # (external id of the row, match)
        self.flagged_rows = 0

    def apply_links(self, creates) -> None:
        """Point each new model that continues an earlier record at it (set before the rows are written)."""
        for item, _instance in creates:
            earlier = self.links.get(item.external_id)
            if earlier is not None:
                item.values["previous_record_id"] = earlier

    def store(self, pks_by_external_id: dict[str, int]) -> list[DuplicateFlag]:
        """Store the flags once the rows are written and every new model has its pk."""
        pairs = []
        for external_id, match in self.matches:
            pk = pks_by_external_id.get(external_id)
            twin_pk = match.twin.pk or pks_by_external_id.get(match.twin.external_id or "")
            if pk is None or twin_pk is None:
                continue
            if match.twin.pk is None:
                match = Match(twin=replace(match.twin, pk=twin_pk), score=match.score, reason=match.reason)
            pairs.append((pk, match))
        return store_flags(pairs)


def _row_text(item, instance: PracticeModel | None) -> str:
    if item.values.get("summary"):
        return item.values["summary"]
    if "story" in item.values:
        return " ".join(item.values["story"])
    if instance is not None and "summary" not in item.values:
        return instance.summary or story_text(instance.story)
    return ""


def _twin_words(match: Match, units: dict[int, str], rows: dict[str, int]) -> str:
    twin = match.twin
    if twin.pk is None:
        return _("row %(row)s of this file (%(code)s “%(title)s”)") % {
            "row": rows.get(twin.external_id or "", "?"),
            "code": twin.external_id,
            "title": twin.title,
        }
    return _("%(code)s “%(title)s” (%(unit)s, %(year)s)") % {
        "code": twin.external_id or f"#{twin.pk}",
        "title": twin.title,
        "unit": units.get(twin.unit_id, ""),
        "year": twin.year,
    }


def check_import(*, creates, updates, user=None) -> ImportDuplicates:
    """Find the likely twins of an import's new and changed rows, and the earlier records new rows continue.

    A new row with the same title, unit and movement as a record of an earlier year continues the
    latest such record (it is linked, not flagged), unless a record of that title exists for its
    own year. Rows are checked in file order, each against the registry and the rows before it.
    Pairs already decided on (linked, merged, kept apart) are not raised again.
    """
    from ..duplicates import CandidateIndex, Entry, Fingerprint, describe_reason, earlier_record

    found = ImportDuplicates()
    rows = sorted(
        [(item, None) for item, _instance in creates] + [(item, instance) for item, instance in updates],
        key=lambda pair: pair[0].number,
    )
    if not rows:
        return found
    index = CandidateIndex.build(unit_ids={item.unit.pk for item, _instance in rows}, user=user)
    related = {pk for group in index.related.values() for pk in group}
    units = dict(Unit.objects.filter(pk__in=related).values_list("pk", "name"))
    decided = {
        pair
        for pair, status in existing_pairs(instance.pk for _item, instance in rows if instance is not None).items()
        if status != DuplicateFlag.Status.OPEN
    }
    row_numbers = {item.external_id: item.number for item, _instance in rows}
    for item, instance in rows:
        values = item.values
        title = values.get("title") or (instance.title if instance else "")
        entry = Entry(
            pk=instance.pk if instance else None,
            external_id=item.external_id,
            title=title,
            unit_id=item.unit.pk,
            movement_id=values.get("movement_id"),
            year=values.get("year"),
            live=False,
            fingerprint=Fingerprint.of(title=title, text=_row_text(item, instance)),
            previous_record_id=instance.previous_record_id if instance else None,
            replicated_from_id=instance.replicated_from_id if instance else None,
        )
        matches = [
            match
            for match in index.matches(entry)
            if entry.pk is None or frozenset((entry.pk, match.twin.pk)) not in decided
        ]
        earlier = earlier_record(entry, matches) if instance is None else None
        if earlier is not None:
            found.links[item.external_id] = earlier.pk
            entry.previous_record_id = earlier.pk
            # The other records of that title in the unit are the same model's other years, not duplicates.
            matches = [match for match in matches if not match.is_same_title_same_unit]
            found.warnings.append(
                _("Row %(row)s (%(code)s): linked to the record of %(year)s: %(twin)s.")
                % {
                    "row": item.number,
                    "code": item.external_id,
                    "year": earlier.year,
                    "twin": _twin_words(Match(twin=earlier, score=1.0, reason=""), units, row_numbers),
                }
            )
        if matches:
            found.flagged_rows += 1
            found.matches += [(item.external_id, match) for match in matches]
            best = matches[0]
            if found.flagged_rows <= MAX_IMPORT_WARNINGS:
                found.warnings.append(
                    _("Row %(row)s (%(code)s) looks like %(twin)s: %(reason)s, %(score)s%% alike.")
                    % {
                        "row": item.number,
                        "code": item.external_id,
                        "twin": _twin_words(best, units, row_numbers),
                        "reason": describe_reason(best.reason),
                        "score": round(best.score * 100),
                    }
                )
        if instance is None:
            index.add(entry)
    if found.flagged_rows > MAX_IMPORT_WARNINGS:
        found.warnings.append(
            _("%(count)s more rows look like models already in the registry: see “Possible duplicates”.")
            % {"count": found.flagged_rows - MAX_IMPORT_WARNINGS}
        )
    return found
