"""Admin screens of the unit history ("Lịch sử đơn vị"): the list of recorded changes, recording one,
correcting its date, legal basis or note. Wired in wagtail_hooks.py.

Recording goes through services.unit_history.record_unit_change, which applies the change (renames,
deactivates, moves) all or nothing; a recorded change is never deleted, since undoing what it did
is a change of its own.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.models import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.widgets import AdminSnippetChooser

from .models import Unit, UnitChange, UnitChangeLink
from .services import unit_history


class UnitCodesField(forms.CharField):
    """Unit codes separated by commas, spaces or semicolons: "HN-CG-DV, HN-CG-QH"."""

    def clean(self, value) -> list[Unit]:
        value = super().clean(value)
        codes = list(dict.fromkeys(code for code in re.split(r"[\s,;]+", value or "") if code))
        found = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        # Codes are written in capitals; "hn-cg" is meant as "HN-CG".
        missing = [code for code in codes if code not in found]
        if missing:
            found |= {unit.code.upper(): unit for unit in Unit.objects.filter(code__in=[c.upper() for c in missing])}
        unknown = [code for code in codes if code not in found and code.upper() not in found]
        if unknown:
            raise ValidationError(gettext("There is no unit with the code “%(value)s”.") % {"value": unknown[0][:50]})
        return [found.get(code) or found[code.upper()] for code in codes]


class UnitChangeCreateForm(WagtailAdminModelForm):
    """What changed, when, by which decision, and the units before and after."""

    predecessors = UnitCodesField(
        label=_("Units before the change"),
        required=False,
        help_text=_(
            "Codes of the units as they were, separated by commas: the unit renamed or moved, the units "
            "merged, or the unit that was split."
        ),
    )
    successors = UnitCodesField(
        label=_("Units after the change"),
        required=False,
        help_text=_(
            "For a merge, the code of the unit they became; for a split, the codes of the units it became. "
            "Create a new unit in Units first. Leave empty for a rename or a move."
        ),
    )
    new_name = forms.CharField(label=_("New name"), required=False, max_length=255, help_text=_("For a rename."))
    new_parent = forms.ModelChoiceField(
        label=_("New parent unit"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=AdminSnippetChooser(Unit),
        help_text=_("For a move: the unit they now hang under (empty: the top level)."),
    )

    class Meta:
        model = UnitChange
        fields = ["kind", "effective_date", "legal_basis", "note"]


class UnitChangeEditForm(WagtailAdminModelForm):
    class Meta:
        model = UnitChange
        fields = ["effective_date", "legal_basis", "note"]


class UnitChangePermissionPolicy(ModelPermissionPolicy):
    """Django's permissions on unit changes, without deleting: a change is undone by recording another."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission(user, action) for action in actions)


def _refused(view, form, error: ValidationError):
    """The form again with the service's reasons next to the fields they concern; nothing was written."""
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
    view.produced_error_message = view.get_error_message()
    return view.form_invalid(form)


class UnitChangeIndexView(IndexView):
    def get_base_queryset(self):
        links = UnitChangeLink.objects.order_by("role", "id")
        return super().get_base_queryset().prefetch_related(Prefetch("links", queryset=links))


class UnitChangeCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_history.record_unit_change(
            kind=data["kind"],
            effective_date=data["effective_date"],
            predecessors=data.get("predecessors") or [],
            successors=data.get("successors") or [],
            new_name=data.get("new_name") or "",
            new_parent=data.get("new_parent"),
            legal_basis=data.get("legal_basis") or "",
            note=data.get("note") or "",
            user=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            return _refused(self, form, error)


class UnitChangeEditView(EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return unit_history.update_unit_change(
            change=self.object,
            effective_date=data["effective_date"],
            legal_basis=data.get("legal_basis") or "",
            note=data.get("note") or "",
            user=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            return _refused(self, form, error)


CREATE_PANEL = ObjectList(
    [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("effective_date")]),
        FieldPanel("predecessors"),
        FieldPanel("successors"),
        MultiFieldPanel([FieldPanel("new_name"), FieldPanel("new_parent")], heading=_("Rename or move")),
        FieldPanel("legal_basis"),
        FieldPanel("note"),
    ],
    base_form_class=UnitChangeCreateForm,
)
# Once recorded, only the record's own details can be corrected.
EDIT_PANEL = ObjectList(
    [FieldPanel("effective_date"), FieldPanel("legal_basis"), FieldPanel("note")],
    base_form_class=UnitChangeEditForm,
)


class UnitChangeViewSet(ModelViewSet):
    model = UnitChange
    icon = "history"
    menu_label = _("Unit history")
    copy_view_enabled = False
    index_view_class = UnitChangeIndexView
    add_view_class = UnitChangeCreateView
    edit_view_class = UnitChangeEditView
    list_display = [
        DateColumn("effective_date", label=_("effective date"), sort_key="effective_date"),
        "kind",
        Column("summary", label=_("Units before → after")),
        "legal_basis",
    ]
    list_filter = ["kind"]
    ordering = ["-effective_date", "-id"]
    edit_handler = EDIT_PANEL

    def get_add_view_kwargs(self, **kwargs):
        panel = CREATE_PANEL.bind_to_model(self.model)
        return super().get_add_view_kwargs(**{"panel": panel, "form_class": panel.get_form_class(), **kwargs})


class UnitEditView(SnippetEditView):
    """The Units screen's edit view: a refused rename or move (see services.unit_history.save_unit_edit)
    shows on the form, with nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            return _refused(self, form, error)
