from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CachingConfig(AppConfig):
    name = "caching"
    label = "caching"
    verbose_name = _("Page cache")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
