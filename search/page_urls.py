"""The public search page, mounted at /tim-kiem/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "search_pages"  # "search" may be the JSON API's namespace

urlpatterns = [
    path("", views.search_page, name="search"),
]
