"""Admin forms that need more than the model's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.widgets import AdminDateInput

from search.text import fold

from .models import Unit


class UnitForm(WagtailAdminModelForm):
    """A unit with its place in the tree: the parent is chosen here, the tree placement is a service."""

    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Leave empty for a top-level unit (a city or province)."),
    )

    effective_date = forms.DateField(
        label=_("Date the change takes effect"),
        required=False,
        widget=AdminDateInput,
        help_text=_(
            "A new name or a new parent unit is recorded in the unit history with this date (today if empty)."
        ),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis of the change"),
        required=False,
        max_length=500,
        help_text=_("The decision or resolution, e.g. “Nghị quyết số 1656/NQ-UBTVQH15 ngày 16/6/2025”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            parent = self.instance.get_parent()
            self.initial.setdefault("parent", parent.pk if parent else None)
            self.fields["parent"].queryset = Unit.objects.exclude(path__startswith=self.instance.path)
        else:  # a new unit has no history yet
            del self.fields["effective_date"], self.fields["legal_basis"]
        self.fields["parent"].label_from_instance = lambda unit: f"{'— ' * (unit.depth - 1)}{unit.name} ({unit.code})"

    def save(self, commit=True):
        # Tree placement happens in services.add_unit / services.move_unit (see wagtail_hooks).
        return super().save(commit=False)


class VietnameseLoginForm(LoginForm):
    """Wagtail's login form, whose password label comes from the field name and so escapes translation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")


class PracticeModelForm(WagtailAdminModelForm):
    """The practice model editor: an officer may only file a model under a unit they submit for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from . import permissions

        user = getattr(self, "for_user", None)
        if user is None or "unit" not in self.fields or permissions.is_unscoped(user):
            return
        allowed = permissions.officer_units(user)
        if self.instance.unit_id:
            # A reviewer editing during review keeps the unit as it is; nobody moves a model out of reach.
            allowed = allowed | Unit.objects.filter(pk=self.instance.unit_id)
        self.fields["unit"].queryset = allowed
        self.fields["unit"].error_messages["invalid_choice"] = _("You cannot file a model under this unit.")


class UnitSearchForm(BaseFilterForm):
    """The unit chooser's search box: by name or code, with or without diacritics."""

    q = forms.CharField(
        label=_("Search term"), widget=forms.TextInput(attrs={"placeholder": _("Search")}), required=False
    )

    def filter(self, objects):
        objects = super().filter(objects)
        words = fold(self.cleaned_data.get("q") or "").split()
        if not words:
            return objects
        self.is_searching = True
        self.search_query = self.cleaned_data["q"]
        # A city has a few thousand units: folding their names here costs milliseconds and needs
        # no extra column or index (the database cannot fold đ or tone marks by itself).
        matching = [
            pk
            for pk, name, code in objects.values_list("pk", "name", "code")
            if all(word in fold(f"{name} {code}") for word in words)
        ]
        return objects.filter(pk__in=matching)
