"""The review step of the registry's workflow: reviewers resolved from the unit tree, not from groups.

One workflow serves every unit. Each step is a `UnitReviewTask`; when it starts on a model it
looks up, in the unit tree, which unit reviews that model (the nearest unit above it that has
reviewers, or the root of its tree) and records that unit on the task state. Whoever holds a
reviewer membership on that unit may act; adding a reviewer to a district is one membership.

How the four decisions map onto Wagtail's engine:

- approve / approve with a comment: Wagtail's ``approve``. The task state is approved and the
  workflow moves on; after the last step Wagtail publishes the latest revision.
- request changes: Wagtail's own ``reject`` action. The task state becomes "rejected" and the
  workflow state "needs changes"; the unit revises and resubmits, and Wagtail's ``resume``
  restarts the workflow at the very step that asked for changes.
- reject (final refusal): our ``refuse`` action. The task state is closed as "rejected" with the
  reviewer's comment, a ``models_registry.workflow.refuse`` entry goes into the audit log, and the
  workflow state is cancelled, so nothing is published and there is nothing to resume. The unit
  may still submit a new version later, which starts a fresh review.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import LockableMixin, ModelLogEntry, Task, TaskState, Workflow, WorkflowState
from wagtail.signals import task_submitted

from . import permissions
from .models import RecognitionLevel, Unit, UnitMembership

REFUSE = "refuse"


class RecognitionLevelApprovalForm(TaskStateCommentForm):
    """Approval at the step that decides the recognition level: the level is required."""

    recognition_level = forms.ChoiceField(label=_("Recognition level"), choices=RecognitionLevel.choices)

    field_order = ["recognition_level", "comment"]


class RequiredCommentForm(TaskStateCommentForm):
    """Returning or refusing a model without saying why leaves the unit guessing: the comment is required."""

    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 5}))


def reviewer_unit_ids(user) -> set[int]:
    """The units on which `user` holds a reviewer membership (from the memberships cached for the request)."""
    if not user.is_authenticated:
        return set()
    return {m.unit_id for m in permissions.memberships(user) if m.role == UnitMembership.Role.REVIEWER}


class UnitReviewTaskState(TaskState):
    """A review step under way, with the unit whose reviewers were found for it when it started."""

    reviewing_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewing unit"),
    )

    class Meta:
        verbose_name = _("unit review task state")
        verbose_name_plural = _("unit review task states")


class UnitReviewTask(Task):
    """A workflow step whose reviewers are the reviewers of a unit found in the tree at run time."""

    class Scope(models.TextChoices):
        NEAREST = "nearest", _("Nearest unit above with reviewers")
        ROOT = "root", _("Root unit (city / province)")

    scope = models.CharField(
        _("who reviews"),
        max_length=20,
        choices=Scope.choices,
        default=Scope.NEAREST,
        help_text=_(
            "Nearest: the reviewers of the nearest unit above the model's unit that has reviewers "
            "(a district, a mass organisation). Root: the reviewers of the city or province."
        ),
    )
    sets_recognition_level = models.BooleanField(
        _("sets the recognition level"),
        default=False,
        help_text=_("Approving at this step requires choosing the model's recognition level (usually the last step)."),
    )

    admin_form_fields = [*Task.admin_form_fields, "scope", "sets_recognition_level"]

    class Meta:
        verbose_name = _("Review along the unit tree")
        verbose_name_plural = _("Reviews along the unit tree")

    task_state_class = UnitReviewTaskState

    @classmethod
    def get_description(cls):
        return _(
            "Reviewers are found in the unit tree when a model reaches this step: the nearest unit "
            "above the model's unit that has reviewers, or the city / province."
        )

    # Who reviews.

    def resolve_reviewing_unit(self, unit: Unit) -> Unit | None:
        """The unit whose reviewers act on a model of `unit` at this step, or None when there is none."""
        steplen = Unit.steplen
        if self.scope == self.Scope.ROOT:
            return Unit.objects.filter(path=unit.path[:steplen]).first()
        # Ancestor paths are prefixes of the unit's own path: one query finds the deepest one
        # with at least one reviewer, whatever the depth of the tree.
        ancestor_paths = [unit.path[:end] for end in range(steplen, len(unit.path), steplen)]
        if not ancestor_paths:
            return None
        return (
            Unit.objects.filter(
                path__in=ancestor_paths,
                memberships__role=UnitMembership.Role.REVIEWER,
            )
            .order_by("-depth")
            .first()
        )

    def resolve_reviewing_unit_ids(self, units) -> dict[int, int | None]:
        """`resolve_reviewing_unit` for many units at once, in one query: {unit id: reviewing unit id}."""
        steplen = Unit.steplen
        units = list(units)
        if self.scope == self.Scope.ROOT:
            roots = dict(Unit.objects.filter(path__in={u.path[:steplen] for u in units}).values_list("path", "pk"))
            return {unit.pk: roots.get(unit.path[:steplen]) for unit in units}
        ancestors = {unit.pk: [unit.path[:end] for end in range(steplen, len(unit.path), steplen)] for unit in units}
        wanted = {path for paths in ancestors.values() for path in paths}
        with_reviewers = dict(
            Unit.objects.filter(path__in=wanted, memberships__role=UnitMembership.Role.REVIEWER)
            .values_list("path", "pk")
            .distinct()
        )
        # The deepest ancestor with a reviewer, as resolve_reviewing_unit's ordering by depth picks.
        return {
            unit_id: next((with_reviewers[path] for path in reversed(paths) if path in with_reviewers), None)
            for unit_id, paths in ancestors.items()
        }

    def _reviewing_unit_id(self, obj) -> int | None:
        """The reviewing unit of the task state `obj` is on, or what it would be if it were on this step now."""
        cache = obj.__dict__.setdefault("_unit_review_units", {})
        if self.pk not in cache:
            task_state = obj.current_workflow_task_state
            if isinstance(task_state, UnitReviewTaskState) and task_state.task_id == self.pk:
                cache[self.pk] = task_state.reviewing_unit_id
            else:
                unit = self.resolve_reviewing_unit(obj.unit) if obj.unit_id else None
                cache[self.pk] = unit.pk if unit else None
        return cache[self.pk]

    def user_can_review(self, obj, user) -> bool:
        if user.is_superuser:
            return True
        unit_id = self._reviewing_unit_id(obj)
        return unit_id is not None and unit_id in reviewer_unit_ids(user)

    # What Wagtail calls.

    def start(self, workflow_state, user=None):
        obj = workflow_state.content_object
        # The unit is read from the revision under review, which is what will be published.
        reviewed = obj.get_latest_revision_as_object()
        reviewing_unit = self.resolve_reviewing_unit(reviewed.unit)
        if isinstance(obj, LockableMixin) and obj.locked_by_id:
            # As Wagtail's group approval does: a lock held by someone who cannot review this
            # step would block the reviewers, so it is released.
            locker_units = reviewer_unit_ids(obj.locked_by)
            if not obj.locked_by.is_superuser and (reviewing_unit is None or reviewing_unit.pk not in locker_units):
                obj.locked = False
                obj.locked_by = None
                obj.locked_at = None
                obj.save(update_fields=["locked", "locked_by", "locked_at"])
        task_state = UnitReviewTaskState(
            workflow_state=workflow_state,
            status=TaskState.STATUS_IN_PROGRESS,
            revision=obj.get_latest_revision(),
            task=self,
            reviewing_unit=reviewing_unit,
        )
        task_state.save()
        task_submitted.send(sender=UnitReviewTaskState, instance=task_state, user=user)
        return task_state

    def user_can_access_editor(self, obj, user):
        return self.user_can_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self.user_can_review(obj, user)

    def user_can_lock(self, obj, user):
        return self.user_can_review(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.user_can_review(obj, user):
            return []
        # On the step that sets the recognition level every approval needs the level, so both
        # approve actions open the form.
        approve_needs_form = self.sets_recognition_level
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), approve_needs_form),
            ("approve", _("Approve with comment"), True),
            (REFUSE, _("Reject"), True),
        ]

    def get_form_for_action(self, action):
        if action == "approve" and self.sets_recognition_level:
            return RecognitionLevelApprovalForm
        if action in ("reject", REFUSE):
            return RequiredCommentForm
        return TaskStateCommentForm

    def get_template_for_action(self, action):
        return ""

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        obj = task_state.workflow_state.content_object
        if action_name not in {name for name, _label, _modal in self.get_actions(obj, user)}:
            raise PermissionDenied
        comment = kwargs.get("comment", "") or ""
        if action_name == "approve":
            self._approve_the_reviewers_revision(task_state, obj, user)
            if self.sets_recognition_level:
                self._set_recognition_level(task_state, obj, kwargs.get("recognition_level"))
            task_state.approve(user=user, comment=comment)
        elif action_name == "reject":
            task_state.reject(user=user, comment=comment)
        elif action_name == REFUSE:
            refuse(task_state=task_state, user=user, comment=comment)

    def _approve_the_reviewers_revision(self, task_state, obj, user):
        """Make an approval given from the editor count for the revision the editor saved just before it.

        Wagtail's snippet editor saves a revision (by the reviewer) before it runs a workflow action.
        With WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT only approvals of the latest revision count,
        so that revision would void this approval and the earlier steps' and the step would start
        over. The reviewer approves what they see: the approvals move to their revision.
        """
        latest = obj.get_latest_revision()
        if latest is None or latest.pk == task_state.revision_id or latest.user_id != user.pk:
            return
        task_state.workflow_state.copy_approved_task_states_to_revision(latest)
        task_state.revision = latest
        task_state.save(update_fields=["revision"])

    def _set_recognition_level(self, task_state, obj, level):
        """Write the level into the revision Wagtail will publish, so the published model carries it."""
        if level not in RecognitionLevel.values:
            raise ValidationError({"recognition_level": _("Choose a recognition level.")})
        revisions = {task_state.revision_id: task_state.revision}
        latest = obj.get_latest_revision()
        if latest is not None:
            revisions[latest.pk] = latest
        for revision in revisions.values():
            revision.content["recognition_level"] = level
            revision.save(update_fields=["content"])

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = TaskState.objects.filter(task=self, status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        unit_ids = reviewer_unit_ids(user)
        if not unit_ids:
            return TaskState.objects.none()
        # A TaskState queryset (not of the subclass): Wagtail ORs these across task types.
        return states.filter(unitreviewtaskstate__reviewing_unit_id__in=unit_ids)

    def reviewers(self, task_state):
        """The users who may act on `task_state` (superusers aside): the reviewers of its unit."""
        from django.contrib.auth import get_user_model

        from .selectors import unit_members

        unit_id = getattr(task_state.specific, "reviewing_unit_id", None)
        if unit_id is None:
            return get_user_model().objects.none()
        return unit_members(unit_id=unit_id, role=UnitMembership.Role.REVIEWER)


@transaction.atomic
def refuse(*, task_state: TaskState, user, comment: str) -> TaskState:
    """Refuse a model for good at this step: nothing is published and the workflow ends, not waits."""
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        raise PermissionDenied
    workflow_state = task_state.workflow_state
    task_state.status = TaskState.STATUS_REJECTED
    task_state.finished_at = timezone.now()
    task_state.finished_by = user
    task_state.comment = comment
    task_state.save()
    log(
        instance=task_state.revision.as_object(),
        action="models_registry.workflow.refuse",
        user=user,
        revision=task_state.revision,
        data={
            "workflow": {
                "id": workflow_state.workflow_id,
                "title": workflow_state.workflow.name,
                "status": task_state.status,
                "task_state_id": task_state.id,
                "task": {"id": task_state.task_id, "title": task_state.task.name},
            },
            "comment": comment,
        },
    )
    # Wagtail's cancel records the end of the workflow and sends workflow_cancelled; the
    # notifications tell a refusal from a plain cancellation by the rejected task state.
    workflow_state.cancel(user=user)
    return task_state


# Starting many reviews at once (spreadsheet imports) ----------------------------------------

BULK_BATCH_SIZE = 500


@dataclass(frozen=True)
class BulkStart:
    """What `start_reviews_in_bulk` did: the reviews it opened, and the models it left to the caller."""

    task: UnitReviewTask | None
    started: list[tuple[object, int | None]]  # (model, id of its reviewing unit)
    not_started: list  # models the bulk path cannot start: the caller starts them one by one


def _first_task(workflow: Workflow) -> Task | None:
    # What WorkflowState.get_next_task() answers for a state with no approved step yet.
    return (
        Task.objects.filter(workflow_tasks__workflow=workflow, active=True)
        .order_by("workflow_tasks__sort_order")
        .first()
    )


def _insert_task_state_children(task_states: list[TaskState], reviewing_unit_ids: list[int | None]) -> None:
    """Write the UnitReviewTaskState rows of task states whose TaskState rows already exist.

    Django's bulk_create refuses multi-table inherited models; the child table holds only the
    parent's key and the reviewing unit, so one parametrised INSERT run for every row does it.
    """
    meta = UnitReviewTaskState._meta
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(  # noqa: S608 - names from the model's _meta
        quote(meta.db_table), quote(meta.pk.column), quote(meta.get_field("reviewing_unit").column)
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(task_state.pk, unit_id) for task_state, unit_id in zip(task_states, reviewing_unit_ids, strict=True)],
        )


@transaction.atomic
def start_reviews_in_bulk(*, workflow: Workflow, instances: list, user) -> BulkStart:
    """Start `workflow` on many models with a few queries, leaving them exactly as `Workflow.start()` would.

    For each model: a workflow state in progress requested by `user`, its first step's task state
    on the model's latest revision with the reviewing unit resolved from the tree (once per unit,
    not once per model), and the "wagtail.workflow.start" audit entry. The per-model
    `workflow_submitted` and `task_submitted` signals are not sent: their only receivers mail the
    reviewers one message per model, which the caller replaces with one summary per reviewer
    (notifications.notify_reviewers_of_batch). Models whose workflow does not begin with a unit
    review step, or that are locked (Task.start may release the lock), are returned in
    `not_started` for the ordinary one-by-one start.
    """
    first = _first_task(workflow)
    task = first.specific if first is not None else None
    if not isinstance(task, UnitReviewTask) or not instances:
        return BulkStart(task=None, started=[], not_started=list(instances))
    bulk = [instance for instance in instances if not instance.locked_by_id]
    not_started = [instance for instance in instances if instance.locked_by_id]
    if not bulk:
        return BulkStart(task=task, started=[], not_started=not_started)

    now = timezone.now()
    content_type = bulk[0].get_content_type()
    base_content_type = bulk[0].get_base_content_type()
    workflow_states = WorkflowState.objects.bulk_create(
        [
            WorkflowState(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=str(instance.pk),
                workflow=workflow,
                status=WorkflowState.STATUS_IN_PROGRESS,
                requested_by=user,
            )
            for instance in bulk
        ],
        batch_size=BULK_BATCH_SIZE,
    )

    reviewing_units = task.resolve_reviewing_unit_ids({instance.unit_id: instance.unit for instance in bulk}.values())
    task_state_type = ContentType.objects.get_for_model(UnitReviewTaskState)
    revisions = [instance.latest_revision or instance.get_latest_revision() for instance in bulk]
    parents = TaskState.objects.bulk_create(
        [
            TaskState(
                workflow_state=workflow_state,
                status=TaskState.STATUS_IN_PROGRESS,
                revision=revision,
                task=task,
                content_type=task_state_type,
            )
            for workflow_state, revision in zip(workflow_states, revisions, strict=True)
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    unit_ids = [reviewing_units[instance.unit_id] for instance in bulk]
    _insert_task_state_children(parents, unit_ids)
    for workflow_state, parent in zip(workflow_states, parents, strict=True):
        workflow_state.current_task_state = parent
    WorkflowState.objects.bulk_update(workflow_states, ["current_task_state"], batch_size=BULK_BATCH_SIZE)

    entries = [
        (
            instance,
            revision,
            {
                "workflow": {
                    "id": workflow.pk,
                    "title": workflow.name,
                    "status": WorkflowState.STATUS_IN_PROGRESS,
                    "next": {"id": task.pk, "title": task.name},
                    "task_state_id": parent.pk,
                }
            },
        )
        for instance, revision, parent in zip(bulk, revisions, parents, strict=True)
    ]
    if log_registry.get_log_model_for_model(type(bulk[0])) is ModelLogEntry:
        ModelLogEntry.objects.bulk_create(
            [
                ModelLogEntry(
                    content_type=base_content_type,
                    object_id=str(instance.pk),
                    label=str(instance),
                    action="wagtail.workflow.start",
                    timestamp=now,
                    user=user,
                    revision=revision,
                    data=data,
                )
                for instance, revision, data in entries
            ],
            batch_size=BULK_BATCH_SIZE,
        )
    else:
        for instance, revision, data in entries:
            log(instance=instance, action="wagtail.workflow.start", data=data, revision=revision, user=user)
    return BulkStart(task=task, started=list(zip(bulk, unit_ids, strict=True)), not_started=not_started)


def overdue_days() -> int:
    """After how many days waiting a review stands out on the reviewer's dashboard."""
    return settings.REGISTRY_REVIEW_OVERDUE_DAYS
