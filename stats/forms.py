"""Parsing of the statistics parameters: the search API's filters, validated by its own form, and `group_by`."""

from django.utils.translation import gettext

from search.forms import MULTI_VALUED, SearchParamsForm, without_nul
from search.query import SearchFilters

from .selectors import GROUP_BYS

# Every parameter the statistics accept, in the order errors are reported.
PARAMETERS = ("group_by", "q", *MULTI_VALUED)


class StatsParamsForm:
    """`group_by` and the filters (`movement`, `unit`, `year`, and `field`, `level`, `form` as in the search API).

    The filters go through `SearchParamsForm`, so a value the search API refuses is refused here
    with the same message, and one it accepts means the same thing.
    """

    def __init__(self, data, *, require_group_by: bool = True):
        self.data = without_nul(data)
        self.require_group_by = require_group_by
        self.search_form = SearchParamsForm(self.data)
        self._errors: dict[str, str] | None = None

    @property
    def group_by(self) -> str | None:
        value = (self.data.get("group_by") or "").strip()
        return value if value in GROUP_BYS else None

    @property
    def filters(self) -> SearchFilters:
        """The valid filter values (a bad value is left out, as the search pages do)."""
        return self.search_form.filters

    @property
    def errors(self) -> dict[str, str]:
        """Every bad parameter with its message, in `PARAMETERS` order."""
        if self._errors is None:
            errors: dict[str, str] = {}
            raw_group_by = (self.data.get("group_by") or "").strip()
            if raw_group_by and raw_group_by not in GROUP_BYS:
                errors["group_by"] = gettext("There is no grouping “%(value)s”. Use one of: %(choices)s.") % {
                    "value": raw_group_by[:50],
                    "choices": ", ".join(GROUP_BYS),
                }
            elif not raw_group_by and self.require_group_by:
                errors["group_by"] = gettext("Say what to count by: group_by is one of %(choices)s.") % {
                    "choices": ", ".join(GROUP_BYS)
                }
            if (self.data.get("q") or "").strip():
                errors["q"] = gettext(
                    "Statistics count every published model: a search query cannot narrow them. "
                    "Use the filters movement, unit and year."
                )
            self.filters  # noqa: B018 - parses the filters, which records their errors
            errors.update(self.search_form.filter_errors)
            self._errors = {name: errors[name] for name in PARAMETERS if name in errors}
        return self._errors
