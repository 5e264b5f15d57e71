"""Creating, saving and publishing practice models."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, transaction
from django.db.models import Q

from wagtail.log_actions import log

from search.text import vietnamese_slugify

from ..models import PracticeModel

SLUG_MAX_LENGTH = 100


def slug_base(title: str) -> str:
    """The slug a title would have if no other model used it, cut at a word boundary."""
    base = vietnamese_slugify(title, max_length=200)
    if len(base) > SLUG_MAX_LENGTH - 8:
        # Leave room for a "-123" suffix, and cut "...-phuong-dich-vong", never "...-phuong-dic".
        base = base[: SLUG_MAX_LENGTH - 8].rsplit("-", 1)[0]
    return base or "mo-hinh"


class SlugPool:
    """Unique slugs for many new models without a query each: every slug in use is held in memory.

    Used by bulk work (imports, demo data); it remembers the last suffix per base so that the
    thousandth "to-dan-pho-van-minh" does not try the 999 taken before it.
    """

    def __init__(self, taken: set[str] | None = None):
        self.taken = taken if taken is not None else set(PracticeModel.objects.values_list("slug", flat=True))
        self.next_suffix: dict[str, int] = {}

    def take(self, title: str) -> str:
        base = slug_base(title)
        candidate, counter = base, self.next_suffix.get(base, 2)
        while candidate in self.taken:
            candidate = f"{base}-{counter}"
            counter += 1
        self.next_suffix[base] = counter
        self.taken.add(candidate)
        return candidate


def _slug_or_numbered(base: str) -> Q:
    """`base` itself or "base-…", as a condition the database answers from the slug's unique index."""
    if connections[PracticeModel.objects.db].vendor == "sqlite":
        # SQLite cannot read LIKE … ESCAPE off an index: `startswith` would scan every model. Slugs are
        # ASCII and SQLite compares them byte by byte, so "base-…" is the range ["base-", "base.").
        return Q(slug=base) | Q(slug__gte=f"{base}-", slug__lt=f"{base}.")
    # PostgreSQL answers `startswith` from the pattern index Django adds for the unique slug.
    return Q(slug=base) | Q(slug__startswith=f"{base}-")


def unique_slug(*, title: str, exclude_pk: int | None = None) -> str:
    """A slug made from `title` that no other model uses: "ten-mo-hinh", then "ten-mo-hinh-2", ..."""
    base = slug_base(title)
    existing = PracticeModel.objects.filter(_slug_or_numbered(base))
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    return SlugPool(taken=set(existing.values_list("slug", flat=True))).take(title)


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
