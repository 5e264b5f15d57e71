"""`python manage.py search_index rebuild|check|repair`: keep the search indexes whole.

`rebuild` rebuilds the database index, then (when ELASTICSEARCH_URL is set) a new Elasticsearch
index that replaces the old one atomically. `check` reports the drift between Elasticsearch and
the published models and exits non-zero when there is any; `repair` fixes exactly that drift and
drains the outbox. Without Elasticsearch, check and repair compare the database index with the
published models instead.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from tqdm import tqdm

from search import elastic
from search.backends import database_backend, elasticsearch_enabled
from search.documents import published_count
from search.indexing import rebuild_database_index

SHOWN_IDS = 20


class _BarStream:
    """Lets tqdm draw on a command's output wrapper, which would otherwise end every redraw with a newline."""

    def __init__(self, wrapper: OutputWrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()


class _ProgressBar:
    """A tqdm bar fed by `progress(advance, total)`, the callback both index rebuilds take."""

    def __init__(self, stream: OutputWrapper, description: str):
        self.stream = _BarStream(stream)
        self.description = description
        self.bar: tqdm | None = None

    def __call__(self, advance: int, total: int) -> None:
        if self.bar is None:
            if not total:
                return
            self.bar = tqdm(total=total, desc=self.description, file=self.stream, dynamic_ncols=True, leave=True)
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _ids(ids: list) -> str:
    shown = ", ".join(str(pk) for pk in ids[:SHOWN_IDS])
    return f"{shown}, …" if len(ids) > SHOWN_IDS else shown


class Command(BaseCommand):
    # argparse needs a real string, not a lazy one: translated when the command is loaded.
    help = _("Rebuild, check or repair the search indexes: the database index and, when configured, Elasticsearch.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["rebuild", "check", "repair"],
            help=_(
                "rebuild: build the indexes again from the published models; check: report what the "
                "Elasticsearch index lacks or holds wrongly; repair: fix exactly that."
            ),
        )

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")()

    def _progress(self, description: str, work):
        bar = _ProgressBar(self.stderr, description)
        try:
            return work(bar)
        finally:
            bar.close()

    def _fail(self, exc: Exception) -> CommandError:
        return CommandError(_("Elasticsearch could not be reached or refused the request: %(error)s") % {"error": exc})

    def _rebuild(self) -> None:
        count = self._progress(_("Database index"), lambda bar: rebuild_database_index(progress=bar))
        self.stdout.write(self.style.SUCCESS(_("Database index rebuilt: %(count)s models.") % {"count": count}))
        if not elasticsearch_enabled():
            self.stdout.write(
                _("Elasticsearch is not configured (ELASTICSEARCH_URL is empty): only the database index was rebuilt.")
            )
            return
        try:
            result = self._progress(_("Elasticsearch index"), lambda bar: elastic.rebuild(progress=bar))
        except elastic.ERRORS as exc:
            raise self._fail(exc) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Elasticsearch index %(index)s rebuilt: %(count)s models in %(seconds)s s; "
                    "the alias %(alias)s now points to it."
                )
                % {
                    "index": result.index,
                    "count": result.indexed,
                    "seconds": f"{result.seconds:.1f}",
                    "alias": elastic.alias_name(),
                }
            )
        )
        if result.deleted_indices:
            self.stdout.write(_("Old indices deleted: %(names)s.") % {"names": ", ".join(result.deleted_indices)})

    def _database_counts(self) -> tuple[int, int]:
        return database_backend().indexed_count(), published_count()

    def _check_database(self) -> bool:
        """Report the database index against the published models; True when they agree."""
        self.stdout.write(
            _("Elasticsearch is not configured (ELASTICSEARCH_URL is empty): checking the database index.")
        )
        indexed, published = self._database_counts()
        self.stdout.write(
            _("Database index: %(indexed)s models; published models: %(published)s.")
            % {"indexed": indexed, "published": published}
        )
        return indexed == published

    def _check(self) -> None:
        if not elasticsearch_enabled():
            if not self._check_database():
                raise CommandError(
                    _("The database index does not match the published models: run “search_index rebuild”."),
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS(_("The database index matches the published models.")))
            return
        try:
            drift = elastic.check()
        except elastic.ERRORS as exc:
            raise self._fail(exc) from exc
        self._report_drift(drift)
        if not drift.is_clean:
            raise CommandError(
                _("The Elasticsearch index differs from the published models: run “search_index repair”."),
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("The Elasticsearch index matches the published models.")))

    def _report_drift(self, drift: elastic.Drift) -> None:
        self.stdout.write(
            _(
                "Published models: %(expected)s; documents in Elasticsearch: %(indexed)s; waiting in the outbox: %(pending)s."
            )
            % {"expected": drift.expected, "indexed": drift.indexed, "pending": drift.pending}
        )
        for label, ids in (
            (_("Missing from the index: %(count)s"), drift.missing),
            (_("Out of date in the index: %(count)s"), drift.stale),
            (_("In the index but not published: %(count)s"), drift.extra),
        ):
            line = label % {"count": len(ids)}
            if ids:
                line = f"{line} ({_ids(ids)})"
            self.stdout.write(line)

    def _repair(self) -> None:
        if not elasticsearch_enabled():
            if self._check_database():
                self.stdout.write(self.style.SUCCESS(_("The database index matches the published models.")))
                return
            count = self._progress(_("Database index"), lambda bar: rebuild_database_index(progress=bar))
            self.stdout.write(self.style.SUCCESS(_("Database index rebuilt: %(count)s models.") % {"count": count}))
            return
        try:
            result = elastic.repair()
        except elastic.ERRORS as exc:
            raise self._fail(exc) from exc
        self.stdout.write(
            _("Outbox: %(done)s updates sent, %(failed)s failed.")
            % {"done": result.outbox_done, "failed": result.outbox_failed}
        )
        self._report_drift(result.drift)
        self.stdout.write(
            self.style.SUCCESS(
                _("Repaired: %(indexed)s documents indexed, %(deleted)s deleted.")
                % {"indexed": result.indexed, "deleted": result.deleted}
            )
        )
        if result.failed or result.outbox_failed:
            raise CommandError(
                _("Some documents could not be repaired: %(ids)s") % {"ids": _ids(sorted(result.failed, key=str))},
                returncode=1,
            )
