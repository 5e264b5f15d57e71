"""/du-lieu-mo/: the open-data page and its files (included by config/urls.py)."""

from django.urls import path

from . import open_data_views

app_name = "open_data"

urlpatterns = [
    path("", open_data_views.index, name="index"),
    path("mo-hinh.csv", open_data_views.download, {"kind": "csv"}, name="csv"),
    path("mo-hinh.jsonl", open_data_views.download, {"kind": "jsonl"}, name="jsonl"),
]
