"""The public statistics: the JSON API at /api/v1/stats/ and the page at /thong-ke/ (included by config/urls.py)."""

from django.urls import path

from . import api, views

app_name = "stats"

urlpatterns = [
    path("api/v1/stats/", api.stats, name="api"),
    path("thong-ke/", views.statistics_page, name="page"),
]
