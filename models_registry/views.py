"""Public views of units: the unit directory and one page per unit with everything below it."""

from django.shortcuts import get_object_or_404, render

from caching.public_pages import cache_public_page
from search.views import search_context

from . import selectors
from .models import Unit


@cache_public_page
def unit_index(request):
    """The top-level units; with a single root (one city or province) its page is the directory."""
    context = selectors.unit_index_context()
    if len(context["root_units"]) == 1:
        return unit_detail(request, code=context["root_units"][0][0].code)
    return render(request, "models_registry/unit_index.html", context)


@cache_public_page
def unit_detail(request, code):
    """A unit, the units directly below it and the published models of its whole subtree, searchable."""
    unit = get_object_or_404(Unit, code=code)
    context = selectors.unit_page_context(unit=unit)
    context.update(search_context(request, fixed_unit=unit))
    return render(request, "models_registry/unit_page.html", context)
