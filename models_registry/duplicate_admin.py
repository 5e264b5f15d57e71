"""Admin screens for likely duplicates ("Mô hình có thể trùng"), under /admin/mo-hinh-trung/.

The list of open flags the user may decide on, a side-by-side comparison of a flagged model and
its twin, and a confirmation page for each decision (link, merge, keep apart), which posts to
services.duplicates. Also the editor's side: the warning an officer sees when a model they save
looks like another, and the open flags shown to whoever opens a flagged model's editor. Wired in
wagtail_hooks.py.
"""

import logging

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.views import View

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from . import permissions
from .duplicates import story_text
from .models import DuplicateFlag, PracticeModel
from .services import duplicates as services

logger = logging.getLogger(__name__)

FLAGS_PER_PAGE = 25
EDIT_URL_NAME = "wagtailsnippets_models_registry_practicemodel:edit"
SESSION_KEY = "duplicates_announced"
ACTIONS = ("link", "merge", "keep-apart")


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": gettext("Home")},
        {"url": reverse("duplicates:list"), "label": gettext("Possible duplicates")},
        *({"url": url, "label": label} for url, label in items),
    ]


def _get_flag(request, pk: int) -> DuplicateFlag:
    flag = (
        DuplicateFlag.objects.select_related(
            "practice_model__unit", "practice_model__movement", "practice_model__field",
            "twin__unit", "twin__movement", "twin__field", "decided_by",
        )
        .filter(pk=pk)
        .first()
    )  # fmt: skip
    if flag is None or not permissions.can_view(request.user, flag.practice_model):
        raise Http404  # a flag on another unit's model does not exist for this user
    return flag


def _side(practice_model: PracticeModel, *, visible: bool) -> dict:
    """What the comparison shows of one model; only its unit and year when the user may not see it."""
    if not visible:
        return {"visible": False, "model": practice_model}
    story = story_text(practice_model.story)
    return {
        "visible": True,
        "model": practice_model,
        "story": story[:800] + ("…" if len(story) > 800 else ""),
        "commendations": practice_model.commendations.count(),
        "photos": practice_model.gallery_images.count(),
        "attachments": practice_model.attachments.count(),
    }


class MenuAccess:
    @staticmethod
    def allowed(user) -> bool:
        """Administrators and unit officers: those who may edit some model."""
        if not user.is_authenticated or not user.is_active:
            return False
        return permissions.is_unscoped(user) or any(
            membership.role == membership.Role.OFFICER for membership in permissions.memberships(user)
        )


class FlagListView(View):
    """The open flags on models the user may edit, most alike first."""

    template_name = "models_registry/admin/duplicate_list.html"

    def get(self, request):
        paginator = Paginator(services.actionable_flags(request.user), FLAGS_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        rows = [{"flag": flag, "twin_visible": services.twin_visible(request.user, flag)} for flag in page]
        context = {
            "page_title": gettext("Possible duplicates"),
            "header_icon": "copy",
            "breadcrumbs_items": _breadcrumbs(),
            "page_obj": page,
            "rows": rows,
        }
        return TemplateResponse(request, self.template_name, context)


class FlagDetailView(View):
    """The flagged model and its twin side by side, with the decisions the user may take."""

    template_name = "models_registry/admin/duplicate_detail.html"

    def get(self, request, pk: int):
        flag = _get_flag(request, pk)
        user = request.user
        context = {
            "page_title": gettext("Possible duplicate"),
            "header_icon": "copy",
            "breadcrumbs_items": _breadcrumbs(("", flag.practice_model.title)),
            "flag": flag,
            "newcomer": _side(flag.practice_model, visible=True),
            "twin": _side(flag.twin, visible=services.twin_visible(user, flag)),
            "can_decide": flag.status == DuplicateFlag.Status.OPEN and services.can_decide(user, flag),
            "newcomer_edit_url": _edit_url(user, flag.practice_model),
            "twin_edit_url": _edit_url(user, flag.twin),
        }
        return TemplateResponse(request, self.template_name, context)


def _edit_url(user, practice_model: PracticeModel) -> str | None:
    if permissions.can_view(user, practice_model):
        return reverse(EDIT_URL_NAME, args=[quote(practice_model.pk)])
    return None


class FlagActionView(View):
    """GET: what the decision will do, and a button to confirm it; POST: take it."""

    template_name = "models_registry/admin/duplicate_confirm.html"

    def dispatch(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404
        self.flag = _get_flag(request, pk)
        if not services.can_decide(request.user, self.flag):
            raise PermissionDenied
        return super().dispatch(request, pk=pk, action=action)

    def get(self, request, pk: int, action: str):
        flag = self.flag
        if flag.status != DuplicateFlag.Status.OPEN:
            messages.warning(request, gettext("This pair has already been decided on."))
            return redirect("duplicates:detail", pk=flag.pk)
        context = {
            "page_title": {
                "link": gettext("Link as records of different years"),
                "merge": gettext("Merge into the twin"),
                "keep-apart": gettext("Keep apart"),
            }[action],
            "header_icon": "copy",
            "breadcrumbs_items": _breadcrumbs(
                (reverse("duplicates:detail", args=[flag.pk]), flag.practice_model.title), ("", gettext("Confirm"))
            ),
            "flag": flag,
            "action": action,
            "twin_visible": services.twin_visible(request.user, flag),
        }
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk: int, action: str):
        flag, user = self.flag, request.user
        try:
            if action == "link":
                later = services.link_records(flag=flag, user=user)
                message = gettext("“%(later)s” is now recorded as the continuation of “%(earlier)s”.") % {
                    "later": later.title,
                    "earlier": later.previous_record.title,
                }
            elif action == "merge":
                twin = services.merge_into_twin(flag=flag, user=user)
                message = gettext("“%(title)s” has been merged into “%(twin)s”.") % {
                    "title": flag.practice_model.title,
                    "twin": twin.title,
                }
            else:
                services.keep_apart(flag=flag, user=user)
                message = gettext("“%(title)s” and its twin are kept apart; this pair will not be flagged again.") % {
                    "title": flag.practice_model.title
                }
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text or gettext("You may not do this."))
            return redirect("duplicates:detail", pk=flag.pk)
        messages.success(request, message)
        return redirect("duplicates:list")


class DuplicatesMenuItem(MenuItem):
    def is_shown(self, request):
        return MenuAccess.allowed(request.user)


class DuplicateFlagViewSet(ViewSet):
    """The "Mô hình có thể trùng" screens, in the registry's menu."""

    name = "duplicates"
    url_prefix = "mo-hinh-trung"
    icon = "copy"
    menu_label = pgettext_lazy("admin menu", "Possible duplicates")
    menu_name = "possible-duplicates"
    menu_item_class = DuplicatesMenuItem

    def get_urlpatterns(self):
        return [
            path("", FlagListView.as_view(), name="list"),
            path("<int:pk>/", FlagDetailView.as_view(), name="detail"),
            path("<int:pk>/<slug:action>/", FlagActionView.as_view(), name="action"),
        ]


# ---------------------------------------------------------------------------------------------
# The editor: flag on save, show open flags when opened


def _twin_names(user, flags: list[DuplicateFlag], practice_model: PracticeModel):
    parts = []
    for flag in flags:
        other = flag.twin if flag.practice_model_id == practice_model.pk else flag.practice_model
        if other.live or permissions.can_view(user, other):
            label = format_html("“{}” ({}, {})", other.title, other.unit.name, other.year)
        else:
            label = format_html("{} ({}, {})", gettext("a model not yet published"), other.unit.name, other.year)
        parts.append((reverse("duplicates:detail", args=[flag.pk]), label))
    return format_html_join(", ", '<a href="{}">{}</a>', parts)


def flag_after_save(request, instance) -> None:
    """after_create_snippet / after_edit_snippet: flag the likely twins of the model just saved and say so."""
    if not isinstance(instance, PracticeModel):
        return
    try:
        new = services.flag_practice_model(practice_model=instance, user=request.user)
    except Exception:  # the model is saved: a failed check must not turn that into an error page
        logger.exception("Duplicate check failed for practice model %s", instance.pk)
        return
    if new:
        # bulk_create(ignore_conflicts=True) leaves the new flags without their ids: read them back.
        flags = list(
            services.open_flags_for(instance).filter(practice_model=instance, twin__in=[f.twin_id for f in new])
        )
        messages.warning(
            request,
            format_html(
                "{} {}",
                gettext("This model may duplicate:"),
                _twin_names(request.user, flags, instance),
            ),
        )
        request.session[SESSION_KEY] = instance.pk


def show_open_flags(request, instance) -> None:
    """before_edit_snippet: whoever opens a flagged model's editor (its officer, its reviewer) sees its open flags."""
    if request.method != "GET" or not isinstance(instance, PracticeModel):
        return
    if request.session.pop(SESSION_KEY, None) == instance.pk:
        return  # just announced by flag_after_save
    flags = list(services.open_flags_for(instance)[:5])
    if flags:
        messages.warning(
            request,
            format_html("{} {}", gettext("This model may duplicate:"), _twin_names(request.user, flags, instance)),
        )
