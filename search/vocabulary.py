"""The names every search answer needs: movements, fields and the unit tree, read once and shared.

Facet labels, filter checks, the unit facet's scope and the JSON API's unit/movement/field labels
used to cost a handful of queries per request for the same few hundred rows. They are read here
in three queries and kept in the process under the database index's token (`SearchIndexState`),
for `CACHE_SECONDS` at most: each use reads the token (one indexed row), so a change that bumps
it is seen at once in every process. Renaming, moving or adding a unit, a field or a movement
bumps it (search/receivers.py); the time limit covers anything else (a movement page's privacy).
"""

import threading
import time
from dataclasses import dataclass, field

from django.db import connection
from django.http import HttpRequest
from django.utils.encoding import iri_to_uri

from wagtail.models import Site

from models_registry.models import Unit
from movements.models import Field, MovementPage

from .models import SearchIndexState

CACHE_SECONDS = 60.0
# The route of a model under its movement page, with this in place of the slug (see model_path).
_SLUG_MARK = "__practice-model-slug__"
_UNIT_COLUMNS = ("id", "path", "depth", "numchild", "code", "name", "is_active")


@dataclass
class Vocabulary:
    """Everything the search answers look up by value or by id, in display order."""

    token: int
    movements: list[MovementPage]  # live, public movement pages in tree order
    fields: list[Field]  # in the taxonomy's own order
    units: list[Unit]  # every unit, inactive ones included, in tree order (path)
    movement_by_id: dict[int, MovementPage] = field(default_factory=dict)
    field_by_id: dict[int, Field] = field(default_factory=dict)
    unit_by_id: dict[int, Unit] = field(default_factory=dict)
    unit_by_code: dict[str, Unit] = field(default_factory=dict)
    active_children: dict[str, list[Unit]] = field(default_factory=dict)  # by the parent's path
    active_roots: list[Unit] = field(default_factory=list)
    model_routes: dict[int, str] = field(default_factory=dict)  # movement id -> subpage route with _SLUG_MARK
    # With exactly one site, every movement page's URL path, the same for every request.
    single_site_urls: dict[int, str | None] | None = None

    def __post_init__(self):
        self.movement_by_id = {movement.pk: movement for movement in self.movements}
        self.field_by_id = {item.pk: item for item in self.fields}
        self.unit_by_id = {unit.pk: unit for unit in self.units}
        self.unit_by_code = {unit.code: unit for unit in self.units}
        for unit in self.units:
            if not unit.is_active:
                continue
            if unit.depth == 1:
                self.active_roots.append(unit)
            else:
                self.active_children.setdefault(unit.path[: -Unit.steplen], []).append(unit)

    @property
    def movement_slugs(self) -> set[str]:
        return {movement.slug for movement in self.movements}

    @property
    def field_slugs(self) -> set[str]:
        return {item.slug for item in self.fields}

    def active_unit(self, code: str) -> Unit | None:
        unit = self.unit_by_code.get(code)
        return unit if unit is not None and unit.is_active else None

    def children(self, unit: Unit) -> list[Unit]:
        """The active units directly below `unit`, in tree order."""
        return list(self.active_children.get(unit.path, ()))

    def model_path(self, movement_id: int, slug: str, request: HttpRequest | None, urls: dict) -> str | None:
        """A published model's URL path under its movement page, as `PracticeModel.get_url()` gives
        it, with Wagtail's routing done once per movement and request (`urls` is the request's memo)."""
        if movement_id not in urls:
            movement = self.movement_by_id.get(movement_id)
            if movement is None:
                base = None
            elif self.single_site_urls is not None:
                base = self.single_site_urls.get(movement_id)
            else:
                base = movement.get_url(request)
            if base is not None and movement_id not in self.model_routes:
                self.model_routes[movement_id] = movement.reverse_subpage(
                    "practice_model", kwargs={"slug": _SLUG_MARK}
                )
            urls[movement_id] = base
        base = urls[movement_id]
        if base is None or not slug:
            return None
        # reverse() would percent-encode the slug the same way (a slug is plain ASCII anyway).
        return base + self.model_routes[movement_id].replace(_SLUG_MARK, iri_to_uri(slug))


_lock = threading.Lock()
_cached: tuple[float, Vocabulary] | None = None


_TOKEN_SQL = f"SELECT token FROM {SearchIndexState._meta.db_table} WHERE id = 1"  # noqa: S608 - constant names


def current_token() -> int:
    """The database index's token (SearchIndexState), read with plain SQL: it is read on every
    search, and the ORM's query building cost more than the lookup itself."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


def _load(token: int) -> Vocabulary:
    movements = list(MovementPage.objects.live().public().order_by("path"))
    single_site_urls = None
    if len({root.site_id for root in Site.get_site_root_paths()}) == 1:
        # With one site Wagtail gives every request the same relative URL: route each page once
        # here rather than look the site up per request (Site.find_for_request is a query).
        single_site_urls = {movement.pk: movement.get_url(None) for movement in movements}
    return Vocabulary(
        token=token,
        movements=movements,
        fields=list(Field.objects.all()),
        units=list(Unit.objects.order_by("path").only(*_UNIT_COLUMNS)),
        single_site_urls=single_site_urls,
    )


def get() -> Vocabulary:
    """The vocabulary for the index's current token: one query when cached, four when not."""
    global _cached
    token = current_token()
    cached = _cached
    if cached is not None and cached[1].token == token and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    vocabulary = _load(token)
    with _lock:
        _cached = (time.monotonic(), vocabulary)
    return vocabulary


def clear() -> None:
    """Forget the process's copy (tests; receivers after a change, with the token bumped)."""
    global _cached
    with _lock:
        _cached = None
