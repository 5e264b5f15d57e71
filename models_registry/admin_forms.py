"""Admin forms that need more than the model's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.auth import LoginForm

from .models import Unit


class UnitForm(WagtailAdminModelForm):
    """A unit with its place in the tree: the parent is chosen here, the tree placement is a service."""

    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Leave empty for a top-level unit (a city or province)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            parent = self.instance.get_parent()
            self.initial.setdefault("parent", parent.pk if parent else None)
            self.fields["parent"].queryset = Unit.objects.exclude(path__startswith=self.instance.path)
        self.fields["parent"].label_from_instance = lambda unit: f"{'— ' * (unit.depth - 1)}{unit.name} ({unit.code})"

    def save(self, commit=True):
        # Tree placement happens in services.add_unit / services.move_unit (see wagtail_hooks).
        return super().save(commit=False)


class VietnameseLoginForm(LoginForm):
    """Wagtail's login form, whose password label comes from the field name and so escapes translation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
