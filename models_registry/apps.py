from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelsRegistryConfig(AppConfig):
    name = "models_registry"
    verbose_name = _("Practice model registry")

    def ready(self):
        # Review emails hang on Wagtail's workflow signals; see notifications.py.
        from . import notifications

        notifications.connect_receivers()
        # The open-data files follow publications, deletions and commendations; see open_data.py.
        from . import signals

        signals.connect_receivers()
