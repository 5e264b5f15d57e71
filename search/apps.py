from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from wagtail.models import Site
        from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

        from models_registry import signals as registry_signals
        from models_registry.models import Commendation, PracticeModel, Unit
        from movements.models import Field, MovementPage

        from . import receivers
        from .models import Synonym

        post_save.connect(receivers.synonyms_changed, sender=Synonym, dispatch_uid="search.synonyms.save")
        post_delete.connect(receivers.synonyms_changed, sender=Synonym, dispatch_uid="search.synonyms.delete")
        published.connect(receivers.practice_model_published, sender=PracticeModel, dispatch_uid="search.published")
        unpublished.connect(
            receivers.practice_model_published, sender=PracticeModel, dispatch_uid="search.unpublished"
        )
        post_delete.connect(receivers.practice_model_deleted, sender=PracticeModel, dispatch_uid="search.deleted")
        post_save.connect(receivers.commendation_changed, sender=Commendation, dispatch_uid="search.comm.save")
        post_delete.connect(receivers.commendation_changed, sender=Commendation, dispatch_uid="search.comm.delete")
        post_save.connect(receivers.unit_saved, sender=Unit, dispatch_uid="search.unit.save")
        registry_signals.unit_moved.connect(receivers.unit_moved, dispatch_uid="search.unit.moved")
        registry_signals.practice_models_bulk_changed.connect(
            receivers.practice_models_bulk_changed, dispatch_uid="search.bulk"
        )
        registry_signals.units_succeeded.connect(receivers.units_succeeded, dispatch_uid="search.unit.succeeded")
        # The names search answers are labelled with (search.vocabulary).
        post_delete.connect(receivers.names_changed, sender=Unit, dispatch_uid="search.names.unit.delete")
        post_page_move.connect(receivers.names_changed, sender=MovementPage, dispatch_uid="search.names.movement.move")
        for model, name in ((Field, "field"), (MovementPage, "movement"), (Site, "site")):
            post_save.connect(receivers.names_changed, sender=model, dispatch_uid=f"search.names.{name}.save")
            post_delete.connect(receivers.names_changed, sender=model, dispatch_uid=f"search.names.{name}.delete")
        page_published.connect(receivers.names_changed, sender=MovementPage, dispatch_uid="search.names.movement.pub")
        page_unpublished.connect(
            receivers.names_changed, sender=MovementPage, dispatch_uid="search.names.movement.unpub"
        )
