"""The admin home page's statistics panel: the published models of the user's units, in all and this year."""

from django.utils import timezone

from wagtail.admin.ui.components import Component

from . import charts, selectors

# At most this many units on the panel; the dashboard has them all.
PANEL_UNITS = 8


class UnitStatisticsPanel(Component):
    name = "unit_statistics"
    template_name = "stats/admin/home_panel.html"
    # After the review panels (210, 215) and Wagtail's own (220).
    order = 230

    def get_context_data(self, parent_context=None):
        request = parent_context["request"]
        year = timezone.localdate().year
        scope = selectors.user_units(request.user)
        if scope is None:
            root = selectors.home_parent()
            units = list(root.get_children().filter(is_active=True)) if root else selectors.root_units()
        else:
            units = scope
        rows = [
            {"unit": unit, "total": charts.figure(total), "this_year": charts.figure(this_year)}
            for unit, total, this_year in selectors.unit_totals(units[:PANEL_UNITS], year=year)
        ]
        return {"rows": rows, "more": len(units) > PANEL_UNITS, "year": str(year), "request": request}
