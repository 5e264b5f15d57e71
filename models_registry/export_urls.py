"""Routes of the API's file exports, included at /api/v1/ before the search API (see export_views.py)."""

from django.urls import path

from . import export_views

app_name = "models_export"

urlpatterns = [
    path("models/export.csv", export_views.model_export, {"file_format": export_views.CSV}, name="csv"),
    path("models/export.xlsx", export_views.model_export, {"file_format": export_views.XLSX}, name="xlsx"),
]
