"""The dashboard panels: practice models awaiting the reviewer's decision, oldest first; the officer's submissions."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component
from wagtail.models import Page, Task, TaskState, WorkflowState, get_default_page_content_type

from .models import PracticeModel
from .notifications import EDIT_URL_NAME
from .workflows import UnitReviewTask, UnitReviewTaskState, overdue_days, reviewer_unit_ids

# At most this many rows on the dashboard; the heading says how many there are in all.
PANEL_LIMIT = 50


@dataclass
class AwaitingReview:
    title: str
    unit_name: str
    task_name: str
    started_at: datetime
    age_days: int
    overdue: bool
    edit_url: str


def awaiting_review(user, *, limit: int = PANEL_LIMIT) -> tuple[list[AwaitingReview], int]:
    """The practice models whose current review step `user` may act on, oldest first, and their total.

    Three queries whatever the number of models: the count, the task states (with their task and the
    title of the revision under review), the models with their units.
    """
    states = UnitReviewTaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        workflow_state__base_content_type=ContentType.objects.get_for_model(PracticeModel),
    )
    if not user.is_superuser:
        unit_ids = reviewer_unit_ids(user)
        if not unit_ids:
            return [], 0
        states = states.filter(reviewing_unit_id__in=unit_ids)
    total = states.count()
    if not total:
        return [], 0
    rows = list(
        states.order_by("started_at", "pk")
        .annotate(object_id=F("workflow_state__object_id"), title=F("revision__object_str"), task_name=F("task__name"))
        .values("object_id", "title", "task_name", "started_at")[:limit]
    )
    models = (
        PracticeModel.objects.select_related("unit")
        .only("pk", "title", "unit__name")
        .in_bulk([int(row["object_id"]) for row in rows])
    )
    now = timezone.now()
    threshold = overdue_days()
    items = []
    for row in rows:
        practice_model = models.get(int(row["object_id"]))
        if practice_model is None:
            continue
        age_days = (now - row["started_at"]).days
        items.append(
            AwaitingReview(
                title=row["title"] or practice_model.title,
                unit_name=practice_model.unit.name,
                task_name=row["task_name"],
                started_at=row["started_at"],
                age_days=age_days,
                overdue=age_days > threshold,
                edit_url=reverse(EDIT_URL_NAME, args=[quote(practice_model.pk)]),
            )
        )
    return items, total


class PracticeModelsToReviewPanel(Component):
    name = "practice_models_to_review"
    template_name = "models_registry/admin/review_panel.html"
    # Just before Wagtail's own "awaiting your review" panel (220).
    order = 215

    def get_context_data(self, parent_context=None):
        items, total = awaiting_review(parent_context["request"].user)
        return {
            "items": items,
            "total": total,
            "shown": len(items),
            "overdue_days": overdue_days(),
            "request": parent_context["request"],
        }


def moderates_other_tasks(user) -> bool:
    """Whether `user` has something waiting in a workflow task other than ours (page moderation)."""
    other_tasks = (
        Task.objects.active().exclude(content_type=ContentType.objects.get_for_model(UnitReviewTask)).specific()
    )
    return any(task.get_task_states_user_can_moderate(user=user).exists() for task in other_tasks)


def follows_other_workflows(user) -> bool:
    """Whether `user` may have something other than practice models in a workflow: a request of
    theirs for another kind of object, or pages they own while pages are in one."""
    active = WorkflowState.objects.active()
    practice_models = ContentType.objects.get_for_model(PracticeModel)
    if active.filter(requested_by=user).exclude(base_content_type=practice_models).exists():
        return True
    return (
        Page.objects.filter(owner=user).exists()
        and active.filter(base_content_type=get_default_page_content_type()).exists()
    )


@dataclass
class Submission:
    title: str
    unit_name: str
    needs_changes: bool
    task_name: str
    since: datetime
    comment: str
    edit_url: str


def unit_submissions(user, *, limit: int = PANEL_LIMIT) -> list[Submission]:
    """The user's units' models in review or sent back for changes, newest first, with the last comment.

    Four queries: the models the user edits, their open workflows, the steps' latest comments, the models.
    """
    from . import permissions

    if permissions.is_unscoped(user):
        return []  # city editors follow everything through the listing and the reviewers' panels
    model_ids = [str(pk) for pk in permissions.editable_practice_models(user).values_list("pk", flat=True)]
    if not model_ids:
        return []
    states = list(
        WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(PracticeModel),
            object_id__in=model_ids,
            status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
        )
        .select_related("current_task_state__task")
        .order_by("-created_at")[:limit]
    )
    if not states:
        return []
    comments: dict[int, str] = {}
    for state_id, comment in (
        TaskState.objects.filter(workflow_state__in=states)
        .exclude(comment="")
        .order_by("workflow_state_id", "-finished_at")
        .values_list("workflow_state_id", "comment")
    ):
        comments.setdefault(state_id, comment)
    models = PracticeModel.objects.select_related("unit").in_bulk([int(state.object_id) for state in states])
    items = []
    for state in states:
        practice_model = models.get(int(state.object_id))
        if practice_model is None:
            continue
        task_state = state.current_task_state
        items.append(
            Submission(
                title=practice_model.title,
                unit_name=practice_model.unit.name,
                needs_changes=state.status == WorkflowState.STATUS_NEEDS_CHANGES,
                task_name=task_state.task.name if task_state else "",
                since=(task_state.finished_at or task_state.started_at) if task_state else state.created_at,
                comment=comments.get(state.pk, ""),
                edit_url=reverse(EDIT_URL_NAME, args=[quote(practice_model.pk)]),
            )
        )
    return items


class UnitSubmissionsPanel(Component):
    """The officer's dashboard panel: where each of their unit's submissions stands, with the reviewers' word."""

    name = "unit_submissions"
    template_name = "models_registry/admin/submissions_panel.html"
    order = 210

    def get_context_data(self, parent_context=None):
        return {"items": unit_submissions(parent_context["request"].user), "request": parent_context["request"]}
