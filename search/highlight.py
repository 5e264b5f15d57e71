"""Highlighting of the words a query matched, the same whichever backend answered.

Matching is diacritic-insensitive like the search itself: for "dong da" the title "Quận Đống Đa"
comes back as "Quận <mark>Đống</mark> <mark>Đa</mark>". Text is escaped first; only the marks are HTML.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import islice

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


def _letter_variants() -> dict[str, str]:
    """For each ASCII letter and digit, every character that folds to it alone ("a": "aAàÀáÁ…ậẬ")."""
    variants: dict[str, list[str]] = {}
    for start, end in ((0x30, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)):
        for point in range(start, end):
            char = chr(point)
            folded = fold(char)
            if len(folded) == 1 and folded.isascii() and folded.isalnum():
                variants.setdefault(folded, []).append(char)
    return {letter: "".join(chars) for letter, chars in variants.items()}


_VARIANTS = _letter_variants()


@lru_cache(maxsize=512)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern | None:
    """One expression matching, as whole words, every spelling that folds to one of `terms`
    ("dan" finds "Dân", "dần", "DAN"): the text is scanned once, in C, instead of folding each
    word in Python. None when a term has a character outside the table (the slow path then)."""
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):
        if not term or any(char not in _VARIANTS for char in term):
            return None
        alternatives.append("".join(f"[{re.escape(_VARIANTS[char])}]" for char in term))
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _composed(text: str) -> str:
    # Decomposed text (a mark as a character of its own) would split words at every mark, and the
    # table above holds composed characters: compose it first (rare; the check itself is cheap).
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    pattern = _terms_pattern(terms)
    if pattern is not None:
        return [match.span() for match in pattern.finditer(text)]
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
    text = _composed(text or "")
    spans = _spans(text, terms) if terms else []
    if not spans:
        return None
    return mark_safe(_marked(text, spans))  # noqa: S308 - every piece of text is escaped above


def snippet(text: str, terms: frozenset[str], *, words: int = SNIPPET_WORDS) -> SafeString | None:
    """A window of about `words` words around the first match in `text`, marked; None without a match."""
    text = _composed(text or "")
    spans = _spans(text, terms) if terms else []
    if not spans:
        return None
    start, end = _window(text, spans[0][0], words)
    window = text[start:end]
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + _marked(window, inside) + escape(suffix))  # noqa: S308 - escaped above


def _window(text: str, first: int, words: int) -> tuple[int, int]:
    """Where the snippet starts and ends: `words // 4` words before the word at `first`, `words`
    words in all; from the text's start when fewer words precede. Only the words near the match
    are looked at, not the whole (possibly long) story."""
    lead = words // 4
    low = max(0, first - 64 * (lead + 1))
    before = [match.span() for match in _WORD.finditer(text, low, first)]
    if low:
        before = before[1:]  # the first word of the slice may be cut
    if low and len(before) < lead:
        before = [match.span() for match in _WORD.finditer(text, 0, first)]  # very long words: all of them
        low = 0
    # From the text's start when at most `lead` words precede (leading punctuation included).
    start = 0 if not low and len(before) <= lead else (before[-lead][0] if lead else first)
    following = list(islice(_WORD.finditer(text, start), words + 1))
    end = following[words - 1].end() if len(following) > words else len(text)
    return start, end
