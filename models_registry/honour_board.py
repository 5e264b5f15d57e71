"""The public honour board (/bang-vinh-danh/) and the public certificate download.

Every filter is a query-string parameter (`year`, `level`, `form`, `movement` as a slug, `unit`
as a code, `page`), so each combination is a link to share. A bad value never fails the page:
it is named in a notice and left out. Certificates of published models are public, like the
commendations they print (the model's page and the JSON API show the same facts).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from caching.public_pages import cache_public_page
from movements.models import MovementPage

from . import selectors
from .certificates import certificate_response
from .models import FIRST_YEAR, Commendation, CommendationForm, RecognitionLevel, Unit, last_allowed_year

PAGE_SIZE = 30
MAX_PAGE = 10_000


class HonourBoardForm(forms.Form):
    """The honour board's filters, read leniently: each bad parameter is reported and left out."""

    year = forms.CharField(label=_("Year"), required=False, max_length=100)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", ""), *RecognitionLevel.choices])
    form = forms.ChoiceField(
        label=_("Commendation form"), required=False, choices=[("", ""), *CommendationForm.choices]
    )
    movement = forms.CharField(label=_("Movement"), required=False, max_length=255)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=50)
    page = forms.CharField(label=_("Page"), required=False, max_length=100)

    def __init__(self, data):
        # Only the parameters the board knows: anything else in the query string is not its business.
        # NUL separates words like any control character (as in the search form), rather than
        # failing the value with Django's untranslated "Null characters are not allowed."
        super().__init__({name: (data.get(name) or "").replace("\x00", " ") for name in self.base_fields})
        self.movements = list(MovementPage.objects.live().public().order_by("path").only("title", "slug"))
        self.fields["level"].error_messages["invalid_choice"] = gettext("There is no recognition level “%(value)s”.")
        self.fields["form"].error_messages["invalid_choice"] = gettext("There is no commendation form “%(value)s”.")

    def clean_year(self):
        raw = self.cleaned_data.get("year")
        if not raw:
            return None
        year = int(raw) if raw.isascii() and raw.isdigit() else None
        if year is None or not FIRST_YEAR <= year <= last_allowed_year():
            raise ValidationError(
                gettext("“%(value)s” is not a year between %(first)s and %(last)s.")
                % {"value": raw[:20], "first": FIRST_YEAR, "last": last_allowed_year()}
            )
        return year

    def clean_page(self):
        raw = self.cleaned_data.get("page")
        if not raw:
            return 1
        page = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= page <= MAX_PAGE:
            raise ValidationError(
                gettext("The page must be a whole number from 1 to %(max)s.")
                % {"max": f"{MAX_PAGE:,}".replace(",", ".")}
            )
        return page

    def clean_movement(self):
        slug = self.cleaned_data.get("movement")
        if not slug:
            return None
        movement = next((m for m in self.movements if m.slug == slug), None)
        if movement is None:
            raise ValidationError(gettext("There is no movement “%(value)s”.") % {"value": slug[:40]})
        return movement

    def clean_unit(self):
        code = self.cleaned_data.get("unit")
        if not code:
            return None
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is None:
            raise ValidationError(gettext("There is no unit with the code “%(value)s”.") % {"value": code[:40]})
        return unit

    @cached_property
    def values(self) -> dict:
        """The valid filters; a bad one is left out (None or "")."""
        self.is_valid()
        defaults = {"year": None, "level": "", "form": "", "movement": None, "unit": None, "page": 1}
        return {
            name: self.cleaned_data.get(name, default) if name not in self.errors else default
            for name, default in defaults.items()
        }

    @cached_property
    def problems(self) -> list[tuple[str, str]]:
        """(parameter label, message) for every bad parameter, for the notice above the board."""
        self.is_valid()
        return [(str(self.fields[name].label), " ".join(errors)) for name, errors in self.errors.items()]

    @property
    def is_filtered(self) -> bool:
        return any(self.values[name] for name in ("year", "level", "form", "movement", "unit"))

    def unit_options(self) -> list[Unit]:
        """The units offered in the filter: the top two levels of the tree, and the one chosen if deeper."""
        units = list(Unit.objects.active().filter(depth__lte=2).only("code", "name", "depth", "path"))
        chosen = self.values["unit"]
        if chosen is not None and all(unit.pk != chosen.pk for unit in units):
            units.append(chosen)
            units.sort(key=lambda unit: unit.path)
        return units


@cache_public_page
def honour_board(request):
    """/bang-vinh-danh/: commended published models, newest decision first, grouped by the decision's year."""
    form = HonourBoardForm(request.GET)
    values = form.values
    commendations = selectors.honour_board_commendations(
        year=values["year"],
        level=values["level"],
        form=values["form"],
        movement=values["movement"],
        unit=values["unit"],
    )
    years = selectors.honour_board_years(commendations)
    total = sum(count for _year, count in years)
    paginator = Paginator(range(total), PAGE_SIZE)
    number = values["page"]
    if total and number > paginator.num_pages:
        form.problems.append(
            (
                str(form.fields["page"].label),
                gettext("There are only %(count)s pages: showing the last one.") % {"count": paginator.num_pages},
            )
        )
    page_obj = paginator.get_page(number)
    page_obj.page_range = list(paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))
    page_obj.ellipsis = paginator.ELLIPSIS
    rows = selectors.honour_board_page(
        commendations, offset=page_obj.start_index() - 1 if total else 0, limit=PAGE_SIZE
    )
    context = {
        "filter_form": form,
        "filters": values,
        "invalid_parameters": form.problems,
        "years": years,
        "total": total,
        "commendations": rows,
        "page_obj": page_obj,
        "movements": form.movements,
        "units": form.unit_options(),
        "levels": RecognitionLevel.choices,
        "forms": CommendationForm.choices,
        "year_choices": range(last_allowed_year(), FIRST_YEAR - 1, -1),
    }
    return render(request, "models_registry/honour_board.html", context)


def public_certificate(request, pk: int):
    """The certificate of a commendation of a published model; anything else is not found."""
    commendation = get_object_or_404(
        Commendation.objects.filter(practice_model__live=True).select_related(
            "practice_model__unit", "practice_model__movement"
        ),
        pk=pk,
    )
    if not commendation.practice_model.movement.live:
        raise Http404
    response = certificate_response(commendation, request)
    # Drawing a certificate costs tens of milliseconds: let browsers and proxies keep it for an hour,
    # and keep search engines from fetching every one of them.
    patch_cache_control(response, public=True, max_age=3600)
    response["X-Robots-Tag"] = "noindex"
    return response
