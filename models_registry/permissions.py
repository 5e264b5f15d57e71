"""Who may see and act on which practice models: scoped by unit membership, not by group.

A unit officer works on the models of the units they belong to (and of the units below, when
their membership says so); a reviewer sees what the units below theirs submitted; a city editor
(permission `manage_every_unit`) and a superuser see everything. Django's model permissions,
given through groups, still say which actions a role has at all ("add", "change", "publish"…);
the unit scope says on which models.
"""

from django.db.models import Q, QuerySet

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from .models import PracticeModel, UnitMembership

MANAGE_EVERY_UNIT = "models_registry.manage_every_unit"


def is_unscoped(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(MANAGE_EVERY_UNIT)))


def memberships(user) -> list[UnitMembership]:
    # Cached on the user object: one query per request, however many checks a screen makes.
    cached = getattr(user, "_registry_memberships", None)
    if cached is None:
        cached = list(UnitMembership.objects.filter(user=user).select_related("unit"))
        user._registry_memberships = cached
    return cached


def _officer_units_q(user, prefix: str = "") -> Q:
    """The officer's units (and those below, when granted), as a filter on Unit or, with "unit__", on a model."""
    scope = Q(pk__in=[])
    for membership in memberships(user):
        if membership.role != UnitMembership.Role.OFFICER:
            continue
        if membership.includes_subunits:
            scope |= Q(**{f"{prefix}path__startswith": membership.unit.path})
        else:
            scope |= Q(**{f"{prefix}pk": membership.unit_id})
    return scope


def officer_scope(user) -> Q:
    """The models an officer may edit: their units' (and the units below, when granted)."""
    return _officer_units_q(user, "unit__")


def reviewer_scope(user) -> Q:
    """The models a reviewer may see: those of the units strictly below their unit."""
    scope = Q(pk__in=[])
    for membership in memberships(user):
        if membership.role == UnitMembership.Role.REVIEWER:
            scope |= Q(unit__path__startswith=membership.unit.path) & ~Q(unit_id=membership.unit_id)
    return scope


def visible_practice_models(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every practice model, draft or live, that `user` may see in the admin."""
    queryset = PracticeModel.objects.all() if queryset is None else queryset
    if not user.is_active or not user.is_authenticated:
        return queryset.none()
    if is_unscoped(user):
        return queryset
    return queryset.filter(officer_scope(user) | reviewer_scope(user))


def editable_practice_models(user, queryset: QuerySet | None = None) -> QuerySet:
    """The practice models `user` may edit outside a review step: their own units' models."""
    queryset = PracticeModel.objects.all() if queryset is None else queryset
    if not user.is_active or not user.is_authenticated:
        return queryset.none()
    if is_unscoped(user):
        return queryset
    return queryset.filter(officer_scope(user))


def _unit_in_officer_scope(user, unit) -> bool:
    for membership in memberships(user):
        if membership.role != UnitMembership.Role.OFFICER:
            continue
        if membership.unit_id == unit.pk or (
            membership.includes_subunits and unit.path.startswith(membership.unit.path)
        ):
            return True
    return False


def _unit_in_reviewer_scope(user, unit) -> bool:
    return any(
        membership.role == UnitMembership.Role.REVIEWER
        and membership.unit_id != unit.pk
        and unit.path.startswith(membership.unit.path)
        for membership in memberships(user)
    )


class PracticeModelPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions for the action, narrowed to the models of the user's units.

    View: officer scope or reviewer scope. Every other action (change, delete, publish, lock…):
    officer scope only; reviewers act through their workflow task, which grants them the editor
    while a model awaits them (Task.user_can_access_editor), not through this policy.
    """

    def user_has_permission(self, user, action):
        # Publishing outside a review step is for the unscoped only: officers never publish directly
        # and reviewers publish by approving the last step (workflow_actions.publish_approved_workflow).
        # Wagtail's editor asks this model-wide question before publishing, never the per-instance one.
        if action == "publish" and not is_unscoped(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if is_unscoped(user):
            return True
        if instance.unit_id is None:
            return False
        if action == "view":
            return _unit_in_officer_scope(user, instance.unit) or _unit_in_reviewer_scope(user, instance.unit)
        return _unit_in_officer_scope(user, instance.unit)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if "view" in actions:
            return visible_practice_models(user, self.model._default_manager.all())
        return editable_practice_models(user, self.model._default_manager.all())

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


def can_view(user, practice_model: PracticeModel) -> bool:
    """Whether `user` may see this model (draft or live) in the admin, or even learn its title."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_unscoped(user):
        return True
    unit = practice_model.unit
    return _unit_in_officer_scope(user, unit) or _unit_in_reviewer_scope(user, unit)


def can_act(user, action: str, practice_model: PracticeModel) -> bool:
    """Whether `user` may take `action` ("change", "publish", "delete"…) on this model outside a review step."""
    return policy_registry.get_by_type(PracticeModel).user_has_permission_for_instance(user, action, practice_model)


def officer_units(user):
    """The units `user` may file models under: their officer units (and those below, when granted)."""
    from .models import Unit

    return Unit.objects.filter(_officer_units_q(user))
