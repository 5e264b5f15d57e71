"""Forms of the public pages: they parse and validate the query string, nothing else."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from movements.models import Field, MovementPage

from .models import FIRST_YEAR, RecognitionLevel, Unit, last_allowed_year
from .selectors import ListingFilters


class PracticeModelFilterForm(forms.Form):
    """Filters of a public listing; invalid values are reported and ignored, never a server error.

    On a movement's page the movement is fixed (no movement filter); on a unit's page the unit is
    fixed (no unit filter, the listing covers the unit and every unit below it).
    """

    movement = forms.ModelChoiceField(
        label=_("Movement"),
        queryset=MovementPage.objects.none(),  # set per request: public() reads the view restrictions
        to_field_name="slug",
        required=False,
        empty_label=_("All movements"),
    )
    field = forms.ModelChoiceField(
        label=pgettext_lazy("taxonomy", "Field"),
        queryset=Field.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All fields"),
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

    def __init__(self, *args, movement: MovementPage | None = None, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.movement = movement
        self.unit = unit
        years = range(last_allowed_year(), FIRST_YEAR - 1, -1)
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]
        self.fields["level"].choices = [("", _("All levels")), *RecognitionLevel.choices]
        if movement is None:
            self.fields["movement"].queryset = MovementPage.objects.live().public().order_by("path")
        else:
            del self.fields["movement"]
            if movement.pk:
                used = movement.fields.all()
                if used.exists():
                    self.fields["field"].queryset = used
        if unit is not None:
            del self.fields["unit"]
        else:
            # The unit select lists the district-level units; deeper units are reached from unit pages
            # or by their code in the address, which the queryset above still accepts (and shows).
            requested = self.data.get(self.add_prefix("unit")) if self.is_bound else None
            shown = Q(depth__lte=2) | Q(code=requested) if requested else Q(depth__lte=2)
            self.fields["unit"].widget.choices = [("", _("All units"))] + [
                (u.code, u.name) for u in Unit.objects.filter(shown, is_active=True).order_by("path")
            ]

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (valid or not) was asked for, so the page offers to clear them."""
        return self.is_bound and any(self.data.get(self.add_prefix(name)) for name in self.fields)

    def cleaned_filters(self) -> ListingFilters:
        if not self.is_bound:
            valid = {}
        elif self.is_valid():
            valid = self.cleaned_data
        else:
            valid = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return ListingFilters(
            field=valid.get("field"),
            year=valid.get("year"),
            unit=self.unit or valid.get("unit"),
            level=valid.get("level") or None,
            movement=self.movement or valid.get("movement"),
        )
