"""Finding practice models that look like one already in the registry: their likely twins.

Two models are compared on their titles and their stories, folded the Vietnamese way (no
diacritics, đ → d, lower case), so that "Tổ dân phố văn minh" and "to dan pho van minh" are the
same title:

- titles as sets of words (reordered words still match), without the words every title carries
  ("mô hình", "dân vận khéo", "chi bộ bốn tốt", "và", "của"…) and without years, so "… năm 2023"
  and "… năm 2024" are one title; differing numbers ("tổ 1" / "tổ 2") count against a match;
- stories (the summary, or the start of the story when there is none) as sets of two-word
  shingles, so a copied story matches whatever its title.

Only models of the same unit or of a related one (its parent, its children, its siblings under
the same parent: prefixes of the treebeard path) are candidates. `CandidateIndex` loads them for a
whole import at once and indexes them by unit and word, so each row looks up a handful of lists
instead of querying. Storing and deciding flags is services.duplicates; this module only reads.
"""

from __future__ import annotations

import functools
import html
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Q
from django.utils.translation import gettext

from search.text import fold

from .models import PracticeModel, Unit

# Thresholds: a pair is flagged when either holds (see compare()).
TITLE_THRESHOLD = 0.75  # Dice coefficient of the title words
STORY_THRESHOLD = 0.6  # Jaccard coefficient of the story shingles
# With a similar title, a story this alike is named as a reason too.
MIXED_STORY_THRESHOLD = 0.35
# A story shorter than this many shingles says too little to match on by itself.
MIN_SHINGLES = 8
STORY_WORDS = 300  # only the start of a long story is compared
NUMBER_PENALTY = 0.5
CHUNK = 500

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]+>")
_YEAR = re.compile(r"^(19|20)\d\d$")

# Words (folded) that nearly every title or story carries, so they say nothing about which model it is.
# Folded, a syllable often stands for several words ("moi": mới, mỗi, môi), so the list keeps to the
# function words common enough to matter and least likely to hide a word that tells models apart.
STOP_WORDS = frozenset((
    "va", "cua", "cac", "cho", "voi", "trong", "tai", "o", "tu", "theo", "de", "la", "co", "duoc",
    "nay", "mot", "nhung", "nhu", "da", "se", "nham", "gop", "nam",
))  # fmt: skip
# Word sequences with the same role: the movements' names and "mô hình" itself.
STOP_PHRASES = (
    ("chi", "bo", "bon", "tot"),
    ("dan", "van", "kheo"),
    ("phong", "trao", "thi", "dua"),
    ("mo", "hinh"),
    ("bon", "tot"),
    ("dan", "van"),
    ("thi", "dua"),
    ("phong", "trao"),
)


def _fold_table() -> dict[int, str]:
    # str.translate runs in C: folding a whole registry's summaries this way takes a fraction of the
    # time search.text.fold (decompose, drop marks, recompose) takes, with the same result.
    table = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        folded = fold(char)
        if folded != char:
            table[code] = folded
    return table


_FOLD = _fold_table()


def fold_words(text: str | None) -> list[str]:
    """The folded words of `text`: "Đống Đa, năm 2023" -> ["dong", "da", "nam", "2023"]."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    return _WORD.findall(text)


_PHRASE_STARTS = {phrase[0] for phrase in STOP_PHRASES}


def _drop_phrases(words: list[str]) -> list[str]:
    kept, index, count = [], 0, len(words)
    while index < count:
        word = words[index]
        if word in _PHRASE_STARTS:
            for phrase in STOP_PHRASES:
                if tuple(words[index : index + len(phrase)]) == phrase:
                    index += len(phrase)
                    break
            else:
                kept.append(word)
                index += 1
        else:
            kept.append(word)
            index += 1
    return kept


def content_words(words: list[str]) -> list[str]:
    """The words that tell one model from another: no stop phrases, stop words or years."""
    return [word for word in _drop_phrases(words) if word not in STOP_WORDS and not _YEAR.match(word)]


def story_text(story) -> str:
    """The plain text of a story: its paragraphs and quotes (a StreamValue, or its raw list of blocks)."""
    raw = getattr(story, "raw_data", story) or []
    parts = []
    for block in raw:
        if not isinstance(block, dict):
            continue
        value = block.get("value")
        if isinstance(value, str):
            parts.append(html.unescape(_TAG.sub(" ", value)))
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            parts.append(value["text"])
        if sum(len(part) for part in parts) > STORY_WORDS * 10:
            break
    return " ".join(parts)


_NO_NUMBERS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a model is compared on."""

    title_key: str  # every title word but years, in order: equal keys mean "the same title"
    title_words: frozenset[str]
    numbers: frozenset[str]  # numbers in the title other than years ("tổ 3")
    # The distinct two-word shingles of the story's content words, interned: an import holds the
    # fingerprints of every row and candidate at once, and a tuple of shared strings takes a tenth of
    # the memory of a frozenset of fresh ones (10.000 rows: ~140 MB less).
    shingles: tuple[str, ...]

    @classmethod
    def of(cls, *, title: str, text: str = "") -> Fingerprint:
        words = fold_words(title)
        key_words = [word for word in words if not _YEAR.match(word)]
        # "… năm 2023": the "năm" before a year belongs to the year.
        key_words = [word for i, word in enumerate(key_words) if not (word == "nam" and i == len(key_words) - 1)]
        content = content_words(words) or key_words
        story = content_words(fold_words(text)[:STORY_WORDS])
        return cls(
            title_key=" ".join(key_words),
            title_words=frozenset(map(sys.intern, content)),
            numbers=frozenset(word for word in content if word.isdigit()) or _NO_NUMBERS,
            shingles=tuple({sys.intern(f"{first} {second}"): None for first, second in pairwise(story)}),
        )


def _dice(first: frozenset, second: frozenset) -> float:
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def _dice_overlap(threshold: float) -> float:
    """The least share of its own words a set must have in common with another to reach this Dice coefficient."""
    return threshold / (2 - threshold)


def _jaccard(first: tuple, second: tuple) -> float:
    """The Jaccard coefficient of two tuples of distinct items."""
    shared = len(set(first).intersection(second))
    return shared / (len(first) + len(second) - shared) if shared else 0.0


@dataclass(frozen=True)
class Similarity:
    score: float
    reasons: tuple[str, ...]  # "same_title", "similar_title", "similar_story"


def compare(first: Fingerprint, second: Fingerprint) -> Similarity | None:
    """How alike two models are, or None when they are not alike enough to flag."""
    if first.title_key and first.title_key == second.title_key:
        title, reasons = 1.0, ["same_title"]
    else:
        title = _dice(first.title_words, second.title_words)
        if first.numbers and second.numbers and first.numbers != second.numbers:
            title *= NUMBER_PENALTY  # "tổ dân phố số 1" is not "tổ dân phố số 2"
        reasons = ["similar_title"] if title >= TITLE_THRESHOLD else []
    story = 0.0
    if len(first.shingles) >= MIN_SHINGLES and len(second.shingles) >= MIN_SHINGLES:
        story = _jaccard(first.shingles, second.shingles)
    if story >= STORY_THRESHOLD or (reasons and story >= MIXED_STORY_THRESHOLD):
        reasons.append("similar_story")
    if reasons:
        return Similarity(score=round(max(title, story), 3), reasons=tuple(reasons))
    return None


# Relations between the units of two models; the code is the twin's unit seen from the newcomer's.
SAME_UNIT = "same_unit"
PARENT_UNIT = "parent_unit"
CHILD_UNIT = "child_unit"
SIBLING_UNIT = "sibling_unit"


def unit_relation(path: str, other: str) -> str | None:
    """How the unit at `other` stands to the unit at `path` in the tree, if they are related at all."""
    step = Unit.steplen
    if path == other:
        return SAME_UNIT
    if len(path) == len(other) + step and path.startswith(other):
        return PARENT_UNIT
    if len(other) == len(path) + step and other.startswith(path):
        return CHILD_UNIT
    if len(path) == len(other) and path[:-step] == other[:-step]:
        return SIBLING_UNIT
    return None


def describe_reason(reason: str) -> str:
    """The reason codes of a flag in words: "cùng đơn vị, tên gần giống"."""
    labels = {
        SAME_UNIT: gettext("same unit"),
        PARENT_UNIT: gettext("the unit above"),
        CHILD_UNIT: gettext("a unit below"),
        SIBLING_UNIT: gettext("a unit at the same level"),
        "same_title": gettext("same title"),
        "similar_title": gettext("similar title"),
        "similar_story": gettext("similar story"),
        "other_year": gettext("another year"),
        "same_year": gettext("same year"),
    }
    return ", ".join(labels.get(code, code) for code in reason.split())


@dataclass(slots=True)
class Entry:
    """A model as the index holds it: a registry row (pk) or a row of the file being imported (pk None)."""

    pk: int | None
    external_id: str | None
    title: str
    unit_id: int
    movement_id: int | None
    year: int | None
    live: bool
    fingerprint: Fingerprint
    previous_record_id: int | None = None
    replicated_from_id: int | None = None


@dataclass(frozen=True)
class Match:
    """A likely twin of a newcomer, with how alike they are and why."""

    twin: Entry
    score: float
    reason: str  # space-separated codes, see describe_reason()

    @property
    def is_same_title_same_unit(self) -> bool:
        return "same_title" in self.reason.split() and SAME_UNIT in self.reason.split()


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class CandidateIndex:
    """The registry's models in the unit groups of some units, loaded and indexed once.

    `unit_ids` are the newcomers' units; the index holds the models of those units, their parents,
    children and siblings. With a `user` who is not an administrator only the models that user may
    see, or published ones, are candidates: a flag must not reveal another unit's draft.
    """

    paths: dict[int, str] = field(default_factory=dict)
    by_unit: dict[int, list[Entry]] = field(default_factory=dict)
    # Postings: group key (see `groups`) -> token -> the entries with it. Nested rather than keyed by
    # (group, token) pairs: an import's index holds hundreds of thousands of them.
    words: dict[tuple, dict[str, Entry | list[Entry]]] = field(default_factory=dict)
    shingles: dict[tuple, dict[str, Entry | list[Entry]]] = field(default_factory=dict)
    related: dict[int, list[int]] = field(default_factory=dict)
    # The postings a newcomer of each unit reads: ("c", path) holds the models of the units directly
    # below `path` (siblings, or children), ("u", pk) those of one unit (the parent): three lookups a
    # word, however many siblings and children there are.
    groups: dict[int, tuple] = field(default_factory=dict)

    # Without postings (one newcomer, see find_twins) every candidate of the group is compared.
    postings: bool = True

    @classmethod
    def build(
        cls, *, unit_ids: Iterable[int], user=None, exclude_pks: Iterable[int] = (), postings: bool = True
    ) -> CandidateIndex:
        """Load the candidates of `unit_ids`' groups. `postings=False`: for a single newcomer, where
        reading every candidate once is cheaper than indexing their words first; the fingerprints
        are then memoised by content (see `_remembered`), as the same group is checked save after save."""
        from . import permissions

        index = cls(postings=postings)
        fingerprint_of = Fingerprint.of if postings else _remembered
        unit_ids = set(unit_ids)
        if not unit_ids:
            return index
        step = Unit.steplen
        units = list(Unit.objects.order_by().values_list("pk", "path"))
        index.paths = dict(units)
        children: dict[str, list[int]] = {}
        pk_by_path = {}
        for pk, path in units:
            children.setdefault(path[:-step], []).append(pk)
            pk_by_path[path] = pk
        for unit_id in unit_ids:
            path = index.paths.get(unit_id)
            if path is None:
                continue
            group = set(children.get(path[:-step], ()))  # itself and its siblings (the roots, for a root)
            group |= set(children.get(path, ()))
            if len(path) > step:
                group.add(pk_by_path[path[:-step]])
            index.related[unit_id] = sorted(group)
            keys = [("c", path[:-step]), ("c", path)]
            if len(path) > step:
                keys.append(("u", pk_by_path[path[:-step]]))
            index.groups[unit_id] = tuple(keys)
        wanted = sorted({pk for group in index.related.values() for pk in group})
        excluded = set(exclude_pks)
        restrict = None
        if user is not None and not permissions.is_unscoped(user):
            visible = permissions.visible_practice_models(user).order_by().values("pk")
            restrict = Q(live=True) | Q(pk__in=visible)
        columns = (
            "pk", "external_id", "title", "unit_id", "movement_id", "year", "live",
            "previous_record_id", "replicated_from_id", "summary",
        )  # fmt: skip
        storyless: list[Entry] = []
        for chunk in _chunks(wanted):
            queryset = PracticeModel.objects.filter(unit_id__in=chunk).order_by()
            if restrict is not None:
                queryset = queryset.filter(restrict)
            for row in queryset.values_list(*columns):
                pk, external_id, title, unit_id, movement_id, year, live, previous_id, replicated_id, summary = row
                if pk in excluded:
                    continue
                entry = Entry(
                    pk=pk,
                    external_id=external_id,
                    title=title,
                    unit_id=unit_id,
                    movement_id=movement_id,
                    year=year,
                    live=live,
                    fingerprint=fingerprint_of(title=title, text=summary),
                    previous_record_id=previous_id,
                    replicated_from_id=replicated_id,
                )
                if not summary:
                    storyless.append(entry)
                index.add(entry)
        # A model without a summary is compared on the start of its story (few models: a second query).
        by_pk = {entry.pk: entry for entry in storyless}
        for chunk in _chunks(list(by_pk)):
            for pk, story in PracticeModel.objects.filter(pk__in=chunk).values_list("pk", "story"):
                text = story_text(story)
                if text:
                    entry = by_pk[pk]
                    index._unindex_story(entry)
                    entry.fingerprint = fingerprint_of(title=entry.title, text=text)
                    index._index_story(entry)
        return index

    def add(self, entry: Entry) -> None:
        """Make `entry` a candidate for the newcomers that follow (a registry model, or an imported row)."""
        self.by_unit.setdefault(entry.unit_id, []).append(entry)
        if not self.postings:
            return
        for key in self._keys(entry):
            postings = self.words.setdefault(key, {})
            for word in entry.fingerprint.title_words:
                _post(postings, word, entry)
        self._index_story(entry)

    def _keys(self, entry: Entry) -> tuple:
        path = self.paths.get(entry.unit_id, "")
        return (("c", path[: -Unit.steplen]), ("u", entry.unit_id))

    def _index_story(self, entry: Entry) -> None:
        if self.postings and len(entry.fingerprint.shingles) >= MIN_SHINGLES:
            for key in self._keys(entry):
                postings = self.shingles.setdefault(key, {})
                for shingle in entry.fingerprint.shingles:
                    _post(postings, shingle, entry)

    def _unindex_story(self, entry: Entry) -> None:
        if self.postings and len(entry.fingerprint.shingles) >= MIN_SHINGLES:
            for key in self._keys(entry):
                postings = self.shingles[key]
                for shingle in entry.fingerprint.shingles:
                    entries = postings[shingle]
                    if entries is entry:
                        del postings[shingle]
                    else:
                        entries.remove(entry)

    @staticmethod
    def _share_rare_tokens(seen: dict, related, tokens, postings, overlap: float) -> None:
        """Add to `seen` the entries sharing one of the rarest tokens, enough to find every entry sharing
        at least `overlap` of them (prefix filtering).

        An entry that shares a fraction `overlap` of the n tokens shares at least one of the
        n - ceil(overlap × n) + 1 rarest, so the long lists of the common words ("nhân dân", "tổ dân
        phố") are never read: in a registry built from a few story templates this is most of the work.
        """
        if not tokens:
            return
        lists = []
        for token in tokens:
            found = [
                (entries,) if isinstance(entries, Entry) else entries
                for group in related
                if (entries := postings.get(group, {}).get(token))
            ]
            if found:
                lists.append((sum(map(len, found)), found))
        size = len(tokens)
        prefix = size - math.ceil(overlap * size - 1e-9) + 1
        # Tokens no candidate has are the rarest of all: they take their places in the prefix.
        prefix -= size - len(lists)
        if prefix <= 0:
            return
        lists.sort(key=lambda item: item[0])
        for _count, found in lists[:prefix]:
            for entries in found:
                for entry in entries:
                    seen[id(entry)] = entry

    def matches(self, newcomer: Entry) -> list[Match]:
        """The likely twins of `newcomer` among the candidates, most alike first.

        A model is never its own twin, nor the twin of the record it continues or was adopted from.
        """
        path = self.paths.get(newcomer.unit_id)
        if path is None:
            return []
        fingerprint = newcomer.fingerprint
        related = self.groups.get(newcomer.unit_id, ())
        seen: dict[int, Entry] = {}
        if not self.postings:
            seen = {
                id(entry): entry
                for unit_id in self.related.get(newcomer.unit_id, ())
                for entry in self.by_unit.get(unit_id, ())
            }
        # Any pair compare() flags has title words at least TITLE_THRESHOLD alike (Dice) or stories
        # at least STORY_THRESHOLD alike (Jaccard): see _share_rare_tokens.
        self._share_rare_tokens(seen, related, fingerprint.title_words, self.words, _dice_overlap(TITLE_THRESHOLD))
        if len(fingerprint.shingles) >= MIN_SHINGLES:
            self._share_rare_tokens(seen, related, fingerprint.shingles, self.shingles, STORY_THRESHOLD)
        found = []
        for entry in seen.values():
            if _same_model(newcomer, entry) or _already_linked(newcomer, entry):
                continue
            similarity = compare(fingerprint, entry.fingerprint)
            if similarity is None:
                continue
            relation = unit_relation(path, self.paths.get(entry.unit_id, ""))
            if relation is None:
                continue
            year = "same_year" if entry.year == newcomer.year else "other_year"
            reason = " ".join((relation, *similarity.reasons, year))
            found.append(Match(twin=entry, score=similarity.score, reason=reason))
        # Most alike first; among equals the nearest year, the one most likely the same record.
        found.sort(
            key=lambda match: (-match.score, abs((match.twin.year or 0) - (newcomer.year or 0)), match.twin.pk or 0)
        )
        return found


def _post(postings: dict, token: str, entry: Entry) -> None:
    """Add `entry` to the postings of `token`: the entry itself while it is the only one, then a list.

    Most tokens of an import's index belong to a single model: 10.000 rows post ~550.000 of them,
    and a one-element list for each would take ~30 MB.
    """
    entries = postings.get(token)
    if entries is None:
        postings[token] = entry
    elif isinstance(entries, Entry):
        postings[token] = [entries, entry]
    else:
        entries.append(entry)


def _same_model(first: Entry, second: Entry) -> bool:
    if first.pk is not None and first.pk == second.pk:
        return True
    return bool(first.external_id) and first.external_id == second.external_id


def _already_linked(first: Entry, second: Entry) -> bool:
    """Records of one model in different years, or a model and its adoption, are related, not duplicates."""
    if second.pk is not None and second.pk in (first.previous_record_id, first.replicated_from_id):
        return True
    return first.pk is not None and first.pk in (second.previous_record_id, second.replicated_from_id)


def earlier_record(newcomer: Entry, matches: list[Match]) -> Entry | None:
    """The record a new model continues: same unit, movement and title, the latest earlier year.

    None when a record of the same title exists for the newcomer's own year (that one is a
    duplicate to decide on, not an earlier record) or when there is none before it.
    """
    same = [
        match.twin
        for match in matches
        if match.is_same_title_same_unit
        and match.twin.pk is not None
        and match.twin.movement_id == newcomer.movement_id
    ]
    if newcomer.year is None or any(entry.year == newcomer.year for entry in same):
        return None
    earlier = [entry for entry in same if entry.year is not None and entry.year < newcomer.year]
    return max(earlier, key=lambda entry: (entry.year, entry.pk)) if earlier else None


def entry_for(practice_model: PracticeModel) -> Entry:
    """A model (saved or only edited in the form) as a newcomer: its summary, or the start of its story."""
    text = practice_model.summary or story_text(practice_model.story)
    return Entry(
        pk=practice_model.pk,
        external_id=practice_model.external_id,
        title=practice_model.title or "",
        unit_id=practice_model.unit_id,
        movement_id=practice_model.movement_id,
        year=practice_model.year,
        live=practice_model.live,
        fingerprint=Fingerprint.of(title=practice_model.title or "", text=text),
        previous_record_id=practice_model.previous_record_id,
        replicated_from_id=practice_model.replicated_from_id,
    )


def find_twins(*, practice_model: PracticeModel, user=None) -> list[Match]:
    """The likely twins of one model in its unit group (the check made when a model is saved)."""
    if not practice_model.unit_id or not practice_model.title:
        return []
    exclude = [practice_model.pk] if practice_model.pk else []
    index = CandidateIndex.build(unit_ids=[practice_model.unit_id], user=user, exclude_pks=exclude, postings=False)
    return index.matches(entry_for(practice_model))


# Enough for the groups of the units whose officers are saving at once (a district's group holds a
# couple of thousand models): about 2 KB each with the demo data, so some 45 MB per process at most.
FINGERPRINT_MEMO_SIZE = 20_000


@functools.lru_cache(maxsize=FINGERPRINT_MEMO_SIZE)
def _fingerprint_memo(title: str, text: str) -> Fingerprint:
    return Fingerprint.of(title=title, text=text)


def _remembered(*, title: str, text: str | None) -> Fingerprint:
    """`Fingerprint.of`, memoised by the text itself: a model edited since is simply a new key.

    Folding a group's two thousand summaries took three quarters of every save's duplicate check.
    """
    return _fingerprint_memo(title or "", text or "")


def records_by_year(practice_model: PracticeModel, *, limit: int = 30) -> list[PracticeModel]:
    """The published records of the same model in other years, linked through `previous_record`, oldest first.

    Walks the links both ways (a query per step: a model has a record a year at most); `limit`
    bounds the walk should the links ever form a loop.
    """
    found: dict[int, PracticeModel] = {}
    frontier = {practice_model.pk} - {None}  # an unsaved model (a preview) has no later records yet
    seen = {practice_model.pk}
    earlier_ids = {practice_model.previous_record_id} - {None}
    while (frontier or earlier_ids) and len(seen) < limit:
        linked = PracticeModel.objects.filter(Q(pk__in=earlier_ids) | Q(previous_record_id__in=frontier)).only(
            "pk", "title", "year", "slug", "live", "previous_record_id", "movement_id", "unit_id"
        )
        frontier, earlier_ids = set(), set()
        for record in linked:
            if record.pk in seen:
                continue
            seen.add(record.pk)
            found[record.pk] = record
            frontier.add(record.pk)
            if record.previous_record_id and record.previous_record_id not in seen:
                earlier_ids.add(record.previous_record_id)
    records = [record for record in found.values() if record.live]
    return sorted(records, key=lambda record: (record.year, record.pk))
