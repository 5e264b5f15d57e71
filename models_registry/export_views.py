"""Downloads of listings as CSV and Excel: the public API exports and the admin listings' export buttons.

`GET /api/v1/models/export.csv` and `export.xlsx` (DESIGN.md, "Stable interfaces") take the same
parameters as `/api/v1/models/`, validated by the same form, and answer every matching published
model, in the listing's order, one column per import column plus `url`. The search service gives
the matching ids lazily, a chunk at a time; the export core (exports.py) reads the models for each
chunk of ids and writes the rows as it goes, so the memory used does not grow with the number of
rows. `page` and `page_size` are validated like the listing's but do not limit the file.

The admin listings of practice models and of units export the current filters, search and order
through the same core instead of Wagtail's built-in export, which holds the whole XLSX in memory,
reads the listing without `iterator()` and writes CSV cells that spreadsheets would run as formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from wagtail.snippets.views.snippets import IndexView

from search import services as search_services
from search.api import CACHE_CONTROL, _bad_request, _list_errors, public_endpoint
from search.forms import SearchParamsForm

from . import exports
from .admin_views import PracticeModelIndexView
from .models import PracticeModel

CSV = "csv"
XLSX = "xlsx"
CONTENT_TYPES = {CSV: exports.CSV_CONTENT_TYPE, XLSX: exports.XLSX_CONTENT_TYPE}
MODELS_FILENAME = "mo-hinh"
UNITS_FILENAME = "don-vi"


def dated_filename(stem: str, file_format: str) -> str:
    """`mo-hinh-2026-11-22.csv`: the stem and today's date (Vietnam's), ASCII only."""
    return f"{stem}-{timezone.localdate().isoformat()}.{file_format}"


def spreadsheet_response(
    chunks: Iterable[bytes], *, file_format: str, filename: str, head_only: bool = False
) -> HttpResponse:
    """A download streamed chunk by chunk (or, for HEAD, only its headers: nothing is generated)."""
    if head_only:
        response = HttpResponse(content_type=CONTENT_TYPES[file_format])
    else:
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_chunks(rows: Iterable[list], file_format: str, **options) -> Iterator[bytes]:
    if file_format == CSV:
        return exports.csv_chunks(rows, **options)
    return exports.xlsx_chunks(rows, **options)


def _started(ids: Iterator[int]) -> Iterator[int]:
    """The ids with the first one already asked for, so that a search failing at once fails the
    request (a 503 from `public_endpoint`) rather than cutting a download short."""
    first = next(ids, None)
    return iter(()) if first is None else chain((first,), ids)


# Public API ----------------------------------------------------------------------------------


@public_endpoint
def model_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """Every published model matching the listing's query and filters, as a CSV or Excel download."""
    form = SearchParamsForm(request.GET)
    if errors := _list_errors(form):
        return _bad_request(errors)
    params = form.search_kwargs()
    filename = dated_filename(MODELS_FILENAME, file_format)
    head_only = request.method == "HEAD"
    chunks: Iterable[bytes] = ()
    if not head_only:
        ids = _started(
            iter(search_services.matching_ids(q=params["q"], filters=params["filters"], sort=params["sort"]))
        )
        rows = exports.iter_rows(PracticeModel.objects.published(), ids=ids, request=request)
        chunks = _file_chunks(rows, file_format)
    response = spreadsheet_response(chunks, file_format=file_format, filename=filename, head_only=head_only)
    response["Access-Control-Allow-Origin"] = "*"  # open data, like the JSON API
    response["Cache-Control"] = CACHE_CONTROL
    return response


# Admin listings ------------------------------------------------------------------------------


class StreamingExportMixin:
    """An admin index view whose "Download XLSX/CSV" buttons stream the listing through exports.py.

    Wagtail shows the buttons when `list_export` is set and calls `as_spreadsheet` with the listing's
    queryset, already narrowed to what the user may see, filtered, searched and ordered.
    """

    export_stem = MODELS_FILENAME

    def export_chunks(self, queryset, file_format: str) -> Iterator[bytes]:
        raise NotImplementedError

    def as_spreadsheet(self, queryset, spreadsheet_format):
        file_format = spreadsheet_format if spreadsheet_format in CONTENT_TYPES else XLSX
        return spreadsheet_response(
            self.export_chunks(queryset, file_format),
            file_format=file_format,
            filename=dated_filename(self.export_stem, file_format),
        )


class PracticeModelExportMixin(StreamingExportMixin):
    """The practice-model listing's export: the import columns plus `url`, the models the user sees."""

    list_export = list(exports.COLUMN_KEYS)

    def export_chunks(self, queryset, file_format):
        # The listing joins what its columns show; the export reads its own narrower set of columns.
        rows = exports.iter_rows(queryset.select_related(None), request=self.request)
        return _file_chunks(rows, file_format)


class PracticeModelExportIndexView(PracticeModelExportMixin, PracticeModelIndexView):
    """The admin listing of practice models (scoped to the user's units) with streamed exports."""


class UnitExportIndexView(StreamingExportMixin, IndexView):
    """The units listing, exported as an `import_units` file (code, name, parent code, kind)."""

    export_stem = UNITS_FILENAME
    list_export = [column.key for column in exports.UNIT_EXPORT_COLUMNS]

    def export_chunks(self, queryset, file_format):
        rows = exports.iter_unit_rows(queryset)
        options = {"header": exports.unit_header_row()}
        if file_format == XLSX:
            options.update(title="Đơn vị", columns=exports.UNIT_EXPORT_COLUMNS)
        return _file_chunks(rows, file_format, **options)
