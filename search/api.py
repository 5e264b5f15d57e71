"""The public JSON API over the published practice models: open data, read-only, GET only.

`GET /api/v1/models/` lists and searches, `GET /api/v1/models/<id>/` shows one model,
`GET /api/v1/models/suggest` completes titles as the user types, `GET /api/v1/schema` describes
all four (search/openapi.py). The answer format is promised to users and scripts (DESIGN.md,
"Stable interfaces"): add keys if needed, never rename or remove one.

Format decisions, documented in the schema as well:
- absent values are JSON `null`: `external_id`, `field`, `recognition_level` (a slug otherwise),
  `url` (a model whose movement page is not routable), `cover_image`;
- `year` is an integer in results and in the year facet's `value`; every other facet value is a
  string (a slug, a unit code, a commendation form);
- `highlight` holds only the parts the query matched (`title`, and `summary` or else `body`),
  as HTML: the text is escaped and only `<mark>` tags are added; it is `{}` without a query;
- a page past the last one answers the last page, and `page` says which; a page below 1 is a 400;
- `degraded` is true when the database answered because Elasticsearch failed; such an answer is
  cached for a shorter time so the better one comes back soon;
- the detail gives the story as plain text (HTML stripped) and measured values as decimal strings
  ("1234.50"), exact whatever their size.

The view's own work is kept small and its query count constant whatever the page size (two
queries with Elasticsearch: the vocabulary's token and the page's models): the models are read
without joins, their unit, movement and field names come from search.vocabulary, and their URLs
are built from each movement page's URL, routed once per request.
"""

import functools
import logging

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from caching.public_pages import cache_public_page, keep_briefly
from models_registry.models import PracticeModel
from models_registry.selectors import published_detail

from . import services, vocabulary
from .analysis import normalise
from .documents import story_text
from .forms import MULTI_VALUED, SearchParamsForm
from .query import FACET_UNIT, FACET_YEAR, FACETS, SearchUnavailable

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ALLOWED_METHODS = ("GET", "HEAD")
CACHE_CONTROL = "public, max-age=60"
# A fallback answer is worse than usual: let caches drop it soon so the better one comes back.
DEGRADED_CACHE_CONTROL = "public, max-age=10"
SCHEMA_CACHE_CONTROL = "public, max-age=3600"
RETRY_AFTER_SECONDS = int(services.CIRCUIT_BREAK_SECONDS)

# Every parameter the list accepts, in the order errors are reported; the schema documents
# exactly these (search/openapi.py reads them), so code and documentation cannot drift apart.
LIST_PARAMETERS = ("q", *MULTI_VALUED, "sort", "page", "page_size")
SUGGEST_PARAMETERS = ("q", "limit")
DEFAULT_SUGGEST_LIMIT = 8
MAX_SUGGEST_LIMIT = 20
COVER_RENDITION = "fill-800x500"  # one of the sizes the model's page already renders
# The columns a list result reads; `story` and `results` are where body highlights come from.
# No joins: the unit's, movement's and field's names come from search.vocabulary by id.
LISTING_FIELDS = (
    *("id", "title", "slug", "external_id", "summary", "story", "results", "year", "recognition_level"),
    *("replication_count", "unit", "movement", "field"),
)
SUGGESTION_FIELDS = ("id", "title", "slug", "movement", "movement__slug", "movement__url_path")


# Responses -----------------------------------------------------------------------------------


def _json(data: dict, *, status: int = 200, cache_control: str | None = None) -> JsonResponse:
    """A UTF-8 JSON answer any web page may read (open data), with its cache headers."""
    response = JsonResponse(
        data, status=status, content_type=JSON_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ("Accept-Encoding",))
    if cache_control:
        response["Cache-Control"] = cache_control
    return response


def _bad_request(errors: dict[str, str]) -> JsonResponse:
    """400 naming the first bad parameter, with every bad parameter's message alongside."""
    name, message = next(iter(errors.items()))
    return _json({"error": {"parameter": name, "message": message}, "errors": errors}, status=400)


def _not_found() -> JsonResponse:
    return _json({"error": {"message": gettext("There is no published practice model with this id.")}}, status=404)


def public_endpoint(view):
    """GET/HEAD only (405 otherwise), never a CSRF check (nothing changes), 503 when search is down."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ALLOWED_METHODS:
            response = _json(
                {"error": {"message": gettext("Only GET requests are accepted here.")}},
                status=405,
            )
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        try:
            return view(request, *args, **kwargs)
        except (SearchUnavailable, DatabaseError):
            # services.search() has already tried the database in Elasticsearch's place.
            logger.exception("Search API unavailable")
            response = _json(
                {"error": {"message": gettext("Search is temporarily unavailable. Please try again in a moment.")}},
                status=503,
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response

    return wrapper


# Serialisation -------------------------------------------------------------------------------


def _absolute_url(request: HttpRequest, practice_model: PracticeModel) -> str | None:
    url = practice_model.get_url(request)
    return request.build_absolute_uri(url) if url else None


class _Labels:
    """Names and addresses for the results of one request, from the vocabulary, not from joins.

    A model's URL is its movement page's URL (Wagtail's routing, once per movement and request)
    plus its own route; the scheme and host are worked out once. A unit, movement or field the
    vocabulary does not know (created a moment ago, a movement page no longer public) is read
    through the model's own relation instead, as before.
    """

    def __init__(self, request: HttpRequest, names: vocabulary.Vocabulary | None = None):
        self.request = request
        self.names = names or vocabulary.get()
        self.movement_urls: dict = {}
        self.origin = request.build_absolute_uri("/")[:-1]

    def url(self, practice_model: PracticeModel) -> str | None:
        if practice_model.movement_id not in self.names.movement_by_id:
            return _absolute_url(self.request, practice_model)
        path = self.names.model_path(practice_model.movement_id, practice_model.slug, self.request, self.movement_urls)
        if path is None:
            return None
        # A path is made absolute on this host; another site's page comes back absolute already.
        return self.origin + path if path.startswith("/") else path

    def result(self, practice_model: PracticeModel, highlight: dict) -> dict:
        """One model as a list result; reads only the model's own columns and the vocabulary."""
        names = self.names
        unit = names.unit_by_id.get(practice_model.unit_id) or practice_model.unit
        movement = names.movement_by_id.get(practice_model.movement_id) or practice_model.movement
        field = None
        if practice_model.field_id is not None:
            field = names.field_by_id.get(practice_model.field_id) or practice_model.field
        return _result(
            practice_model, highlight, unit=unit, movement=movement, field=field, url=self.url(practice_model)
        )


def _result(practice_model: PracticeModel, highlight: dict, *, unit, movement, field, url: str | None) -> dict:
    return {
        "id": practice_model.pk,
        "external_id": practice_model.external_id or None,
        "title": practice_model.title,
        "url": url,
        "summary": practice_model.summary,
        "unit": {"code": unit.code, "name": unit.name},
        "movement": {"slug": movement.slug, "name": movement.title},
        "field": {"slug": field.slug, "name": field.name} if field is not None else None,
        "year": practice_model.year,
        "recognition_level": practice_model.recognition_level or None,
        "replication_count": practice_model.replication_count,
        "highlight": {key: str(value) for key, value in highlight.items()},
    }


def _facets(facets: dict[str, list[services.FacetOption]]) -> dict[str, list[dict]]:
    answer = {}
    for name in FACETS:
        entries = []
        for option in facets.get(name, []):
            entry = {
                "value": int(option.value) if name == FACET_YEAR else option.value,
                "label": option.label,
                "count": option.count,
                "selected": option.selected,
            }
            if name == FACET_UNIT:
                entry["has_children"] = option.has_children
            entries.append(entry)
        answer[name] = entries
    return answer


def _listing_queryset():
    """Only the columns a result shows (and highlights read): no cover image, no renditions, no joins.

    Building model instances is most of the cost of a page of results; the names of units,
    movements and fields come from the vocabulary. Should anything read another deferred column
    or a relation, each result would cost a query: the API tests assert that the query count
    does not grow with the page size.
    """
    return PracticeModel.objects.published().only(*LISTING_FIELDS)


def _suggestion_queryset():
    return PracticeModel.objects.published().select_related("movement").only(*SUGGESTION_FIELDS)


# Parameters ----------------------------------------------------------------------------------


def _list_errors(form: SearchParamsForm) -> dict[str, str]:
    """Every bad parameter with its message, in `LIST_PARAMETERS` order."""
    errors = form.all_errors()
    ordered = {name: errors.pop(name) for name in LIST_PARAMETERS if name in errors}
    return {**ordered, **errors}


def _suggest_limit(request: HttpRequest) -> tuple[int | None, str | None]:
    """The suggestion limit (default 8, at most 20) or the message saying why it is bad."""
    raw = request.GET.get("limit", "").strip()
    if not raw:
        return DEFAULT_SUGGEST_LIMIT, None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return None, gettext("The limit must be a whole number, 1 or more (at most %(max)s are returned).") % {
            "max": MAX_SUGGEST_LIMIT
        }
    return min(int(raw), MAX_SUGGEST_LIMIT), None


# Views ---------------------------------------------------------------------------------------


@public_endpoint
@cache_public_page
def model_list(request: HttpRequest) -> JsonResponse:
    """Published models matching the query and filters, one page of them, with facets."""
    form = SearchParamsForm(request.GET)
    if errors := _list_errors(form):
        return _bad_request(errors)
    results = services.search(**form.search_kwargs(), queryset=_listing_queryset())
    if results.degraded:
        keep_briefly(request)
    labels = _Labels(request, results.names)
    return _json(
        {
            "count": results.count,
            # The service leaves the page as asked when nothing matched; page 3 of 1 would be odd.
            "page": min(results.page, results.num_pages),
            "page_size": results.page_size,
            "num_pages": results.num_pages,
            "degraded": results.degraded,
            "results": [labels.result(item.practice_model, item.highlight) for item in results.items],
            "facets": _facets(results.facets),
        },
        cache_control=DEGRADED_CACHE_CONTROL if results.degraded else CACHE_CONTROL,
    )


@public_endpoint
@cache_public_page
def model_detail(request: HttpRequest, pk: int) -> JsonResponse:
    """One published model with its story, results and commendations; drafts are 404 like unknown ids."""
    practice_model = published_detail().filter(pk=pk).first()
    if practice_model is None:
        return _not_found()
    commendations = practice_model.commendations.order_by("decision_date", "id")
    measured = practice_model.measured_results.all()
    first_published = practice_model.first_published_at
    return _json(
        {
            **_result(
                practice_model,
                {},
                unit=practice_model.unit,
                movement=practice_model.movement,
                field=practice_model.field,
                url=_absolute_url(request, practice_model),
            ),
            "story": story_text(practice_model.story.raw_data),
            "results": practice_model.results,
            "measured_results": [
                {"label": row.label, "value": str(row.value), "unit_of_measure": row.unit_of_measure}
                for row in measured
            ],
            "cover_image": _cover_image(request, practice_model),
            "commendations": [
                {
                    "form": commendation.form,
                    "form_label": commendation.get_form_display(),
                    "level": commendation.level,
                    "level_label": commendation.get_level_display(),
                    "title": commendation.title,
                    "decision_number": commendation.decision_number,
                    "decision_date": commendation.decision_date.isoformat(),
                    "issuing_body": commendation.issuing_body,
                }
                for commendation in commendations
            ],
            "first_published_at": timezone.localtime(first_published).isoformat() if first_published else None,
            "replicated_from": _replicated_from(request, practice_model),
        },
        cache_control=CACHE_CONTROL,
    )


def _replicated_from(request: HttpRequest, practice_model: PracticeModel) -> dict | None:
    """The published model this one was adopted from, briefly; None when none or not published."""
    if practice_model.replicated_from_id is None:
        return None
    original = _suggestion_queryset().filter(pk=practice_model.replicated_from_id).first()
    if original is None:
        return None
    return {"id": original.pk, "title": original.title, "url": _absolute_url(request, original)}


def _cover_image(request: HttpRequest, practice_model: PracticeModel) -> str | None:
    if practice_model.cover_image is None:
        return None
    try:
        rendition = practice_model.cover_image.get_rendition(COVER_RENDITION)
    except Exception:
        # A missing or broken original file must not take the whole answer down.
        logger.warning("No rendition of the cover image of model %s", practice_model.pk, exc_info=True)
        return None
    return request.build_absolute_uri(rendition.url)


@public_endpoint
@cache_public_page
def suggest(request: HttpRequest) -> JsonResponse:
    """Type-ahead: published models whose title starts like `q`, best first."""
    limit, error = _suggest_limit(request)
    if error:
        return _bad_request({"limit": error})
    q = request.GET.get("q", "")
    models = services.suggest(q=q, limit=limit, queryset=_suggestion_queryset())
    return _json(
        {
            "query": normalise(q),
            "suggestions": [
                {"id": model.pk, "title": model.title, "url": _absolute_url(request, model)} for model in models
            ],
        },
        cache_control=CACHE_CONTROL,
    )


@public_endpoint
def schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 description of this API."""
    # Imported here: the schema is built from this module's constants.
    from .openapi import build_schema

    return _json(build_schema(server_url=request.build_absolute_uri("/")), cache_control=SCHEMA_CACHE_CONTROL)
