"""Admin wiring of the statistics: the "Thống kê" dashboard, its menu item and the home page panel."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import selectors
from .views import StatisticsDashboardView


@hooks.register("register_admin_urls")
def register_statistics_url():
    return [path("thong-ke/", StatisticsDashboardView.as_view(), name="stats_dashboard")]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        # Shown to those with statistics to see: members of a unit, and those who see every unit.
        units = selectors.user_units(request.user)
        return units is None or bool(units)


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(_("Statistics"), reverse("stats_dashboard"), icon_name="table", order=250)


@hooks.register("construct_homepage_panels")
def add_statistics_panel(request, panels):
    from .panels import UnitStatisticsPanel

    panels.append(UnitStatisticsPanel())
