"""Admin screens for commendations: the nomination list ("Khen thưởng theo danh sách"), the
certificate download, and the permission policy narrowing commendations to the reviewer's units.

Wired in wagtail_hooks.py. The screens parse with the forms of commendation_forms.py and write
through services.commendations only.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import IndexView

from . import permissions
from .certificates import certificate_response
from .commendation_forms import MAX_CHECKLIST, BulkAwardForm, NominationFilterForm
from .models import Commendation, PracticeModel
from .services import commendations as commendation_services


class CommendationPermissionPolicy(ModelPermissionPolicy):
    """Django's commendation permissions, narrowed to the models of the reviewer's units and below."""

    def _in_scope(self, user, instance) -> bool:
        if permissions.is_unscoped(user):
            return True
        practice_model = instance.practice_model
        return commendation_services.can_commend(user, practice_model)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return scoped_commendations(user, self.model._default_manager.all())

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


def scoped_commendations(user, queryset):
    """The commendations `user` may see in the admin: all for the unscoped, their units' and below for reviewers."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if permissions.is_unscoped(user):
        return queryset
    scope = commendation_services.commendable_scope(user)
    if not scope:
        return queryset  # a reviewer of the only root unit
    return queryset.filter(practice_model__in=PracticeModel.objects.filter(scope).values("pk"))


def guard_commendation_view(view):
    """Wrap a commendation view whose URL carries its pk: a commendation out of the user's units is not found."""

    @wraps(view)
    def guarded(request, *args, pk, **kwargs):
        commendation = Commendation.objects.select_related("practice_model__unit").filter(pk=unquote(str(pk))).first()
        policy = CommendationPermissionPolicy(Commendation)
        if commendation is None or not policy.user_has_any_permission_for_instance(
            request.user, ["view", "change", "delete"], commendation
        ):
            raise Http404
        return view(request, *args, pk=pk, **kwargs)

    return guarded


class ScopedCommendationChooseMixin:
    def get_object_list(self):
        return scoped_commendations(self.request.user, super().get_object_list())


class ScopedCommendationChooseView(ScopedCommendationChooseMixin, chooser.ChooseView):
    pass


class ScopedCommendationChooseResultsView(ScopedCommendationChooseMixin, chooser.ChooseResultsView):
    pass


class ScopedCommendationChosenView(chooser.SnippetChosenView):
    def get_object(self, pk):
        return scoped_commendations(self.request.user, Commendation.objects.all()).get(pk=pk)


class ScopedCommendationChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return scoped_commendations(self.request.user, Commendation.objects.all()).filter(pk__in=pks)


class CommendationChooserViewSet(chooser.SnippetChooserViewSet):
    """The commendation chooser, listing and returning only the commendations the user may see."""

    choose_view_class = ScopedCommendationChooseView
    choose_results_view_class = ScopedCommendationChooseResultsView
    chosen_view_class = ScopedCommendationChosenView
    chosen_multiple_view_class = ScopedCommendationChosenMultipleView


class BulkAwardView(View):
    """Choose the models, fill the decision once, review the list, attach the scan and confirm.

    GET lists the published models of the reviewer's scope (filtered by movement, year, unit or
    words of the title) as a checklist beside the decision form. POST `action=review` checks
    everything and shows the numbered list to confirm; `action=confirm` (with the scanned
    decision) records it through the award service, all or nothing; `action=edit` goes back.
    """

    template_name = "models_registry/admin/bulk_award.html"
    confirm_template_name = "models_registry/admin/bulk_award_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(commendation_services.ADD_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _context(self, **kwargs):
        context = {
            "page_title": gettext("Commend a nomination list"),
            "header_icon": "pick",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
                {"url": "", "label": gettext("Commend a nomination list")},
            ],
            "commendations_url": reverse("wagtailsnippets_models_registry_commendation:list"),
        }
        context.update(kwargs)
        return context

    def _checklist(self, filter_form: NominationFilterForm, selected: list):
        queryset = filter_form.filter(commendation_services.commendable_models(self.request.user))
        queryset = queryset.select_related("unit", "movement").order_by("-year", "title", "pk")
        selected_ids = {model.pk for model in selected}
        listed = list(queryset.exclude(pk__in=selected_ids)[:MAX_CHECKLIST])
        total = queryset.count()
        return listed, total

    def _render_choose(self, form: BulkAwardForm, status: int = 200):
        request = self.request
        filter_form = NominationFilterForm(request.GET or None, user=request.user)
        selected = []
        if form.is_bound:
            # Keep what was ticked, even a model the filters no longer show.
            try:
                selected = form.fields["practice_models"].clean(form.data.getlist("practice_models"))
            except ValidationError:
                selected = []
        listed, total = self._checklist(filter_form, selected)
        context = self._context(
            form=form,
            filter_form=filter_form,
            selected_models=selected,
            listed_models=listed,
            matching_count=total,
            checklist_limit=MAX_CHECKLIST,
            truncated=len(listed) >= MAX_CHECKLIST and total > MAX_CHECKLIST,
            media=form.media,
        )
        return TemplateResponse(request, self.template_name, context, status=status)

    def _render_confirm(self, form: BulkAwardForm, status: int = 200):
        context = self._context(
            form=form,
            practice_models=form.cleaned_data.get("practice_models") or [],
            decision=form.cleaned_data,
            query_string=self.request.GET.urlencode(),
        )
        return TemplateResponse(self.request, self.confirm_template_name, context, status=status)

    def get(self, request):
        return self._render_choose(BulkAwardForm(user=request.user))

    def post(self, request):
        action = request.POST.get("action", "review")
        if action == "edit":
            form = BulkAwardForm(request.POST, user=request.user)
            form.is_valid()  # shows the list and the decision as they were, errors included
            return self._render_choose(form)
        if action == "confirm":
            form = BulkAwardForm(request.POST, request.FILES, user=request.user, with_file=True)
            if not form.is_valid():
                if form.has_error("practice_models") or set(form.errors) - {"decision_file"}:
                    return self._render_choose(form, status=400)
                return self._render_confirm(form, status=400)
            try:
                created = form.award()
            except ValidationError as error:
                # Another reviewer recorded the same number in between: nothing of this list was saved.
                for message in error.messages:
                    form.add_error(None, message)
                return self._render_choose(form, status=409)
            messages.success(
                request,
                ngettext(
                    "Decision %(number)s recorded: %(count)s model commended.",
                    "Decision %(number)s recorded: %(count)s models commended.",
                    len(created),
                )
                % {"number": form.cleaned_data["decision_number"], "count": len(created)},
            )
            return redirect("wagtailsnippets_models_registry_commendation:list")
        form = BulkAwardForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render_choose(form, status=400)
        return self._render_confirm(form)


def admin_certificate(request, pk: int):
    """The certificate of any commendation the user may see in the admin, the model published or not."""
    commendation = get_object_or_404(
        Commendation.objects.select_related("practice_model__unit", "practice_model__movement"), pk=pk
    )
    policy = CommendationPermissionPolicy(Commendation)
    if not policy.user_has_any_permission_for_instance(request.user, ["view", "change", "add"], commendation):
        raise Http404  # a commendation out of reach does not exist, as for practice models
    response = certificate_response(commendation, request)
    patch_cache_control(response, private=True, no_store=True)  # it may print an unpublished model
    return response


class CertificateColumn(Column):
    """A link to the commendation's printable certificate."""

    def get_value(self, instance):
        url = reverse("commendation_tools:certificate", args=[instance.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("Certificate (PDF)"))


class CommendationIndexView(IndexView):
    """The commendation listing, with the way to the nomination list screen beside "Add"."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(commendation_services.ADD_PERMISSION):
            buttons.append(
                HeaderButton(
                    gettext("Commend a nomination list"),
                    url=reverse("commendation_tools:bulk_award"),
                    icon_name="list-ul",
                )
            )
        return buttons


class CommendationToolsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(commendation_services.ADD_PERMISSION)


class CommendationToolsViewSet(ViewSet):
    """The nomination list screen and the certificate download, under /admin/khen-thuong/."""

    name = "commendation_tools"
    url_prefix = "khen-thuong"
    icon = "pick"
    menu_label = _("Commend a nomination list")
    menu_name = "commend-list"
    add_to_admin_menu = True
    menu_order = 201  # right after the registry
    menu_item_class = CommendationToolsMenuItem

    def get_urlpatterns(self):
        return [
            path("theo-danh-sach/", BulkAwardView.as_view(), name="bulk_award"),
            path("<int:pk>/giay-chung-nhan/", admin_certificate, name="certificate"),
        ]
