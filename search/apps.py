from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from .models import Synonym
        from .receivers import synonyms_changed

        post_save.connect(synonyms_changed, sender=Synonym, dispatch_uid="search.synonyms_changed.save")
        post_delete.connect(synonyms_changed, sender=Synonym, dispatch_uid="search.synonyms_changed.delete")
