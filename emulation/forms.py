"""Forms of the emulation screens: they parse what the user sent; the rules are in services.py."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.snippets.widgets import AdminSnippetChooser

from models_registry.models import FIRST_YEAR, CommendationForm, PracticeModel, RecognitionLevel, Unit

from .models import Criterion, Cycle
from .services import format_number, score_field_name

MET, NOT_MET = "met", "not_met"
MET_CHOICES = [(MET, pgettext_lazy("criterion", "Met")), (NOT_MET, pgettext_lazy("criterion", "Not met"))]


def _without_trailing_zeros(value: Decimal) -> Decimal:
    """17.50 → 17.5 and 20.00 → 20, as a reviewer types them."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# The largest id the database stores: a larger number in a request is refused before any query.
MAX_ID = 2**63 - 1


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Model choices sent as ids; anything but an id the database could hold is refused as invalid."""

    def _check_values(self, value):
        for pk in value:
            try:
                valid = 0 < int(str(pk)) <= MAX_ID
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)


class CandidateFilterForm(forms.Form):
    """Narrows the list of models an officer may register (an administrator may see thousands)."""

    q = forms.CharField(label=_("Search the models"), required=False, max_length=200)


class RegistrationForm(forms.Form):
    practice_models = ModelIdsField(
        label=_("Models to register"),
        queryset=PracticeModel.objects.none(),
        error_messages={
            "required": _("Choose at least one model to register."),
            "invalid_choice": _("One of the chosen models cannot be registered to this cycle."),
            "invalid_pk_value": _("One of the chosen models cannot be registered to this cycle."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice_models"].queryset = candidates


class ScoreForm(forms.Form):
    """One field per criterion in use: points (0 to the criterion's maximum) or met / not met."""

    def __init__(self, *args, criteria: list[Criterion], initial_scores: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        initial_scores = initial_scores or {}
        for criterion in criteria:
            name = score_field_name(criterion)
            if criterion.is_weighted:
                rule = _("From 0 to %(maximum)s points, weight %(weight)s.") % {
                    "maximum": format_number(criterion.max_score),
                    "weight": format_number(criterion.weight),
                }
                self.fields[name] = forms.DecimalField(
                    label=criterion.name,
                    required=False,
                    localize=True,
                    help_text=f"{rule} {criterion.description}".strip(),
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
                if criterion.pk in initial_scores and initial_scores[criterion.pk].value is not None:
                    self.initial[name] = _without_trailing_zeros(initial_scores[criterion.pk].value)
            else:
                self.fields[name] = forms.ChoiceField(
                    label=criterion.name,
                    required=False,
                    choices=MET_CHOICES,
                    widget=forms.RadioSelect,
                    help_text=f"{_('Pass/fail criterion: not met means “not passed”.')} {criterion.description}".strip(),
                )
                if criterion.pk in initial_scores and initial_scores[criterion.pk].passed is not None:
                    self.initial[name] = MET if initial_scores[criterion.pk].passed else NOT_MET

    def bound_fields(self):
        """(criterion, bound field) pairs, for the template to lay out beside the rules."""
        return [(criterion, self[score_field_name(criterion)]) for criterion in self.criteria]

    def scores(self) -> dict:
        """The cleaned values keyed by criterion: a Decimal (or None) for points, True/False (or None) for met."""
        values = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(score_field_name(criterion))
            if criterion.is_weighted:
                values[criterion] = raw
            else:
                values[criterion] = {MET: True, NOT_MET: False}.get(raw)
        return values


class NominationForm(forms.Form):
    proposed_form = forms.ChoiceField(
        label=_("Proposed commendation form"), choices=[("", "---------"), *CommendationForm.choices]
    )
    proposed_level = forms.ChoiceField(
        label=_("Proposed level"), choices=[("", "---------"), *RecognitionLevel.choices]
    )
    note = forms.CharField(
        label=_("Nomination note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=Cycle.objects.select_related("movement").order_by("-year", "movement__title", "name"),
        error_messages={"required": _("Choose a cycle."), "invalid_choice": _("Choose a cycle from the list.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        widget=AdminSnippetChooser(Unit),
        help_text=_("The report covers this unit and every unit below it."),
        error_messages={
            "required": _("Choose a unit."),
            "invalid_choice": _("You cannot pull reports for this unit: choose one you review."),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["cycle"].label_from_instance = lambda cycle: f"{cycle.movement.title} – {cycle.name}"


class ActivityYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=2100, required=False, localize=False)
    unanswered = forms.BooleanField(label=_("Only the models not answered yet"), required=False)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        current = timezone.localdate().year
        if year is not None and year > current:
            raise forms.ValidationError(_("The year cannot be later than this year."))
        return year


class ActivityCheckForm(forms.Form):
    practice_model = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=FIRST_YEAR, max_value=2100)
    answer = forms.ChoiceField(
        label=_("Still active?"),
        choices=[("yes", _("Still active")), ("no", _("No longer active"))],
        error_messages={"required": _("Say whether the model is still active.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
