"""A sendfile backend for Wagtail's document view: Django checks the permission, nginx sends the file.

Wagtail's `serve_view` calls `sendfile(request, filename, mimetype=…)` of the module named by
SENDFILE_BACKEND. This one answers with an empty response whose `X-Accel-Redirect` header names
the file under SENDFILE_URL, an `internal` nginx location aliased to MEDIA_ROOT (deploy/nginx.conf),
so a gunicorn worker is not held for the length of a download.
"""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse


def sendfile(request, filename, **kwargs) -> HttpResponse:
    """The X-Accel-Redirect response for `filename`, which must lie under MEDIA_ROOT."""
    path = Path(filename).resolve()
    root = Path(settings.MEDIA_ROOT).resolve()
    if not path.is_relative_to(root):
        raise Http404
    prefix = "/" + settings.SENDFILE_URL.strip("/") + "/"
    response = HttpResponse()
    response["X-Accel-Redirect"] = prefix + quote(path.relative_to(root).as_posix())
    # Wagtail sets Content-Type and Content-Disposition on this response; nginx keeps them.
    return response
