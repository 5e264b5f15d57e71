"""Review emails: reviewers hear when a model awaits them, the unit's officers hear every decision.

Connected to Wagtail's workflow signals in `ModelsRegistryConfig.ready()`. Mail goes through
Django's email backend once the transaction commits, so a rolled-back decision sends nothing.

Wagtail's own workflow emails (to superusers on submission, to the submitter on approval or on a
request for changes) would repeat ours for workflows made of `UnitReviewTask` steps, so
`replace_wagtail_workflow_notifiers` keeps them for every other workflow (pages) only.
"""

import logging

from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from wagtail.models import TaskState, WorkflowState
from wagtail.signals import (
    task_approved,
    task_rejected,
    task_submitted,
    workflow_approved,
    workflow_cancelled,
    workflow_rejected,
    workflow_submitted,
)

from .models import UnitMembership
from .selectors import unit_members
from .workflows import UnitReviewTask, UnitReviewTaskState

logger = logging.getLogger(__name__)

SUBMITTED = "submitted"
APPROVED = "approved"
CHANGES_REQUESTED = "changes_requested"
REJECTED = "rejected"
PUBLISHED = "published"
SUBMITTED_BATCH = "submitted_batch"
BATCH_LISTED = 50  # models named in a summary email; the rest are counted


# The snippet viewset's URL names; `snippet_viewset` itself is only attached once the admin URLs load.
EDIT_URL_NAME = "wagtailsnippets_models_registry_practicemodel:edit"


def admin_edit_url(practice_model) -> str:
    path = reverse(EDIT_URL_NAME, args=[quote(practice_model.pk)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def officers_of(unit_id):
    """The active officers of a unit with an email address."""
    return unit_members(unit_id=unit_id, role=UnitMembership.Role.OFFICER).exclude(email="")


def send(*, recipients, kind: str, context: dict) -> None:
    """Render the Vietnamese subject and body of `kind` and mail each recipient after commit."""
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"models_registry/emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"models_registry/emails/{kind}.txt", context).strip()

    def deliver():
        for address in addresses:
            try:
                send_mail(subject, body, None, [address])
            except Exception:
                # One unreachable mailbox must not hide the decision from the others.
                logger.exception("Failed to send review email %r to %s", subject, address)

    transaction.on_commit(deliver)


def reviewed_object(task_state):
    """The model as it stands in the revision under review."""
    return task_state.revision.as_object()


def decision_context(task_state, decision: str) -> dict:
    practice_model = reviewed_object(task_state)
    workflow_state = task_state.workflow_state
    next_task_state = workflow_state.current_task_state if decision == APPROVED else None
    return {
        "decision": decision,
        "practice_model": practice_model,
        "unit": practice_model.unit,
        "task": task_state.task,
        "next_task": next_task_state.task if next_task_state and next_task_state.pk != task_state.pk else None,
        "reviewer": task_state.finished_by,
        "comment": task_state.comment,
        "recognition_level": practice_model.get_recognition_level_display() if decision == PUBLISHED else "",
        "edit_url": admin_edit_url(practice_model),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }


def notify_officers(task_state, decision: str) -> None:
    context = decision_context(task_state, decision)
    send(recipients=officers_of(context["practice_model"].unit_id), kind="decision", context=context)


def on_task_submitted(sender, instance, user=None, **kwargs):
    """A model reached a step: tell the reviewers resolved for it (not the person who sent it)."""
    task = instance.task.specific
    recipients = task.reviewers(instance).exclude(email="")
    if user is not None:
        recipients = recipients.exclude(pk=user.pk)
    practice_model = reviewed_object(instance)
    send(
        recipients=list(recipients),
        kind=SUBMITTED,
        context={
            "practice_model": practice_model,
            "unit": practice_model.unit,
            "task": task,
            "submitter": instance.workflow_state.requested_by,
            "edit_url": admin_edit_url(practice_model),
            "site_name": settings.WAGTAIL_SITE_NAME,
        },
    )


def notify_reviewers_of_batch(*, task, started, user=None) -> None:
    """Many models reached a step at once (an import): one summary email per reviewer, not one per model.

    `started` holds (model, reviewing unit id) pairs, as workflows.start_reviews_in_bulk returns them;
    each reviewer hears of the models of every unit they review, and the submitter hears nothing.
    """
    models_by_unit: dict[int, list] = {}
    for practice_model, unit_id in started:
        if unit_id is not None:
            models_by_unit.setdefault(unit_id, []).append(practice_model)
    by_reviewer: dict[int, tuple[object, list]] = {}
    for unit_id, practice_models in models_by_unit.items():
        for reviewer in unit_members(unit_id=unit_id, role=UnitMembership.Role.REVIEWER).exclude(email=""):
            if user is not None and reviewer.pk == user.pk:
                continue
            by_reviewer.setdefault(reviewer.pk, (reviewer, []))[1].extend(practice_models)
    dashboard_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
    for reviewer, practice_models in by_reviewer.values():
        listed = practice_models[:BATCH_LISTED]
        send(
            recipients=[reviewer],
            kind=SUBMITTED_BATCH,
            context={
                "count": len(practice_models),
                "items": [(model, model.unit, admin_edit_url(model)) for model in listed],
                "more": len(practice_models) - len(listed),
                "task": task,
                "submitter": user,
                "dashboard_url": dashboard_url,
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )


def on_task_approved(sender, instance, user=None, **kwargs):
    # The last approval publishes the model: `on_workflow_approved` tells the unit once, with the level.
    if instance.workflow_state.status == WorkflowState.STATUS_APPROVED:
        return
    notify_officers(instance, APPROVED)


def on_task_rejected(sender, instance, user=None, **kwargs):
    notify_officers(instance, CHANGES_REQUESTED)


def on_workflow_approved(sender, instance, user=None, **kwargs):
    task_state = instance.current_task_state
    if task_state is not None and isinstance(task_state.specific, UnitReviewTaskState):
        notify_officers(task_state, PUBLISHED)


def on_workflow_cancelled(sender, instance, user=None, **kwargs):
    """A refusal cancels the workflow with its task state rejected; a plain cancellation is not news."""
    task_state = instance.current_task_state
    if (
        task_state is not None
        and task_state.status == TaskState.STATUS_REJECTED
        and isinstance(task_state.specific, UnitReviewTaskState)
    ):
        notify_officers(task_state, REJECTED)


def uses_unit_review(workflow_state) -> bool:
    return UnitReviewTask.objects.filter(workflow_tasks__workflow_id=workflow_state.workflow_id).exists()


def skipping_unit_review(notifier):
    """Wrap one of Wagtail's workflow notifiers so it stays quiet where ours already speak."""

    def receiver(sender, instance=None, **kwargs):
        if instance is not None and uses_unit_review(instance):
            return False
        return notifier(instance=instance, **kwargs)

    return receiver


def replace_wagtail_workflow_notifiers():
    """Put our filtered receivers under the dispatch ids of Wagtail's workflow notifiers.

    Connecting under the same dispatch_uid works whichever app is ready first: Django ignores a
    second connect with an existing id, and a disconnect removes Wagtail's if it came first.
    """
    from wagtail.admin import signal_handlers as wagtail_handlers

    for signal, dispatch_uid, notifier in [
        (
            workflow_submitted,
            "workflow_state_submitted_email_notification",
            wagtail_handlers.workflow_submission_email_notifier,
        ),
        (
            workflow_rejected,
            "workflow_state_rejected_email_notification",
            wagtail_handlers.workflow_rejection_email_notifier,
        ),
        (
            workflow_approved,
            "workflow_state_approved_email_notification",
            wagtail_handlers.workflow_approval_email_notifier,
        ),
    ]:
        signal.disconnect(sender=WorkflowState, dispatch_uid=dispatch_uid)
        signal.connect(skipping_unit_review(notifier), sender=WorkflowState, dispatch_uid=dispatch_uid, weak=False)


def connect_receivers():
    task_submitted.connect(
        on_task_submitted, sender=UnitReviewTaskState, dispatch_uid="models_registry_review_submitted"
    )
    task_approved.connect(on_task_approved, sender=UnitReviewTaskState, dispatch_uid="models_registry_review_approved")
    task_rejected.connect(on_task_rejected, sender=UnitReviewTaskState, dispatch_uid="models_registry_review_rejected")
    workflow_approved.connect(
        on_workflow_approved, sender=WorkflowState, dispatch_uid="models_registry_review_published"
    )
    workflow_cancelled.connect(
        on_workflow_cancelled, sender=WorkflowState, dispatch_uid="models_registry_review_refused"
    )
    replace_wagtail_workflow_notifiers()
