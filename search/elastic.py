"""Elasticsearch plumbing: the client, the index mapping and the index lifecycle.

Searches go through one alias (settings.ELASTICSEARCH_INDEX) that points at one versioned concrete
index (`<alias>-<timestamp>`). `rebuild()` fills a new concrete index while the old one keeps
answering, then swaps the alias in one atomic `update_aliases` call. `check()` compares the index
with the published models (missing, stale and extra documents) and `repair()` fixes exactly that
drift. Day-to-day updates come from the outbox (search.tasks).

Every text field carries its analyzer explicitly: `vi_exact` (lower-case only, diacritics kept)
on the field itself and `vi_folded` (lower-case and ASCII folding, đ -> d) on its `.folded`
sub-field, so "dong da" finds "Đống Đa" while an exact-diacritics match can still rank first.

What osmem-server 0.1.6 (the in-memory test server, which reports itself as OpenSearch 3.8.0)
supports, probed against elasticsearch-py 9.5.1: index creation with explicit mappings and
custom analyzers (asciifolding folds đ to d), aliases and `update_aliases`, bulk (index, create,
delete; a missing delete answers 404 per item), refresh, count, delete_by_query, scroll,
`search_after`, `post_filter`, `filter`/`filters`/`terms` aggregations (terms with an `include`
list, on keyword and integer fields), highlight, match / multi_match (best_fields, cross_fields,
phrase), fuzziness on match and best_fields multi_match (cross_fields rejects it, as real
Elasticsearch does), `match_bool_prefix`, `match_phrase_prefix`, `prefix`, `ids`, sorts with
`missing`, `track_total_hits`, strict dynamic mappings. What it lacks: the `_pit` route (point in
time; we page with `search_after`), `search_after` when the sort starts with `_score` (ignored: it
answers the first page again; exports of every match read a scroll instead), `more_like_this` with a document `like` ({"_index", "_id"}
gives no hits; a text `like` works, so related() sends both), `analysis.analyzer.default`
(ignored; hence the explicit analyzers), mapping char_filters (ignored), the compatibility media
type `application/vnd.elasticsearch+json; compatible-with=9` (406; hence `PlainJsonNode`), and POST
on `_resolve/index`. Its scores are not Elasticsearch's.
"""

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from elastic_transport import ApiError, TransportError, Urllib3HttpNode
from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import Date, Document, Index, Integer, Keyword, MetaField, Search, Text, analyzer
from elasticsearch.dsl.exceptions import ElasticsearchDslException

from .documents import SearchDocument, iter_documents, published_count
from .query import MAX_PAGE_SIZE, MAX_RESULT_WINDOW

logger = logging.getLogger(__name__)

# Everything the client raises when Elasticsearch is down, slow or answers an error.
ERRORS = (ApiError, TransportError, ElasticsearchDslException)

BULK_CHUNK_SIZE = 500
SCAN_PAGE_SIZE = 5000
# The alias a rebuild's new index carries while it fills, so the outbox writes reach it too.
REBUILD_SUFFIX = "-rebuilding"
_TIMESTAMP = "%Y%m%d%H%M%S%f"

# ---------------------------------------------------------------------------------------------
# The client

_COMPAT_MIMETYPE = re.compile(r"application/vnd\.elasticsearch\+([\w.-]+)(?:\s*;\s*compatible-with=\d+)?")


class PlainJsonNode(Urllib3HttpNode):
    """An HTTP node that sends plain `application/json` (and `application/x-ndjson` for bulk).

    elasticsearch-py 9 asks for `application/vnd.elasticsearch+json; compatible-with=9`, which
    osmem-server refuses with a 406; real Elasticsearch accepts the plain types as well. The client
    rewrites the headers after any `headers=` option is applied, so the node is the place to undo it.
    """

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name)
                if value:
                    headers[name] = _COMPAT_MIMETYPE.sub(r"application/\1", value)
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


_clients: dict[str, Elasticsearch] = {}
# The search client per (URL, timeout): `options()` builds a new client object each call, which
# every search paid for.
_search_clients: dict[tuple, Elasticsearch] = {}
_clients_lock = threading.Lock()


def get_client() -> Elasticsearch:
    """The shared client for settings.ELASTICSEARCH_URL (one per URL, created on first use)."""
    url = settings.ELASTICSEARCH_URL
    if not url:
        raise ImproperlyConfiguredError("ELASTICSEARCH_URL is not set")
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = Elasticsearch(
                    url,
                    node_class=PlainJsonNode,
                    request_timeout=settings.ELASTICSEARCH_INDEXING_TIMEOUT,
                    max_retries=1,
                    retry_on_timeout=False,
                )
    return client


class ImproperlyConfiguredError(TransportError):
    """Elasticsearch is not configured: treated like Elasticsearch being unreachable."""


def reset_client() -> None:
    """Forget the cached clients (after settings change; tests call it around each use)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
        _search_clients.clear()
    for client in clients:
        try:
            client.close()
        except Exception:  # closing a dead client must not fail the caller
            logger.debug("Closing an Elasticsearch client failed", exc_info=True)


def search_client() -> Elasticsearch:
    """The client for public searches: short timeout, no retry (the service falls back instead)."""
    key = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
    client = _search_clients.get(key)
    if client is None:
        client = get_client().options(request_timeout=settings.ELASTICSEARCH_TIMEOUT, max_retries=0)
        with _clients_lock:
            _search_clients[key] = client
    return client


def indexing_client() -> Elasticsearch:
    """The client for indexing and maintenance: the longer indexing timeout."""
    return get_client().options(request_timeout=settings.ELASTICSEARCH_INDEXING_TIMEOUT)


def alias_name() -> str:
    return settings.ELASTICSEARCH_INDEX


def rebuild_alias_name() -> str:
    return f"{alias_name()}{REBUILD_SUFFIX}"


# ---------------------------------------------------------------------------------------------
# The mapping

vi_folded = analyzer("vi_folded", tokenizer="standard", filter=["lowercase", "asciifolding"])
vi_exact = analyzer("vi_exact", tokenizer="standard", filter=["lowercase"])

TEXT_FIELDS = ("title", "summary", "body", "context")


def _vietnamese_text() -> Text:
    # Exact (diacritics kept) on the field, folded on `.folded`: both analyzers set explicitly,
    # since osmem ignores analysis.analyzer.default.
    return Text(analyzer=vi_exact, fields={"folded": Text(analyzer=vi_folded)})


class PracticeModelDocument(Document):
    """The mapping of one published practice model (see search.documents.SearchDocument)."""

    id = Integer()
    external_id = Keyword()
    title = _vietnamese_text()
    summary = _vietnamese_text()
    body = _vietnamese_text()
    context = _vietnamese_text()
    movement = Keyword()
    field = Keyword()
    unit_code = Keyword()
    unit_codes = Keyword(multi=True)  # the unit and all its ancestors: a unit filter is a term on it
    unit_path = Keyword()
    year = Integer()
    level = Keyword()
    forms = Keyword(multi=True)
    published_at = Date()
    title_sort = Keyword()
    replication_count = Integer()
    fingerprint = Keyword()

    class Meta:
        # A typo in a field name must fail loudly, not create a dynamically mapped field.
        dynamic = MetaField("strict")


def build_index(name: str) -> Index:
    """The dsl Index for a concrete index name: settings, analyzers and mapping."""
    index = Index(name)
    # One shard holds 100,000 models easily; the window lets the last allowed page be read.
    index.settings(number_of_shards=1, max_result_window=MAX_RESULT_WINDOW + MAX_PAGE_SIZE)
    index.document(PracticeModelDocument)
    return index


def document_source(document: SearchDocument) -> dict:
    """The `_source` sent for a document: an empty date is left out, not sent as ""."""
    source = document.as_dict()
    if not source["published_at"]:
        source["published_at"] = None
    return source


# ---------------------------------------------------------------------------------------------
# Index lifecycle


def new_index_name() -> str:
    return f"{alias_name()}-{timezone.now().strftime(_TIMESTAMP)}"


def _indices_behind(client: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).body)
    except NotFoundError:
        return []


def _own_indices(client: Elasticsearch) -> list[str]:
    """Concrete indices named `<alias>-<timestamp>`: ours, whether or not the alias points at them."""
    pattern = re.compile(rf"^{re.escape(alias_name())}-\d{{20}}$")
    try:
        found = client.indices.get(index=f"{alias_name()}-*", allow_no_indices=True, ignore_unavailable=True).body
    except NotFoundError:
        return []
    return sorted(name for name in found if pattern.match(name))


def ensure_index() -> bool:
    """Create a concrete index with the alias when the alias is missing; True when created.

    An existing index gets the fields the mapping gained since it was built (a field is added in
    place; with the strict mapping, documents carrying it would be refused until a rebuild).
    """
    client = indexing_client()
    if client.indices.exists_alias(name=alias_name()):
        properties = PracticeModelDocument._doc_type.mapping.to_dict()["properties"]
        client.indices.put_mapping(index=alias_name(), properties=properties)
        return False
    index = build_index(new_index_name())
    index.aliases(**{alias_name(): {}})
    index.create(using=client)
    return True


def refresh_index() -> None:
    """Make every write so far visible to searches."""
    indexing_client().indices.refresh(index=alias_name())


def delete_all_indices() -> None:
    """Delete the alias and every concrete index of ours (tests and a full reset use it)."""
    client = indexing_client()
    names = set(_indices_behind(client, alias_name())) | set(_own_indices(client))
    names |= set(_indices_behind(client, rebuild_alias_name()))
    for name in sorted(names):
        with contextlib.suppress(NotFoundError):
            client.indices.delete(index=name)


def write_targets(client: Elasticsearch) -> list[str]:
    """Where document changes go: the alias, plus the index a running rebuild is filling."""
    return [alias_name(), *_indices_behind(client, rebuild_alias_name())]


@dataclass
class BulkOutcome:
    """Ids whose change reached every target, and the error of each id that failed."""

    succeeded: set = field(default_factory=set)
    failed: dict = field(default_factory=dict)


def _doc_id(raw) -> int | str:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw


def apply_changes(ids: Iterable[int | str], *, client: Elasticsearch | None = None) -> BulkOutcome:
    """Index the published models among `ids` and delete the documents of the others.

    Deleting a document that is not there is not an error. Raises one of `ERRORS` when
    Elasticsearch cannot be reached at all; per-document failures are returned.
    """
    client = client or indexing_client()
    ids = list(dict.fromkeys(ids))
    numeric = [pk for pk in ids if isinstance(pk, int)]
    documents = {document.id: document for document in iter_documents(numeric)} if numeric else {}
    targets = write_targets(client)

    def actions() -> Iterator[dict]:
        for pk in ids:
            for target in targets:
                document = documents.get(pk)
                if document is not None:
                    yield {"_op_type": "index", "_index": target, "_id": str(pk), "_source": document_source(document)}
                else:
                    yield {"_op_type": "delete", "_index": target, "_id": str(pk)}

    outcome = BulkOutcome()
    for ok, item in helpers.streaming_bulk(
        client,
        actions(),
        chunk_size=BULK_CHUNK_SIZE,
        raise_on_error=False,
        ignore_status=(404,),
        max_retries=2,
    ):
        ((op_type, result),) = item.items()
        pk = _doc_id(result.get("_id"))
        if ok or (op_type == "delete" and result.get("status") == 404):
            continue
        error = result.get("error") or result.get("status")
        outcome.failed[pk] = str(error)[:1000]
    outcome.succeeded = {pk for pk in ids if pk not in outcome.failed}
    return outcome


ProgressCallback = Callable[[int, int], None]


@dataclass
class RebuildResult:
    index: str
    indexed: int
    deleted_indices: list[str]
    seconds: float


def rebuild(progress: ProgressCallback | None = None) -> RebuildResult:
    """Fill a new concrete index from the published models, then swap the alias to it atomically.

    Searches keep answering from the old index until the swap. While the new index fills it
    carries the rebuild alias, so changes the outbox sends meanwhile reach it too; the loader
    only creates documents, so it never overwrites a fresher one written that way.
    Outbox rows queued before it started are then done and removed. `progress(advance, total)`
    is called after each bulk chunk.
    """
    from .models import PendingIndexUpdate

    started = time.monotonic()
    started_at = timezone.now()
    client = indexing_client()
    name = new_index_name()
    index = build_index(name)
    index.aliases(**{rebuild_alias_name(): {}})
    index.create(using=client)
    total = published_count()
    indexed = 0
    try:
        actions = (
            {"_op_type": "create", "_index": name, "_id": str(document.id), "_source": document_source(document)}
            for document in iter_documents()
        )
        pending = 0
        for ok, item in helpers.streaming_bulk(
            client, actions, chunk_size=BULK_CHUNK_SIZE, raise_on_error=False, ignore_status=(409,), max_retries=2
        ):
            ((_op, result),) = item.items()
            if not ok and result.get("status") != 409:
                raise BulkLoadError(result)
            indexed += 1
            pending += 1
            if pending >= BULK_CHUNK_SIZE:
                if progress:
                    progress(pending, total)
                pending = 0
        if progress and pending:
            progress(pending, total)
        client.indices.refresh(index=name)
        old = [old_name for old_name in _indices_behind(client, alias_name()) if old_name != name]
        # One call: searches see either the old index or the new one, never none.
        actions_list = [{"remove": {"index": old_name, "alias": alias_name()}} for old_name in old]
        actions_list += [
            {"add": {"index": name, "alias": alias_name()}},
            {"remove": {"index": name, "alias": rebuild_alias_name()}},
        ]
        client.indices.update_aliases(actions=actions_list)
    except BaseException:
        try:
            client.indices.delete(index=name)
        except ERRORS:
            logger.warning("Could not delete the half-built index %s", name, exc_info=True)
        raise
    # Changes queued before the rebuild read the database are in the new index already.
    PendingIndexUpdate.objects.filter(created_at__lt=started_at).delete()
    deleted = []
    for old_name in sorted(set(old) | set(_own_indices(client)) - {name}):
        try:
            client.indices.delete(index=old_name)
            deleted.append(old_name)
        except NotFoundError:
            pass
    return RebuildResult(index=name, indexed=indexed, deleted_indices=deleted, seconds=time.monotonic() - started)


class BulkLoadError(Exception):
    """A document was refused while filling a new index (the rebuild is abandoned)."""

    def __init__(self, item: dict):
        self.item = item
        super().__init__(f"{item.get('_id')}: {item.get('error') or item.get('status')}")


# ---------------------------------------------------------------------------------------------
# Drift: what the index holds against what the database publishes


def iter_indexed_fingerprints(client: Elasticsearch | None = None) -> Iterator[tuple[int | str, str]]:
    """(id, fingerprint) of every document behind the alias, paged by `search_after` on id."""
    client = client or indexing_client()
    after = None
    while True:
        search = (
            Search(using=client, index=alias_name())
            .sort({"id": {"order": "asc"}})
            .source(["fingerprint"])
            .extra(size=SCAN_PAGE_SIZE, track_total_hits=False)
        )
        if after is not None:
            search = search.extra(search_after=after)
        hits = search.execute().hits
        if not hits:
            return
        for hit in hits:
            yield _doc_id(hit.meta.id), getattr(hit, "fingerprint", "") or ""
        after = list(hits[-1].meta.sort)
        if len(hits) < SCAN_PAGE_SIZE:
            return


@dataclass
class Drift:
    """How the index differs from the published models."""

    expected: int = 0  # published models
    indexed: int = 0  # documents in the index
    missing: list = field(default_factory=list)  # published, not indexed
    stale: list = field(default_factory=list)  # indexed with an outdated fingerprint
    extra: list = field(default_factory=list)  # indexed, not published (any more)
    pending: int = 0  # outbox rows still waiting

    @property
    def is_clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check() -> Drift:
    """Compare every document's fingerprint with the published models' current documents."""
    from .models import PendingIndexUpdate

    indexed = dict(iter_indexed_fingerprints())
    expected = {document.id: document.fingerprint for document in iter_documents()}
    return Drift(
        expected=len(expected),
        indexed=len(indexed),
        missing=sorted(pk for pk in expected if pk not in indexed),
        stale=sorted(pk for pk, fp in expected.items() if pk in indexed and indexed[pk] != fp),
        extra=sorted((pk for pk in indexed if pk not in expected), key=str),
        pending=PendingIndexUpdate.objects.count(),
    )


@dataclass
class RepairResult:
    """What `repair()` did: the outbox drained, then the drift it found and fixed."""

    outbox_done: int
    outbox_failed: int
    drift: Drift
    indexed: int
    deleted: int
    failed: dict


def repair() -> RepairResult:
    """Drain the outbox, then index missing and stale documents and delete extra ones."""
    from .tasks import process_pending_updates

    ensure_index()
    done, failed_rows = process_pending_updates(include_deferred=True)
    drift = check()
    outcome = apply_changes([*drift.missing, *drift.stale, *drift.extra])
    refresh_index()
    to_index = [pk for pk in [*drift.missing, *drift.stale] if pk in outcome.succeeded]
    deleted = [pk for pk in drift.extra if pk in outcome.succeeded]
    return RepairResult(
        outbox_done=done,
        outbox_failed=failed_rows,
        drift=drift,
        indexed=len(to_index),
        deleted=len(deleted),
        failed=outcome.failed,
    )
