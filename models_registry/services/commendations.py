"""Commendation decisions: one model, or a whole nomination list at once, all or nothing.

A decision ("Quyết định số 123/QĐ-UBND ngày 15/12/2023 của UBND quận Cầu Giấy") is identified by
its issuing body, the year of its date and its number, compared case-, space- and
Unicode-insensitively: issuing bodies number their decisions afresh each year. The rows of one
decision share its number, date and body; a number that body already used that year for a
decision of another date is a duplicate, and a model is commended at most once by a decision.
Reviewers commend the published models of their units and of the units below them; city
editors and superusers commend any published model.

The schema has no unique constraint for a decision (the key is normalised text plus a year), so
the checks run inside the writing transaction: SQLite's IMMEDIATE transactions serialise writers,
and on PostgreSQL an advisory lock per decision does the same.
"""

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from wagtail.documents import get_document_model
from wagtail.log_actions import registry as log_registry
from wagtail.permissions import policy_registry

from .. import permissions
from ..models import Commendation, PracticeModel, Unit, UnitMembership
from ..signals import practice_models_bulk_changed

AWARD_ACTION = "models_registry.commendation.award"
ADD_PERMISSION = "models_registry.add_commendation"
CHANGE_PERMISSION = "models_registry.change_commendation"
# A nomination list is a meeting's worth of models, not the registry: beyond this, split the decision.
MAX_NOMINATIONS = 1000
_DIGITS = re.compile(r"[0-9]+")


# ---------------------------------------------------------------------------------------------
# Normalisation and the decision's identity


def clean_text(value: str) -> str:
    """The text as stored: Unicode NFC, single spaces, no spaces at the ends."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def comparison_key(value: str) -> str:
    """The text as compared: `clean_text`, case-folded ("QĐ-UBND" and "qđ-ubnd" are the same)."""
    return clean_text(value).casefold()


@dataclass(frozen=True)
class Decision:
    """What every row of one commendation decision shares."""

    form: str
    level: str
    decision_number: str
    decision_date: datetime.date
    issuing_body: str
    title: str = ""

    def cleaned(self) -> "Decision":
        return Decision(
            form=self.form,
            level=self.level,
            decision_number=clean_text(self.decision_number),
            decision_date=self.decision_date,
            issuing_body=clean_text(self.issuing_body),
            title=clean_text(self.title),
        )

    @property
    def key(self) -> tuple[str, int | None, str]:
        year = self.decision_date.year if self.decision_date else None
        return (comparison_key(self.issuing_body), year, comparison_key(self.decision_number))


@dataclass(frozen=True)
class Problem:
    """One reason an award is refused: the form field it belongs to (None: the whole form) and the message."""

    field: str | None
    message: str


@dataclass
class _ExistingDecision:
    date: datetime.date | None = None
    # A row with the same key but another date: the number is taken. Its spelling, as recorded.
    other_date: datetime.date | None = None
    other_number: str = ""
    other_body: str = ""
    model_ids: set[int] = field(default_factory=set)
    document_id: int | None = None


def _existing(decision: Decision, *, exclude_pk: int | None = None) -> _ExistingDecision:
    """The rows already recorded under this decision's (issuing body, year, number)."""
    found = _ExistingDecision()
    if not decision.decision_date or not decision.decision_number:
        return found
    year = decision.decision_date.year
    rows = Commendation.objects.filter(
        decision_date__gte=datetime.date(year, 1, 1), decision_date__lte=datetime.date(year, 12, 31)
    )
    # The digits of a number survive every normalisation: asking the database for rows whose number
    # contains them keeps the comparison below to a handful of rows instead of a year's decisions.
    digits = max(_DIGITS.findall(decision.decision_number), key=len, default="")
    if digits:
        rows = rows.filter(decision_number__contains=digits)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    key = decision.key
    for model_id, number, date, body, document_id in rows.order_by("id").values_list(
        "practice_model_id", "decision_number", "decision_date", "issuing_body", "decision_document_id"
    ):
        if (comparison_key(body), date.year, comparison_key(number)) != key:
            continue
        if date != decision.decision_date:
            if found.other_date is None:
                found.other_date, found.other_number, found.other_body = date, number, body
            continue
        found.date = date
        found.model_ids.add(model_id)
        found.document_id = found.document_id or document_id
    return found


# ---------------------------------------------------------------------------------------------
# Who may commend what


def commendable_scope(user) -> Q:
    """The practice models `user` may commend, as a filter: their reviewer units' and everything below."""
    scope = Q(pk__in=[])
    for membership in permissions.memberships(user):
        if membership.role == UnitMembership.Role.REVIEWER:
            unit = membership.unit
            if unit.depth == 1 and not Unit.objects.filter(depth=1).exclude(pk=unit.pk).exists():
                return Q()  # the only root holds every unit: no filter at all (as PracticeModel.objects.under)
            # The subtree's unit ids as a subquery: the models are then read off their unit index.
            scope |= Q(unit_id__in=Unit.objects.subtree(membership.unit).order_by().values("id"))
    return scope


def commendable_models(user, queryset=None):
    """The published practice models `user` may commend (every one for city editors and superusers)."""
    queryset = PracticeModel.objects.published() if queryset is None else queryset.filter(live=True)
    if not user.is_authenticated or not user.is_active or not user.has_perm(ADD_PERMISSION):
        return queryset.none()
    if permissions.is_unscoped(user):
        return queryset
    return queryset.filter(commendable_scope(user))


def can_commend(user, practice_model: PracticeModel) -> bool:
    """Whether `practice_model` is in `user`'s commendation scope (published or not: see the checks)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if permissions.is_unscoped(user):
        return True
    if practice_model.unit_id is None:
        return False
    path = practice_model.unit.path
    return any(
        membership.role == UnitMembership.Role.REVIEWER and path.startswith(membership.unit.path)
        for membership in permissions.memberships(user)
    )


def _model_name(user, practice_model: PracticeModel) -> str:
    # A model outside what the user may see is named by its id: its title is not theirs to learn.
    if permissions.can_view(user, practice_model) or practice_model.live:
        return f"“{practice_model.title}”"
    return gettext("no. %(id)s") % {"id": practice_model.pk}


# ---------------------------------------------------------------------------------------------
# The checks, shared by the services and the admin forms


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def decision_problems(decision: Decision, *, exclude_pk: int | None = None) -> tuple[list[Problem], _ExistingDecision]:
    """What is wrong with the decision itself (its date, its number), whatever the models."""
    problems = []
    today = timezone.localdate()
    if decision.decision_date and decision.decision_date > today:
        problems.append(
            Problem(
                "decision_date",
                gettext(
                    "The decision date %(date)s is in the future: enter the date the decision was signed, "
                    "today (%(today)s) at the latest."
                )
                % {"date": _date(decision.decision_date), "today": _date(today)},
            )
        )
    existing = _existing(decision, exclude_pk=exclude_pk)
    if existing.other_date is not None:
        problems.append(
            Problem(
                "decision_number",
                gettext(
                    "%(body)s already used the number %(number)s in %(year)s, for the decision of %(date)s: "
                    "one number cannot name two decisions. Check the number or the date."
                )
                % {
                    "body": existing.other_body,
                    "number": existing.other_number,
                    "year": decision.decision_date.year,
                    "date": _date(existing.other_date),
                },
            )
        )
    return problems, existing


def award_problems(
    *,
    user,
    practice_models: Sequence[PracticeModel],
    decision: Decision,
    exclude_pk: int | None = None,
) -> list[Problem]:
    """Every reason to refuse commending `practice_models` by `decision`; empty when it may go ahead.

    Rows are numbered from 1 in the order given, as the nomination list shows them.
    """
    decision = decision.cleaned()
    problems, existing = decision_problems(decision, exclude_pk=exclude_pk)
    if not practice_models:
        problems.append(Problem("practice_models", gettext("Choose at least one model to commend.")))
        return problems
    if len(practice_models) > MAX_NOMINATIONS:
        problems.append(
            Problem(
                "practice_models",
                gettext("A list may name at most %(max)s models; split the decision into several lists.")
                % {"max": MAX_NOMINATIONS},
            )
        )
        return problems
    single = len(practice_models) == 1
    field_name = "practice_model" if single else "practice_models"
    seen: dict[int, int] = {}
    for row, practice_model in enumerate(practice_models, start=1):
        name = _model_name(user, practice_model)
        if single:
            model = gettext("The model %(title)s") % {"title": name}
        else:
            model = gettext("Row %(row)s: the model %(title)s") % {"row": row, "title": name}
        message = None
        if practice_model.pk in seen:
            message = gettext("%(model)s is already in the list, at row %(row)s.") % {
                "model": model,
                "row": seen[practice_model.pk],
            }
        elif not can_commend(user, practice_model):
            message = gettext("%(model)s belongs to a unit you do not review: you cannot commend it.") % {
                "model": model
            }
        elif not practice_model.live:
            message = gettext("%(model)s is not published: only published models can be commended.") % {"model": model}
        elif practice_model.pk in existing.model_ids:
            message = gettext("%(model)s was already commended by decision %(number)s of %(date)s.") % {
                "model": model,
                "number": decision.decision_number,
                "date": _date(decision.decision_date),
            }
        seen.setdefault(practice_model.pk, row)
        if message:
            problems.append(Problem(field_name, message))
    return problems


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(
            [ValidationError(problem.message, code=problem.field or "invalid") for problem in problems]
        )


def _lock_decision(decision: Decision) -> None:
    """Serialise concurrent awards of one decision, so two reviewers cannot both pass the duplicate check."""
    if connection.vendor != "postgresql":
        return  # SQLite: the project opens every transaction IMMEDIATE, which serialises writers already
    digest = hashlib.blake2b(repr(decision.key).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _log_award(created: list[Commendation], *, user, decision: Decision) -> None:
    """One audit entry on each new commendation and one in each model's history, written in one insert.

    Wagtail's `log()` costs a few milliseconds an entry: seconds for a long list. The entries carry no
    shared action id (uuid): Wagtail's history shows only the latest entry of each (uuid, action)
    across all objects, which would hide every model's entry but the last one's.
    """
    timestamp = timezone.now()
    common = {
        "decision_number": decision.decision_number,
        "decision_date": decision.decision_date.isoformat(),
        "issuing_body": decision.issuing_body,
        "form": decision.form,
        "level": decision.level,
        "list_size": len(created),
    }
    entries = []
    for commendation in created:
        for instance in (commendation, commendation.practice_model):
            log_model = log_registry.get_log_model_for_instance(instance)
            entries.append(
                log_model(
                    content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
                    object_id=str(instance.pk),
                    label=log_model.objects.get_instance_title(instance),
                    action=AWARD_ACTION,
                    timestamp=timestamp,
                    user=user,
                    content_changed=True,
                    data={**common, "commendation": commendation.pk},
                )
            )
    entries[0].__class__.objects.bulk_create(entries)


def _check_document(user, document) -> None:
    if document is None:
        return
    policy = policy_registry.get_by_type(get_document_model())
    allowed = (
        policy.user_has_permission(user, "add")
        if document.pk is None
        else policy.user_has_any_permission_for_instance(user, ["choose", "change"], document)
    )
    if not allowed:
        raise PermissionDenied(gettext("You cannot use this document as the scanned decision."))


# ---------------------------------------------------------------------------------------------
# The services


def award_commendations(
    *,
    user: AbstractBaseUser,
    practice_models: Sequence[PracticeModel],
    form: str,
    level: str,
    decision_number: str,
    decision_date: datetime.date,
    issuing_body: str,
    title: str = "",
    decision_document=None,
) -> list[Commendation]:
    """Commend every model of a nomination list by one decision, or none of them if any row is refused.

    `decision_document` may be a new, unsaved Wagtail document (the uploaded scan): it is saved in
    the same transaction. Without one, a decision already on record lends its scan to the new rows.
    Raises PermissionDenied without the right to commend at all, ValidationError listing every
    refused row otherwise.
    """
    if not (user.is_authenticated and user.is_active and user.has_perm(ADD_PERMISSION)):
        raise PermissionDenied(gettext("You are not allowed to record commendations."))
    _check_document(user, decision_document)
    decision = Decision(
        form=form,
        level=level,
        decision_number=decision_number,
        decision_date=decision_date,
        issuing_body=issuing_body,
        title=title,
    ).cleaned()
    # Read every row's model afresh with its unit, in one query: whether it is published and where
    # it belongs are decided by the database, not by the instances handed in.
    fresh = PracticeModel.objects.select_related("unit").in_bulk([model.pk for model in practice_models])
    practice_models = [fresh.get(model.pk, model) for model in practice_models]

    stored_file = None
    try:
        with transaction.atomic():
            _lock_decision(decision)
            _raise(award_problems(user=user, practice_models=practice_models, decision=decision))
            rows = [
                Commendation(
                    practice_model=practice_model,
                    form=decision.form,
                    level=decision.level,
                    title=decision.title,
                    decision_number=decision.decision_number,
                    decision_date=decision.decision_date,
                    issuing_body=decision.issuing_body,
                )
                for practice_model in practice_models
            ]
            # The rows differ only by their model, checked above: validating one validates them all.
            rows[0].full_clean(exclude=["practice_model", "decision_document"])
            if decision_document is not None and decision_document.pk is None:
                if decision_document.uploaded_by_user_id is None:
                    decision_document.uploaded_by_user = user
                decision_document.save()
                stored_file = decision_document.file.name
            document_id = decision_document.pk if decision_document is not None else None
            if document_id is None:
                document_id = _existing(decision).document_id
            for commendation in rows:
                commendation.decision_document_id = document_id
            created = Commendation.objects.bulk_create(rows)
            _log_award(created, user=user, decision=decision)
            # bulk_create sends no post_save: tell the search indexes, as the other bulk writers do.
            practice_models_bulk_changed.send(sender=Commendation, ids=[m.pk for m in practice_models])
    except BaseException:
        # The file was written, then the database refused the document's row.
        if (
            stored_file is None
            and decision_document is not None
            and decision_document.pk is None
            and getattr(decision_document.file, "_committed", False)
            and decision_document.file.name
        ):
            stored_file = decision_document.file.name
        if stored_file:
            # The transaction rolled the document's row back; its file is not transactional.
            decision_document.file.storage.delete(stored_file)
        raise
    return created


def award_commendation(
    *,
    user: AbstractBaseUser,
    practice_model: PracticeModel,
    form: str,
    level: str,
    decision_number: str,
    decision_date: datetime.date,
    issuing_body: str,
    title: str = "",
    decision_document=None,
) -> Commendation:
    """Commend one published model of the reviewer's scope by a decision; refused like a one-row list."""
    return award_commendations(
        user=user,
        practice_models=[practice_model],
        form=form,
        level=level,
        decision_number=decision_number,
        decision_date=decision_date,
        issuing_body=issuing_body,
        title=title,
        decision_document=decision_document,
    )[0]
