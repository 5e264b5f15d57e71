"""Highlighting of the words a query matched, the same whichever backend answered.

Matching is diacritic-insensitive like the search itself: for "dong da" the title "Quận Đống Đa"
comes back as "Quận <mark>Đống</mark> <mark>Đa</mark>". Text is escaped first; only the marks are HTML.
"""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import QueryAnalysis, tokens
from .text import fold

_WORD = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 40


def query_terms(query: QueryAnalysis) -> frozenset[str]:
    """The folded words to mark: the query's own and those of its synonym variants."""
    terms = set(query.folded_tokens)
    for expansion in query.expansions:
        terms.update(tokens(expansion, folded=True))
    return frozenset(terms)


# The same few thousand words come back in every page of results: fold each once per process.
_fold_word = lru_cache(maxsize=50_000)(fold)


def _spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    return [match.span() for match in _WORD.finditer(text) if _fold_word(match.group()) in terms]


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def highlight(text: str, terms: frozenset[str]) -> SafeString | None:
    """`text` escaped with its matching words marked, or None when no word matches."""
    spans = _spans(text or "", terms) if terms else []
    if not spans:
        return None
    return mark_safe(_marked(text, spans))  # noqa: S308 - every piece of text is escaped above


def snippet(text: str, terms: frozenset[str], *, words: int = SNIPPET_WORDS) -> SafeString | None:
    """A window of about `words` words around the first match in `text`, marked; None without a match."""
    spans = _spans(text or "", terms) if terms else []
    if not spans:
        return None
    word_spans = [match.span() for match in _WORD.finditer(text)]
    first = next(index for index, span in enumerate(word_spans) if span[0] == spans[0][0])
    start_word = max(0, first - words // 4)
    end_word = min(len(word_spans), start_word + words)
    start = word_spans[start_word][0] if start_word else 0
    end = word_spans[end_word - 1][1] if end_word < len(word_spans) else len(text)
    window = text[start:end]
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + _marked(window, inside) + escape(suffix))  # noqa: S308 - escaped above
