"""State changes of the emulation cycle: cycles, registrations, scores, nominations, activity checks.

Each function checks who may act, validates everything before it writes anything (a refusal leaves
the database as it was), writes inside one transaction and leaves an entry in the history of the
practice model concerned. Views, admin screens, commands and tests all call these functions.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from models_registry import permissions
from models_registry.models import FIRST_YEAR, CommendationForm, PracticeModel, RecognitionLevel

from . import selectors
from .models import ActivityCheck, Criterion, Cycle, Evaluation, EvaluationResult, Registration, Score

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
THRESHOLD_FIELDS = ("excellent_threshold", "good_threshold", "pass_threshold")


def format_day(value: datetime.date) -> str:
    return date_format(value, "d/m/Y")


def format_number(value: Decimal) -> str:
    """1.234,5 style, without trailing zeros: 25 → "25", 7.5 → "7,5"."""
    normalised = value.normalize()
    places = max(0, -normalised.as_tuple().exponent)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def score_field_name(criterion: Criterion) -> str:
    """The key under which a criterion's errors are reported (and the scoring form's field name)."""
    return f"criterion_{criterion.pk}"


# --- Result rules ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreValue:
    """A score as the result rules read it: a Score row's values, read in bulk for reports."""

    criterion: Criterion
    reviewer_id: int | None
    value: Decimal | None
    passed: bool | None

    @property
    def criterion_id(self) -> int:
        return self.criterion.pk


@dataclass(frozen=True)
class CriterionOutcome:
    """One criterion's scores over every reviewer who scored it."""

    criterion: Criterion
    reviewer_count: int
    average: Decimal | None = None  # points criteria: the mean of the reviewers' points
    met_count: int = 0  # pass/fail criteria: how many reviewers found it met
    met: bool | None = None  # pass/fail criteria: met by more than half of them


@dataclass(frozen=True)
class ResultSummary:
    """An evaluation's scores brought together, and the result that follows from the cycle's rules."""

    outcomes: list[CriterionOutcome]
    reviewer_count: int
    total: Decimal | None  # the weighted total of the mean points
    maximum: Decimal  # the weighted maximum of the criteria scored
    percent: Decimal | None  # total / maximum, in %, two decimals
    result: str  # an EvaluationResult value, or "" before any score
    unmet_conditions: list[Criterion]

    def outcome_for(self, criterion: Criterion) -> CriterionOutcome | None:
        return next((o for o in self.outcomes if o.criterion.pk == criterion.pk), None)


def compute_result(*, cycle: Cycle, scores: Iterable[Score | ScoreValue]) -> ResultSummary:
    """The result of an evaluation from all its scores, by the cycle's rules.

    Points are averaged over the reviewers who scored each criterion and weighted; the total as a
    share of the weighted maximum gives “excellent”, “good” or “passed” from the cycle's thresholds,
    and below the “passed” threshold “not passed”. A pass/fail criterion is met when more than half
    of its reviewers found it met; any criterion not met makes the result “not passed” whatever the
    points. With pass/fail criteria only, meeting them all is “passed”.
    """
    by_criterion: dict[int, list[Score | ScoreValue]] = defaultdict(list)
    criteria: dict[int, Criterion] = {}
    reviewers = set()
    for score in scores:
        by_criterion[score.criterion_id].append(score)
        criteria[score.criterion_id] = score.criterion
        reviewers.add(score.reviewer_id)
    if not by_criterion:
        return ResultSummary([], 0, None, Decimal("0"), None, "", [])

    outcomes, unmet = [], []
    total, maximum = Decimal("0"), Decimal("0")
    for criterion in sorted(criteria.values(), key=lambda c: (c.sort_order or 0, c.pk)):
        own = by_criterion[criterion.pk]
        if criterion.is_weighted:
            values = [s.value for s in own if s.value is not None]
            average = sum(values, Decimal("0")) / len(values) if values else Decimal("0")
            total += criterion.weight * average
            maximum += criterion.weighted_maximum
            outcomes.append(CriterionOutcome(criterion, len(own), average=average.quantize(CENT, ROUND_HALF_UP)))
        else:
            met_count = sum(1 for s in own if s.passed)
            met = met_count * 2 > len(own)
            if not met:
                unmet.append(criterion)
            outcomes.append(CriterionOutcome(criterion, len(own), met_count=met_count, met=met))

    percent = (total / maximum * HUNDRED).quantize(CENT, ROUND_HALF_UP) if maximum else None
    if unmet:
        result = EvaluationResult.FAILED
    elif percent is None:
        result = EvaluationResult.PASSED
    elif percent >= cycle.excellent_threshold:
        result = EvaluationResult.EXCELLENT
    elif percent >= cycle.good_threshold:
        result = EvaluationResult.GOOD
    elif percent >= cycle.pass_threshold:
        result = EvaluationResult.PASSED
    else:
        result = EvaluationResult.FAILED
    return ResultSummary(
        outcomes=outcomes,
        reviewer_count=len(reviewers),
        total=total.quantize(CENT, ROUND_HALF_UP) if maximum else None,
        maximum=maximum,
        percent=percent,
        result=str(result),
        unmet_conditions=unmet,
    )


def _store_result(evaluation: Evaluation, *, now: datetime.datetime) -> ResultSummary:
    summary = compute_result(cycle=evaluation.cycle, scores=evaluation.scores.select_related("criterion"))
    evaluation.result = summary.result
    evaluation.score_percent = summary.percent
    evaluation.reviewer_count = summary.reviewer_count
    evaluation.evaluated_at = now
    if evaluation.nominated and not evaluation.is_nominable:
        # A nomination rests on the result: a model re-scored below "passed" is no longer proposed.
        evaluation.nominated = False
    evaluation.save()
    return summary


# --- Cycles ------------------------------------------------------------------------------------


@transaction.atomic
def save_cycle(*, cycle: Cycle, user: AbstractBaseUser, today: datetime.date | None = None) -> Cycle:
    """Create or change a cycle; its results are recomputed when its thresholds change, which is refused
    once its evaluation has closed (the results are on record by then)."""
    action = "change" if cycle.pk else "add"
    if not user.has_perm(f"emulation.{action}_cycle"):
        raise PermissionDenied(_("You cannot change emulation cycles."))
    cycle.full_clean()
    previous = Cycle.objects.filter(pk=cycle.pk).first() if cycle.pk else None
    thresholds_changed = False
    if previous is not None:
        if previous.movement_id != cycle.movement_id and previous.registrations.exists():
            raise ValidationError(
                {"movement": _("Models are already registered to this cycle: its movement can no longer change.")}
            )
        thresholds_changed = any(getattr(previous, name) != getattr(cycle, name) for name in THRESHOLD_FIELDS)
        if (
            thresholds_changed
            and previous.evaluation_is_closed(today or selectors.today())
            and previous.evaluations.exclude(result="").exists()
        ):
            raise ValidationError(
                {
                    "excellent_threshold": _(
                        "The evaluation of this cycle closed on %(date)s: its results are on record and its "
                        "thresholds can no longer change."
                    )
                    % {"date": format_day(previous.evaluation_deadline)}
                }
            )
    cycle.save()
    log(instance=cycle, action="wagtail.edit" if previous else "wagtail.create", user=user)
    if thresholds_changed:
        now = timezone.now()
        for evaluation in cycle.evaluations.exclude(result="").select_related("cycle"):
            _store_result(evaluation, now=now)
    return cycle


# --- Registration ------------------------------------------------------------------------------


def _check_registration_window(cycle: Cycle, day: datetime.date) -> None:
    state = cycle.registration_state(day)
    if state == Cycle.RegistrationState.UPCOMING:
        raise ValidationError(
            _("Registration for “%(cycle)s” opens on %(date)s.")
            % {"cycle": cycle.name, "date": format_day(cycle.registration_opens)},
            code="registration_not_open",
        )
    if state == Cycle.RegistrationState.CLOSED:
        raise ValidationError(
            _("Registration for “%(cycle)s” closed on %(date)s.")
            % {"cycle": cycle.name, "date": format_day(cycle.registration_closes)},
            code="registration_closed",
        )


@transaction.atomic
def register_practice_models(
    *,
    cycle: Cycle,
    practice_models: Sequence[PracticeModel],
    user: AbstractBaseUser,
    today: datetime.date | None = None,
) -> list[Registration]:
    """Register a unit's models to a cycle inside its registration window, each once; all of them or none."""
    if not practice_models:
        raise ValidationError(_("Choose at least one model to register."), code="empty")
    _check_registration_window(cycle, today or selectors.today())
    ids = [practice_model.pk for practice_model in practice_models]
    editable = set(permissions.editable_practice_models(user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(editable) != len(set(ids)):
        raise PermissionDenied(_("You can register only the models of your own units."))
    already = set(
        Registration.objects.filter(cycle=cycle, practice_model_id__in=ids).values_list("practice_model_id", flat=True)
    )
    errors = []
    for practice_model in practice_models:
        if practice_model.movement_id != cycle.movement_id:
            errors.append(
                _("“%(model)s” belongs to another movement than “%(cycle)s”.")
                % {"model": practice_model.title, "cycle": cycle.name}
            )
        elif practice_model.pk in already:
            errors.append(
                _("“%(model)s” is already registered for “%(cycle)s”.")
                % {"model": practice_model.title, "cycle": cycle.name}
            )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    registrations = []
    for practice_model in practice_models:
        registration = Registration(cycle=cycle, practice_model=practice_model, registered_by=user, registered_at=now)
        registration.full_clean()
        registration.save()
        Evaluation.objects.create(cycle=cycle, practice_model=practice_model)
        log(
            instance=practice_model,
            action="emulation.register",
            user=user,
            data={"cycle": {"id": cycle.pk, "name": cycle.name}},
        )
        registrations.append(registration)
    return registrations


def register_practice_model(
    *, cycle: Cycle, practice_model: PracticeModel, user: AbstractBaseUser, today: datetime.date | None = None
) -> Registration:
    """Register one model to a cycle inside its registration window (see register_practice_models)."""
    return register_practice_models(cycle=cycle, practice_models=[practice_model], user=user, today=today)[0]


def _withdrawal_refusal(*, cycle: Cycle, evaluation: Evaluation | None, day: datetime.date) -> ValidationError | None:
    """Why a registration to `cycle` can no longer be withdrawn, or None if it still can."""
    state = cycle.registration_state(day)
    if state == Cycle.RegistrationState.CLOSED:
        return ValidationError(
            _("Registration for “%(cycle)s” closed on %(date)s: its registrations can no longer be withdrawn.")
            % {"cycle": cycle.name, "date": format_day(cycle.registration_closes)},
            code="registration_closed",
        )
    if state == Cycle.RegistrationState.UPCOMING:
        # Only when the window was moved after the model was registered: wait until it opens again.
        return ValidationError(
            _("Registration for “%(cycle)s” opens on %(date)s: registrations can be withdrawn from then on.")
            % {"cycle": cycle.name, "date": format_day(cycle.registration_opens)},
            code="registration_not_open",
        )
    if evaluation is None:
        return None
    if evaluation.nominated:
        return ValidationError(
            _("The model is nominated for a commendation: its registration cannot be withdrawn."), code="nominated"
        )
    # A result is only ever stored from scores; both are checked so that no reviewer's work is lost.
    if evaluation.result or evaluation.scores.exists():
        return ValidationError(_("The model has been scored: its registration cannot be withdrawn."), code="scored")
    return None


def _check_may_withdraw(registration: Registration, user: AbstractBaseUser) -> None:
    # The same rule as registering: the officers of the model's units (and those acting for every unit).
    if not permissions.editable_practice_models(user).filter(pk=registration.practice_model_id).exists():
        raise PermissionDenied(_("You can withdraw only the registrations of your own units' models."))


def check_withdrawal(
    *, registration: Registration, user: AbstractBaseUser, today: datetime.date | None = None
) -> None:
    """Raise the refusal `withdraw_registration` would give now, changing nothing (the confirmation step asks
    only when the answer can be yes)."""
    _check_may_withdraw(registration, user)
    evaluation = Evaluation.objects.filter(
        cycle_id=registration.cycle_id, practice_model_id=registration.practice_model_id
    ).first()
    refusal = _withdrawal_refusal(cycle=registration.cycle, evaluation=evaluation, day=today or selectors.today())
    if refusal is not None:
        raise refusal


@transaction.atomic
def withdraw_registration(
    *, registration: Registration, user: AbstractBaseUser, today: datetime.date | None = None
) -> None:
    """Take back a model's registration to a cycle, with its still empty evaluation, while the registration window
    is open and before any reviewer has scored or nominated it; only those who may register the model may."""
    _check_may_withdraw(registration, user)
    cycle = registration.cycle
    # Lock the evaluation first, as score_evaluation does: a reviewer scoring at this very moment either finishes
    # before (and the withdrawal is refused) or finds the evaluation gone.
    evaluation = (
        Evaluation.objects.select_for_update()
        .filter(cycle_id=registration.cycle_id, practice_model_id=registration.practice_model_id)
        .first()
    )
    refusal = _withdrawal_refusal(cycle=cycle, evaluation=evaluation, day=today or selectors.today())
    if refusal is not None:
        raise refusal
    deleted, _by_model = Registration.objects.filter(pk=registration.pk).delete()
    if not deleted:
        # Withdrawn by someone else in the meantime (two officers of the unit, or a second click).
        raise ValidationError(_("This registration has already been withdrawn."), code="already_withdrawn")
    if evaluation is not None:
        evaluation.delete()
    log(
        instance=registration.practice_model,
        action="emulation.withdraw_registration",
        user=user,
        data={"cycle": {"id": cycle.pk, "name": cycle.name}},
    )


# --- Scoring -----------------------------------------------------------------------------------

ScoreInput = Decimal | int | float | str | bool | None


def _clean_points(criterion: Criterion, raw: ScoreInput) -> tuple[Decimal | None, str | None]:
    """The points as a Decimal, or the message saying what is wrong with them."""
    maximum = format_number(criterion.max_score)
    if raw is None or raw == "" or isinstance(raw, bool):
        return None, _("Enter the points for “%(criterion)s”, from 0 to %(maximum)s.") % {
            "criterion": criterion.name,
            "maximum": maximum,
        }
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return None, _("The points for “%(criterion)s” must be a number from 0 to %(maximum)s.") % {
            "criterion": criterion.name,
            "maximum": maximum,
        }
    if value < 0 or value > criterion.max_score:
        return None, _(
            "The points for “%(criterion)s” must be between 0 and %(maximum)s; %(value)s is out of range."
        ) % {
            "criterion": criterion.name,
            "maximum": maximum,
            "value": format_number(value),
        }
    if value != value.quantize(CENT):
        return None, _("The points for “%(criterion)s” may have at most two decimal places.") % {
            "criterion": criterion.name
        }
    return value, None


def score_evaluation(
    *,
    evaluation: Evaluation,
    reviewer: AbstractBaseUser,
    scores: Mapping[Criterion, ScoreInput],
    today: datetime.date | None = None,
) -> ResultSummary:
    """Record all of one reviewer's scores for an evaluation at once, up to the cycle's evaluation deadline:
    every criterion in use scored and in range, or nothing saved. The stored result follows."""
    if not selectors.may_score(user=reviewer, practice_model=evaluation.practice_model):
        raise PermissionDenied(_("You cannot score the models of this unit."))
    cycle = evaluation.cycle
    if cycle.evaluation_is_closed(today or selectors.today()):
        raise ValidationError(
            _("The evaluation of “%(cycle)s” closed on %(date)s: scores can no longer change.")
            % {"cycle": cycle.name, "date": format_day(cycle.evaluation_deadline)},
            code="evaluation_closed",
        )
    criteria = selectors.criteria_in_use(movement_id=cycle.movement_id)
    if not criteria:
        raise ValidationError(_("This movement has no criteria in use: an administrator must add them first."))
    given = {criterion.pk: value for criterion, value in scores.items()}
    errors: dict[str, list[str]] = {}
    unknown = set(given) - {criterion.pk for criterion in criteria}
    if unknown:
        errors["__all__"] = [_("Some of the scores are for criteria that are not in use for this movement.")]
    cleaned: dict[int, tuple[Decimal | None, bool | None]] = {}
    for criterion in criteria:
        raw = given.get(criterion.pk)
        if criterion.is_weighted:
            value, message = _clean_points(criterion, raw)
            if message:
                errors[score_field_name(criterion)] = [message]
            cleaned[criterion.pk] = (value, None)
        elif isinstance(raw, bool):
            cleaned[criterion.pk] = (None, raw)
        else:
            errors[score_field_name(criterion)] = [
                _("Say whether “%(criterion)s” is met.") % {"criterion": criterion.name}
            ]
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    with transaction.atomic():
        # One reviewer at a time recomputes an evaluation's result (a row lock on PostgreSQL; SQLite
        # serialises writers already).
        locked = (
            Evaluation.objects.select_for_update()
            .select_related("cycle", "practice_model")
            .filter(pk=evaluation.pk)
            .first()
        )
        if locked is None:  # withdrawn by the unit while the reviewer was scoring
            raise ValidationError(_("This registration has just been withdrawn: there is nothing left to score."))
        existing = {score.criterion_id: score for score in locked.scores.filter(reviewer=reviewer)}
        for criterion in criteria:
            value, passed = cleaned[criterion.pk]
            score = existing.get(criterion.pk) or Score(evaluation=locked, reviewer=reviewer, criterion=criterion)
            score.value, score.passed, score.scored_at = value, passed, now
            score.full_clean()
            score.save()
        summary = _store_result(locked, now=now)
        log(
            instance=locked.practice_model,
            action="emulation.score",
            user=reviewer,
            data={
                "cycle": {"id": cycle.pk, "name": cycle.name},
                "result": summary.result,
                "percent": str(summary.percent) if summary.percent is not None else None,
            },
        )
    # The caller's copy shows the stored result too.
    evaluation.refresh_from_db()
    return summary


def evaluation_summary(*, evaluation: Evaluation) -> ResultSummary:
    """The evaluation's current scores brought together by its cycle's rules (what the stored result says)."""
    return compute_result(cycle=evaluation.cycle, scores=selectors.evaluation_scores(evaluation=evaluation))


# --- Nomination --------------------------------------------------------------------------------


@transaction.atomic
def nominate(*, evaluation: Evaluation, user: AbstractBaseUser, form: str, level: str, note: str = "") -> Evaluation:
    """Propose an evaluated model for a commendation, with its form and level; only “passed” or better."""
    if not selectors.may_score(user=user, practice_model=evaluation.practice_model):
        raise PermissionDenied(_("You cannot nominate the models of this unit."))
    if not evaluation.is_nominable:
        raise ValidationError(
            _("Only a model evaluated as passed or better can be nominated; “%(model)s” is “%(result)s”.")
            % {
                "model": evaluation.practice_model.title,
                "result": evaluation.get_result_display() if evaluation.result else _("not evaluated yet"),
            },
            code="not_nominable",
        )
    errors = {}
    if form not in CommendationForm.values:
        errors["proposed_form"] = _("Choose the proposed commendation form.")
    if level not in RecognitionLevel.values:
        errors["proposed_level"] = _("Choose the level of the proposed commendation.")
    if errors:
        raise ValidationError(errors)
    evaluation.nominated = True
    evaluation.proposed_form = form
    evaluation.proposed_level = level
    evaluation.nomination_note = note.strip()
    evaluation.nominated_by = user
    evaluation.nominated_at = timezone.now()
    evaluation.full_clean()
    evaluation.save()
    log(
        instance=evaluation.practice_model,
        action="emulation.nominate",
        user=user,
        data={"cycle": {"id": evaluation.cycle_id, "name": evaluation.cycle.name}, "form": form, "level": level},
    )
    return evaluation


@transaction.atomic
def withdraw_nomination(*, evaluation: Evaluation, user: AbstractBaseUser) -> Evaluation:
    """Take a model off the list proposed for commendation (the evaluation itself stays)."""
    if not selectors.may_score(user=user, practice_model=evaluation.practice_model):
        raise PermissionDenied(_("You cannot nominate the models of this unit."))
    if evaluation.nominated:
        evaluation.nominated = False
        evaluation.save(update_fields=["nominated"])
        log(
            instance=evaluation.practice_model,
            action="emulation.withdraw_nomination",
            user=user,
            data={"cycle": {"id": evaluation.cycle_id, "name": evaluation.cycle.name}},
        )
    return evaluation


# --- Activity checks ---------------------------------------------------------------------------


@transaction.atomic
def record_activity_check(
    *,
    practice_model: PracticeModel,
    user: AbstractBaseUser,
    year: int,
    is_active: bool,
    note: str = "",
    today: datetime.date | None = None,
) -> ActivityCheck:
    """Record a year's answer to “is this model still active?”; a second answer the same year replaces the first."""
    if not permissions.can_view(user, practice_model):
        raise PermissionDenied(_("You cannot answer for the models of this unit."))
    current_year = (today or selectors.today()).year
    first_year = max(FIRST_YEAR, practice_model.year or FIRST_YEAR)
    if not first_year <= year <= current_year:
        raise ValidationError(
            {
                "year": _("The year of the check must be between %(first)s and %(last)s.")
                % {"first": first_year, "last": current_year}
            }
        )
    check = ActivityCheck.objects.filter(practice_model=practice_model, year=year).first() or ActivityCheck(
        practice_model=practice_model, year=year
    )
    check.is_active = is_active
    check.note = note.strip()
    check.checked_by = user
    check.checked_at = timezone.now()
    check.full_clean()
    check.save()
    log(
        instance=practice_model,
        action="emulation.activity_check",
        user=user,
        data={"year": year, "is_active": is_active},
    )
    return check
