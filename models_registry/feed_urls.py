"""/nguon-tin/: Atom feeds of newly recognised models (included by config/urls.py)."""

from django.urls import path

from . import feeds

app_name = "feeds"

urlpatterns = [
    path("moi-cong-nhan.atom", feeds.RecognisedModelsFeed(), name="all"),
    path("phong-trao/<slug:slug>.atom", feeds.MovementFeed(), name="movement"),
    path("don-vi/<str:code>.atom", feeds.UnitFeed(), name="unit"),
]
