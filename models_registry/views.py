"""Public views of units: the unit directory and one page per unit with everything below it."""

from django.shortcuts import get_object_or_404, render

from movements.pagination import paginate

from . import selectors
from .forms import PracticeModelFilterForm
from .models import Unit


def unit_index(request):
    roots = Unit.get_root_nodes().filter(is_active=True)
    if roots.count() == 1:
        return unit_detail(request, code=roots.first().code)
    return render(request, "models_registry/unit_index.html", {"units": roots})


def unit_detail(request, code):
    unit = get_object_or_404(Unit, code=code)
    form = PracticeModelFilterForm(request.GET or None)
    filters = form.cleaned_filters()
    queryset = selectors.public_listing(filters=filters).filter(unit__path__startswith=unit.path)
    page = paginate(request, queryset)
    context = selectors.unit_page_context(unit=unit)
    context.update({"filter_form": form, "page_obj": page, "practice_models": page.object_list})
    return render(request, "models_registry/unit_page.html", context)
