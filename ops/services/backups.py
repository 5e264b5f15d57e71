"""Backups of the whole site, database and media together in one archive, and restoring one.

The archive (`mohinh-backup-YYYYmmdd-HHMMSS.tar.gz`) holds, in this order:

- `manifest.json`: format and version, date, database vendor, the migrations applied, the number
  of rows dumped per table and of media files per folder;
- `database.jsonl`: a logical dump, one object a line (Django's "jsonl" serializer), with the
  original primary keys and no natural keys, so it loads into SQLite and PostgreSQL alike. Content
  types and permissions are dumped too and keep their ids, which revisions, log entries and
  generic relations refer to: a restore empties every table first, then loads everything;
- `media/…` and `media-private/…`: the files under MEDIA_ROOT and under the private uploads
  folder beside it (models_registry.models.private_import_storage).

Derived data is not dumped and is rebuilt after a restore: the project's database search index
(search.SearchEntry and its full-text tables), Wagtail's search index, the Elasticsearch outbox;
sessions and queued background tasks are left out too. Both directions stream, one object or
one file at a time, so the registry's size (100,000 models) does not decide the memory used.
"""

import datetime
import gzip
import io
import json
import logging
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import wagtail

logger = logging.getLogger(__name__)

FORMAT = "mohinh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.jsonl"
PUBLIC_MEDIA = "media"
PRIVATE_MEDIA = "media-private"
ARCHIVE_PREFIX = "mohinh-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
# Folders a restore unpacks into, inside the media folder itself: the same file system as the
# live files (often a mounted volume, which cannot be renamed), so swapping them in is a rename.
STAGING_PREFIX = ".restore-"
CHUNK_SIZE = 2000
PROGRESS_EVERY = 10_000
COPY_BUFFER = 1024 * 1024

# Derived or passing data, rebuilt or simply not wanted after a restore.
EXCLUDED_APPS = frozenset({"sessions", "wagtailsearch", "django_tasks_database"})
EXCLUDED_MODELS = frozenset(
    {
        "search.searchentry",
        "search.searchindexstate",
        "search.pendingindexupdate",
        "wagtailadmin.editingsession",
    }
)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator, in Vietnamese."""


@dataclass(frozen=True)
class BackupResult:
    """What `create_backup` wrote."""

    path: Path
    size: int
    objects: int
    media_files: dict[str, int]
    vanished_files: int
    pruned: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_backup` put back."""

    objects: int
    media_files: dict[str, int]
    indexed: int
    manifest: dict
    warnings: list[str] = field(default_factory=list)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def dumped_models() -> list[type]:
    """Every concrete, migrated model whose rows a backup keeps (see EXCLUDED_APPS and EXCLUDED_MODELS)."""
    result = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed or opts.swapped:
            continue
        if opts.app_label in EXCLUDED_APPS or opts.label_lower in EXCLUDED_MODELS:
            continue
        result.append(model)
    # Content types first: anything that looks one up while the rest loads (a receiver, a generic
    # relation) must find the stored row, not create one with another id.
    result.sort(key=lambda model: model._meta.label_lower != "contenttypes.contenttype")
    return result


def media_roots() -> dict[str, Path]:
    """The media folders a backup holds, by their name in the archive.

    Public media are only on disk when the default storage is the file system; with object
    storage (S3) they live in the bucket, which keeps its own versions (see deploy/README.md).
    """
    from models_registry.models import private_import_storage

    roots = {PRIVATE_MEDIA: Path(private_import_storage().location)}
    if isinstance(storages["default"], FileSystemStorage):
        roots[PUBLIC_MEDIA] = Path(settings.MEDIA_ROOT)
    return roots


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations recorded in a database, by installed app: a dump loads only into the same schema."""
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return {}
    installed = {config.label for config in apps.get_app_configs()}
    result: dict[str, list[str]] = defaultdict(list)
    for app_label, name in sorted(recorder.applied_migrations()):
        if app_label in installed:
            result[app_label].append(name)
    return dict(result)


def site_has_content() -> bool:
    """True once the site holds anything people made: users, units, models, images or documents.

    A freshly migrated database already has pages, movements and fields from the migrations;
    those do not count.
    """
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from models_registry.models import PracticeModel, Unit

    candidates = (get_user_model(), Unit, PracticeModel, get_image_model(), get_document_model())
    return any(model._base_manager.exists() for model in candidates)


# -- backup ------------------------------------------------------------------------------------------


@contextmanager
def _snapshot(workdir: Path) -> Iterator[str]:
    """A database alias that reads one consistent state of the database for the whole dump."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        # The caller's transaction (a test, a script) already is the snapshot.
        yield DEFAULT_DB_ALIAS
        return
    if connection.vendor == "sqlite":
        # SQLite's online backup API copies one consistent state while the site goes on writing;
        # a transaction instead would hold the write lock (transaction_mode IMMEDIATE) for the whole dump.
        path = workdir / "snapshot.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        alias = "backup_snapshot"
        config = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": str(path), "OPTIONS": {}}
        # Known to this thread's connection handler only, not added to the settings: a passing
        # alias that nothing iterating over DATABASES (or a test's database guard) should pick up.
        snapshot = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
        setattr(connections._connections, alias, snapshot)
        try:
            yield alias
        finally:
            snapshot.close()
            delattr(connections._connections, alias)
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Every table read as of the same moment, without holding back any writer.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield DEFAULT_DB_ALIAS


def _dump(alias: str, path: Path, progress: Progress | None) -> dict[str, int]:
    """Write every kept row to `path`, one JSON object a line; returns the rows written per model."""
    serializer_class = serializers.get_serializer("jsonl")
    counts: dict[str, int] = {}
    written = 0
    with path.open("w", encoding="utf-8") as stream:
        for model in dumped_models():
            label = model._meta.label_lower
            counts[label] = 0

            def rows(model=model, label=label) -> Iterator:
                nonlocal written
                # The base manager: a default manager may hide rows (drafts, a scope) a backup must keep.
                queryset = model._base_manager.using(alias).order_by("pk")
                for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
                    counts[label] += 1
                    written += 1
                    if written % PROGRESS_EVERY == 0:
                        _say(progress, _("Database: %(count)s objects written…") % {"count": _number(written)})
                    yield obj

            serializer_class().serialize(rows(), stream=stream)
    return counts


def _media_files(roots: dict[str, Path]) -> dict[str, list[PurePosixPath]]:
    """Every regular file under each media root, sorted, leaving out a restore's staging folders."""
    listing: dict[str, list[PurePosixPath]] = {}
    for name, root in roots.items():
        files: list[PurePosixPath] = []
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if relative.parts[0].startswith(STAGING_PREFIX) or path.is_symlink() or not path.is_file():
                    continue
                files.append(PurePosixPath(relative.as_posix()))
        listing[name] = files
    return listing


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _archive_path(directory: Path) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    counter = 2
    while path.exists():
        path = directory / f"{ARCHIVE_PREFIX}{stamp}-{counter}{ARCHIVE_SUFFIX}"
        counter += 1
    return path


def _refuse_inside(path: Path, roots: dict[str, Path]) -> None:
    resolved = path.resolve()
    for root in roots.values():
        if resolved.is_relative_to(root.resolve()):
            raise BackupError(
                _("A backup cannot be written inside a media folder (%(folder)s): choose another place.")
                % {"folder": root}
            )


def create_backup(
    *, output: Path | None = None, keep: int | None = None, progress: Progress | None = None
) -> BackupResult:
    """Write the database and the media into one new archive; only a complete archive gets its name.

    `output` is the archive's path (default: a dated name in BACKUP_DIR). With `keep`, only that
    many of the newest dated archives are kept in the archive's folder afterwards.
    """
    roots = media_roots()
    path = Path(output) if output else _archive_path(Path(settings.BACKUP_DIR))
    _refuse_inside(path, roots)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    vanished = 0
    try:
        with tempfile.TemporaryDirectory(prefix="mohinh-backup-", dir=path.parent) as workdir:
            dump_path = Path(workdir) / DUMP
            _say(progress, _("Dumping the database…"))
            with _snapshot(Path(workdir)) as alias:
                counts = _dump(alias, dump_path, progress)
                migrations = applied_migrations(alias)
                vendor = connections[alias].vendor
            # The files after the database: a file uploaded meanwhile is only an unused extra.
            listing = _media_files(roots)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": vendor,
                "django": django.get_version(),
                "wagtail": wagtail.__version__,
                "migrations": migrations,
                "counts": counts,
                "objects": sum(counts.values()),
                "media": {name: len(files) for name, files in listing.items()},
            }
            _say(progress, _("Writing the archive %(path)s…") % {"path": path})
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
                tar.add(dump_path, arcname=DUMP)
                for name, files in listing.items():
                    for relative in files:
                        try:
                            tar.add(roots[name] / relative, arcname=f"{name}/{relative}", recursive=False)
                        except FileNotFoundError:
                            # Deleted since it was listed: its row, if any, was gone from the snapshot too
                            # or goes with it; the restore reports the difference in the file count.
                            vanished += 1
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    pruned = prune_backups(directory=path.parent, keep=keep) if keep else []
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        objects=manifest["objects"],
        media_files=manifest["media"],
        vanished_files=vanished,
        pruned=pruned,
    )


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest dated archives in `directory`; returns what was deleted."""
    if keep < 1:
        return []
    archives = sorted(
        (path for path in Path(directory).glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if path.is_file()),
        key=lambda path: (path.stat().st_mtime, path.name),
    )
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


# -- restore -----------------------------------------------------------------------------------------


class _MediaStaging:
    """One media folder's restored files, unpacked beside the live ones and then swapped in."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.new = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}new-", dir=root))
        self.files = 0

    def write(self, relative: PurePosixPath, source: IO[bytes]) -> None:
        target = self.new.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(source, out, COPY_BUFFER)
        self.files += 1

    def swap(self) -> None:
        """Move the live entries aside, the restored ones in, then delete the old ones."""
        old = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}old-", dir=self.root))
        for entry in list(self.root.iterdir()):
            if not entry.name.startswith(STAGING_PREFIX):
                entry.rename(old / entry.name)
        for entry in list(self.new.iterdir()):
            entry.rename(self.root / entry.name)
        self.new.rmdir()
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.new, ignore_errors=True)


def _damaged(archive: Path, error: object) -> BackupError:
    return BackupError(
        _("%(path)s is not a readable backup archive (damaged or not a .tar.gz file): %(error)s")
        % {"path": archive, "error": error}
    )


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    member = tar.next()
    if member is None or member.name != MANIFEST or not member.isfile():
        raise BackupError(
            _("%(path)s is not a backup of this site: it does not start with a %(manifest)s.")
            % {"path": archive, "manifest": MANIFEST}
        )
    try:
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(
            _("The manifest of %(path)s cannot be read: %(error)s") % {"path": archive, "error": exc}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a backup of this site.") % {"path": archive})
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _("%(path)s was written in backup format %(version)s, which this version of the site cannot read.")
            % {"path": archive, "version": version}
        )
    if not isinstance(manifest.get("counts"), dict) or not isinstance(manifest.get("migrations"), dict):
        raise BackupError(_("The manifest of %(path)s is incomplete.") % {"path": archive})
    return manifest


def _check_schema(manifest: dict) -> None:
    """The database must be migrated to exactly the schema the dump was taken from."""
    current = applied_migrations()
    if not current:
        raise BackupError(_("The database has no tables yet: run “python manage.py migrate” first, then restore."))
    expected = manifest["migrations"]
    differing = sorted(label for label in set(current) | set(expected) if current.get(label) != expected.get(label))
    if differing:
        raise BackupError(
            _(
                "The backup was made with another version of the database schema (apps: %(apps)s). Restore it "
                "with the version of the site that made it, then upgrade."
            )
            % {"apps": ", ".join(differing[:10])}
        )


def _member_path(name: str) -> tuple[str, PurePosixPath] | None:
    """The media folder and the relative path of an archive member, or None for a name outside them."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2:
        return None
    if path.parts[0] not in (PUBLIC_MEDIA, PRIVATE_MEDIA):
        return None
    return path.parts[0], PurePosixPath(*path.parts[1:])


def _unpack(
    tar: tarfile.TarFile, archive: Path, dump_path: Path, staging: dict[str, _MediaStaging], warnings: list[str]
) -> bool:
    """Unpack the dump and the media files; returns whether the dump was found."""
    found_dump = False
    skipped: Counter = Counter()
    while (member := tar.next()) is not None:
        if member.name == DUMP and member.isfile():
            with dump_path.open("wb") as out:
                shutil.copyfileobj(tar.extractfile(member), out, COPY_BUFFER)
            found_dump = True
            continue
        if member.isdir():
            continue
        place = _member_path(member.name)
        if place is None or not member.isfile():
            raise BackupError(
                _("%(path)s holds an unexpected entry, “%(name)s”: it is not a backup of this site.")
                % {"path": archive, "name": member.name}
            )
        folder, relative = place
        if folder not in staging:
            skipped[folder] += 1
            continue
        staging[folder].write(relative, tar.extractfile(member))
    for folder, count in skipped.items():
        warnings.append(
            _("%(count)s files of “%(folder)s” were not restored: those media are kept in object storage (S3).")
            % {"count": _number(count), "folder": folder}
        )
    return found_dump


def _load(dump_path: Path, total: int, progress: Progress | None) -> dict[str, int]:
    """Load the dump into the (emptied) database; returns the objects loaded per model."""
    connection = connections[DEFAULT_DB_ALIAS]
    counts: Counter = Counter()
    loaded_models = set()
    loaded = 0
    with dump_path.open(encoding="utf-8") as stream:
        for obj in serializers.deserialize("jsonl", stream, using=DEFAULT_DB_ALIAS):
            # Saved "raw", like loaddata: no save() override, no publishing signals, the stored ids kept.
            obj.save(using=DEFAULT_DB_ALIAS)
            model = type(obj.object)
            counts[model._meta.label_lower] += 1
            loaded_models.add(model)
            loaded += 1
            if loaded % PROGRESS_EVERY == 0:
                _say(
                    progress,
                    _("Database: %(count)s of %(total)s objects loaded…")
                    % {"count": _number(loaded), "total": _number(total)},
                )
    # Every reference must point at a loaded row before commit; and new rows must get fresh ids.
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded_models])
    statements = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return dict(counts)


def _rebuild_indexes(progress: Progress | None, warnings: list[str]) -> int:
    """The derived indexes the dump left out: the database search index, Wagtail's, Elasticsearch."""
    from search import elastic
    from search.backends import elasticsearch_enabled
    from search.indexing import rebuild_database_index

    _say(progress, _("Rebuilding the search indexes…"))
    indexed = rebuild_database_index()
    call_command("update_index", verbosity=0, stdout=io.StringIO())
    if elasticsearch_enabled():
        try:
            elastic.rebuild()
        except elastic.ERRORS as exc:
            logger.warning("Elasticsearch rebuild after a restore failed", exc_info=True)
            warnings.append(
                _(
                    "Elasticsearch could not be rebuilt (%(error)s): run “python manage.py search_index rebuild” "
                    "once it answers. Until then the database search answers."
                )
                % {"error": exc}
            )
    return indexed


def restore_backup(*, archive: Path, force: bool = False, progress: Progress | None = None) -> RestoreResult:
    """Replace the site's database and media with an archive's; refuses a site with content unless forced.

    The database must already be migrated to the schema the archive was made with. Checks come
    first (manifest, schema, an empty site), then the media are unpacked beside the live ones,
    the database is emptied and loaded in one transaction, and only once that commits are the
    media swapped in. The search indexes are rebuilt last.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("The file %(path)s does not exist.") % {"path": archive})
    warnings: list[str] = []
    staging: dict[str, _MediaStaging] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="mohinh-restore-") as workdir:
            dump_path = Path(workdir) / DUMP
            try:
                with tarfile.open(archive, mode="r|gz") as tar:
                    manifest = _read_manifest(tar, archive)
                    _check_schema(manifest)
                    if not force and site_has_content():
                        raise BackupError(
                            _(
                                "This site already has content (users, units, models or media). Restoring replaces "
                                "all of it: add --force if that is what you want."
                            )
                        )
                    _say(progress, _("Unpacking %(path)s…") % {"path": archive})
                    roots = media_roots()
                    staging = {name: _MediaStaging(root) for name, root in roots.items()}
                    found_dump = _unpack(tar, archive, dump_path, staging, warnings)
            except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise _damaged(archive, exc) from exc
            except OSError as exc:
                raise BackupError(
                    _("The archive could not be unpacked (is the disk full?); nothing was changed: %(error)s")
                    % {"error": exc}
                ) from exc
            if not found_dump:
                raise BackupError(_("%(path)s holds no database dump.") % {"path": archive})
            for name, stage in staging.items():
                expected = manifest.get("media", {}).get(name)
                if expected is not None and expected != stage.files:
                    warnings.append(
                        _("“%(folder)s”: %(found)s files restored, the manifest lists %(expected)s.")
                        % {"folder": name, "found": _number(stage.files), "expected": _number(expected)}
                    )
            expected_counts = {label: count for label, count in manifest["counts"].items() if count}
            _say(
                progress,
                _("Loading %(total)s objects into the database…") % {"total": _number(manifest.get("objects", 0))},
            )
            ContentType.objects.clear_cache()
            try:
                with transaction.atomic():
                    # Every table emptied, content types and permissions too, without the post-migrate
                    # signal recreating them: the dump brings them back with their own ids.
                    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                    counts = _load(dump_path, manifest.get("objects", 0), progress)
                    if counts != expected_counts:
                        differing = sorted(
                            label
                            for label in set(counts) | set(expected_counts)
                            if counts.get(label) != expected_counts.get(label)
                        )
                        raise BackupError(
                            _("The dump does not match its manifest (%(models)s): the archive is damaged.")
                            % {"models": ", ".join(differing[:10])}
                        )
            except (DeserializationError, DatabaseError) as exc:
                raise BackupError(
                    _("The database dump could not be loaded; nothing was changed: %(error)s") % {"error": exc}
                ) from exc
            finally:
                ContentType.objects.clear_cache()
    except BaseException:
        for stage in staging.values():
            stage.discard()
        raise
    _say(progress, _("Database restored; putting the media files in place…"))
    for stage in staging.values():
        stage.swap()
    indexed = _rebuild_indexes(progress, warnings)
    return RestoreResult(
        objects=sum(counts.values()),
        media_files={name: stage.files for name, stage in staging.items()},
        indexed=indexed,
        manifest=manifest,
        warnings=warnings,
    )


def manifest_created_at(manifest: dict) -> datetime.datetime | None:
    """The archive's date as an aware datetime, for display."""
    try:
        return datetime.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        return None
