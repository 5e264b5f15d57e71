from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site: backups and restores, and what the production setup (deploy/) needs from Django."""

    name = "ops"
    verbose_name = _("Operations")
