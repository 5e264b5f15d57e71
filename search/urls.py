"""Routes of the public JSON API, included at /api/v1/ (see search/api.py)."""

from django.urls import path

from . import api

app_name = "search_api"

urlpatterns = [
    path("models/", api.model_list, name="model_list"),
    # Both spellings of the two non-collection endpoints work: clients write either.
    path("models/suggest", api.suggest, name="suggest"),
    path("models/suggest/", api.suggest),
    path("models/<int:pk>/", api.model_detail, name="model_detail"),
    path("schema", api.schema, name="schema"),
    path("schema/", api.schema),
]
