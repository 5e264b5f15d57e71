"""The reviewer's dashboard panel: practice models awaiting their decision, oldest first."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component
from wagtail.models import Task, TaskState, WorkflowState

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
