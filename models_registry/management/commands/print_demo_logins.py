"""`python manage.py print_demo_logins`: where the admin is and which demo accounts exist."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from models_registry.models import Unit
from models_registry.services.demo import DEMO_PASSWORD, DEMO_USERS

ROLE_LABELS = {
    "quantri": gettext_lazy("Administrator (every right)"),
    "bientap": gettext_lazy("City editor"),
    "duyet_thanhpho": gettext_lazy("City reviewer"),
    "duyet_caugiay": gettext_lazy("District reviewer"),
    "canbo_dichvong": gettext_lazy("Ward officer"),
    "canbo_phunu": gettext_lazy("Mass organisation officer"),
}


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _("Print the admin address and the demo accounts with their roles and password.")

    def handle(self, *args, **options):
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Administration: %(url)s") % {"url": admin_url}))
        existing = set(
            get_user_model()
            .objects.filter(username__in=[u.username for u in DEMO_USERS])
            .values_list("username", flat=True)
        )
        if not existing:
            self.stdout.write(_("No demo accounts yet: run python manage.py load_demo_data first."))
            return
        unit_names = dict(
            Unit.objects.filter(code__in=[u.unit_code for u in DEMO_USERS if u.unit_code]).values_list("code", "name")
        )
        headers = (_("Username"), _("Password"), _("Role"), _("Unit"))
        rows = []
        for spec in DEMO_USERS:
            if spec.username not in existing:
                continue
            unit = f"{unit_names.get(spec.unit_code, '')} ({spec.unit_code})" if spec.unit_code else "—"
            rows.append((spec.username, DEMO_PASSWORD, str(ROLE_LABELS[spec.username]), unit))
        widths = [max(len(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write(line.format(*headers).rstrip())
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
