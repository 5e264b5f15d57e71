"""Exporting practice models to CSV and Excel: the columns, the rows and two streaming writers.

The shared core of every export: the open-data files (open_data.py), and the API and admin
listing exports, which pass their own filtered queryset. One column per import column of
DESIGN.md ("Stable interfaces") plus `url`, so that an exported file is also a valid import file:
importing it back with `import_models` changes nothing (tested). Limits of that round trip: a
model without a model code (`external_id`) cannot be matched on import, and a story is exported
as plain text (paragraphs, headings, list items and quotes; formatting, links, images and
documents are left out), so only stories made of plain paragraphs, as imports make them, come
back identical.

Headers: `HeaderStyle.LABELS` (the Vietnamese labels of the import contract, "Mã mô hình", "Tên
mô hình"…) is the default, for files people open in Excel; `HeaderStyle.KEYS` (`external_id`,
`title`…) is for machines (the open-data CSV). The import accepts both. The labels are part of
the file format, like the import's, so they do not follow the active language.

Values are the same in both styles: codes and slugs (unit code, movement and field slug,
recognition level slug), which the import reads back unambiguously; the year stays a number.

Memory stays flat whatever the number of rows: rows are read with `iterator(chunk_size=…)`, the
CSV writer yields bytes as it goes and the XLSX writer uses openpyxl's write-only mode (inline
strings, rows written straight to a temporary file) before the file is streamed.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice

from django.db.models import QuerySet

from .formulas import neutralise
from .models import PracticeModel, Unit
from .services.imports import MODEL_COLUMNS, UNIT_COLUMNS

CHUNK_SIZE = 2000
CSV_FLUSH_ROWS = 200
XLSX_READ_BLOCK = 64 * 1024
XLSX_MAX_CELL = 32767  # Excel refuses to open a workbook with a longer cell
UTF8_BOM = "\ufeff"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HeaderStyle(enum.StrEnum):
    LABELS = "labels"  # Vietnamese labels, for people (the default)
    KEYS = "keys"  # English keys, for machines


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: str  # file format, not UI text: the same in every language
    width: int  # XLSX column width, in characters


_WIDTHS = {"title": 50, "summary": 60, "content": 80, "results": 60, "url": 60}
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    *(ExportColumn(column.key, column.label, _WIDTHS.get(column.key, 18)) for column in MODEL_COLUMNS),
    ExportColumn("url", "Đường dẫn", _WIDTHS["url"]),
)
COLUMN_KEYS = tuple(column.key for column in EXPORT_COLUMNS)


def header_row(style: HeaderStyle | str = HeaderStyle.LABELS) -> list[str]:
    """The header row in the given style."""
    if HeaderStyle(style) is HeaderStyle.KEYS:
        return [column.key for column in EXPORT_COLUMNS]
    return [column.label for column in EXPORT_COLUMNS]


# ---------------------------------------------------------------------------------------------
# The story as plain text


class _StoryText(HTMLParser):
    """Rich text to paragraphs: block elements end a paragraph, <br> is a line break, tags dropped."""

    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "ul", "ol", "pre"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []

    def _end_paragraph(self):
        text = "".join(self._current).strip()
        if text:
            self.paragraphs.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._current.append("\n")
        elif tag in self.BLOCKS:
            self._end_paragraph()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        self._current.append(data)

    def close(self):
        super().close()
        self._end_paragraph()


_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")


def _html_paragraphs(html: str) -> list[str]:
    parser = _StoryText()
    parser.feed(html or "")
    parser.close()
    return parser.paragraphs


def _text_paragraphs(text: str) -> list[str]:
    return [part.strip() for part in _BLANK_LINES.split(text or "") if part.strip()]


def story_text(raw_story: Iterable[dict]) -> str:
    """A story's text as the import reads it: paragraphs separated by a blank line.

    Paragraph blocks become one paragraph per block element; a quote its text and its attribution;
    images and documents carry no story text and are left out.
    """
    paragraphs: list[str] = []
    for block in raw_story or ():
        block_type, value = block.get("type"), block.get("value")
        if block_type == "paragraph" and isinstance(value, str):
            paragraphs += _html_paragraphs(value)
        elif block_type == "quote" and isinstance(value, dict):
            paragraphs += _text_paragraphs(value.get("text") or "")
            if (value.get("attribution") or "").strip():
                paragraphs.append("— " + value["attribution"].strip())
    return "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------------------------
# Rows


def _batched(items: Iterable, size: int) -> Iterator[list]:
    # itertools.batched arrives with Python 3.12; the project supports 3.11.
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


EXPORT_FIELDS = (
    "id",
    "external_id",
    "title",
    "slug",
    "unit__code",
    "movement",
    "field__slug",
    "year",
    "summary",
    "story",
    "results",
    "recognition_level",
)


def export_queryset(queryset: QuerySet[PracticeModel]) -> QuerySet[PracticeModel]:
    """The queryset narrowed to what an export row reads: the columns it needs and two joins."""
    return queryset.select_related("unit", "field").only(*EXPORT_FIELDS)


class ModelUrls:
    """Public addresses of models, with each movement looked up once, not once per model."""

    def __init__(self, request=None):
        self.request = request
        self._movements: dict[int, tuple[object, str | None]] = {}

    def _entry(self, movement_id: int) -> tuple[object, str | None]:
        if movement_id not in self._movements:
            from movements.models import MovementPage

            movement = MovementPage.objects.filter(pk=movement_id).first()
            base = movement.get_full_url(self.request) if movement is not None else None
            self._movements[movement_id] = (movement, base)
        return self._movements[movement_id]

    def movement(self, movement_id: int):
        """The movement page, for its slug and title (None if it has gone)."""
        return self._entry(movement_id)[0]

    def __call__(self, practice_model: PracticeModel) -> str:
        movement, base = self._entry(practice_model.movement_id)
        if not base or not practice_model.slug:
            return ""
        return base + movement.reverse_subpage("practice_model", kwargs={"slug": practice_model.slug})


def export_record(practice_model: PracticeModel, urls: ModelUrls) -> dict:
    """One model as {column key: value}; raw values (no formula neutralisation: the writers do that)."""
    urls_value = urls(practice_model)
    movement = urls.movement(practice_model.movement_id)
    return {
        "external_id": practice_model.external_id or "",
        "title": practice_model.title,
        "unit_code": practice_model.unit.code,
        "movement": movement.slug if movement is not None else "",
        "field": practice_model.field.slug if practice_model.field_id else "",
        "year": practice_model.year,
        "summary": practice_model.summary,
        "content": story_text(practice_model.story.raw_data),
        "results": practice_model.results,
        "recognition_level": practice_model.recognition_level,
        "url": urls_value,
    }


def iter_records(
    queryset: QuerySet[PracticeModel], *, request=None, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[PracticeModel, dict]]:
    """(model, record) for every model of `queryset`, in its order, read `chunk_size` at a time."""
    urls = ModelUrls(request)
    for practice_model in queryset.iterator(chunk_size=chunk_size):
        yield practice_model, export_record(practice_model, urls)


def _models_by_ids(ids: Iterable[int], queryset: QuerySet[PracticeModel], chunk_size: int) -> Iterator[PracticeModel]:
    """The models of `queryset` with these ids, in the order of `ids`, read `chunk_size` at a time.

    An id the queryset does not hold (unpublished since the search answered) is skipped.
    """
    for chunk in _batched(ids, chunk_size):
        found = queryset.in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)


def iter_rows(
    queryset: QuerySet[PracticeModel],
    *,
    ids: Iterable[int] | None = None,
    request=None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[list]:
    """The data rows (values in `EXPORT_COLUMNS` order) of the models of `queryset`, ordered as it is.

    Callers pass the queryset with their filters and order; it is narrowed with `export_queryset`.
    With `ids` (a search's matches, in the search's order, possibly a lazy iterator) the rows are
    those models of `queryset`, in the order of `ids`.
    """
    narrowed = export_queryset(queryset)
    if ids is None:
        records = iter_records(narrowed, request=request, chunk_size=chunk_size)
    else:
        urls = ModelUrls(request)
        records = (
            (practice_model, export_record(practice_model, urls))
            for practice_model in _models_by_ids(ids, narrowed.order_by(), chunk_size)
        )
    for _model, record in records:
        yield [record[key] for key in COLUMN_KEYS]


# ---------------------------------------------------------------------------------------------
# Units: the columns of `import_units`

UNIT_EXPORT_COLUMNS: tuple[ExportColumn, ...] = tuple(
    ExportColumn(column.key, column.label, 50 if column.key == "name" else 18) for column in UNIT_COLUMNS
)


def unit_header_row(style: HeaderStyle | str = HeaderStyle.LABELS) -> list[str]:
    """The header row of a units file in the given style."""
    if HeaderStyle(style) is HeaderStyle.KEYS:
        return [column.key for column in UNIT_EXPORT_COLUMNS]
    return [column.label for column in UNIT_EXPORT_COLUMNS]


def iter_unit_rows(queryset: QuerySet[Unit], *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """Rows (code, name, parent code, kind) of the units of `queryset`, in its order: a valid `import_units` file.

    Parents are looked up once per chunk by their tree path, not once per unit.
    """
    steplen = Unit.steplen
    units = queryset.select_related(None).only("code", "name", "kind", "path", "depth").iterator(chunk_size=chunk_size)
    for chunk in _batched(units, chunk_size):
        parent_paths = {unit.path[:-steplen] for unit in chunk if unit.depth > 1}
        parents = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "code")) if parent_paths else {}
        for unit in chunk:
            parent_code = parents.get(unit.path[:-steplen], "") if unit.depth > 1 else ""
            yield [unit.code, unit.name, parent_code, unit.kind]


# ---------------------------------------------------------------------------------------------
# Writers


def csv_chunks(rows: Iterable[list], *, header: list[str] | None = None) -> Iterator[bytes]:
    """A CSV file as UTF-8 byte chunks (with a BOM, so Excel reads Vietnamese), for StreamingHttpResponse.

    Every text cell is neutralised against formulas; numbers are written as numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow(header if header is not None else header_row())
    pending = 0
    for row in rows:
        writer.writerow([neutralise("" if value is None else value) for value in row])
        pending += 1
        if pending >= CSV_FLUSH_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def write_csv(rows: Iterable[list], fileobj, *, header: list[str] | None = None) -> None:
    """Write the CSV to a binary file object."""
    for chunk in csv_chunks(rows, header=header):
        fileobj.write(chunk)


def _xlsx_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in the file; longer cells make Excel refuse the workbook.
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]


def write_xlsx(
    rows: Iterable[list],
    fileobj,
    *,
    header: list[str] | None = None,
    title: str = "Mô hình",
    columns: Sequence[ExportColumn] = EXPORT_COLUMNS,
) -> None:
    """Write an Excel workbook to a binary file object: bold frozen header, column widths, text never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for name in header if header is not None else header_row():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_text(neutralise(value)) if isinstance(value, str) else value for value in row])
    workbook.save(fileobj)


def xlsx_chunks(
    rows: Iterable[list],
    *,
    header: list[str] | None = None,
    title: str = "Mô hình",
    columns: Sequence[ExportColumn] = EXPORT_COLUMNS,
) -> Iterator[bytes]:
    """An Excel workbook as byte chunks: written to a temporary file first (a zip is finished last), then read out."""
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        write_xlsx(rows, handle, header=header, title=title, columns=columns)
        handle.seek(0)
        while block := handle.read(XLSX_READ_BLOCK):
            yield block
