"""Which images and documents a unit officer or reviewer may see, choose and download.

Wagtail grants media by collection; here a scoped user (see permissions.py) additionally sees
only the media uploaded by people of their own units (for reviewers: of the units below them),
by themselves, or by no unit at all (the shared library an editor or the demo loader filled).
Another unit's photos and attachments never show in their libraries or choosers, and an
attachment's download is refused to them until a published model or commendation uses it.
"""

import posixpath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import Http404
from django.views import static

from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from . import permissions
from .models import Commendation, PracticeModelAttachment, UnitMembership


def _unscoped_users():
    permission = Permission.objects.filter(content_type__app_label="models_registry", codename="manage_every_unit")
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    )


def shared_or_colleagues(user) -> Q:
    """Media `user` may see: theirs, their units' colleagues', or the shared library's."""
    scope = Q(uploaded_by_user=user) | Q(uploaded_by_user__isnull=True)
    scope |= Q(uploaded_by_user__in=_unscoped_users())
    for membership in permissions.memberships(user):
        if membership.role == UnitMembership.Role.OFFICER:
            colleagues = UnitMembership.objects.filter(unit_id=membership.unit_id)
            if membership.includes_subunits:
                colleagues = UnitMembership.objects.filter(unit__path__startswith=membership.unit.path)
        else:
            colleagues = UnitMembership.objects.filter(unit__path__startswith=membership.unit.path)
        scope |= Q(uploaded_by_user__in=colleagues.values("user_id"))
    return scope


class UnitScopedMediaPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's collection-and-owner policy for images or documents, narrowed to the user's units."""

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        if not user.is_authenticated or permissions.is_unscoped(user):
            return instances
        return instances.filter(shared_or_colleagues(user)).distinct()

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not super().user_has_any_permission_for_instance(user, actions, instance):
            return False
        if permissions.is_unscoped(user):
            return True
        return self.model._default_manager.filter(pk=instance.pk).filter(shared_or_colleagues(user)).exists()


def document_is_public(document) -> bool:
    """A document is public once a published model attaches it or a commendation of one cites it."""
    if PracticeModelAttachment.objects.filter(document=document, practice_model__live=True).exists():
        return True
    if Commendation.objects.filter(decision_document=document, practice_model__live=True).exists():
        return True
    # Story blocks link documents too: Wagtail's reference index knows which live rows use it.
    from wagtail.models import ReferenceIndex

    from .models import PracticeModel

    references = ReferenceIndex.get_references_to(document).filter(
        base_content_type__app_label="models_registry", base_content_type__model="practicemodel"
    )
    ids = [int(pk) for pk in references.values_list("object_id", flat=True) if pk.isdigit()]
    return PracticeModel.objects.filter(pk__in=ids, live=True).exists()


# Folders of MEDIA_ROOT never served as plain files: documents go through Wagtail's serve view
# (which asks `document_is_public` and the policy), and the multiple uploader's unsaved files wait
# in uploaded_files/. deploy/nginx.conf refuses /media/documents/ the same way in production.
PRIVATE_MEDIA_FOLDERS = frozenset({"documents", "uploaded_files"})


def serve_public_media(request, path: str):
    """Development's /media/ server (DEBUG only), refusing the private folders however the path is spelled."""
    normalised = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if normalised.split("/", 1)[0] in PRIVATE_MEDIA_FOLDERS:
        raise Http404
    return static.serve(request, normalised, document_root=settings.MEDIA_ROOT)
