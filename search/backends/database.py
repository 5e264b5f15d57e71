# SQL text here is assembled from constant table and column names and %s placeholders only; every
# value, user input included, goes in as a parameter.
# ruff: noqa: S608
"""The database search backend: SQLite FTS5 or PostgreSQL full text over `SearchEntry` rows.

Always there and always in step (search.indexing calls `update_index` inside the transaction that
changed a model), it answers when Elasticsearch is not configured or fails. It follows the same
matching and ranking rules as the Elasticsearch backend:

- a model matches when its folded text holds every folded word of the query, or of one of its
  synonym variants, and every quoted phrase; when nothing at all matches, any word will do;
- a word of four letters or more that the index does not hold is replaced by the indexed words one
  edit away from it (one typo);
- title matches weigh most, then summary, body and context; with diacritics typed, the exact
  words rank above folded-only ones ("hồ" above "hộ"); the whole query as a phrase ranks above
  scattered words; ties go to the newest.

Each request evaluates the full-text match in one statement for the facet counts and the total
(a materialised CTE of matching ids, grouped per facet) and once more, ranked, for the page.
User input never reaches SQL text: values are parameters, and full-text expressions are built only
from the analysed words, each quoted by `_fts_quote` / `_ts_quote`.
"""

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction

from models_registry.models import Unit
from models_registry.selectors import unit_scope_paths

from ..analysis import QueryAnalysis
from ..analysis import tokens as word_tokens
from ..documents import SearchDocument, iter_documents, published_count
from ..models import SearchEntry, SearchIndexState
from ..query import (
    FACET_FIELD,
    FACET_FORM,
    FACET_LEVEL,
    FACET_MOVEMENT,
    FACET_UNIT,
    FACET_YEAR,
    FIXED_SORTS,
    SORT_REPLICATED,
    SORT_TITLE,
    BackendResult,
    SearchFilters,
    SearchRequest,
    SearchUnavailable,
)
from ._db_schema import DOCUMENT_TABLE, ENTRY_TABLE, FTS_TABLE, TERM_TABLE, TEXT_COLUMNS, VECTOR_COLUMNS, VECTOR_SQL
from ._db_text import exact_text, fast_fold

BATCH_SIZE = 1000
TYPO_MIN_LENGTH = 4
# Folded words are ASCII letters and digits: the one-edit neighbours of a word are built from these.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# bm25 weights of the FTS5 columns, in their order: exact title, summary, body, context, then the
# folded ones. A title match is worth several body matches.
_BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 2.0, 1.0, 10.0, 4.0, 2.0, 1.0)"
# Related models: words found in more models than this are too common to say what a model is about.
_RELATED_COMMON = 1000
_RELATED_WORDS = 10
# How many models hold a word changes slowly and only decides which of a model's words are
# distinctive: counted once, it is kept this long (shared by the workers through the cache) rather
# than counted again on every model page, which on PostgreSQL is most of the page's database time.
RELATED_COUNT_CACHE_SECONDS = 3600
# Answers to query-less requests (the movement and unit listings) are cached under the index's
# token (SearchIndexState) this long at most; any write to the index changes the token.
LISTING_CACHE_SECONDS = 600
# A query matching at least this many models is counted and ranked in one pass on SQLite (the
# walk over its matches is what costs); a smaller one is counted first and ranked only if needed.
_LARGE_MATCH = 5000
# PostgreSQL sorts NULLs first in DESC order, SQLite last: saying NULLS LAST on SQLite would only
# stop its planner from reading the order off the "newest" index.
_NEWEST_POSTGRES = "e.year DESC, e.published_at DESC NULLS LAST, e.practice_model_id DESC"
_NEWEST_SQLITE = "e.year DESC, e.published_at DESC, e.practice_model_id DESC"
_UNIT_PATH_LENGTH = SearchEntry._meta.get_field("unit_path").max_length


@dataclass(frozen=True)
class _Term:
    """One required word: any of its folded forms (the word, or its one-typo neighbours) matches;
    its exact form, when given, only adds to the score (it always comes with its folded form)."""

    folded: tuple[str, ...]
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class _RankedPage:
    """The page of a relevance-ordered search, ranked by `expression` (see `_facets_and_total`)."""

    expression: str
    page_size: int
    offset: int


@dataclass(frozen=True)
class _Plan:
    """A query as the backends match it: OR of variants, each an AND of terms, and required phrases."""

    variants: tuple[tuple[_Term, ...], ...]
    phrases: tuple[tuple[str, ...], ...] = ()
    bonus_phrase: tuple[str, ...] = ()  # the whole query as adjacent words: ranking only
    relaxed: bool = False


def _fts_quote(word: str) -> str:
    """An FTS5 string: nothing inside it is syntax, whatever the user typed."""
    return '"' + word.replace('"', '""') + '"'


def _ts_quote(word: str) -> str:
    """A tsquery lexeme in quotes: nothing inside it is syntax, whatever the user typed."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _edits(word: str) -> set[str]:
    """Every string one insertion, deletion, substitution or adjacent transposition away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {left + right[1:] for left, right in splits if right}
    found |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    found |= {left + char + right[1:] for left, right in splits if right for char in _ALPHABET}
    found |= {left + char + right for left, right in splits for char in _ALPHABET}
    found.discard(word)
    return found


def _chunks(items: list, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


class _Dialect:
    """What differs between SQLite FTS5 and PostgreSQL full text: expressions and the few statements."""

    def expression(self, plan: _Plan, *, ranking: bool = True) -> str:
        """The plan as a full-text expression. Without `ranking`, the parts that only add score
        (exact words, the whole-query phrase) are left out: the same models match, more cheaply."""
        if not ranking:
            plan = _Plan(
                variants=tuple(tuple(_Term(folded=item.folded) for item in variant) for variant in plan.variants),
                phrases=plan.phrases,
                relaxed=plan.relaxed,
            )

        def term(item: _Term) -> str:
            return "(" + self.any_of(item) + ")"

        def conjunction(terms: tuple[_Term, ...]) -> str:
            return self.join_and(term(item) for item in terms)

        if plan.relaxed:
            terms = list(dict.fromkeys(item for variant in plan.variants for item in variant))
            parts = [term(item) for item in terms]
            if plan.bonus_phrase:
                parts.insert(0, self.phrase(plan.bonus_phrase))
            return self.join_or(parts)
        main = conjunction(plan.variants[0])
        if plan.bonus_phrase:
            # The phrase implies every word: it adds score without changing what matches.
            main = self.join_or([self.phrase(plan.bonus_phrase), "(" + main + ")"])
        alternatives = [main, *(conjunction(variant) for variant in plan.variants[1:])]
        expression = self.join_or("(" + part + ")" for part in alternatives)
        if plan.phrases:
            expression = self.join_and(["(" + expression + ")", *(self.phrase(words) for words in plan.phrases)])
        return expression


class _SQLite(_Dialect):
    name = "sqlite"
    newest = _NEWEST_SQLITE

    # No column filter is needed on words: a folded word is ASCII and an ASCII word of the exact
    # columns is also in the folded ones, while a word with diacritics is only in the exact ones.
    # Leaving the filter out spares FTS5 reading position lists just to check columns (3x faster).
    def any_of(self, item: _Term) -> str:
        return " OR ".join(_fts_quote(word) for word in (*item.folded, *item.exact))

    def phrase(self, words: tuple[str, ...]) -> str:
        return _fts_quote(" ".join(words))

    def join_and(self, parts: Iterable[str]) -> str:
        return " AND ".join(parts)

    def join_or(self, parts: Iterable[str]) -> str:
        return " OR ".join(parts)

    def single(self, word: str) -> str:
        return _fts_quote(word)

    def matching_ids(self) -> str:
        """A subquery of the ids matching the expression given as its one parameter."""
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"

    def existing(self, words: list[str]) -> set[str]:
        """Which of these folded words at least one model holds (one statement, one lookup each)."""
        by_expression = {self.single(word): word for word in words}
        sql = f"SELECT value FROM json_each(%s) WHERE EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH value)"
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(list(by_expression))])
            return {by_expression[row[0]] for row in cursor.fetchall()}

    def write_texts(self, texts: dict[int, dict[str, str]]) -> None:
        """Replace the full-text rows of these models (FTS5 has no upsert: delete, then insert)."""
        ids = list(texts)
        columns = ", ".join(TEXT_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({_placeholders(len(ids))})", ids)
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, {columns}) VALUES (%s, {_placeholders(len(TEXT_COLUMNS))})",
                [(pk, *(row[column] for column in TEXT_COLUMNS)) for pk, row in texts.items()],
            )

    def drop_orphans(self) -> None:
        """Full-text rows without an entry (the trigger keeps them away; a rebuild makes sure)."""
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT practice_model_id FROM {ENTRY_TABLE})")

    def counts(self, expressions: list[str], cap: int) -> dict[str, int]:
        """How many models match each expression, counted up to `cap`."""
        sql = (
            "SELECT value, (SELECT count(*) FROM "
            f"(SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH value LIMIT %s)) FROM json_each(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [cap, json.dumps(expressions)])
            return dict(cursor.fetchall())

    def select_matching(self, where: str) -> str:
        """Ids matching the expression (the first parameter) and `where` (the next ones)."""
        return (
            f"SELECT e.practice_model_id FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e "
            f"ON e.practice_model_id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND {where}"
        )

    def best_first(self, boost: str = "", *, phrase: bool = False) -> str:
        """ORDER BY terms, best match first, ties to the newest; `boost` multiplies the score.

        The whole-query phrase is already part of the FTS5 expression, where it adds to bm25:
        `phrase` (and `order_params`) matter only to PostgreSQL.
        """
        # bm25() is negative, lower is better. Not rounded: in a small index FTS5 clamps the weight
        # of words found in half the models or more to 1e-6, and only the tiny differences left
        # tell a title match or an exact "hồ" from a body match or a "hộ".
        score = f"{_BM25} * ({boost})" if boost else _BM25
        return f"{score}, {self.newest}"

    def order_params(self, phrase: str | None) -> list:
        return []

    def title_prefix(self, words: tuple[str, ...]) -> str:
        parts = [f"{{title_folded}} : {_fts_quote(word)}" for word in words[:-1]]
        parts.append(f"{{title_folded}} : {_fts_quote(words[-1])} *")
        return " AND ".join(parts)

    def contains(self, column: str) -> str:
        return f"instr({column}, %s) > 0"

    title_order = "e.title_sort, e.practice_model_id"


class _PostgreSQL(_Dialect):
    name = "postgresql"
    newest = _NEWEST_POSTGRES

    def any_of(self, item: _Term) -> str:
        return " | ".join(_ts_quote(word) for word in (*item.folded, *item.exact))

    def phrase(self, words: tuple[str, ...]) -> str:
        return "(" + " <-> ".join(_ts_quote(word) for word in words) + ")"

    def join_and(self, parts: Iterable[str]) -> str:
        return " & ".join(parts)

    def join_or(self, parts: Iterable[str]) -> str:
        return " | ".join(parts)

    def single(self, word: str) -> str:
        return _ts_quote(word)

    def matching_ids(self) -> str:
        return f"SELECT practice_model_id FROM {DOCUMENT_TABLE} WHERE document @@ to_tsquery('simple', %s)"

    def existing(self, words: list[str]) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {TERM_TABLE} WHERE term = ANY(%s)", [words])
            return {row[0] for row in cursor.fetchall()}

    def write_texts(self, texts: dict[int, dict[str, str]]) -> None:
        """Upsert the weighted vectors of these models, and add their words to the vocabulary."""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {DOCUMENT_TABLE} (practice_model_id, document) VALUES (%s, {VECTOR_SQL}) "
                "ON CONFLICT (practice_model_id) DO UPDATE SET document = EXCLUDED.document",
                [(pk, *(row[column] for column in VECTOR_COLUMNS)) for pk, row in texts.items()],
            )
            cursor.execute(
                f"INSERT INTO {TERM_TABLE} (term) SELECT DISTINCT unnest(tsvector_to_array(document)) "
                f"FROM {DOCUMENT_TABLE} WHERE practice_model_id = ANY(%s) ON CONFLICT DO NOTHING",
                [list(texts)],
            )

    def drop_orphans(self) -> None:
        """Nothing to do: the foreign key cascades."""

    def counts(self, expressions: list[str], cap: int) -> dict[str, int]:
        sql = (
            "SELECT v, (SELECT count(*) FROM (SELECT 1 FROM "
            f"{DOCUMENT_TABLE} WHERE document @@ to_tsquery('simple', v) LIMIT %s) AS found) "
            "FROM unnest(%s::text[]) AS v"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [cap, expressions])
            return dict(cursor.fetchall())

    def select_matching(self, where: str) -> str:
        return (
            f"SELECT e.practice_model_id FROM {DOCUMENT_TABLE} d JOIN {ENTRY_TABLE} e "
            f"ON e.practice_model_id = d.practice_model_id, to_tsquery('simple', %s) AS query "
            f"WHERE d.document @@ query AND {where}"
        )

    def best_first(self, boost: str = "", *, phrase: bool = False) -> str:
        # ts_rank's default weights are {D 0.1, C 0.2, B 0.4, A 1.0}: title A, summary B, body C, context D.
        score = "ts_rank(d.document, query)"
        if phrase:
            # ts_rank ignores word adjacency: the whole query as a phrase earns its own rank on top,
            # weighted by where it occurs (title most).
            score += (
                " + CASE WHEN d.document @@ to_tsquery('simple', %s) "
                "THEN ts_rank(d.document, to_tsquery('simple', %s)) ELSE 0 END"
            )
        if boost:
            score = f"({score}) * ({boost})"
        return f"{score} DESC, {self.newest}"

    def order_params(self, phrase: str | None) -> list:
        return [phrase, phrase] if phrase else []

    def title_prefix(self, words: tuple[str, ...]) -> str:
        # Weight A is the title (its folded and exact words).
        parts = [f"{_ts_quote(word)}:A" for word in words[:-1]]
        parts.append(f"{_ts_quote(words[-1])}:*A")
        return " & ".join(parts)

    def contains(self, column: str) -> str:
        return f"strpos({column}, %s) > 0"

    # Byte order, as SQLite and Elasticsearch sort, whatever the database's collation.
    title_order = 'e.title_sort COLLATE "C", e.practice_model_id'


def _subtrees(paths: list[str]) -> tuple[str, list]:
    """The condition "the model's unit lies under one of `paths`", as ranges the path index answers.

    A subtree is every path starting with its root's: the paths from the root's up to the root's
    padded with the last letter of treebeard's alphabet. Paths hold only that alphabet's digits and
    capital letters, which C and the usual locales (glibc's, ICU's) order alike, digits first and
    each in code order, so the range is exact on PostgreSQL whatever the database's locale, and
    `substr(…) = root` (which no index answers) is not needed.
    """
    top = Unit.alphabet[-1]
    ranges = [(path, path.ljust(_UNIT_PATH_LENGTH, top)) for path in paths]
    sql = " OR ".join("e.unit_path BETWEEN %s AND %s" for _range in ranges)
    return f"({sql})", [bound for pair in ranges for bound in pair]


def _inside(unit_facet_paths: dict[str, list[str]], unit_condition: tuple[str, list]) -> bool:
    """Whether every path the unit facet counts lies under one of the unit filter's roots."""
    roots = unit_condition[1][0::2]  # the ranges' lower bounds (see _subtrees)
    return all(any(path.startswith(root) for root in roots) for paths in unit_facet_paths.values() for path in paths)


def _also(condition: str) -> str:
    return f" AND {condition}" if condition else ""


def _dialect() -> _Dialect:
    if connection.vendor == "sqlite":
        return _SQLite()
    if connection.vendor == "postgresql":
        return _PostgreSQL()
    raise SearchUnavailable(f"The database search backend does not support {connection.vendor}.")


def _entry(document: SearchDocument) -> SearchEntry:
    return SearchEntry(
        practice_model_id=document.id,
        movement=document.movement,
        field=document.field,
        unit_path=document.unit_path,
        year=document.year,
        level=document.level,
        forms=f" {' '.join(document.forms)} " if document.forms else "",
        published_at=datetime.fromisoformat(document.published_at) if document.published_at else None,
        title_sort=document.title_sort,
        replication_count=document.replication_count,
        fingerprint=document.fingerprint,
    )


def _texts(document: SearchDocument) -> dict[str, str]:
    """The exact and the folded form of each searchable text of a document."""
    # The model code is searchable too; it rides with the context, which weighs least.
    sources = {
        "title": document.title,
        "summary": document.summary,
        "body": document.body,
        "context": f"{document.context} {document.external_id}".strip(),
    }
    texts = {}
    for name, text in sources.items():
        exact = exact_text(text)
        texts[name] = exact
        texts[f"{name}_folded"] = fast_fold(exact)
    return texts


_ENTRY_FIELDS = [f.name for f in SearchEntry._meta.concrete_fields if not f.primary_key]


class DatabaseBackend:
    """Search, related models, type-ahead and index upkeep over the database's own full text."""

    name = "database"

    # -- index upkeep ------------------------------------------------------------------------------

    def update_index(self, ids: list[int]) -> None:
        """Index the published models among `ids` (skipping unchanged ones) and drop the others' entries."""
        ids = sorted({int(pk) for pk in ids})
        changed = 0
        for chunk in _chunks(ids, BATCH_SIZE):
            documents = list(iter_documents(chunk))
            published = {document.id for document in documents}
            gone = [pk for pk in chunk if pk not in published]
            if gone:
                # Counted even when nothing is left to delete: a deleted model's entry is already
                # gone by cascade, and the cached listings must still forget it.
                SearchEntry.objects.filter(pk__in=gone).delete()
                changed += len(gone)
            if documents:
                stored = dict(SearchEntry.objects.filter(pk__in=published).values_list("pk", "fingerprint"))
                fresh = [document for document in documents if stored.get(document.id) != document.fingerprint]
                self._write(fresh)
                changed += len(fresh)
        if changed:
            self._changed(analyse=changed >= BATCH_SIZE)

    def _changed(self, *, analyse: bool) -> None:
        """After a write: a new token (cached listings are stale), and after a large one fresh
        planner statistics, without which SQLite sorts a whole listing instead of reading it off
        the "newest" index (PostgreSQL's autovacuum keeps its own)."""
        token = secrets.randbits(62)
        if not SearchIndexState.objects.filter(pk=1).update(token=token):
            SearchIndexState.objects.update_or_create(pk=1, defaults={"token": token})
        if analyse and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ENTRY_TABLE}")

    def bump_token(self) -> None:
        """A new token without an index write: what the cached answers were built from changed
        (a unit, field or movement renamed, moved or added: see search.vocabulary)."""
        self._changed(analyse=False)

    def token(self) -> int:
        """The index's current version token (see SearchIndexState)."""
        return SearchIndexState.objects.filter(pk=1).values_list("token", flat=True).first() or 0

    def rebuild_index(self, progress: Callable[[int, int], None] | None = None, *, record_change: bool = True) -> int:
        """Rewrite every published model's entry from its document and drop all other entries.

        Batch by batch, so the index stays searchable (and other writers are not held up) meanwhile.
        `record_change=False` only for migration 0004, which runs before the token's table exists.
        """
        total = published_count()
        seen: set[int] = set()
        batch: list[SearchDocument] = []
        for document in iter_documents():
            batch.append(document)
            if len(batch) >= BATCH_SIZE:
                self._rebuild_batch(batch, seen, total, progress)
                batch = []
        if batch:
            self._rebuild_batch(batch, seen, total, progress)
        stale = [pk for pk in SearchEntry.objects.values_list("pk", flat=True).iterator() if pk not in seen]
        with transaction.atomic():
            for chunk in _chunks(stale, BATCH_SIZE):
                SearchEntry.objects.filter(pk__in=chunk).delete()
            _dialect().drop_orphans()
            if record_change:
                self._changed(analyse=True)
        return len(seen)

    def _rebuild_batch(self, batch, seen, total, progress) -> None:
        with transaction.atomic():
            self._write(batch)
        seen.update(document.id for document in batch)
        if progress is not None:
            progress(len(batch), total)

    def _write(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        # One INSERT … ON CONFLICT DO UPDATE per few dozen rows, then the texts in one executemany.
        SearchEntry.objects.bulk_create(
            [_entry(document) for document in documents],
            update_conflicts=True,
            unique_fields=["practice_model"],
            update_fields=_ENTRY_FIELDS,
        )
        _dialect().write_texts({document.id: _texts(document) for document in documents})

    def indexed_count(self) -> int:
        """How many models the index holds (one entry per published model)."""
        return SearchEntry.objects.count()

    # -- reading -----------------------------------------------------------------------------------

    def _guarded(self):
        # Inside a transaction (a test, ATOMIC_REQUESTS) a failed statement must not leave the outer
        # transaction unusable on PostgreSQL: run in a savepoint. Outside one, no transaction at all,
        # since opening one on SQLite would take the write lock for a read.
        return transaction.atomic() if connection.in_atomic_block else nullcontext()

    def search(self, request: SearchRequest) -> BackendResult:
        """The page of ids, the total and the facet counts for one search request.

        Query-less requests are answered from the cache while the index is unchanged: they are the
        listings every visitor opens, and counting their facets reads the whole index.
        """
        try:
            with self._guarded():
                if not request.query.is_empty:
                    return self._search(request)
                key = self._listing_key(request)
                result = cache.get(key)
                if result is None:
                    result = self._search(request)
                    cache.set(key, result, LISTING_CACHE_SECONDS)
                return result
        except DatabaseError as exc:
            # Queries are built from quoted words and parameters only, so no user input can cause
            # this: it is a real failure (locked or broken database), reported to the service.
            raise SearchUnavailable(f"Database search failed: {exc}") from exc

    def _listing_key(self, request: SearchRequest) -> str:
        filters = request.filters
        question = repr(
            (
                connection.alias,
                request.sort,
                request.page,
                request.page_size,
                request.with_facets,
                request.unit_facet_codes,
                filters.movements,
                filters.fields,
                filters.units,
                [int(year) for year in filters.years],
                filters.levels,
                filters.forms,
            )
        )
        digest = hashlib.sha256(question.encode()).hexdigest()[:32]
        return f"search:listing:{self.token()}:{digest}"

    def related(self, practice_model_id: int, *, limit: int) -> list[int]:
        """Published models sharing the most distinctive words of this one's title and summary.

        Same movement and field rank higher; newest models of the same movement and field fill up.
        """
        try:
            with self._guarded():
                return self._related(practice_model_id, limit)
        except DatabaseError as exc:
            raise SearchUnavailable(f"Database search failed: {exc}") from exc

    def suggest(self, query: QueryAnalysis, *, limit: int) -> list[int]:
        """Published models whose folded title holds every word of the query, the last as a prefix."""
        words = query.folded_tokens
        if not words or limit <= 0:
            return []
        dialect = _dialect()
        prefix = query.folded
        sql = dialect.select_matching("1 = 1")
        sql = f"{sql} ORDER BY CASE WHEN substr(e.title_sort, 1, %s) = %s THEN 0 ELSE 1 END, {dialect.newest} LIMIT %s"
        try:
            with self._guarded(), connection.cursor() as cursor:
                cursor.execute(sql, [dialect.title_prefix(words), len(prefix), prefix, limit])
                return [row[0] for row in cursor.fetchall()]
        except DatabaseError as exc:
            raise SearchUnavailable(f"Database search failed: {exc}") from exc

    # -- query planning ----------------------------------------------------------------------------

    def _plan(self, dialect: _Dialect, query: QueryAnalysis) -> _Plan:
        variants = [tuple(query.folded_tokens)]
        for expansion in query.expansions:
            words = tuple(word_tokens(expansion, folded=True))
            if words and words not in variants:
                variants.append(words)
        phrases = tuple(words for phrase in query.phrases if (words := tuple(word_tokens(phrase, folded=True))))
        # Only the user's own words can be mistyped; synonym terms come from the curated list.
        corrections = self._corrections(dialect, set(variants[0]))
        exact = dict(zip(query.folded_tokens, query.tokens, strict=True)) if query.has_diacritics else {}

        def term(word: str, *, main: bool) -> _Term:
            if word in corrections:
                return _Term(folded=corrections[word])
            extra = exact.get(word) if main else None
            return _Term(folded=(word,), exact=(extra,) if extra and extra != word else ())

        planned = tuple(
            tuple(term(word, main=index == 0) for word in variant) for index, variant in enumerate(variants)
        )
        bonus = variants[0] if len(variants[0]) > 1 and not corrections.keys() & set(variants[0]) else ()
        return _Plan(variants=planned, phrases=phrases, bonus_phrase=bonus)

    def _corrections(self, dialect: _Dialect, words: set[str]) -> dict[str, tuple[str, ...]]:
        """For each long word the index lacks, the indexed words one edit away (itself when none)."""
        long_words = sorted(word for word in words if len(word) >= TYPO_MIN_LENGTH)
        if not long_words:
            return {}
        present = dialect.existing(long_words)
        missing = [word for word in long_words if word not in present]
        if not missing:
            return {}
        candidates = {word: sorted(_edits(word)) for word in missing}
        found = dialect.existing(sorted({c for neighbours in candidates.values() for c in neighbours}))
        # A word without any neighbour keeps itself: it matches nothing, as it should.
        return {word: tuple(c for c in neighbours if c in found) or (word,) for word, neighbours in candidates.items()}

    def _expression(self, dialect: _Dialect, query: QueryAnalysis) -> tuple[str, str, str | None, bool]:
        """The full-text expressions of the query (strict, or relaxed when the strict one matches
        nothing): to match, to rank, that of the whole-query phrase, if any, and whether the strict
        one matches at least `_LARGE_MATCH` models."""
        plan = self._plan(dialect, query)
        expression = dialect.expression(plan, ranking=False)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({dialect.matching_ids()} LIMIT %s) AS found", [expression, _LARGE_MATCH]
            )
            found = cursor.fetchone()[0]
        if not found:
            bonus = plan.bonus_phrase or (plan.phrases[0] if plan.phrases else ())
            plan = _Plan(variants=plan.variants, bonus_phrase=bonus, relaxed=True)
            expression = dialect.expression(plan, ranking=False)
        phrase = dialect.phrase(plan.bonus_phrase) if plan.bonus_phrase else None
        return expression, dialect.expression(plan), phrase, found >= _LARGE_MATCH

    # -- filters and facets ------------------------------------------------------------------------

    def _unit_paths(self, codes: Iterable[str]) -> dict[str, list[str]]:
        """The tree paths each unit counts: its own subtree and its predecessors' (merged, split)."""
        return unit_scope_paths(codes)

    def _conditions(
        self, dialect: _Dialect, filters: SearchFilters, paths: dict[str, list[str]]
    ) -> dict[str, tuple[str, list]]:
        """The SQL condition of each active filter, by facet: values OR-ed within a facet."""
        conditions: dict[str, tuple[str, list]] = {}
        for facet, column, values in (
            (FACET_MOVEMENT, "e.movement", filters.movements),
            (FACET_FIELD, "e.field", filters.fields),
            (FACET_YEAR, "e.year", [int(year) for year in filters.years]),
            (FACET_LEVEL, "e.level", filters.levels),
        ):
            if values:
                values = list(dict.fromkeys(values))
                conditions[facet] = (f"{column} IN ({_placeholders(len(values))})", values)
        if filters.units:
            unit_paths = sorted({path for code in filters.units for path in paths.get(code, ())})
            if unit_paths:
                conditions[FACET_UNIT] = _subtrees(unit_paths)
            else:
                conditions[FACET_UNIT] = ("1 = 0", [])  # unknown units: nothing is under them
        if filters.forms:
            forms = list(dict.fromkeys(filters.forms))
            sql = " OR ".join(dialect.contains("e.forms") for _form in forms)
            conditions[FACET_FORM] = ("(" + sql + ")", [f" {form} " for form in forms])
        return conditions

    @staticmethod
    def _where(match: str | None, conditions: dict[str, tuple[str, list]], *, exclude: str = "") -> tuple[str, list]:
        parts = [match] if match else []
        params: list = []
        for facet, (sql, values) in conditions.items():
            if facet != exclude:
                parts.append(sql)
                params.extend(values)
        return (" AND ".join(parts) or "1 = 1"), params

    def _facets_and_total(
        self,
        dialect,
        expression,
        conditions,
        unit_facet_paths: dict[str, list[str]],
        page: "_RankedPage | None" = None,
    ) -> tuple[int, dict[str, dict], list[int] | None]:
        """Every facet's counts (each without its own filter) and the total, in one statement;
        with `page` (SQLite, by relevance), also that page's ids, ranked in the same pass."""
        params: list = []
        ctes = []
        source = f"{ENTRY_TABLE} e"
        columns = "e.movement, e.field, e.year, e.level, e.unit_path, e.forms"
        matching = f"e.practice_model_id IN ({dialect.matching_ids()})"
        # The unit filter of a unit page, or of a search drilled into a unit: every unit the facet
        # counts lies inside it, so no facet needs the models outside it. It then bounds every
        # statement below (read off the path index) instead of being one more flag: a unit page
        # reads its subtree, not the whole index.
        within, within_params = "", []
        if FACET_UNIT in conditions and _inside(unit_facet_paths, conditions[FACET_UNIT]):
            conditions = dict(conditions)
            within, within_params = conditions.pop(FACET_UNIT)
            # Each facet below counts "every filter but its own": the unit facet now counts inside it.
        if page is not None:
            # The full-text table drives, so bm25() can score the rows as they pass: the match is
            # walked once for the counts and the ranking together (a second walk cost as much again).
            # The ranked expression matches exactly the models the plain one does.
            columns += ", e.practice_model_id, e.published_at"
            from_matching = (
                f"{FTS_TABLE} CROSS JOIN {ENTRY_TABLE} e ON e.practice_model_id = {FTS_TABLE}.rowid "
                f"WHERE {FTS_TABLE} MATCH %s"
            )
            expression = page.expression
        flags: dict[str, str] = {}
        if conditions:
            # One pass evaluates every filter once per model (matching the query, if any) and keeps
            # only the models that fail at most one filter (a model failing two counts nowhere);
            # each facet then reads those few, testing flags instead of re-running the filters.
            flags = {facet: f"f_{facet}" for facet in conditions}
            flag_sql = ", ".join(
                f"CASE WHEN {sql} THEN 1 ELSE 0 END AS {flags[facet]}" for facet, (sql, _v) in conditions.items()
            )
            failing = " + ".join(flags.values())
            for _sql, values in conditions.values():
                params.extend(values)
            if page is not None:
                # Only the models passing every filter are ranked: bm25() is the costly part.
                passing = " AND ".join(f"({sql})" for sql, _v in conditions.values())
                flag_sql += f", CASE WHEN {passing} THEN {_BM25} END AS score"
                for _sql, values in conditions.values():
                    params.extend(values)
                selected = f"SELECT {columns}, {flag_sql} FROM {from_matching}{_also(within)}"
            else:
                where = matching if expression is not None else "1 = 1"
                selected = f"SELECT {columns}, {flag_sql} FROM {ENTRY_TABLE} e WHERE {where}{_also(within)}"
            ctes.append(
                f"b AS MATERIALIZED (SELECT * FROM ({selected}) AS flagged WHERE {failing} >= {len(flags) - 1:d})"
            )
            if expression is not None:
                params.append(expression)
            params.extend(within_params)
            source = "b e"
        elif expression is not None:
            # The full-text match runs once: its models' filter columns are materialised, then
            # read by every facet below.
            if page is not None:
                ctes.append(
                    f"m AS MATERIALIZED (SELECT {columns}, {_BM25} AS score FROM {from_matching}{_also(within)})"
                )
            else:
                ctes.append(
                    f"m AS MATERIALIZED (SELECT {columns} FROM {ENTRY_TABLE} e WHERE {matching}{_also(within)})"
                )
            params.extend([expression, *within_params])
            source = "m e"
        elif within:
            # A unit's listing: its subtree's rows, read once off the path index, feed every facet.
            ctes.append(f"u AS MATERIALIZED (SELECT {columns} FROM {ENTRY_TABLE} e WHERE {within})")
            params.extend(within_params)
            source = "u e"
        prefix = f"WITH {', '.join(ctes)} " if ctes else ""
        parts = []

        def add(facet: str, value: str, extra: str = "", *, own: str = "", extra_params=()) -> None:
            if flags:
                where = " AND ".join(f"e.{flag} = 1" for key, flag in flags.items() if key != own) or "1 = 1"
                where_params = []
            else:
                where, where_params = "1 = 1", []
            if extra:
                where = f"{where} AND {extra}"
            group = f" GROUP BY {value}" if value != "''" else ""
            # One value type for the UNION (PostgreSQL insists); grouped by the column itself, so
            # SQLite can read the groups off the column's index in order.
            selected = f"CAST({value} AS TEXT)" if value == "e.year" else value
            parts.append(f"SELECT '{facet}', {selected}, COUNT(*) FROM {source} WHERE {where}{group}")
            params.extend(where_params)
            params.extend(extra_params)

        add("total", "''")
        add(FACET_MOVEMENT, "e.movement", own=FACET_MOVEMENT)
        add(FACET_FIELD, "e.field", "e.field <> ''", own=FACET_FIELD)
        add(FACET_YEAR, "e.year", own=FACET_YEAR)
        add(FACET_LEVEL, "e.level", "e.level <> ''", own=FACET_LEVEL)
        add(FACET_FORM, "e.forms", "e.forms <> ''", own=FACET_FORM)
        if unit_facet_paths:
            # Counted per unit path (read off the path index in order, a thousand groups or so),
            # then summed into each facet unit whose path is a prefix.
            add(FACET_UNIT, "e.unit_path", own=FACET_UNIT)
        if page is not None:
            passing = " AND ".join(f"e.{flag} = 1" for flag in flags.values()) or "1 = 1"
            parts.append(
                f"SELECT * FROM (SELECT 'page', e.practice_model_id, 0 FROM {source} "
                f"WHERE {passing} ORDER BY e.score, {dialect.newest} LIMIT %s OFFSET %s)"
            )
            params.extend([page.page_size, page.offset])

        facets: dict[str, dict] = {facet: {} for facet in (FACET_MOVEMENT, FACET_FIELD, FACET_UNIT, FACET_YEAR)}
        facets |= {FACET_LEVEL: {}, FACET_FORM: {}}
        # A unit's paths never lie under one another (unit_scope_paths), so no model counts twice.
        codes_by_path: dict[str, list[str]] = defaultdict(list)
        for code, unit_paths in unit_facet_paths.items():
            for path in unit_paths:
                codes_by_path[path].append(code)
        lengths = sorted({len(path) for path in codes_by_path})
        total = 0
        ids: list[int] | None = None if page is None else []
        with connection.cursor() as cursor:
            cursor.execute(prefix + " UNION ALL ".join(parts), params)
            for facet, value, count in cursor.fetchall():
                if facet == "total":
                    total = count
                elif facet == "page":
                    ids.append(int(value))
                elif facet == FACET_YEAR:
                    facets[facet][int(value)] = count
                elif facet == FACET_FORM:
                    for form in value.split():
                        facets[facet][form] = facets[facet].get(form, 0) + count
                elif facet == FACET_UNIT:
                    # Each facet unit once per path counted, whichever of its paths holds it.
                    matched = {
                        code
                        for length in lengths
                        if length <= len(value)
                        for code in codes_by_path.get(value[:length], ())
                    }
                    for code in matched:
                        facets[facet][code] = facets[facet].get(code, 0) + count
                else:
                    facets[facet][value] = count
        return total, facets, ids

    # -- the search itself -------------------------------------------------------------------------

    def _search(self, request: SearchRequest) -> BackendResult:
        dialect = _dialect()
        filters = request.filters
        paths = self._unit_paths((*filters.units, *request.unit_facet_codes))
        conditions = self._conditions(dialect, filters, paths)
        expression, ranked, phrase, large = (
            (None, None, None, False) if request.query.is_empty else self._expression(dialect, request.query)
        )
        match = None if expression is None else f"e.practice_model_id IN ({dialect.matching_ids()})"

        facets: dict[str, dict] = {}
        by_relevance = expression is not None and request.sort not in FIXED_SORTS
        if request.with_facets:
            unit_facet_paths = {code: paths[code] for code in request.unit_facet_codes if code in paths}
            page = None
            if by_relevance and large and dialect.name == "sqlite":
                page = _RankedPage(ranked, request.page_size, request.offset)
            total, facets, ids = self._facets_and_total(dialect, expression, conditions, unit_facet_paths, page)
            if ids is not None:
                return BackendResult(total=total, ids=ids, facets=facets)
        else:
            where, params = self._where(match, conditions)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {ENTRY_TABLE} e WHERE {where}", [expression] * bool(match) + params
                )
                total = cursor.fetchone()[0]
        if total == 0 or request.offset >= total:
            return BackendResult(total=total, ids=[], facets=facets)

        sql, params = self._ordered(dialect, request.sort, expression, ranked, phrase, conditions)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, request.page_size, request.offset])
            ids = [row[0] for row in cursor.fetchall()]
        return BackendResult(total=total, ids=ids, facets=facets)

    def _ordered(
        self,
        dialect: _Dialect,
        sort: str,
        expression: str | None,
        ranked: str | None,
        phrase: str | None,
        conditions: dict[str, tuple[str, list]],
    ) -> tuple[str, list]:
        """The statement (and its parameters) selecting every matching id in the listing's order."""
        if expression is not None and sort not in FIXED_SORTS:
            where, params = self._where(None, conditions)
            order = dialect.best_first(phrase=phrase is not None)
            params = [ranked, *params, *dialect.order_params(phrase)]
            return f"{dialect.select_matching(where)} ORDER BY {order}", params
        match = None if expression is None else f"e.practice_model_id IN ({dialect.matching_ids()})"
        where, params = self._where(match, conditions)
        if sort == SORT_TITLE:
            order = dialect.title_order
        elif sort == SORT_REPLICATED:
            order = f"e.replication_count DESC, {dialect.newest}"
        else:
            order = dialect.newest
        sql = f"SELECT e.practice_model_id FROM {ENTRY_TABLE} e WHERE {where} ORDER BY {order}"
        return sql, ([expression, *params] if match else params)

    def iter_ids(self, request: SearchRequest, *, chunk_size: int) -> Iterator[list[int]]:
        """Every id matching the request, in its order, in chunks of `chunk_size` (page and
        facets ignored): one statement whose rows are fetched chunk by chunk (a server-side
        cursor on PostgreSQL), so 100,000 matches never sit in memory at once."""
        dialect = _dialect()
        try:
            # Planning reads the index (typo corrections, the strict match's count): in a savepoint
            # like search(), so a failure cannot spoil an outer transaction.
            with self._guarded():
                paths = self._unit_paths(request.filters.units)
                conditions = self._conditions(dialect, request.filters, paths)
                expression, ranked, phrase, _large = (
                    (None, None, None, False) if request.query.is_empty else self._expression(dialect, request.query)
                )
                sql, params = self._ordered(dialect, request.sort, expression, ranked, phrase, conditions)
        except DatabaseError as exc:
            raise SearchUnavailable(f"Database search failed: {exc}") from exc
        server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        cursor = connection.chunked_cursor() if server_side else connection.cursor()
        try:
            try:
                cursor.execute(sql, params)
            except DatabaseError as exc:
                raise SearchUnavailable(f"Database search failed: {exc}") from exc
            while rows := cursor.fetchmany(chunk_size):
                yield [row[0] for row in rows]
        finally:
            cursor.close()

    def _word_counts(self, dialect, expressions: list[str]) -> dict[str, int]:
        """How many models match each expression (up to _RELATED_COMMON): cached, the rest counted."""
        keys = {
            expression: f"search:related-count:{connection.vendor}:"
            + hashlib.sha1(expression.encode(), usedforsecurity=False).hexdigest()
            for expression in expressions
        }
        cached = cache.get_many(list(keys.values()))
        counts = {expression: cached[key] for expression, key in keys.items() if key in cached}
        missing = [expression for expression in expressions if expression not in counts]
        if missing:
            counted = dialect.counts(missing, _RELATED_COMMON)
            cache.set_many(
                {keys[expression]: count for expression, count in counted.items()}, RELATED_COUNT_CACHE_SECONDS
            )
            counts.update(counted)
        return counts

    def _related(self, practice_model_id: int, limit: int) -> list[int]:
        if limit <= 0:
            return []
        # The model's own entry (one row; there is one exactly while it is published), not its
        # whole search document, which takes half a dozen queries to build on every model page.
        found = (
            SearchEntry.objects.filter(practice_model_id=practice_model_id)
            .values("movement", "field", "practice_model__title", "practice_model__summary")
            .first()
        )
        if found is None:
            return []  # not published
        entry = {"movement": found["movement"], "field": found["field"]}
        dialect = _dialect()
        text = f"{found['practice_model__title']} {found['practice_model__summary'] or ''}"
        words = [
            word for word in dict.fromkeys(word_tokens(text, folded=True)) if len(word) > 1 and not word.isdigit()
        ]
        ids: list[int] = []
        if words:
            by_expression = {dialect.single(word): word for word in words}
            counts = self._word_counts(dialect, list(by_expression))
            # A word only this model has links to nothing; one that every model (or very many) has
            # says nothing about this one. The rarest words left say the most.
            # A bounded count: it reads at most _RELATED_COMMON rows, not the whole table.
            common = SearchEntry.objects.all()[:_RELATED_COMMON].count()
            ranked = sorted((count, by_expression[expr]) for expr, count in counts.items() if 1 < count < common)
            distinctive = [word for _count, word in ranked][:_RELATED_WORDS]
            if distinctive:
                expression = dialect.join_or(dialect.single(word) for word in distinctive)
                # Same movement and same field each scale the score up by half.
                boost = (
                    "1.0 + 0.5 * (CASE WHEN e.movement = %s THEN 1 ELSE 0 END)"
                    " + 0.5 * (CASE WHEN e.field = %s AND e.field <> '' THEN 1 ELSE 0 END)"
                )
                sql = f"{dialect.select_matching('e.practice_model_id <> %s')} ORDER BY {dialect.best_first(boost)} LIMIT %s"
                with connection.cursor() as cursor:
                    cursor.execute(sql, [expression, practice_model_id, entry["movement"], entry["field"], limit])
                    ids = [row[0] for row in cursor.fetchall()]
        if len(ids) < limit:
            exclude = [practice_model_id, *ids]
            sql = (
                f"SELECT e.practice_model_id FROM {ENTRY_TABLE} e WHERE e.movement = %s AND e.field = %s "
                f"AND e.practice_model_id NOT IN ({_placeholders(len(exclude))}) ORDER BY {dialect.newest} LIMIT %s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry["movement"], entry["field"], *exclude, limit - len(ids)])
                ids += [row[0] for row in cursor.fetchall()]
        return ids
