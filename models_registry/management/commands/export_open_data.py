"""`python manage.py export_open_data`: regenerate the open-data files now (for cron and first runs)."""

from django.core.management.base import BaseCommand
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from models_registry import open_data


class Command(BaseCommand):
    help = (
        "Regenerate the open-data files MEDIA_ROOT/open-data/mo-hinh.csv and mo-hinh.jsonl (every published "
        "model) and their metadata.json, replacing the old files atomically. Publishing, withdrawing or "
        "commending a model already queues this; run it from cron as a safety net."
    )

    def handle(self, *args, **options):
        info = open_data.regenerate_open_data()
        self.stdout.write(
            self.style.SUCCESS(
                _("Open data regenerated: %(count)s published models in %(path)s (%(time)s).")
                % {
                    "count": formats.number_format(info.count, force_grouping=True),
                    "path": open_data.open_data_dir(),
                    "time": formats.date_format(timezone.localtime(info.generated_at), "d/m/Y H:i"),
                }
            )
        )
