"""The public open-data page (/du-lieu-mo/) and its files at stable addresses.

A file that has not been generated yet answers 404 with a Vietnamese page rather than being
generated in the request: with 100,000 models that takes a while, and any visitor could set it off.
When a background worker runs the tasks, the miss queues a regeneration (at most one waits);
otherwise `manage.py export_open_data` or the next publication writes the files.
"""

import datetime
import os

from django.http import FileResponse
from django.shortcuts import render
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from . import open_data
from .exports import EXPORT_COLUMNS

COLUMN_DESCRIPTIONS = {
    "external_id": _("The model's code in the registry (may be empty)."),
    "title": _("The model's title."),
    "unit_code": _("The code of the unit that carries out the model (see /don-vi/<code>/)."),
    "movement": _("The movement, by its slug: dan-van-kheo or chi-bo-bon-tot."),
    "field": _(
        "The field, by its slug (kinh-te, van-hoa-xa-hoi, quoc-phong-an-ninh, xay-dung-he-thong-chinh-tri); may be empty."
    ),
    "year": _("The year, a number."),
    "summary": _("A short summary."),
    "content": _("The story as plain text, paragraphs separated by a blank line."),
    "results": _("The results, in words."),
    "recognition_level": _("The highest recognition level: co-so, quan-huyen, thanh-pho or trung-uong; may be empty."),
    "url": _("The model's public page."),
}
JSONL_EXTRA = [
    ("id", _("The model's number in the registry.")),
    ("unit_name", _("The unit's name.")),
    ("movement_name", _("The movement's name.")),
    ("field_name", _("The field's name; may be empty.")),
    (
        "commendations",
        _(
            "The commendations, oldest first: form, level, title, decision_number, decision_date (yyyy-mm-dd), issuing_body."
        ),
    ),
]

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
MAX_AGE = 300


@require_safe
def index(request):
    """What the files hold, when they were generated, how many models, and the links."""
    info = open_data.read_metadata()
    context = {
        "info": info,
        "columns": [(column.key, column.label, COLUMN_DESCRIPTIONS[column.key]) for column in EXPORT_COLUMNS],
        "jsonl_extra": JSONL_EXTRA,
        "ready": info is not None and all(open_data.file_path(kind) for kind in open_data.FILES),
    }
    return render(request, "open_data/index.html", context)


@require_safe
def download(request, kind: str):
    """Stream one open-data file (mo-hinh.csv or mo-hinh.jsonl); 404 with an explanation if not there yet."""
    path = open_data.file_path(kind)
    try:
        handle = open(path, "rb") if path is not None else None  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:  # replaced or removed between the check and the open
        handle = None
    if handle is None:
        if not isinstance(task_backends[open_data.regenerate_open_data_task.backend], ImmediateBackend):
            open_data.request_refresh()
        return render(request, "open_data/not_ready.html", status=404)
    modified = datetime.datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, tz=datetime.UTC)
    response = FileResponse(handle, as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[kind])
    response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
