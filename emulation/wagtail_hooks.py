"""All admin wiring of the emulation cycle: cycles and criteria for administrators, and the screens of
officers (register models), reviewers (score, nominate, pull the report) and both (still active?)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from . import admin_views
from .models import Criterion, Cycle
from .services import format_day


class DayColumn(Column):
    """A date as dd/mm/yyyy (Wagtail's date column says “in 3 months”, which reads badly for a deadline)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return format_day(value) if value else ""


class RegistrationWindowColumn(Column):
    def get_value(self, instance):
        return f"{format_day(instance.registration_opens)} – {format_day(instance.registration_closes)}"


class CycleViewSet(ModelViewSet):
    """Administrators (and whoever is given the cycle permissions) edit the cycles; saved through the service."""

    model = Cycle
    name = "emulation_cycles"
    url_prefix = "emulation/cycles"
    icon = "calendar"
    menu_label = _("Cycles")
    add_view_class = admin_views.CycleCreateView
    edit_view_class = admin_views.CycleEditView
    list_display = [
        "name",
        "movement",
        Column("year", label=_("year"), sort_key="year"),
        RegistrationWindowColumn("registration", label=_("registration window")),
        DayColumn("evaluation_deadline", label=_("evaluation deadline"), sort_key="evaluation_deadline"),
    ]
    list_filter = ["movement", "year"]
    ordering = ["-year", "name"]
    copy_view_enabled = False
    inspect_view_enabled = False


class CriterionViewSet(ModelViewSet):
    """Each movement's criteria, editable data (the order is the order of the scoring form)."""

    model = Criterion
    name = "emulation_criteria"
    url_prefix = "emulation/criteria"
    icon = "list-ol"
    menu_label = _("Criteria")
    list_display = ["name", "movement", "kind", "weight", "max_score", BooleanColumn("is_active", label=_("in use"))]
    list_filter = ["movement", "kind", "is_active"]
    copy_view_enabled = False
    inspect_view_enabled = False


class RoleMenuItem(MenuItem):
    """A menu item shown to the users a screen admits (officers, reviewers…), not to everyone in the admin."""

    def __init__(self, *args, shown_for, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_for = shown_for

    def is_shown(self, request):
        return self.shown_for(request.user)


class ScreenViewSet(ViewSet):
    """One emulation screen (or a screen and its detail), with its menu item."""

    view_class: type[admin_views.EmulationScreen]

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]

    def get_menu_item(self, order=None):
        return RoleMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            shown_for=self.view_class.allowed,
        )


class RegistrationViewSet(ScreenViewSet):
    name = "emulation_registration"
    url_prefix = "emulation/registration"
    icon = "form"
    menu_label = _("Register models")
    view_class = admin_views.RegistrationView

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<str:pk>/withdraw/", admin_views.RegistrationWithdrawView.as_view(), name="withdraw"),
        ]


class EvaluationViewSet(ScreenViewSet):
    name = "emulation_evaluations"
    url_prefix = "emulation/evaluations"
    icon = "tasks"
    menu_label = _("Evaluate models")
    view_class = admin_views.EvaluationIndexView

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<str:pk>/", admin_views.EvaluationView.as_view(), name="evaluation")]


class ReportViewSet(ScreenViewSet):
    name = "emulation_report"
    url_prefix = "emulation/report"
    icon = "download"
    menu_label = _("Commendation report")
    view_class = admin_views.ReportView


class ActivityCheckViewSet(ScreenViewSet):
    name = "emulation_activity"
    url_prefix = "emulation/activity"
    icon = "history"
    menu_label = _("Still active?")
    view_class = admin_views.ActivityCheckView


class EmulationViewSetGroup(ViewSetGroup):
    menu_label = _("Emulation")
    menu_icon = "calendar-check"
    menu_order = 210
    items = (
        RegistrationViewSet,
        EvaluationViewSet,
        ReportViewSet,
        ActivityCheckViewSet,
        CycleViewSet,
        CriterionViewSet,
    )


@hooks.register("register_admin_viewset")
def register_emulation_viewsets():
    return EmulationViewSetGroup()


@hooks.register("register_log_actions")
def register_emulation_log_actions(actions):
    """The entries the emulation services leave in a practice model's history."""

    def cycle_name(log_entry) -> str:
        try:
            return log_entry.data["cycle"]["name"]
        except (KeyError, TypeError):
            return ""

    # One history line per action, naming the cycle it happened in.
    cycle_actions = (
        ("emulation.register", _("Emulation: register to a cycle"), _("Registered to the cycle “%(cycle)s”")),
        (
            "emulation.withdraw_registration",
            _("Emulation: withdraw a registration"),
            _("Registration to the cycle “%(cycle)s” withdrawn"),
        ),
        ("emulation.score", _("Emulation: score"), _("Scored in the cycle “%(cycle)s”")),
        (
            "emulation.nominate",
            _("Emulation: nominate for a commendation"),
            _("Nominated for a commendation in the cycle “%(cycle)s”"),
        ),
        (
            "emulation.withdraw_nomination",
            _("Emulation: withdraw a nomination"),
            _("Nomination withdrawn in the cycle “%(cycle)s”"),
        ),
    )
    for action, action_label, message in cycle_actions:

        class CycleActionFormatter(LogFormatter):
            label = action_label
            template = message

            def format_message(self, log_entry):
                return self.template % {"cycle": cycle_name(log_entry)}

        actions.register_action(action)(CycleActionFormatter)

    @actions.register_action("emulation.activity_check")
    class ActivityCheckFormatter(LogFormatter):
        label = _("Emulation: still active?")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("is_active"):
                return _("Still active in %(year)s") % {"year": data.get("year", "")}
            return _("No longer active in %(year)s") % {"year": data.get("year", "")}
