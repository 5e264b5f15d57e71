# SQL text here is assembled from constant table and column names and %s placeholders only; every
# value, user input included, goes in as a parameter.
# ruff: noqa: S608
"""The vendor-specific full-text store of the database search index, outside Django's model state.

`SearchEntry` (search.models) holds one narrow row per published model: the filter and sort
columns only, so that facet counts and listings scan a few megabytes, not the stories. The texts,
each twice (exact: lower-cased, diacritics kept; folded: no diacritics, đ as d), live in the
vendor's own full-text store, keyed by the same id:

- SQLite: an FTS5 table that keeps its own copy of the texts (so a row can be deleted by id);
- PostgreSQL: a table of one weighted `tsvector` per model with a GIN index, and the vocabulary
  the one-typo tolerance looks words up in.

Both are created by migration 0004 and written by the backend; deleting an entry deletes its
full-text row (a trigger on SQLite, a cascading foreign key on PostgreSQL).
"""

ENTRY_TABLE = "search_searchentry"
FTS_TABLE = "search_entry_fts"
DOCUMENT_TABLE = "search_entry_document"
TERM_TABLE = "search_entry_term"

EXACT_COLUMNS = ("title", "summary", "body", "context")
FOLDED_COLUMNS = ("title_folded", "summary_folded", "body_folded", "context_folded")
TEXT_COLUMNS = EXACT_COLUMNS + FOLDED_COLUMNS

_COLUMNS = ", ".join(TEXT_COLUMNS)

# unicode61 keeps diacritics ("remove_diacritics 0"): the exact columns keep "hồ" apart from "hộ",
# and the folded columns are folded in Python, which also maps đ to d (unicode61 never does).
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLUMNS}, tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER search_entry_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.practice_model_id; END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS search_entry_ad", f"DROP TABLE IF EXISTS {FTS_TABLE}")

# PostgreSQL: folded and exact words in one vector. A folded query word ("ho") is ASCII and only
# meets folded words (an ASCII exact word is its own folded form); an exact query word ("hồ") only
# meets exact ones. Weights: title A, summary B, body C, context D; the short texts come first, so
# PostgreSQL's 16,383 word positions are spent on the long body last.
_VECTOR_PARTS = (
    ("title_folded", "A"),
    ("title", "A"),
    ("summary_folded", "B"),
    ("summary", "B"),
    ("context_folded", "D"),
    ("context", "D"),
    ("body_folded", "C"),
    ("body", "C"),
)
VECTOR_COLUMNS = tuple(column for column, _weight in _VECTOR_PARTS)
VECTOR_SQL = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, %s), '{weight}')" for _c, weight in _VECTOR_PARTS
)
POSTGRES_CREATE = (
    # No foreign key to the entry table: Django's flush truncates the tables it knows without
    # CASCADE, which a reference from this unmanaged table would refuse. Triggers keep the two in
    # step instead, on row deletes (cascades from a deleted model included) and on TRUNCATE.
    f"CREATE TABLE {DOCUMENT_TABLE} (practice_model_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE FUNCTION search_entry_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'TRUNCATE' THEN DELETE FROM {DOCUMENT_TABLE}; "
    f"ELSE DELETE FROM {DOCUMENT_TABLE} WHERE practice_model_id = OLD.practice_model_id; END IF; "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER search_entry_ad AFTER DELETE ON {ENTRY_TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION search_entry_forget()",
    f"CREATE TRIGGER search_entry_at AFTER TRUNCATE ON {ENTRY_TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_entry_forget()",
    # Vectors stay in the table's own pages (compressed) rather than in TOAST: otherwise the table
    # looks a few hundred kB to the planner, which then prefers reading (and detoasting) every
    # vector over the GIN index (200 ms instead of 20 ms for a rare word at 11,000 models).
    f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN document SET STORAGE MAIN",
    f"ALTER TABLE {DOCUMENT_TABLE} SET (toast_tuple_target = 8160)",
    f"CREATE INDEX search_entry_document_gin ON {DOCUMENT_TABLE} USING gin (document)",
    # Every word ever indexed: PostgreSQL has no cheap "is this word in the index" (ts_stat reads
    # every vector). Words of models since unpublished stay, which is harmless: a typo corrected
    # to a word no model holds any more matches nothing.
    f"CREATE TABLE {TERM_TABLE} (term text PRIMARY KEY)",
)
POSTGRES_DROP = (
    f"DROP TRIGGER IF EXISTS search_entry_at ON {ENTRY_TABLE}",
    f"DROP TRIGGER IF EXISTS search_entry_ad ON {ENTRY_TABLE}",
    "DROP FUNCTION IF EXISTS search_entry_forget()",
    f"DROP TABLE IF EXISTS {TERM_TABLE}",
    f"DROP TABLE IF EXISTS {DOCUMENT_TABLE}",
)


def create_full_text(connection) -> None:
    """Create the vendor's full-text store next to the (existing) entry table."""
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(connection.vendor, ())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_full_text(connection) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(connection.vendor, ())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
