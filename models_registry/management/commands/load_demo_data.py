"""`python manage.py load_demo_data [--models N] [--seed S] [--if-empty]`: Hà Nội's demo data."""

import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from tqdm import tqdm

from models_registry.services.demo import DEMO_PASSWORD, demo_data_present, load_demo_data


class _BarStream:
    """Lets tqdm draw on a command's output wrapper, which would otherwise end every redraw with a newline."""

    def __init__(self, wrapper: OutputWrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()


class _ProgressBars:
    """One tqdm bar per stage of the load (units, pictures, models), created on first report."""

    def __init__(self, stream: OutputWrapper):
        self.stream = _BarStream(stream)
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, advance: int, total: int) -> None:
        bar = self.bars.get(stage)
        if bar is None:
            if total == 0:
                return
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=self.stream, dynamic_ncols=True, leave=True)
        bar.update(advance)
        if bar.n >= bar.total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@contextmanager
def _quiet_task_log():
    """Saving each picture queues index tasks that the immediate backend logs one by one: hide that chatter."""
    logger = logging.getLogger("django_tasks")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _(
        "Load deterministic, idempotent demo data: the units of Hà Nội, pictures, demo users and practice models."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--models", type=int, default=2000, help=_("How many demo practice models to have (default 2000).")
        )
        parser.add_argument(
            "--seed", type=int, default=2025, help=_("Seed of the generator: the same seed gives the same data.")
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Load only when the database has no units and no practice models yet."),
        )

    def handle(self, *args, models: int, seed: int, if_empty: bool, **options):
        if models < 0:
            self.stderr.write(self.style.ERROR(_("The number of models cannot be negative.")))
            raise SystemExit(2)
        if if_empty and demo_data_present():
            self.stdout.write(_("The database already has data: demo data not loaded."))
            return
        bars = _ProgressBars(self.stderr)
        try:
            with _quiet_task_log():
                result = load_demo_data(models=models, seed=seed, progress=bars)
        finally:
            bars.close()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded in %(seconds)s s: %(units)s units, %(models)s models, "
                    "%(commendations)s commendations, %(images)s pictures, %(users)s users created."
                )
                % {
                    "seconds": f"{result.seconds:.1f}",
                    "units": result.units_created,
                    "models": result.models_created,
                    "commendations": result.commendations_created,
                    "images": result.images_created,
                    "users": result.users_created,
                }
            )
        )
        self.stdout.write(_("Practice models in the database: %(count)s.") % {"count": result.models_total})
        self.stdout.write(
            _("Demo accounts use the password %(password)s; list them with: python manage.py print_demo_logins")
            % {"password": DEMO_PASSWORD}
        )
