"""The editable list of abbreviations and synonyms that both search backends apply to queries."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .analysis import split_terms
from .text import fold_key

MIN_TERMS = 2


class Synonym(models.Model):
    """One group of equivalent expressions: "GPMB, giải phóng mặt bằng" finds either wording."""

    terms = models.CharField(
        _("terms"),
        max_length=500,
        help_text=_(
            "Equivalent expressions separated by commas, e.g. “GPMB, giải phóng mặt bằng”. "
            "A search for any of them also finds the others."
        ),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("synonym or abbreviation")
        verbose_name_plural = _("synonyms and abbreviations")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    def clean(self) -> None:
        """At least two distinct expressions; the stored text is the normalised, comma-separated list."""
        super().clean()
        terms = split_terms(self.terms)
        if len(terms) < MIN_TERMS:
            raise ValidationError(
                {
                    "terms": gettext(
                        "Enter at least two expressions separated by commas, e.g. “GPMB, giải phóng mặt bằng”."
                    )
                }
            )
        seen: dict[str, str] = {}
        for term in terms:
            key = fold_key(term)
            if not key:
                raise ValidationError({"terms": gettext("“%(term)s” has no letters or digits.") % {"term": term}})
            if key in seen:
                raise ValidationError(
                    {
                        "terms": gettext(
                            "“%(term)s” and “%(other)s” are the same expression (ignoring case, spaces and diacritics)."
                        )
                        % {"term": term, "other": seen[key]}
                    }
                )
            seen[key] = term
        self.terms = ", ".join(terms)


class PendingIndexUpdate(models.Model):
    """A practice model whose Elasticsearch document must be refreshed (an outbox row).

    Written in the same transaction as the change that calls for it, so a change is never
    forgotten: the background task (search.tasks) removes the row once Elasticsearch has the new
    document, and leaves it, with the error and a later retry time, when Elasticsearch failed.
    `search_index repair` drains what is left. Only used when ELASTICSEARCH_URL is set.
    """

    # Not a foreign key: a deleted model's row must outlive it until its document is gone.
    practice_model_id = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("pending index update")
        verbose_name_plural = _("pending index updates")

    def __str__(self):
        return str(self.practice_model_id)


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key that SQLite stores as the table's rowid ("integer PRIMARY KEY").

    Django declares a key to a big auto field as "bigint", which SQLite keeps beside a hidden rowid
    with a second index: every lookup from the full-text index (whose rowid is the model's id)
    would then search two b-trees instead of one. Other databases keep their usual type.
    """

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class SearchEntry(models.Model):
    """One published practice model as the database search backend sees it (search.backends.database).

    Written only by that backend, from `search.documents.iter_documents()`: a row exists exactly
    while its model is published. It holds the filter and sort columns the listings and facet
    counts read, and nothing else, so they scan a narrow table; the texts live in the vendor's
    full-text store keyed by the same id (an FTS5 table on SQLite, a tsvector table on
    PostgreSQL), which migration 0004 creates outside the model state.
    """

    practice_model = RowidOneToOneField(
        "models_registry.PracticeModel", on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    movement = models.CharField(max_length=255)  # slug
    field = models.CharField(max_length=255, blank=True)  # slug, "" when none
    unit_path = models.CharField(max_length=255)  # the unit's treebeard path: subtree = path prefix
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=20, blank=True)
    # Commendation forms between spaces (" bang-khen giay-khen "): one form matches as " form ".
    forms = models.CharField(max_length=255, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    title_sort = models.TextField()
    replication_count = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=40)

    class Meta:
        indexes = [
            # "newest" reads a page straight off this index, "title" off the next.
            models.Index(fields=["-year", "-published_at", "-practice_model"], name="search_entry_newest"),
            models.Index(fields=["title_sort", "practice_model"], name="search_entry_title"),
            # "replicated" reads its page off this one (most replicated, then newest).
            models.Index(
                fields=["-replication_count", "-year", "-published_at", "-practice_model"],
                name="search_entry_replicated",
            ),
            # One per facet: counting a facet over all models is a scan of its own small index,
            # already in value order, so GROUP BY needs no sort.
            models.Index(fields=["movement", "field"], name="search_entry_movement"),
            # A model page's "related models" fall back to the newest of its movement and field:
            # read straight off this index instead of sorting the whole movement and field.
            models.Index(
                fields=["movement", "field", "-year", "-published_at", "-practice_model"], name="search_entry_related"
            ),
            models.Index(fields=["field"], name="search_entry_field"),
            models.Index(fields=["year"], name="search_entry_year"),
            models.Index(fields=["level"], name="search_entry_level"),
            models.Index(fields=["forms"], name="search_entry_forms"),
            models.Index(fields=["unit_path"], name="search_entry_unit"),
        ]

    def __str__(self):
        return str(self.practice_model_id)


class SearchIndexState(models.Model):
    """The database search index's current version: a random token changed by every write to it.

    Query-less listings (a movement's, a unit's) ask the same question of the index over and over;
    their answers are cached under this token (search.backends.database), so any publish, unpublish,
    commendation or unit change that touches the index makes the cached answers unreachable at once,
    in every process. A random token rather than a counter: a rolled-back write leaves the token it
    replaced, and the next write can never land on a token a reader already cached under.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("search index state")

    def __str__(self):
        return str(self.token)
