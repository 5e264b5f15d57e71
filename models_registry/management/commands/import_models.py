"""`python manage.py import_models FILE [--publish] [--dry-run]`: create or update practice models."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from models_registry.services.imports import import_models

from .import_units import report


class Command(BaseCommand):
    help = (
        "Import practice models from a CSV or XLSX file (columns external_id, title, unit_code, movement, field, "
        "year, summary, content, results, recognition_level, or their Vietnamese labels). The same external_id "
        "updates the same model. A file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .csv (UTF-8) or .xlsx file with a header row.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish created and changed models (default: save drafts)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, save nothing.")

    def handle(self, *args, **options):
        result = import_models(source=options["file"], publish=options["publish"], dry_run=options["dry_run"])
        report(self, result, noun=_("Practice models"))
        if not result.dry_run and (result.created or result.updated):
            if result.published:
                self.stdout.write(_("The created and changed models are published."))
            else:
                self.stdout.write(
                    _(
                        "The created and changed models are saved as drafts: publish them in the admin "
                        "or import with --publish."
                    )
                )
