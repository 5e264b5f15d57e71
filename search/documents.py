"""What the search indexes hold for one published practice model, built once for both backends.

`iter_documents()` reads published models in batches with a fixed number of queries per batch
(units, commendations and measured results are read per batch, not per model), so rebuilding an
index over 100,000 models costs a few hundred queries. Each document carries a `fingerprint` of its
content: `search_index check` compares fingerprints to find stale documents.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from django.utils.html import strip_tags

from models_registry.models import RECOGNITION_RANK, Commendation, PracticeModel, PracticeModelResult, Unit
from models_registry.selectors import successions

from .text import fold, normalise_spaces

BATCH_SIZE = 1000


@dataclass
class SearchDocument:
    """One published model as both indexes see it. Text fields keep their diacritics."""

    id: int
    external_id: str
    title: str
    summary: str
    body: str  # the story, the results in words, measured results, commendation titles
    context: str  # movement name and abbreviation, field, the unit and the units above it
    movement: str  # slug
    field: str  # slug, "" when none
    unit_code: str
    unit_path: str  # treebeard path: a prefix of it is an ancestor's path
    unit_codes: list[str]  # the unit and its ancestors, root first, then the successors that count it and theirs
    year: int
    level: str  # the highest RecognitionLevel reached (recognition or commendation), "" when none
    forms: list[str]  # CommendationForm values of the model's commendations, sorted, unique
    published_at: str  # ISO 8601 first publication time, "" when unknown
    title_sort: str  # folded title: the "title" sort is diacritic-insensitive
    replication_count: int = 0  # other units running a published copy (the "replicated" sort)
    fingerprint: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _texts(value) -> Iterator[str]:
    """Every string inside a stream block's raw value (rich text, captions, quotes)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in {"type", "id"}:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def story_text(raw_story) -> str:
    """The plain text of a story's raw stream data: HTML stripped, one space between words."""
    parts = []
    for block in raw_story or []:
        if isinstance(block, dict):
            parts.extend(_texts(block.get("value")))
    # A space before every tag keeps "<h3>đời</h3><p>Xuất" two words once the tags are gone.
    return normalise_spaces(strip_tags(" ".join(part.replace("<", " <") for part in parts)))


def fingerprint(document: SearchDocument) -> str:
    data = document.as_dict()
    data.pop("fingerprint", None)
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha1(encoded, usedforsecurity=False).hexdigest()


def _published_queryset(ids: Iterable[int] | None):
    queryset = PracticeModel.objects.published().select_related("movement", "field", "unit").order_by("pk")
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset


class _UnitTrails:
    """Codes and names of each unit's ancestors, read once per batch by path prefixes."""

    def __init__(self):
        self._by_path: dict[str, tuple[str, str]] = {}

    def load(self, units: Iterable[Unit]) -> None:
        wanted = set()
        for unit in units:
            steplen = unit.steplen
            wanted.update(unit.path[:end] for end in range(steplen, len(unit.path) + 1, steplen))
        missing = wanted - self._by_path.keys()
        if missing:
            for path, code, name in Unit.objects.filter(path__in=missing).values_list("path", "code", "name"):
                self._by_path[path] = (code, name)

    def trail(self, unit: Unit) -> list[tuple[str, str]]:
        return self.trail_of(unit.path)

    def trail_of(self, path: str) -> list[tuple[str, str]]:
        steplen = Unit.steplen
        paths = (path[:end] for end in range(steplen, len(path) + 1, steplen))
        return [self._by_path[prefix] for prefix in paths if prefix in self._by_path]

    def load_paths(self, paths: Iterable[str]) -> None:
        steplen = Unit.steplen
        missing = {path[:end] for path in paths for end in range(steplen, len(path) + 1, steplen)}
        missing -= self._by_path.keys()
        if missing:
            for path, code, name in Unit.objects.filter(path__in=missing).values_list("path", "code", "name"):
                self._by_path[path] = (code, name)


class _Successions:
    """Which units count a model besides its unit's ancestors: the successors (merges, splits) of
    any unit it lies under, transitively — the same rule as models_registry.selectors.unit_scope_paths,
    seen from the model's side, so that a filter on a successor unit finds its predecessors' models."""

    def __init__(self):
        self.edges = [(link.successor_path, link.predecessor_path) for link in successions()]

    def successor_paths(self, path: str) -> list[str]:
        found: list[str] = []
        frontier = [path]
        while frontier:
            current = frontier.pop()
            for successor, predecessor in self.edges:
                if current.startswith(predecessor) and successor not in found:
                    found.append(successor)
                    frontier.append(successor)
        return found


def highest_level(*levels: str) -> str:
    """The highest recognition level among these ("" when none): what the level facet shows."""
    return max((level for level in levels if level in RECOGNITION_RANK), key=RECOGNITION_RANK.get, default="")


def build_document(
    practice_model: PracticeModel,
    *,
    trail,
    forms,
    commendation_titles,
    results,
    commendation_levels=(),
    successor_codes=(),
) -> SearchDocument:
    movement = practice_model.movement
    field = practice_model.field
    unit = practice_model.unit
    body = normalise_spaces(
        " ".join(
            [
                story_text(practice_model.story.raw_data),
                practice_model.results or "",
                *results,
                *commendation_titles,
            ]
        )
    )
    context = normalise_spaces(
        " ".join([movement.title, movement.abbreviation or "", field.name if field else "", *(n for _c, n in trail)])
    )
    published = practice_model.first_published_at
    document = SearchDocument(
        id=practice_model.pk,
        external_id=practice_model.external_id or "",
        title=practice_model.title,
        summary=normalise_spaces(practice_model.summary or ""),
        body=body,
        context=context,
        movement=movement.slug,
        field=field.slug if field else "",
        unit_code=unit.code,
        unit_path=unit.path,
        unit_codes=list(dict.fromkeys([*(code for code, _name in trail), *successor_codes])),
        year=practice_model.year,
        # A model commended at city level has reached that level, whatever it was recognised at.
        level=highest_level(practice_model.recognition_level or "", *commendation_levels),
        forms=sorted(set(forms)),
        published_at=published.isoformat() if published else "",
        title_sort=fold(practice_model.title),
        replication_count=practice_model.replication_count,
    )
    document.fingerprint = fingerprint(document)
    return document


def iter_documents(ids: Iterable[int] | None = None, *, batch_size: int = BATCH_SIZE) -> Iterator[SearchDocument]:
    """Documents of the published models (all, or those of `ids` that are published), by ascending id."""
    trails = _UnitTrails()
    succession = _Successions()
    last_pk = 0
    base = _published_queryset(ids)
    while True:
        batch = list(base.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return
        last_pk = batch[-1].pk
        pks = [m.pk for m in batch]
        trails.load(m.unit for m in batch)
        successors = {m.unit.path: succession.successor_paths(m.unit.path) for m in batch} if succession.edges else {}
        trails.load_paths(path for paths in successors.values() for path in paths)
        forms: dict[int, list[str]] = defaultdict(list)
        levels: dict[int, list[str]] = defaultdict(list)
        titles: dict[int, list[str]] = defaultdict(list)
        for model_id, form, level, title in Commendation.objects.filter(practice_model_id__in=pks).values_list(
            "practice_model_id", "form", "level", "title"
        ):
            forms[model_id].append(form)
            levels[model_id].append(level)
            if title:
                titles[model_id].append(title)
        results: dict[int, list[str]] = defaultdict(list)
        for model_id, label, value, measure in (
            PracticeModelResult.objects.filter(practice_model_id__in=pks)
            .order_by("practice_model_id", "sort_order")
            .values_list("practice_model_id", "label", "value", "unit_of_measure")
        ):
            results[model_id].append(" ".join(str(part) for part in (label, value, measure) if part not in (None, "")))
        for practice_model in batch:
            yield build_document(
                practice_model,
                trail=trails.trail(practice_model.unit),
                forms=forms[practice_model.pk],
                commendation_titles=titles[practice_model.pk],
                commendation_levels=levels[practice_model.pk],
                successor_codes=[
                    code
                    for path in successors.get(practice_model.unit.path, ())
                    for code, _name in trails.trail_of(path)
                ],
                results=results[practice_model.pk],
            )


def published_count() -> int:
    return PracticeModel.objects.published().count()
