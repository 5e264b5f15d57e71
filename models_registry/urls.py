from django.urls import path

from . import views

app_name = "models_registry"

urlpatterns = [
    path("", views.unit_index, name="unit_index"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
]
