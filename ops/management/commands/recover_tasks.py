"""`python manage.py recover_tasks [--older-than MINUTES]`: background work whose worker died."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ops.services import task_recovery


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _(
        "Mark background tasks still running after the timeout as failed (their worker stopped) and "
        "queue their spreadsheet imports again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(task_recovery.DEFAULT_TIMEOUT.total_seconds() // 60),
            metavar="MINUTES",
            help=_("Minutes after its start from which a running task counts as lost (default: %(default)s)."),
        )

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError(_("--older-than must be 0 or more."))
        result = task_recovery.recover_stuck_tasks(older_than=timedelta(minutes=older_than))
        self.stdout.write(
            _("Tasks whose worker stopped, marked failed: %(count)s.") % {"count": len(result.failed_tasks)}
        )
        self.stdout.write(_("Interrupted imports queued again: %(count)s.") % {"count": len(result.requeued_imports)})
        if result.returned_imports:
            self.stdout.write(
                self.style.WARNING(
                    _("Imports interrupted too often, waiting for their uploader to confirm them again: %(ids)s.")
                    % {"ids": ", ".join(str(pk) for pk in result.returned_imports)}
                )
            )
