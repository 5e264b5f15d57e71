"""The action Wagtail runs when a practice model's workflow is approved (WAGTAIL_FINISH_WORKFLOW_ACTION).

Kept apart from workflows.py, which imports wagtail.models: Wagtail imports this setting's
target while wagtail.models itself is loading.
"""


def publish_approved_workflow(workflow_state, user=None):
    """Publish what a finished workflow approved (WAGTAIL_FINISH_WORKFLOW_ACTION).

    Wagtail's default, `wagtail.workflows.publish_workflow_state`, re-checks that the last approver
    holds the model-level "publish" permission. Our reviewers are reviewers by unit membership, not
    by group, so they hold no such permission: when the last step was a unit review, that step
    already checked the approver (see UnitReviewTask.get_actions and on_action) and the approval
    itself is the authority to publish. Every other workflow keeps Wagtail's check.
    """
    # Imported here: Wagtail reads this setting while wagtail.models is still being imported.
    from wagtail.models import TaskState

    from .workflows import UnitReviewTaskState

    last_step = workflow_state.current_task_state
    approved_by_unit_review = (
        last_step is not None
        and last_step.status == TaskState.STATUS_APPROVED
        and isinstance(last_step.specific, UnitReviewTaskState)
    )
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=approved_by_unit_review)
