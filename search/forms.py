"""Parsing of search parameters, shared by the public pages (lenient) and the JSON API (strict).

Every filter is multi-valued: `?field=kinh-te&field=van-hoa-xa-hoi` or `?field=kinh-te,van-hoa-xa-hoi`.
The form reports each bad parameter with a Vietnamese message; the API answers 400 naming it,
the pages show the message and search without the bad value.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from models_registry.models import FIRST_YEAR, CommendationForm, RecognitionLevel, Unit, last_allowed_year
from movements.models import MovementPage

from . import vocabulary
from .query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SORTS, SearchFilters

MAX_VALUES = 50  # per filter: more than that is not a person choosing
MAX_RAW_QUERY = 5000  # longer input is cut before analysis (which keeps 200 characters)

MULTI_VALUED = ("movement", "field", "unit", "year", "level", "form")


def _values(data, name: str) -> list[str]:
    raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
    values = []
    for item in raw:
        values.extend(part.strip() for part in str(item).split(","))
    return [value for value in values if value]


def without_nul(data) -> QueryDict:
    """The parameters with NUL characters replaced (U+FFFD): PostgreSQL refuses NUL in any text it
    is asked to compare, and a unit code holding one is simply unknown, which the form then says."""
    cleaned = QueryDict(mutable=True)
    items = data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in (data or {}).items())
    for key, values in items:
        cleaned.setlist(key.replace("\x00", "\ufffd"), [str(value).replace("\x00", "\ufffd") for value in values])
    return cleaned


class SearchParamsForm(forms.Form):
    """Validated search parameters: `q`, the six filters, `sort`, `page`, `page_size`."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("title", _("Title")),
            ("replicated", _("Most replicated")),
        ],
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    page_size = forms.IntegerField(label=_("Page size"), required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def __init__(self, data=None, *, fixed_movement: MovementPage | None = None, fixed_unit: Unit | None = None):
        # The multi-valued filters are read straight from the query string, not as form fields.
        scalars = {key: data.get(key) for key in ("q", "sort", "page", "page_size")} if data else None
        if scalars and scalars["q"]:
            # NUL separates words like any control character; Django's CharField would refuse it.
            scalars["q"] = scalars["q"].replace("\x00", " ")
        super().__init__(scalars)
        # Django's generic messages ("Enter a whole number.") say neither which value nor what is allowed.
        sort_message = gettext("There is no sort order “%(value)s”. Use one of: %(choices)s.")
        self.fields["sort"].error_messages["invalid_choice"] = sort_message.replace("%(choices)s", ", ".join(SORTS))
        page_message = gettext("The page must be a whole number, 1 or more.")
        self.fields["page"].error_messages.update(invalid=page_message, min_value=page_message)
        size_message = gettext("The page size must be a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}
        self.fields["page_size"].error_messages.update(
            invalid=size_message, min_value=size_message, max_value=size_message
        )
        # Filter values are read from here: a NUL in one is just a wrong value (PostgreSQL refuses
        # the character itself, which would turn a bad parameter into a failed search).
        self.raw = without_nul(data) if data is not None else {}
        self.fixed_movement = fixed_movement
        self.fixed_unit = fixed_unit
        self.filter_errors: dict[str, str] = {}
        self._filters: SearchFilters | None = None
        self._names: vocabulary.Vocabulary | None = None

    @property
    def names(self) -> vocabulary.Vocabulary:
        """The movements, fields and units the filters are checked against (read once per form)."""
        if self._names is None:
            self._names = vocabulary.get()
        return self._names

    def clean_q(self) -> str:
        return (self.cleaned_data.get("q") or "")[:MAX_RAW_QUERY]

    # Filters --------------------------------------------------------------------------------

    def _too_many(self, name: str, values: list[str]) -> bool:
        if len(values) > MAX_VALUES:
            self.filter_errors[name] = gettext("At most %(count)s values may be chosen.") % {"count": MAX_VALUES}
            return True
        return False

    def _known(self, name: str, values: list[str], known: set[str], message: str) -> tuple[str, ...]:
        if self._too_many(name, values):
            return ()
        unknown = [value for value in values if value not in known]
        if unknown:
            self.filter_errors[name] = message % {"value": unknown[0]}
        return tuple(dict.fromkeys(value for value in values if value in known))

    def _parse_filters(self) -> SearchFilters:
        data = self.raw
        movements: tuple[str, ...] = ()
        if self.fixed_movement is not None:
            movements = (self.fixed_movement.slug,)
        elif values := _values(data, "movement"):
            known = self.names.movement_slugs
            movements = self._known("movement", values, known, gettext("There is no movement “%(value)s”."))
        fields: tuple[str, ...] = ()
        if values := _values(data, "field"):
            known = self.names.field_slugs
            fields = self._known("field", values, known, gettext("There is no field “%(value)s”."))
        units: tuple[str, ...] = ()
        if self.fixed_unit is not None:
            units = (self.fixed_unit.code,)
        elif (values := _values(data, "unit")) and not self._too_many("unit", values):
            known = {value for value in values if self.names.active_unit(value) is not None}
            units = self._known("unit", values, known, gettext("There is no unit with the code “%(value)s”."))
        years: list[int] = []
        if (values := _values(data, "year")) and not self._too_many("year", values):
            for value in values:
                year = int(value) if value.isascii() and value.isdigit() else None
                if year is None or not FIRST_YEAR <= year <= last_allowed_year():
                    self.filter_errors["year"] = gettext(
                        "“%(value)s” is not a year between %(first)s and %(last)s."
                    ) % {"value": value[:20], "first": FIRST_YEAR, "last": last_allowed_year()}
                elif year not in years:
                    years.append(year)
        levels: tuple[str, ...] = ()
        if values := _values(data, "level"):
            levels = self._known(
                "level", values, set(RecognitionLevel.values), gettext("There is no recognition level “%(value)s”.")
            )
        commendation_forms: tuple[str, ...] = ()
        if values := _values(data, "form"):
            commendation_forms = self._known(
                "form", values, set(CommendationForm.values), gettext("There is no commendation form “%(value)s”.")
            )
        return SearchFilters(
            movements=movements,
            fields=fields,
            units=units,
            years=tuple(years),
            levels=levels,
            forms=commendation_forms,
        )

    @property
    def filters(self) -> SearchFilters:
        if self._filters is None:
            self._filters = self._parse_filters()
        return self._filters

    # Results --------------------------------------------------------------------------------

    def all_errors(self) -> dict[str, str]:
        """Every bad parameter with its message, the filters' included."""
        self.filters  # noqa: B018 - parses the filters, which records their errors
        errors = {name: " ".join(str(message) for message in messages) for name, messages in self.errors.items()}
        return {**errors, **self.filter_errors}

    def value(self, name: str, default=None):
        """A cleaned scalar parameter, or `default` when absent or invalid."""
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def search_kwargs(self) -> dict:
        """Keyword arguments for search.services.search(), invalid values left out."""
        sort = self.value("sort", "relevance")
        return {
            "q": self.value("q", ""),
            "filters": self.filters,
            "sort": sort if sort in SORTS else "relevance",
            "page": self.value("page", 1),
            "page_size": self.value("page_size", DEFAULT_PAGE_SIZE),
            "names": self.names,
        }

    @property
    def is_filtered(self) -> bool:
        """Whether the user chose any filter or query (so the page offers to clear them)."""
        return bool(self.value("q", "")) or any(_values(self.raw, name) for name in MULTI_VALUED)
