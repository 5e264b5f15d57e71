"""The public honour board and the certificates of published models, under /bang-vinh-danh/."""

from django.urls import path

from . import honour_board

app_name = "honour_board"

urlpatterns = [
    path("", honour_board.honour_board, name="index"),
    path("giay-chung-nhan/<int:pk>/", honour_board.public_certificate, name="certificate"),
]
