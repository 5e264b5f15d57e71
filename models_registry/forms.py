"""Forms of the public pages: they parse and validate the query string, nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from movements.models import Field, MovementPage

from .models import FIRST_YEAR, RecognitionLevel, Unit, last_allowed_year
from .selectors import ListingFilters


class PracticeModelFilterForm(forms.Form):
    """Filters of a public listing; invalid values are reported and ignored, never a server error."""

    field = forms.ModelChoiceField(
        label=_("Field"), queryset=Field.objects.all(), to_field_name="slug", required=False, empty_label=_("All fields")
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("All units"),
    )
    level = forms.ChoiceField(label=_("Recognition level"), required=False)

    def __init__(self, *args, movement: MovementPage | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.movement = movement
        years = range(last_allowed_year(), FIRST_YEAR - 1, -1)
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]
        self.fields["level"].choices = [("", _("All levels")), *RecognitionLevel.choices]
        if movement is not None and movement.pk:
            used = movement.fields.all()
            if used.exists():
                self.fields["field"].queryset = used
        # The unit select lists the district-level units; deeper units are reached from unit pages
        # or by their code in the address, which the queryset above still accepts.
        self.fields["unit"].widget.choices = [("", _("All units"))] + [
            (u.code, u.name) for u in Unit.objects.filter(depth__lte=2, is_active=True).order_by("path")
        ]

    def cleaned_filters(self) -> ListingFilters:
        if not self.is_bound or not self.is_valid():
            data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
            valid = {name: data.get(name) for name in self.fields if name not in self.errors}
        else:
            valid = self.cleaned_data
        return ListingFilters(
            field=valid.get("field"),
            year=valid.get("year"),
            unit=valid.get("unit"),
            level=valid.get("level") or None,
            movement=self.movement,
        )
