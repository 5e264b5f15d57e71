"""`python manage.py backup [--output FILE] [--keep N]`: the database and the media in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _

from ops.services import backups


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _(
        "Write the database and the media files into one archive (.tar.gz) in BACKUP_DIR, "
        "then keep only the newest BACKUP_KEEP archives there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help=_("Write the archive to this file instead of a dated name in BACKUP_DIR (nothing is pruned)."),
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help=_("How many dated archives to keep in BACKUP_DIR (default: BACKUP_KEEP; 0 keeps all)."),
        )

    def handle(self, *args, output: Path | None = None, keep: int | None = None, **options):
        if keep is not None and keep < 0:
            raise CommandError(_("--keep must be 0 or more."))
        if output is None and keep is None:
            keep = settings.BACKUP_KEEP
        try:
            result = backups.create_backup(output=output, keep=keep if output is None else None, progress=self._say)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = ", ".join(
            _("%(folder)s: %(count)s files")
            % {"folder": name, "count": formats.number_format(count, force_grouping=True)}
            for name, count in result.media_files.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(size)s; %(objects)s database objects; %(media)s).")
                % {
                    "path": result.path,
                    "size": filesizeformat(result.size),
                    "objects": formats.number_format(result.objects, force_grouping=True),
                    "media": media,
                }
            )
        )
        if result.vanished_files:
            self.stdout.write(
                self.style.WARNING(
                    _("%(count)s files were deleted while the backup ran and are not in it.")
                    % {"count": result.vanished_files}
                )
            )
        for path in result.pruned:
            self.stdout.write(_("Old backup deleted: %(path)s") % {"path": path})

    def _say(self, message: str) -> None:
        self.stdout.write(message)
