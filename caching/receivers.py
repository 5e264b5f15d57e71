"""Signal receivers: they keep the cached public pages in step with the content, nothing else.

Every change to what a public page shows replaces the content generation (one UPDATE of one row,
inside the transaction that made the change). Saving a draft does not: the public pages show only
what is published. Bulk writes announce themselves with the registry's own signals, once per
batch; the per-model `published` they send afterwards (`search_indexed=True`) adds nothing.
"""

from django.db.models.signals import post_delete, post_save

from .public_pages import bump_generation


def content_changed(sender, raw=False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    bump_generation()


def media_changed(sender, created=False, raw=False, **kwargs) -> None:
    """A photo or document edited: the pages showing it change. A new upload is on no published page
    yet (the publish that shows it replaces the generation): officers uploading at a deadline must
    not empty the cache with every photo."""
    if not created:
        content_changed(sender, raw=raw)


def practice_model_published(sender, search_indexed=False, **kwargs) -> None:
    if not search_indexed:
        bump_generation()


def connect() -> None:
    """Connect the receivers; called from the app config's ready()."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

    from emulation.models import ActivityCheck, Criterion, Cycle, Evaluation, Registration, Score
    from models_registry import signals as registry_signals
    from models_registry.models import Commendation, PracticeModel, Unit, UnitChange, UnitChangeLink
    from movements.models import Field
    from search.models import Synonym

    # Pages (home, movements) and practice models: published, unpublished, moved, deleted.
    page_published.connect(content_changed, dispatch_uid="caching.page.published")
    page_unpublished.connect(content_changed, dispatch_uid="caching.page.unpublished")
    post_page_move.connect(content_changed, dispatch_uid="caching.page.moved")
    post_delete.connect(content_changed, sender=Page, dispatch_uid="caching.page.deleted")
    published.connect(practice_model_published, sender=PracticeModel, dispatch_uid="caching.model.published")
    unpublished.connect(practice_model_published, sender=PracticeModel, dispatch_uid="caching.model.unpublished")
    post_delete.connect(content_changed, sender=PracticeModel, dispatch_uid="caching.model.deleted")
    registry_signals.practice_models_bulk_changed.connect(content_changed, dispatch_uid="caching.model.bulk")
    registry_signals.unit_moved.connect(content_changed, dispatch_uid="caching.unit.moved")
    registry_signals.units_succeeded.connect(content_changed, dispatch_uid="caching.unit.succeeded")
    # Everything else the public pages show: saved or deleted.
    shown = (
        ("commendation", Commendation),
        ("unit", Unit),
        ("unit_change", UnitChange),
        ("unit_change_link", UnitChangeLink),
        ("field", Field),
        ("synonym", Synonym),
        ("site", Site),
        ("cycle", Cycle),
        ("criterion", Criterion),
        ("registration", Registration),
        ("evaluation", Evaluation),
        ("score", Score),
        ("activity_check", ActivityCheck),
    )
    for name, model in shown:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"caching.{name}.save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"caching.{name}.delete")
    for name, model in (("image", get_image_model()), ("document", get_document_model())):
        post_save.connect(media_changed, sender=model, dispatch_uid=f"caching.{name}.save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"caching.{name}.delete")
