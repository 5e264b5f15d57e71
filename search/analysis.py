"""Vietnamese query analysis shared by the Elasticsearch and the database search backends.

Everything here is a pure function of its input except `active_synonym_groups()`, which reads the
editable synonym list once and keeps it in Django's cache until a synonym changes
(`search.receivers`). Both backends consume the `QueryAnalysis` that `analyse()` returns, so a query
means the same thing whichever backend answers it.
"""

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations, product

from django.core.cache import cache

from .text import fold, normalise_spaces

MAX_QUERY_LENGTH = 200
MAX_EXPANSIONS = 8
SYNONYM_CACHE_KEY = "search:synonym-groups:v1"
# Local-memory caches are per process: the receivers clear only the process that saved, so the
# other workers pick an edit up within this many seconds.
SYNONYM_CACHE_TIMEOUT = 300

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_MARKS = "\u0300-\u036f"
# Old-style placement puts the tone on the second vowel of an open "oa", "oe" or "uy" syllable
# ("hoà", "khoẻ", "thuỷ"); the modern one, which most text and both indexes use, on the first
# ("hòa", "khỏe", "thủy"). Only open syllables differ: "hoàng", "huỳnh", "khuỷu" are written one
# way. After "q" the "u" belongs to the consonant, so "quý" is already right. Works on NFD text,
# where a plain vowel followed directly by a tone mark carries no other mark ("oặc" never matches).
_OLD_TONE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![\w{_MARKS}])")
_CONTROL_CATEGORIES = {"Cf", "Co", "Cs", "Cn"}
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r"[\"“”„]([^\"“”„]+)[\"“”„]")
_TERM_SEPARATOR = re.compile(r"[,;\n]")


def _move_tone(match: re.Match) -> str:
    pair, tone = match.group(1), match.group(2)
    return pair[0] + tone + pair[1]


def _strip_controls(text: str) -> str:
    # Control characters (tabs, newlines, NUL…) separate words; invisible formatting characters
    # (zero-width spaces, BOMs, bidi overrides) and unassigned code points are dropped.
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" ")
        elif category not in _CONTROL_CATEGORIES:
            out.append(ch)
    return "".join(out)


def normalise(text: str | None, *, max_length: int = MAX_QUERY_LENGTH) -> str:
    """NFC text with modern tone placement, no control characters, single spaces, at most `max_length`."""
    # Cut long input early so a 100 kB query costs no more than a short one.
    text = _strip_controls((text or "")[: max_length * 4])
    decomposed = _OLD_TONE.sub(_move_tone, unicodedata.normalize("NFD", text))
    text = normalise_spaces(unicodedata.normalize("NFC", decomposed))
    return text[:max_length].rstrip()


def tokens(text: str | None, *, folded: bool) -> list[str]:
    """The lower-cased words (Vietnamese syllables) of `text`; folded also drops diacritics and maps đ to d."""
    words = _WORD.findall(normalise(text).lower())
    return [fold(word) for word in words] if folded else words


def has_diacritics(text: str | None) -> bool:
    """Whether `text` has any Vietnamese mark or đ, i.e. whether the user typed with diacritics."""
    normalised = normalise(text).lower()
    return fold(normalised) != normalised


def phrases(text: str | None) -> list[str]:
    """The quoted parts of a query ("…", “…”), normalised, in order."""
    found = (normalise(match) for match in _PHRASE.findall(normalise(text)))
    return [phrase for phrase in found if _WORD.search(phrase)]


def split_terms(text: str | None) -> list[str]:
    """The expressions of one synonym group: split on commas, each normalised, empty ones dropped."""
    terms = (normalise(part, max_length=MAX_QUERY_LENGTH) for part in _TERM_SEPARATOR.split(text or ""))
    return [term for term in terms if term]


SynonymGroup = tuple[tuple[str, tuple[str, ...]], ...]
"""A group as cached: each term with its folded tokens, e.g. (("GPMB", ("gpmb",)), …)."""


def build_groups(groups_of_terms) -> list[SynonymGroup]:
    """Fold each term of each group once; terms without any word are left out."""
    built = []
    for terms in groups_of_terms:
        group = tuple((term, folded) for term in terms if (folded := tuple(tokens(term, folded=True))))
        if len(group) >= 2:
            built.append(group)
    return built


def active_synonym_groups() -> list[SynonymGroup]:
    """The active synonym groups, folded, read from the database at most once per cache period."""
    groups = cache.get(SYNONYM_CACHE_KEY)
    if groups is None:
        from .models import Synonym  # analysis stays importable without the app registry

        rows = Synonym.objects.filter(is_active=True).order_by("pk").values_list("terms", flat=True)
        groups = build_groups(split_terms(terms) for terms in rows)
        cache.set(SYNONYM_CACHE_KEY, groups, SYNONYM_CACHE_TIMEOUT)
    return groups


def clear_synonym_cache() -> None:
    cache.delete(SYNONYM_CACHE_KEY)


@dataclass(frozen=True)
class _Match:
    start: int  # character offsets in the normalised query
    end: int
    alternatives: tuple[str, ...]


def _find(needle: tuple[str, ...], haystack: list[str]) -> int:
    size = len(needle)
    for index in range(len(haystack) - size + 1):
        if tuple(haystack[index : index + size]) == needle:
            return index
    return -1


def _matches(query: str, groups: list[SynonymGroup]) -> list[_Match]:
    """Where a synonym term occurs as whole words, longest first, without overlaps."""
    spans = [match.span() for match in _WORD.finditer(query)]
    folded = [fold(query[start:end]) for start, end in spans]
    candidates = []
    for group in groups:
        best = None  # the longest term of the group found: "Mặt trận Tổ quốc" over "Mặt trận"
        for term, term_tokens in group:
            index = _find(term_tokens, folded)
            if index >= 0 and (best is None or len(term_tokens) > best[1]):
                best = (index, len(term_tokens), term)
        if best is not None:
            index, size, found = best
            others = tuple(term for term, _tokens in group if term != found)
            candidates.append((index, size, _Match(spans[index][0], spans[index + size - 1][1], others)))
    chosen: list[_Match] = []
    taken: set[int] = set()
    for index, size, match in sorted(candidates, key=lambda item: (-item[1], item[0])):
        positions = set(range(index, index + size))
        if not positions & taken:
            taken |= positions
            chosen.append(match)
    return sorted(chosen, key=lambda match: match.start)


def expand(query: str | None, *, groups: list[SynonymGroup] | None = None) -> list[str]:
    """The normalised query followed by at most `MAX_EXPANSIONS` variants with synonyms substituted.

    "GPMB quận Cầu Giấy" gives "giải phóng mặt bằng quận Cầu Giấy"; "dan van kheo" gives "DVK".
    Terms are compared folded, as whole words. Variants replacing one term come before those
    replacing two, so the closest readings survive the bound.
    """
    normalised = normalise(query)
    if not normalised:
        return []
    if groups is None:
        groups = active_synonym_groups()
    matches = _matches(normalised, groups)
    results = [normalised]
    seen = {fold(normalised)}
    for count in range(1, len(matches) + 1):
        for combo in combinations(matches, count):
            for replacements in product(*(match.alternatives for match in combo)):
                variant = normalised
                # Right to left, so earlier offsets stay valid.
                for match, replacement in sorted(zip(combo, replacements, strict=True), key=lambda p: -p[0].start):
                    variant = variant[: match.start] + replacement + variant[match.end :]
                key = fold(variant)
                if key not in seen:
                    seen.add(key)
                    results.append(variant)
                    if len(results) > MAX_EXPANSIONS:
                        return results
    return results


@dataclass(frozen=True)
class QueryAnalysis:
    """What both search backends need to know about one query."""

    original: str
    normalised: str
    folded: str
    tokens: tuple[str, ...]
    folded_tokens: tuple[str, ...]
    phrases: tuple[str, ...]
    has_diacritics: bool
    expansions: tuple[str, ...]  # synonym variants, the normalised query itself excluded

    @property
    def is_empty(self) -> bool:
        return not self.tokens


def analyse(query: str | None, *, groups: list[SynonymGroup] | None = None) -> QueryAnalysis:
    """Analyse a user's query once; `groups` defaults to the active synonym list."""
    original = query or ""
    normalised = normalise(original)
    word_tokens = tokens(normalised, folded=False)
    return QueryAnalysis(
        original=original,
        normalised=normalised,
        folded=fold(normalised),
        tokens=tuple(word_tokens),
        folded_tokens=tuple(fold(token) for token in word_tokens),
        phrases=tuple(phrases(normalised)),
        has_diacritics=has_diacritics(normalised),
        expansions=tuple(expand(normalised, groups=groups)[1:]) if word_tokens else (),
    )
