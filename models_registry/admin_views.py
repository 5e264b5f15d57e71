"""Admin views of practice models, narrowed to the models of the user's units.

Wagtail's generic snippet views check model-level permissions; which models a user may
see depends here on their unit memberships (see permissions.py). The index and the
chooser list only those; every URL that names a model by its id answers 404 for a model
the user may not see (so they never learn its title), and 403 for an action they may not
take on one they can see.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import IndexView

from search.text import fold

from . import permissions
from .admin_forms import UnitSearchForm
from .models import PracticeModel

# Views that change a model (or its state), and the action each needs on that model.
GUARDED_ACTIONS = {
    "edit": "change",
    "delete": "delete",
    "unpublish": "publish",
    "revisions_revert": "change",
    "revisions_unschedule": "publish",
    "copy": "add",
    "lock": "lock",
    "unlock": "unlock",
}


def _task_grants(practice_model: PracticeModel, user, action: str) -> bool:
    """Whether the review step the model is at lets `user` open the editor (or lock it)."""
    task = practice_model.current_workflow_task
    if task is None:
        return False
    if action == "change":
        return task.user_can_access_editor(practice_model, user)
    if action == "lock":
        return task.user_can_lock(practice_model, user)
    if action == "unlock":
        return task.user_can_unlock(practice_model, user)
    return False


def guard_instance_view(view, url_name: str):
    """Wrap a snippet view whose URL carries the model's pk with the unit-scope checks."""
    action = GUARDED_ACTIONS.get(url_name)

    @wraps(view)
    def guarded(request, *args, pk, **kwargs):
        practice_model = PracticeModel.objects.select_related("unit").filter(pk=unquote(str(pk))).first()
        if practice_model is None or not permissions.can_view(request.user, practice_model):
            raise Http404
        if action and not (
            permissions.can_act(request.user, action, practice_model)
            or _task_grants(practice_model, request.user, action)
        ):
            raise PermissionDenied
        return view(request, *args, pk=pk, **kwargs)

    return guarded


class PracticeModelIndexView(IndexView):
    """The admin listing: the user's models only, searched diacritic-insensitively on a folded column."""

    def get_base_queryset(self):
        return permissions.visible_practice_models(self.request.user, super().get_base_queryset())

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        for word in fold(self.search_query).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class ScopedChooseMixin:
    def get_object_list(self):
        return permissions.visible_practice_models(self.request.user, super().get_object_list())


class ScopedChooseView(ScopedChooseMixin, chooser.ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseMixin, chooser.ChooseResultsView):
    pass


class ScopedChosenView(chooser.SnippetChosenView):
    def get_object(self, pk):
        return permissions.visible_practice_models(self.request.user).get(pk=pk)


class ScopedChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return permissions.visible_practice_models(self.request.user).filter(pk__in=pks)


class PracticeModelChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


class UnitChooseView(chooser.ChooseView):
    filter_form_class = UnitSearchForm


class UnitChooseResultsView(chooser.ChooseResultsView):
    filter_form_class = UnitSearchForm


class UnitChooserViewSet(chooser.SnippetChooserViewSet):
    """The unit chooser, searchable by name or code with or without diacritics."""

    choose_view_class = UnitChooseView
    choose_results_view_class = UnitChooseResultsView
