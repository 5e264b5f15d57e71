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
