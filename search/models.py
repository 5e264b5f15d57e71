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
