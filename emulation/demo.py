"""Demo data of the emulation cycle, loaded at the end of `load_demo_data`: small, deterministic, idempotent.

For each movement: last year's cycle, closed, with a few dozen published models registered, scored by
two reviewers, the best nominated, and this year's answers to "still active?"; this year's cycle, open
for registration most of the year, with a few of Phường Dịch Vọng's models registered for the demo
reviewer of Cầu Giấy to score. Its size does not grow with the number of demo models.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from models_registry.models import CommendationForm, PracticeModel, RecognitionLevel
from movements.models import MovementPage

from . import selectors, services
from .models import ActivityCheck, Cycle, Evaluation, EvaluationResult, Registration

EVALUATED_PER_MOVEMENT = 12
OPEN_CYCLE_MODELS = 4
ACTIVITY_CHECKS = 8
ADMIN, CITY_REVIEWER = "quantri", "duyet_thanhpho"
EDITORS = "Biên tập viên thành phố"  # models_registry.services.demo.EDITORS
OPEN_CYCLE_UNIT = "HN-CG-DV"
NOMINATIONS = {
    EvaluationResult.EXCELLENT: (CommendationForm.DIPLOMA_OF_MERIT, RecognitionLevel.CITY),
    EvaluationResult.GOOD: (CommendationForm.CERTIFICATE_OF_MERIT, RecognitionLevel.DISTRICT),
}


def _cycle(*, movement: MovementPage, year: int, user, registration_closes: datetime.date) -> Cycle:
    name = f"Năm {year}"
    existing = Cycle.objects.filter(movement=movement, name=name).first()
    if existing is not None:
        return existing
    cycle = Cycle(
        movement=movement,
        name=name,
        year=year,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        registration_opens=datetime.date(year, 1, 1),
        registration_closes=registration_closes,
        evaluation_deadline=datetime.date(year, 12, 31),
    )
    return services.save_cycle(cycle=cycle, user=user)


def _register(cycle: Cycle, models: list[PracticeModel], user) -> list[Evaluation]:
    missing = [m for m in models if not Registration.objects.filter(cycle=cycle, practice_model=m).exists()]
    if missing:
        services.register_practice_models(
            cycle=cycle, practice_models=missing, user=user, today=cycle.registration_opens
        )
    return list(
        Evaluation.objects.filter(cycle=cycle, practice_model__in=models).select_related("cycle", "practice_model")
    )


def _score(evaluation: Evaluation, reviewers, seed: int) -> None:
    if evaluation.scores.exists():
        return
    rng = random.Random(f"{seed}-{evaluation.practice_model.external_id}-{evaluation.cycle.year}")  # noqa: S311 - demo data
    criteria = selectors.criteria_in_use(movement_id=evaluation.cycle.movement_id)
    level = rng.uniform(0.45, 1.0)  # how good the model is; each reviewer's points scatter around it
    for number, reviewer in enumerate(reviewers):
        scores = {}
        for criterion in criteria:
            if criterion.is_weighted:
                share = min(1.0, max(0.0, level + rng.uniform(-0.08, 0.08)))
                # Half points, as reviewers give them.
                scores[criterion] = Decimal(round(float(criterion.max_score) * share * 2)) / 2
            else:
                scores[criterion] = rng.random() > 0.05
        services.score_evaluation(
            evaluation=evaluation,
            reviewer=reviewer,
            scores=scores,
            today=evaluation.cycle.evaluation_deadline - datetime.timedelta(days=20 - number),
        )


@transaction.atomic
def load_emulation_demo(*, seed: int) -> None:
    """Create the demo cycles, evaluations, nominations and activity checks that are missing."""
    users = get_user_model().objects.filter(username__in=[ADMIN, CITY_REVIEWER]).in_bulk(field_name="username")
    admin, city_reviewer = users.get(ADMIN), users.get(CITY_REVIEWER)
    if admin is None or city_reviewer is None:
        return
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(*Permission.objects.filter(content_type__app_label="emulation"))

    this_year = timezone.localdate().year
    last_year = this_year - 1
    for movement in MovementPage.objects.filter(slug__in=["dan-van-kheo", "chi-bo-bon-tot"]).order_by("path"):
        closed = _cycle(
            movement=movement, year=last_year, user=admin, registration_closes=datetime.date(last_year, 3, 31)
        )
        published = selectors.scorable_models(city_reviewer).filter(
            live=True, movement=movement, external_id__startswith="DEMO-", year__lte=last_year
        )
        for evaluation in _register(closed, list(published.order_by("external_id")[:EVALUATED_PER_MOVEMENT]), admin):
            _score(evaluation, [city_reviewer, admin], seed)
            evaluation.refresh_from_db()
            if evaluation.result in NOMINATIONS and not evaluation.nominated:
                form, level = NOMINATIONS[evaluation.result]
                services.nominate(evaluation=evaluation, user=city_reviewer, form=form, level=level)

        open_cycle = _cycle(
            movement=movement, year=this_year, user=admin, registration_closes=datetime.date(this_year, 11, 30)
        )
        own = PracticeModel.objects.filter(
            movement=movement, external_id__startswith="DEMO-", unit__code__startswith=OPEN_CYCLE_UNIT
        )
        _register(open_cycle, list(own.order_by("external_id")[:OPEN_CYCLE_MODELS]), admin)

    recognised = (
        PracticeModel.objects.published()
        .filter(selectors.recognised_before(this_year), external_id__startswith="DEMO-")
        .order_by("external_id")[:ACTIVITY_CHECKS]
    )
    for number, practice_model in enumerate(recognised):
        if not ActivityCheck.objects.filter(practice_model=practice_model, year=this_year).exists():
            services.record_activity_check(
                practice_model=practice_model, user=admin, year=this_year, is_active=number % 4 != 3
            )
