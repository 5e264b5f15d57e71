"""Reads of the emulation cycle that depend on who asks: what an officer may register, what a reviewer
may score and report on, a model's evaluation history, the models due for their yearly activity check.

Scopes come from the registry's unit memberships (models_registry/permissions.py): officers act for
their units' models, reviewers for the models of the units below theirs, administrators and city
editors (`manage_every_unit`) for every model.
"""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from models_registry import permissions
from models_registry.models import PracticeModel, Unit, UnitMembership

from .models import NOMINABLE_RESULTS, ActivityCheck, Criterion, Cycle, Evaluation, Registration, Score


def today() -> datetime.date:
    """Today in the site's time zone (Asia/Ho_Chi_Minh): the day every window and deadline is compared with."""
    return timezone.localdate()


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def has_role(user, role: str) -> bool:
    """Whether `user` holds `role` in some unit, or acts for every unit."""
    if not _active(user):
        return False
    return permissions.is_unscoped(user) or any(m.role == role for m in permissions.memberships(user))


def is_officer(user) -> bool:
    return has_role(user, UnitMembership.Role.OFFICER)


def is_reviewer(user) -> bool:
    return has_role(user, UnitMembership.Role.REVIEWER)


def scorable_models(user) -> QuerySet[PracticeModel]:
    """The models `user` may score and nominate: those of the units below the units they review."""
    if not _active(user):
        return PracticeModel.objects.none()
    if permissions.is_unscoped(user):
        return PracticeModel.objects.all()
    return PracticeModel.objects.filter(permissions.reviewer_scope(user))


def may_score(*, user, practice_model: PracticeModel) -> bool:
    return scorable_models(user).filter(pk=practice_model.pk).exists()


def scorable_evaluations(*, user, cycle: Cycle | None = None) -> QuerySet[Evaluation]:
    """The evaluations `user` may score, with what their listing shows."""
    evaluations = Evaluation.objects.select_related("cycle", "cycle__movement", "practice_model__unit")
    if not _active(user):
        return evaluations.none()
    if not permissions.is_unscoped(user):
        evaluations = evaluations.filter(practice_model__in=scorable_models(user).order_by().values("pk"))
    if cycle is not None:
        evaluations = evaluations.filter(cycle=cycle)
    return evaluations


def registrable_models(*, user, cycle: Cycle) -> QuerySet[PracticeModel]:
    """The models `user` may register to `cycle`: their units' models of its movement, not registered yet."""
    return (
        permissions.editable_practice_models(user)
        .filter(movement_id=cycle.movement_id)
        .exclude(pk__in=Registration.objects.filter(cycle=cycle).values("practice_model_id"))
        .select_related("unit")
    )


def editable_registrations(user) -> QuerySet[Registration]:
    """Every registration of a model `user` may edit (their units' models), in any cycle."""
    return Registration.objects.filter(
        practice_model__in=permissions.editable_practice_models(user).values("pk")
    ).select_related("cycle__movement", "practice_model__unit", "registered_by")


def registrations_for(*, user, cycle: Cycle) -> QuerySet[Registration]:
    """The registrations of `cycle` for the models `user` may edit (their units' models), each marked
    `evaluated` once scored, rated or nominated (see services.withdraw_registration)."""
    evaluated = Evaluation.objects.filter(cycle=OuterRef("cycle"), practice_model=OuterRef("practice_model")).filter(
        Q(nominated=True) | ~Q(result="") | Q(scores__isnull=False)
    )
    return (
        editable_registrations(user)
        .filter(cycle=cycle)
        .annotate(evaluated=Exists(evaluated))
        .order_by("practice_model__title")
    )


def cycles_for_registration(*, on: datetime.date | None = None) -> list[Cycle]:
    """The cycles an officer is shown: those whose registration is open or still to come, then the last closed
    one per movement (so that the screen can say when it closed)."""
    day = on or today()
    cycles = list(
        Cycle.objects.select_related("movement").filter(evaluation_deadline__gte=day).order_by("registration_opens")
    )
    shown_movements = {cycle.movement_id for cycle in cycles}
    for cycle in (
        Cycle.objects.select_related("movement").filter(evaluation_deadline__lt=day).order_by("-evaluation_deadline")
    ):
        if cycle.movement_id not in shown_movements:
            shown_movements.add(cycle.movement_id)
            cycles.append(cycle)
    return cycles


def criteria_in_use(*, movement_id: int) -> list[Criterion]:
    """The criteria reviewers score a movement's models against now, in their order."""
    return list(Criterion.objects.filter(movement_id=movement_id, is_active=True).order_by("sort_order", "pk"))


def evaluation_scores(*, evaluation: Evaluation) -> list[Score]:
    """Every reviewer's scores of an evaluation, with their criterion and reviewer."""
    return list(
        evaluation.scores.select_related("criterion", "reviewer").order_by(
            "criterion__sort_order", "criterion_id", "pk"
        )
    )


def reportable_units(user) -> QuerySet[Unit]:
    """The units `user` may pull a commendation report for: the units they review and every unit below them."""
    if not _active(user):
        return Unit.objects.none()
    if permissions.is_unscoped(user):
        return Unit.objects.all()
    scope = Q(pk__in=[])
    for membership in permissions.memberships(user):
        if membership.role == UnitMembership.Role.REVIEWER:
            scope |= Q(path__startswith=membership.unit.path)
    return Unit.objects.filter(scope)


def nominated_evaluations(*, user, cycle: Cycle, unit: Unit) -> QuerySet[Evaluation]:
    """The nominated evaluations of `cycle` for the models of `unit`'s subtree that `user` may see."""
    return (
        scorable_evaluations(user=user, cycle=cycle)
        .filter(nominated=True, practice_model__unit__path__startswith=unit.path)
        .select_related("practice_model__field", "practice_model__unit")
        .order_by("practice_model__unit__path", "-score_percent", "practice_model__title", "pk")
    )


def evaluation_history(*, practice_model: PracticeModel) -> QuerySet[Evaluation]:
    """Every evaluation of a model, one per cycle, oldest year first (the admin's view of the record)."""
    return (
        Evaluation.objects.filter(practice_model=practice_model)
        .select_related("cycle", "cycle__movement")
        .order_by("cycle__year", "cycle__starts_on", "pk")
    )


def public_record(*, practice_model: PracticeModel, on: datetime.date | None = None) -> dict:
    """What the public page shows of the emulation record: each closed cycle's result, and the latest
    answer to "still active?". A cycle's results are shown once its evaluation deadline has passed,
    when no reviewer can change them any more."""
    day = on or today()
    history = [
        evaluation
        for evaluation in evaluation_history(practice_model=practice_model).exclude(result="")
        if evaluation.cycle.evaluation_is_closed(day)
    ]
    latest_check = practice_model.activity_checks.order_by("-year", "-checked_at").first()
    return {"evaluation_history": history, "activity_check": latest_check}


def recognised_before(year: int) -> Q:
    """Models recognised before `year`: through the review workflow (a recognition level) or an earlier
    cycle's evaluation of “passed” or better."""
    earlier_results = Evaluation.objects.filter(
        practice_model_id=OuterRef("pk"), cycle__year__lt=year, result__in=NOMINABLE_RESULTS
    )
    return Q(year__lt=year) & (~Q(recognition_level="") | Exists(earlier_results))


def models_due_activity_check(*, user, year: int, unanswered_only: bool = False) -> QuerySet[PracticeModel]:
    """The recognised models `user` may answer "still active?" for in `year`, with that year's answer if any."""
    models = (
        permissions.visible_practice_models(user)
        .filter(recognised_before(year))
        .select_related("unit", "movement")
        .prefetch_related(
            Prefetch("activity_checks", queryset=ActivityCheck.objects.filter(year=year), to_attr="checks_this_year")
        )
        .order_by("unit__path", "title", "pk")
    )
    if unanswered_only:
        models = models.exclude(activity_checks__year=year)
    return models
