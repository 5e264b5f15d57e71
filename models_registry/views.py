"""Public views of units: the unit directory and one page per unit with everything below it."""

from django.shortcuts import get_object_or_404, render

from movements.pagination import paginate

from . import selectors
from .forms import PracticeModelFilterForm
from .models import Unit


def unit_index(request):
    """The top-level units; with a single root (one city or province) its page is the directory."""
    context = selectors.unit_index_context()
    if len(context["root_units"]) == 1:
        return unit_detail(request, code=context["root_units"][0][0].code)
    return render(request, "models_registry/unit_index.html", context)


def unit_detail(request, code):
    """A unit, the units directly below it and the published models of its whole subtree."""
    unit = get_object_or_404(Unit, code=code)
    form = PracticeModelFilterForm(request.GET or None, unit=unit)
    page = paginate(request, selectors.public_listing(filters=form.cleaned_filters()))
    context = selectors.unit_page_context(unit=unit)
    context.update({"filter_form": form, "page_obj": page, "practice_models": page.object_list})
    return render(request, "models_registry/unit_page.html", context)
