"""Creating, saving and publishing practice models."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from wagtail.log_actions import log

from search.text import vietnamese_slugify

from ..models import PracticeModel

SLUG_MAX_LENGTH = 100


def unique_slug(
    *, title: str, exclude_pk: int | None = None, taken: set[str] | None = None, used: set[str] | None = None
) -> str:
    """A slug made from `title` that no other model uses: "ten-mo-hinh", then "ten-mo-hinh-2", ...

    `taken` reserves slugs in memory on top of those in the database. Bulk work (imports, demo
    data) passes `used` instead: every slug in use, loaded once, so no query is made per row.
    The chosen slug is added to whichever set is given.
    """
    base = vietnamese_slugify(title, max_length=SLUG_MAX_LENGTH - 8) or "mo-hinh"
    if used is None:
        existing = PracticeModel.objects.filter(slug__startswith=base)
        if exclude_pk is not None:
            existing = existing.exclude(pk=exclude_pk)
        in_use = set(existing.values_list("slug", flat=True)) | (taken or set())
    else:
        in_use = used
    candidate, counter = base, 2
    while candidate in in_use:
        candidate = f"{base}-{counter}"
        counter += 1
    for reserved in (taken, used):
        if reserved is not None:
            reserved.add(candidate)
    return candidate


@transaction.atomic
def save_draft(*, practice_model: PracticeModel, user: AbstractBaseUser | None = None, log_action: bool = True):
    """Validate and save a model as a new draft revision; the public keeps seeing the live version."""
    practice_model.full_clean()
    if practice_model.pk is None:
        practice_model.live = False
        practice_model.save()
        practice_model.save_revision(user=user, log_action=False)
        if log_action:
            log(instance=practice_model, action="wagtail.create", user=user)
        return practice_model
    practice_model.save_revision(user=user, log_action=log_action)
    return practice_model


@transaction.atomic
def publish_practice_model(*, practice_model: PracticeModel, user: AbstractBaseUser | None = None):
    """Validate, save and publish a model so the public sees it (imports with --publish, demo data)."""
    practice_model.full_clean()
    if practice_model.pk is None:
        practice_model.live = False
        practice_model.save()
    revision = practice_model.save_revision(user=user, log_action=False)
    revision.publish(user=user)
    practice_model.refresh_from_db()
    return practice_model
