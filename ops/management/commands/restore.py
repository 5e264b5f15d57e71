"""`python manage.py restore FILE [--force]`: put a backup's database and media back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ops.services import backups


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _(
        "Restore a backup made by “manage.py backup”: the database (already migrated to the backup's schema) "
        "and the media files are replaced by the archive's, then the search indexes are rebuilt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help=_("The backup archive (.tar.gz)."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Restore even though the site already has content: all of it is replaced."),
        )

    def handle(self, *args, archive: Path, force: bool = False, **options):
        try:
            result = backups.restore_backup(archive=archive, force=force, progress=self._say)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        created = backups.manifest_created_at(result.manifest)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored the backup of %(date)s: %(objects)s database objects, %(files)s media files; "
                    "%(indexed)s published models in the search index."
                )
                % {
                    "date": formats.date_format(timezone.localtime(created), "d/m/Y H:i") if created else "?",
                    "objects": formats.number_format(result.objects, force_grouping=True),
                    "files": formats.number_format(sum(result.media_files.values()), force_grouping=True),
                    "indexed": formats.number_format(result.indexed, force_grouping=True),
                }
            )
        )

    def _say(self, message: str) -> None:
        self.stdout.write(message)
