"""All admin wiring of the registry: snippet viewsets, menus, tree-aware actions."""

from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import hooks
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from movements.models import Field

from . import permissions, services
from .admin_forms import PracticeModelForm, UnitForm
from .admin_views import PracticeModelChooserViewSet, UnitChooserViewSet, guard_instance_view
from .commendation_admin import (
    CertificateColumn,
    CommendationChooserViewSet,
    CommendationIndexView,
    CommendationPermissionPolicy,
    CommendationToolsViewSet,
    guard_commendation_view,
    scoped_commendations,
)
from .commendation_forms import CommendationAdminForm
from .duplicate_admin import DuplicateFlagViewSet, flag_after_save, show_open_flags
from .export_views import PracticeModelExportIndexView, UnitExportIndexView
from .import_admin import SpreadsheetImportViewSet
from .media_permissions import UnitScopedMediaPolicy, document_is_public
from .models import Commendation, PracticeModel, Unit, UnitChange, UnitMembership
from .services import unit_history
from .unit_history_admin import UnitChangePermissionPolicy, UnitChangeViewSet, UnitEditView

# Registered before any view asks for it: Wagtail would otherwise build a plain model policy.
register_permission_policy(PracticeModel, permissions.PracticeModelPermissionPolicy(PracticeModel))
register_permission_policy(UnitChange, UnitChangePermissionPolicy(UnitChange))
register_permission_policy(Commendation, CommendationPermissionPolicy(Commendation))


class IndentedNameColumn(Column):
    """The unit's name, indented by its depth so the listing reads as a tree."""

    def get_value(self, instance):
        return format_html("{}{}", "— " * (instance.depth - 1), instance.name)


class UnitCreateAction(CreateAction):
    def _save_instance(self):
        self.instance = services.add_unit(unit=self.form.instance, parent=self.form.cleaned_data.get("parent"))


class UnitEditAction(EditAction):
    def _save_instance(self):
        data = self.form.cleaned_data
        self.instance = unit_history.save_unit_edit(
            unit=self.form.save(commit=False),
            parent=data.get("parent"),
            effective_date=data.get("effective_date"),
            legal_basis=data.get("legal_basis") or "",
            user=self.user,
        )


@hooks.register("register_actions")
def register_unit_actions(registry):
    registry.register(Unit, UnitCreateAction)
    registry.register(Unit, UnitEditAction)


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "group"
    menu_label = _("Units")
    list_display = [
        IndentedNameColumn("name", label=_("Name"), sort_key="path"),
        "code",
        "kind",
        BooleanColumn("is_active", label=_("active")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    chooser_viewset_class = UnitChooserViewSet
    ordering = ["path"]
    list_per_page = 50
    copy_view_enabled = False
    index_view_class = UnitExportIndexView  # "Download XLSX/CSV": an import_units file of the listing
    edit_view_class = UnitEditView
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("effective_date"), FieldPanel("legal_basis")]),
            FieldPanel("is_active"),
            FieldPanel("description"),
        ],
        base_form_class=UnitForm,
    )


class UnitMembershipViewSet(SnippetViewSet):
    model = UnitMembership
    icon = "user"
    menu_label = _("Unit memberships")
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "unit__name", "unit__code"]
    copy_view_enabled = False


class PracticeModelViewSet(SnippetViewSet):
    model = PracticeModel
    icon = "doc-full-inverse"
    menu_label = _("Practice models")
    # "Download XLSX/CSV" stream the listing (the user's units, filters, search, order) as an import file.
    index_view_class = PracticeModelExportIndexView
    chooser_viewset_class = PracticeModelChooserViewSet
    edit_handler = ObjectList(PracticeModel.panels, base_form_class=PracticeModelForm)
    list_display = ["title", "unit", "movement", "field", "year", "recognition_level"]
    list_filter = ["movement", "field", "year", "recognition_level", "live"]
    search_fields = ["search_text"]
    list_per_page = 25
    ordering = ["-year", "title"]

    def get_queryset(self, request):
        queryset = PracticeModel.objects.select_related("unit", "movement", "field", "locked_by", "latest_revision")
        return permissions.visible_practice_models(request.user, queryset)

    def get_urlpatterns(self):
        # Every URL naming a model by its pk checks the unit scope first (admin_views.guard_instance_view).
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            if "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = guard_instance_view(pattern.callback, pattern.name)
        return patterns


class CommendationViewSet(SnippetViewSet):
    model = Commendation
    icon = "pick"
    menu_label = _("Commendations")
    list_display = [
        "practice_model",
        "form",
        "level",
        "decision_number",
        "decision_date",
        "issuing_body",
        CertificateColumn("certificate", label=_("Certificate")),
    ]
    list_filter = ["form", "level"]
    search_fields = ["decision_number", "issuing_body", "title", "practice_model__title"]
    ordering = ["-decision_date"]
    index_view_class = CommendationIndexView
    chooser_viewset_class = CommendationChooserViewSet
    # Creating and editing one commendation runs the award service's checks (commendation_forms.py).
    edit_handler = ObjectList(Commendation.panels, base_form_class=CommendationAdminForm)

    def get_queryset(self, request):
        return scoped_commendations(request.user, Commendation.objects.select_related("practice_model"))

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            if "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = guard_commendation_view(pattern.callback)
        return patterns


class FieldViewSet(SnippetViewSet):
    model = Field
    icon = "tag"
    menu_label = pgettext_lazy("taxonomy", "Fields")
    list_display = ["name", "slug", "sort_order"]
    ordering = ["sort_order", "name"]
    copy_view_enabled = False


class RegistryViewSetGroup(ViewSetGroup):
    menu_label = _("Registry")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        PracticeModelViewSet,
        CommendationViewSet,
        UnitViewSet,
        UnitChangeViewSet,
        UnitMembershipViewSet,
        FieldViewSet,
        SpreadsheetImportViewSet,
        DuplicateFlagViewSet,
    )


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryViewSetGroup()


@hooks.register("register_admin_viewset")
def register_commendation_tools():
    return CommendationToolsViewSet()


@hooks.register("register_log_actions")
def register_commendation_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    from .services.commendations import AWARD_ACTION

    @actions.register_action(AWARD_ACTION)
    class AwardFormatter(LogFormatter):
        label = _("Commend")

        def format_message(self, log_entry):
            try:
                return _("Commended by decision %(number)s of %(date)s, %(body)s") % {
                    "number": log_entry.data["decision_number"],
                    "date": "/".join(reversed(log_entry.data["decision_date"].split("-"))),
                    "body": log_entry.data["issuing_body"],
                }
            except (KeyError, TypeError, AttributeError):
                return _("Commended")


@hooks.register("register_log_actions")
def register_unit_history_log_actions(actions):
    """How a unit's history shows a recorded rename, merge, split or move (services.unit_history)."""
    from wagtail.log_actions import LogFormatter

    from .services.unit_history import LOG_ACTION

    @actions.register_action(LOG_ACTION)
    class UnitChangeFormatter(LogFormatter):
        label = _("Unit change")

        def format_message(self, log_entry):
            try:
                return _("%(kind)s: %(summary)s") % {
                    "kind": UnitChange(kind=log_entry.data["kind"]).get_kind_display(),
                    "summary": log_entry.data["summary"],
                }
            except (KeyError, TypeError):
                return _("Unit change")


# Review workflow (issue 3): the unit-tree review step's log action and the reviewer's dashboard.


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    @actions.register_action("models_registry.workflow.refuse")
    class RefuseFormatter(LogFormatter):
        label = _("Workflow: reject the practice model")

        def format_message(self, log_entry):
            try:
                return _("Rejected at '%(task)s'. Workflow ended without publishing") % {
                    "task": log_entry.data["workflow"]["task"]["title"],
                }
            except (KeyError, TypeError):
                return _("Rejected. Workflow ended without publishing")

        def format_comment(self, log_entry):
            return log_entry.data.get("comment", "")


@hooks.register("construct_homepage_panels")
def add_review_panel(request, panels):
    """The reviewer's own list of practice models waiting for them, oldest first, and the officer's
    list of their unit's submissions.

    Wagtail's "Awaiting your review" panel would list the same models again (newest first, with a
    few queries per row), so it is kept only for users who also moderate page workflows. Its "Your
    pages and snippets in a workflow" panel would list the officer's submissions again, every one
    of them (at a deadline, hundreds: a second per dashboard), so it is kept only for those whose
    submissions the unit panel does not show (city editors) or who have something else in a workflow.
    """
    from wagtail.admin.views.home import UserObjectsInWorkflowModerationPanel, WorkflowObjectsToModeratePanel

    from . import permissions
    from .panels import (
        PracticeModelsToReviewPanel,
        UnitSubmissionsPanel,
        follows_other_workflows,
        moderates_other_tasks,
    )

    if not moderates_other_tasks(request.user):
        panels[:] = [panel for panel in panels if not isinstance(panel, WorkflowObjectsToModeratePanel)]
    if not permissions.is_unscoped(request.user) and not follows_other_workflows(request.user):
        panels[:] = [panel for panel in panels if not isinstance(panel, UserObjectsInWorkflowModerationPanel)]
    panels.append(PracticeModelsToReviewPanel())
    panels.append(UnitSubmissionsPanel())


# Images and documents: Wagtail's collection policy narrowed to the user's units. Registered for
# the exact classes so they win over the policies Wagtail's apps register for the base classes.
register_permission_policy(
    get_image_model(),
    UnitScopedMediaPolicy(get_image_model(), auth_model="wagtailimages.Image", owner_field_name="uploaded_by_user"),
    exact_class=True,
)
register_permission_policy(
    get_document_model(),
    UnitScopedMediaPolicy(
        get_document_model(), auth_model="wagtaildocs.Document", owner_field_name="uploaded_by_user"
    ),
    exact_class=True,
)


@hooks.register("before_serve_document")
def refuse_private_attachments(document, request):
    """A document no published model uses downloads only for those who may choose it in the admin."""
    if document_is_public(document):
        return None
    policy = UnitScopedMediaPolicy(
        get_document_model(), auth_model="wagtaildocs.Document", owner_field_name="uploaded_by_user"
    )
    if request.user.is_authenticated and policy.user_has_any_permission_for_instance(
        request.user, ["choose", "change"], document
    ):
        return None
    raise Http404


# Likely duplicates (issue 6): flagged when a model is saved in the editor, shown when it is opened,
# decided on in "Mô hình có thể trùng" (duplicate_admin.py).
hooks.register("after_create_snippet", flag_after_save)
hooks.register("after_edit_snippet", flag_after_save)
hooks.register("before_edit_snippet", show_open_flags)


@hooks.register("register_log_actions")
def register_duplicate_log_actions(actions):
    from wagtail.log_actions import LogFormatter

    from .services.duplicates import KEEP_APART_ACTION, LINK_ACTION, MERGE_ACTION

    @actions.register_action(LINK_ACTION)
    class LinkFormatter(LogFormatter):
        label = _("Link to an earlier record")

        def format_message(self, log_entry):
            try:
                return _("Linked as the continuation of %(title)s (%(year)s)") % {
                    "title": log_entry.data["earlier"]["title"],
                    "year": log_entry.data["earlier"]["year"],
                }
            except (KeyError, TypeError):
                return _("Linked to an earlier record")

    @actions.register_action(MERGE_ACTION)
    class MergeFormatter(LogFormatter):
        label = _("Merge a duplicate")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if "merged" in data:
                return _("Merged the duplicate %(title)s into this model") % {"title": data["merged"].get("title", "")}
            if "twin" in data:
                return _("Merged into %(title)s") % {"title": data["twin"].get("title", "")}
            return _("Merge a duplicate")

    @actions.register_action(KEEP_APART_ACTION)
    class KeepApartFormatter(LogFormatter):
        label = _("Keep apart from a likely duplicate")

        def format_message(self, log_entry):
            try:
                return _("Kept apart from %(title)s") % {"title": log_entry.data["twin"]["title"]}
            except (KeyError, TypeError):
                return _("Kept apart from a likely duplicate")
