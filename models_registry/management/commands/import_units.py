"""`python manage.py import_units FILE`: create, update or move units from a CSV or XLSX file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from models_registry.services.imports import ImportResult, import_units


def report(command: BaseCommand, result: ImportResult, *, noun: str) -> None:
    """Print warnings, then every bad row to stderr (and fail), or the counts."""
    for warning in result.warnings:
        command.stdout.write(command.style.WARNING(_("Warning: %(message)s") % {"message": warning}))
    if result.errors:
        for error in result.errors:
            if error.row is None:
                line = error.message
            elif error.column:
                line = _("Row %(row)s, column “%(column)s”: %(message)s") % {
                    "row": error.row,
                    "column": error.column,
                    "message": error.message,
                }
            else:
                line = _("Row %(row)s: %(message)s") % {"row": error.row, "message": error.message}
            command.stderr.write(line)
        raise CommandError(
            _("Nothing was imported: %(count)s error(s) found. Correct the file and import it again.")
            % {"count": len(result.errors)}
        )
    counts = {"noun": noun, "created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    if result.dry_run:
        command.stdout.write(
            command.style.SUCCESS(
                _(
                    "Dry run, nothing was saved. %(noun)s: %(created)s would be created, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % counts
            )
        )
    else:
        command.stdout.write(
            command.style.SUCCESS(
                _("%(noun)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % counts
            )
        )


class Command(BaseCommand):
    help = (
        "Import units from a CSV or XLSX file with the columns code, name, parent_code, kind "
        "(or Mã đơn vị, Tên đơn vị, Mã đơn vị cấp trên, Loại). A file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .csv (UTF-8) or .xlsx file with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, save nothing.")

    def handle(self, *args, **options):
        result = import_units(source=options["file"], dry_run=options["dry_run"])
        report(self, result, noun=_("Units"))
