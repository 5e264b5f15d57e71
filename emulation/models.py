"""The emulation cycle's data: cycles, criteria, registrations, evaluations, scores and activity checks.

A movement runs in cycles (a year or a period). Units register their practice models to a cycle
inside its registration window; reviewers score each registered model against the movement's
criteria before the evaluation deadline; the evaluation keeps the result that follows from the
cycle's thresholds, and the nomination for a commendation. What changes state lives in
`services.py`; these classes hold the data and its own consistency checks.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Orderable

from models_registry.models import FIRST_YEAR, CommendationForm, PracticeModel, RecognitionLevel

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class EvaluationResult(models.TextChoices):
    """What an evaluation concludes, best first; the slugs are stable (reports, templates, CSS)."""

    EXCELLENT = "xuat-sac", pgettext_lazy("evaluation result", "Excellent")
    GOOD = "tot", pgettext_lazy("evaluation result", "Good")
    PASSED = "dat", pgettext_lazy("evaluation result", "Passed")
    FAILED = "khong-dat", pgettext_lazy("evaluation result", "Not passed")


# Results a model may be nominated for a commendation with.
NOMINABLE_RESULTS = (EvaluationResult.EXCELLENT, EvaluationResult.GOOD, EvaluationResult.PASSED)


class CycleQuerySet(models.QuerySet):
    def registration_open(self, on: datetime.date):
        """Cycles whose registration window includes the day `on` (both ends included)."""
        return self.filter(registration_opens__lte=on, registration_closes__gte=on)

    def evaluation_open(self, on: datetime.date):
        """Cycles whose models may be scored on the day `on`: registration has opened, the deadline not passed."""
        return self.filter(registration_opens__lte=on, evaluation_deadline__gte=on)


class Cycle(models.Model):
    """One year (or period) of a movement: its registration window, evaluation deadline and result rules."""

    class RegistrationState(models.TextChoices):
        UPCOMING = "upcoming", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    movement = models.ForeignKey(
        "movements.MovementPage", on_delete=models.PROTECT, related_name="cycles", verbose_name=_("movement")
    )
    name = models.CharField(_("name"), max_length=255, help_text=_("For example “Năm 2025”."))
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(2100)],
        help_text=_("The year the cycle belongs to; for a period, the year it is evaluated in."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"), help_text=_("The last day units may register."))
    evaluation_deadline = models.DateField(
        _("evaluation deadline"), help_text=_("The last day reviewers may score the registered models.")
    )
    excellent_threshold = models.DecimalField(
        _("“excellent” from (%)"), max_digits=5, decimal_places=2, default=Decimal("90"), validators=PERCENT_VALIDATORS
    )
    good_threshold = models.DecimalField(
        _("“good” from (%)"), max_digits=5, decimal_places=2, default=Decimal("75"), validators=PERCENT_VALIDATORS
    )
    pass_threshold = models.DecimalField(
        _("“passed” from (%)"), max_digits=5, decimal_places=2, default=Decimal("50"), validators=PERCENT_VALIDATORS
    )

    objects = CycleQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("movement"), FieldPanel("year")]),
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldRowPanel([FieldPanel("registration_opens"), FieldPanel("registration_closes")]),
                FieldPanel("evaluation_deadline"),
            ],
            heading=_("Dates"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("excellent_threshold"), FieldPanel("good_threshold"), FieldPanel("pass_threshold")]
                )
            ],
            heading=_("Result rules"),
            help_text=_(
                "Shares of the weighted maximum score. A model that fails any pass/fail criterion is “not passed” "
                "whatever its score."
            ),
        ),
    ]

    class Meta:
        ordering = ["-year", "movement_id", "name"]
        verbose_name = _("emulation cycle")
        verbose_name_plural = _("emulation cycles")
        constraints = [models.UniqueConstraint(fields=["movement", "name"], name="unique_cycle_name_per_movement")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The cycle cannot end before it starts.")
        if self.registration_opens and self.registration_closes and self.registration_closes < self.registration_opens:
            errors["registration_closes"] = _("Registration cannot close before it opens.")
        elif self.registration_closes and self.ends_on and self.registration_closes > self.ends_on:
            errors["registration_closes"] = _("Registration must close by the end of the cycle.")
        if (
            self.evaluation_deadline
            and self.registration_closes
            and self.evaluation_deadline < self.registration_closes
        ):
            errors["evaluation_deadline"] = _("The evaluation deadline cannot come before registration closes.")
        if self.year and self.starts_on and self.ends_on and not self.starts_on.year <= self.year <= self.ends_on.year:
            errors["year"] = _("The year must fall within the cycle's dates.")
        thresholds = (self.pass_threshold, self.good_threshold, self.excellent_threshold)
        if all(value is not None for value in thresholds):
            if self.pass_threshold <= 0:
                errors["pass_threshold"] = _("The “passed” threshold must be above 0%.")
            elif not self.pass_threshold <= self.good_threshold <= self.excellent_threshold:
                errors["good_threshold"] = _(
                    "The thresholds must rise from “passed” to “good” to “excellent” (for example 50, 75, 90)."
                )
        if errors:
            raise ValidationError(errors)

    def registration_state(self, on: datetime.date) -> str:
        if on < self.registration_opens:
            return self.RegistrationState.UPCOMING
        if on > self.registration_closes:
            return self.RegistrationState.CLOSED
        return self.RegistrationState.OPEN

    def evaluation_is_closed(self, on: datetime.date) -> bool:
        return on > self.evaluation_deadline


class Criterion(Orderable):
    """What a movement scores a model (or a party cell) against: weighted points or a pass/fail condition."""

    class Kind(models.TextChoices):
        WEIGHTED = "weighted", _("Points (weighted)")
        PASS_FAIL = "pass_fail", _("Pass / fail")

    movement = models.ForeignKey(
        "movements.MovementPage",
        on_delete=models.PROTECT,
        related_name="emulation_criteria",
        verbose_name=_("movement"),
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WEIGHTED)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("How much the criterion counts in the total (points criteria only)."),
    )
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Reviewers score from 0 to this value (points criteria only)."),
    )
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("A criterion no longer in use stays on the evaluations that used it.")
    )

    panels = [
        FieldPanel("movement"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("weight"), FieldPanel("max_score")]),
        FieldPanel("is_active"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [models.UniqueConstraint(fields=["movement", "name"], name="unique_criterion_per_movement")]

    def __str__(self):
        return self.name

    @property
    def is_weighted(self) -> bool:
        return self.kind == self.Kind.WEIGHTED

    @property
    def weighted_maximum(self) -> Decimal:
        return self.weight * self.max_score if self.is_weighted else Decimal("0")

    def clean(self):
        super().clean()
        if self.kind == self.Kind.WEIGHTED:
            errors = {}
            if self.weight is not None and self.weight <= 0:
                errors["weight"] = _("A points criterion needs a weight above 0.")
            if self.max_score is not None and self.max_score <= 0:
                errors["max_score"] = _("A points criterion needs a maximum score above 0.")
            if errors:
                raise ValidationError(errors)


class Registration(models.Model):
    """A practice model entered in a cycle by its unit, at the start of the year."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("cycle"))
    practice_model = models.ForeignKey(
        PracticeModel,
        on_delete=models.CASCADE,
        related_name="emulation_registrations",
        verbose_name=_("practice model"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "practice_model"], name="unique_registration_per_cycle")
        ]

    def __str__(self):
        return f"{self.practice_model} – {self.cycle}"


class Evaluation(models.Model):
    """A registered model's evaluation in one cycle: the stored result, and its nomination for a commendation.

    The result is stored when scores are saved (see services.score_evaluation) and stays on record:
    later changes to the criteria do not rewrite an earlier year's evaluation.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("cycle"))
    practice_model = models.ForeignKey(
        PracticeModel, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("practice model")
    )
    result = models.CharField(_("result"), max_length=20, choices=EvaluationResult.choices, blank=True)
    score_percent = models.DecimalField(
        _("score (share of the maximum)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reviewer_count = models.PositiveSmallIntegerField(_("reviewers"), default=0)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    nominated = models.BooleanField(_("nominated for a commendation"), default=False)
    proposed_form = models.CharField(
        _("proposed commendation form"), max_length=20, choices=CommendationForm.choices, blank=True
    )
    proposed_level = models.CharField(_("proposed level"), max_length=20, choices=RecognitionLevel.choices, blank=True)
    nomination_note = models.TextField(_("nomination note"), blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated at"), null=True, blank=True)

    class Meta:
        ordering = ["-cycle__year", "practice_model__title"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [models.UniqueConstraint(fields=["cycle", "practice_model"], name="unique_evaluation_per_cycle")]
        indexes = [models.Index(fields=["cycle", "nominated"], name="evaluation_cycle_nominated")]

    def __str__(self):
        return f"{self.practice_model} – {self.cycle}"

    @property
    def is_nominable(self) -> bool:
        return self.result in NOMINABLE_RESULTS


class Score(models.Model):
    """One reviewer's score of one criterion in one evaluation: points in range, or met / not met."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    # A reviewer's account may be removed later; their scores, and the result they led to, stay.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="emulation_scores",
        verbose_name=_("reviewer"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("met"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        ordering = ["criterion__sort_order", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "reviewer", "criterion"], name="unique_score_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0), name="score_value_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value if self.value is not None else self.passed}"

    def clean(self):
        super().clean()
        criterion = self.criterion
        if criterion.is_weighted:
            if self.value is None:
                raise ValidationError({"value": _("Enter the points for this criterion.")})
            if not Decimal("0") <= self.value <= criterion.max_score:
                raise ValidationError({"value": _("The points must be between 0 and the criterion's maximum.")})
        elif self.passed is None:
            raise ValidationError({"passed": _("Say whether this criterion is met.")})


class ActivityCheck(models.Model):
    """The yearly answer to “is this recognised model still active?”, with who answered and when."""

    practice_model = models.ForeignKey(
        PracticeModel, on_delete=models.CASCADE, related_name="activity_checks", verbose_name=_("practice model")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(FIRST_YEAR)])
    is_active = models.BooleanField(_("still active"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        ordering = ["-year", "-checked_at"]
        verbose_name = _("activity check")
        verbose_name_plural = _("activity checks")
        constraints = [
            models.UniqueConstraint(fields=["practice_model", "year"], name="unique_activity_check_per_year")
        ]

    def __str__(self):
        return f"{self.practice_model} – {self.year}"
