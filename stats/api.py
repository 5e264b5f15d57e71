"""`GET /api/v1/stats/`: published models counted by unit, field, year, recognition level or movement.

    {"group_by": "field", "total": 30, "groups": [{"value": "kinh-te", "label": "Kinh tế", "count": 7}]}

Filters `movement`, `unit`, `year` (and `field`, `level`, `form`), validated and applied exactly as
`/api/v1/models/` does, so `total` equals that API's `count` for the same filters. With
`group_by=unit` the groups are the units directly below the `unit` filter (or the top-level units),
each counting everything below it, and `parent` names the unit they are below. Groups with value
`null` hold the models without a field or without a recognition level. Bad parameters: 400 naming
the parameter, in the search API's error format.
"""

from django.http import HttpRequest, JsonResponse

# The search API's own answers and method guard: both APIs answer alike, errors included.
from caching.public_pages import cache_public_page
from search.api import CACHE_CONTROL, _bad_request, _json, public_endpoint

from . import selectors
from .forms import StatsParamsForm


@public_endpoint
@cache_public_page
def stats(request: HttpRequest) -> JsonResponse:
    """Counts of the published models matching the filters, by one dimension."""
    form = StatsParamsForm(request.GET)
    if form.errors:
        return _bad_request(form.errors)
    result = selectors.breakdown(group_by=form.group_by, filters=form.filters)
    answer = result.as_dict()
    if result.group_by == selectors.GROUP_UNIT:
        parent = result.parent
        answer["parent"] = {"code": parent.code, "name": parent.name} if parent is not None else None
        for entry, group in zip(answer["groups"], result.groups, strict=True):
            entry["has_children"] = group.has_children
    return _json(answer, cache_control=CACHE_CONTROL)
