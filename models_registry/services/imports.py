"""Importing units and practice models from CSV or Excel spreadsheets.

This is the `import_units` / `import_models` contract of DESIGN.md ("Stable interfaces"): a header
row whose names match by English key or Vietnamese label (case, spacing and diacritics ignored),
every row validated before anything is written, and a file with any bad row changes nothing.
The functions take a path or a binary file object, so the commands and an admin upload screen
share them.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry, ReferenceIndex, Revision, WorkflowState
from wagtail.rich_text import RichText
from wagtail.signals import published

from django_tasks import task

from movements.models import Field, MovementPage
from search.text import fold_key, normalise_spaces

from .. import permissions
from ..formulas import restore as restore_formula_text
from ..models import (
    FIRST_YEAR,
    PracticeModel,
    RecognitionLevel,
    Unit,
    UnitKind,
    UnitMembership,
    last_allowed_year,
    unit_code_validator,
)
from ..notifications import notify_reviewers_of_batch
from ..signals import practice_models_bulk_changed
from ..workflows import start_reviews_in_bulk
from .bulk import update_rows
from .duplicates import check_import
from .practice_models import SlugPool
from .units import add_unit, move_unit

BATCH_SIZE = 500
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# Bytes that never occur in a text file, whatever its encoding: their presence means binary data.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1c-\x1f]")
INTEGRAL_NUMBER = re.compile(r"^\s*([+-]?\d+)(?:[.,]0+)?\s*$")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
# Bad input: a larger file is refused while it is read, before all its rows are in memory.
MAX_ROWS = 50_000
# An .xlsx is a zip: its declared uncompressed sizes are checked before openpyxl inflates anything
# (zipfile never inflates a member past its declared size). Real workbooks compress 5-30 times.
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?\"")

Progress = Callable[[int, int], None]

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as a spreadsheet numbers it (header = 1; None for the whole file)."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    published: bool = False
    submitted: int = 0  # models sent into the review workflow (imports by a scoped user)
    rows: int = 0  # data rows read from the file

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def refused(self) -> int:
        """How many data rows have at least one problem."""
        return len({error.row for error in self.errors if error.row is not None and error.row > 1})


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, empty, wrong format or encoding, bad header)."""

    def __init__(self, *errors: RowError):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = list(errors)


def _file_error(message: str, *, row: int | None = None, column: str = "") -> ImportFileError:
    return ImportFileError(RowError(row=row, column=column, message=message))


# ---------------------------------------------------------------------------------------------
# Reading CSV and XLSX into rows of stripped NFC strings


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


def _clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float: 2023 arrives as 2023.0.
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip().strip("\ufeff").strip()
    # Undo the apostrophe our exports put before a cell that could run as a formula (formulas.py),
    # so that an exported file imports back unchanged.
    return restore_formula_text(text).strip()


def _load_bytes(source: str | os.PathLike | BinaryIO, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise _file_error(_("There is no file at %(path)s.") % {"path": str(path)})
        try:
            return path.read_bytes(), filename or path.name
        except OSError as error:
            raise _file_error(
                _("The file %(name)s could not be read: %(reason)s.") % {"name": path.name, "reason": error.strerror}
            ) from error
    data = source.read()
    return data, filename or os.path.basename(getattr(source, "name", "") or "")


def _not_a_spreadsheet() -> ImportFileError:
    return _file_error(
        _(
            "This is not a CSV or Excel (.xlsx) file. Save the spreadsheet as Excel Workbook (.xlsx) "
            "or as CSV UTF-8 and try again."
        )
    )


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a byte order mark, unambiguous.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_a_spreadsheet() from error
    if BINARY_BYTES.search(data[:65536]):
        raise _not_a_spreadsheet()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Guessing between Windows-1258, Windows-1252 and TCVN3 would silently garble Vietnamese
        # for some files; asking for UTF-8 is the only safe answer.
        raise _file_error(
            _(
                "The file is not saved as UTF-8, so its Vietnamese letters cannot be read reliably "
                "(the first unreadable byte is at position %(position)s). In Excel choose File → Save As → "
                "“CSV UTF-8 (Comma delimited) (*.csv)”, or upload the .xlsx workbook itself."
            )
            % {"position": error.start + 1}
        ) from error


def _too_many_rows() -> ImportFileError:
    return _file_error(
        _(
            "The file has more than %(limit)s data rows, more than one import can take. Split it into files "
            "of at most %(limit)s rows and import them one after the other."
        )
        % {"limit": number_format(MAX_ROWS, force_grouping=True)}
    )


def _collect_rows(rows: Iterable[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Keep the non-empty rows, stopping as soon as there are more than the header and MAX_ROWS rows."""
    kept = []
    for number, cells in rows:
        if any(cells):
            if len(kept) > MAX_ROWS:
                raise _too_many_rows()
            kept.append((number, cells))
    return kept


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode_text(data)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    first_line, _sep, rest = text.partition("\n")
    # Excel writes (and honours) a "sep=;" first line; it is not a spreadsheet row.
    match = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if match:
        delimiter, text = match.group(1), rest
    else:
        counts = {candidate: first_line.count(candidate) for candidate in (",", ";", "\t")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Counted while the reader streams: a 200.000-row file stops at row 50.002.
        return _collect_rows(
            (number, [_clean_cell(cell) for cell in cells]) for number, cells in enumerate(reader, start=1)
        )
    except csv.Error as error:
        raise _not_a_spreadsheet() from error


def _check_zip_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before anything is inflated."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO):
            raise _file_error(
                _(
                    "The Excel file unpacks to far more data than a spreadsheet holds (a “zip bomb”), so it was "
                    "not opened. Save the workbook again from Excel, or export it as CSV UTF-8."
                )
            )


def _merged_header_cells(archive: zipfile.ZipFile, sheet_path: str, header_row: int) -> list[str]:
    """The merged ranges of the sheet that touch the header row, read from the raw XML while it streams.

    openpyxl's read-only mode does not read merged cells; they are listed after the rows, so the
    sheet is streamed in chunks and only the <mergeCell ref="A1:B1"/> elements are looked at.
    """
    found: list[str] = []
    tail = b""
    with archive.open(sheet_path.lstrip("/")) as stream:
        while chunk := stream.read(1024 * 1024):
            window = tail + chunk
            cut = window.rfind(b"<")
            complete, tail = (window[:cut], window[cut:]) if cut > 0 else (window, b"")
            for match in MERGE_CELL.finditer(complete):
                _first_col, first_row, last_col, last_row = match.groups()
                top, bottom = int(first_row), int(last_row or first_row)
                if top <= header_row <= bottom:
                    found.append(
                        match.group(1).decode() + first_row.decode()
                        + (f":{last_col.decode()}{last_row.decode()}" if last_col else "")
                    )  # fmt: skip
    return found


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise _not_a_spreadsheet() from error
    if "xl/workbook.xml" not in names:
        # A zip that is not a workbook: .docx, .ods, .pptx, an archive...
        raise _not_a_spreadsheet()
    _check_zip_sizes(archive)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise _file_error(_("The Excel file could not be opened: it is damaged.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Some tools write a wrong sheet size; forgetting it makes openpyxl read every row there is.
        sheet.reset_dimensions()
        try:
            rows = _collect_rows(
                (number, [_clean_cell(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            )
        except ImportFileError:
            raise
        except Exception as error:  # a damaged sheet inside a readable zip
            raise _file_error(_("The Excel file could not be opened: it is damaged.")) from error
        sheet_path = getattr(sheet, "_worksheet_path", None)
        if rows and sheet_path:
            merged = _merged_header_cells(archive, sheet_path, rows[0][0])
            if merged:
                raise _file_error(
                    _(
                        "The header row has merged cells (%(cells)s): unmerge them so that every column has "
                        "its own header in one cell, and try again."
                    )
                    % {"cells": ", ".join(merged)},
                    row=rows[0][0],
                )
        return rows
    finally:
        workbook.close()


def read_table(*, source: str | os.PathLike | BinaryIO, filename: str | None = None) -> Table:
    """Read a CSV or XLSX file into a header and numbered, non-empty data rows; refuse anything else."""
    data, name = _load_bytes(source, filename)
    if not data.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise _file_error(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        rows = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        if name.lower().endswith(".xls"):
            raise _file_error(
                _("Old Excel 97-2003 (.xls) workbooks are not supported: save it as Excel Workbook (.xlsx).")
            )
        if name.lower().endswith((".xlsx", ".xlsm")):
            raise _file_error(_("The Excel file is protected with a password: remove the password and try again."))
        raise _not_a_spreadsheet()
    elif data.startswith(b"%PDF"):
        raise _not_a_spreadsheet()
    else:
        rows = _read_csv(data)
    non_empty = rows  # the readers keep only non-empty rows
    if not non_empty:
        raise _file_error(_("The file is empty."))
    (_header_number, headers), *body = non_empty
    if not body:
        raise _file_error(
            _("The file has a header row but no data rows: add one row per item below the header."), row=1
        )
    return Table(headers=headers, rows=body)


# ---------------------------------------------------------------------------------------------
# Columns and header matching


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Vietnamese header of the contract (data, not UI text: files carry it as is)
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return f"{self.key} ({self.label})"

    def header_keys(self) -> set[str]:
        return {fold_key(name) for name in (self.key, self.label, *self.aliases)}


UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", required=True, aliases=("unit_code", "Mã")),
    Column("name", "Tên đơn vị", required=True, aliases=("unit_name", "Tên")),
    Column("parent_code", "Mã đơn vị cấp trên", aliases=("parent", "Mã cấp trên", "Đơn vị cấp trên")),
    Column("kind", "Loại", required=True, aliases=("Loại đơn vị", "type")),
)

MODEL_COLUMNS = (
    Column("external_id", "Mã mô hình", required=True, aliases=("model_code",)),
    Column("title", "Tên mô hình", required=True, aliases=("Tiêu đề",)),
    Column("unit_code", "Mã đơn vị", required=True, aliases=("unit",)),
    Column("movement", "Phong trào", required=True, aliases=("Phong trào thi đua",)),
    Column("field", "Lĩnh vực"),
    Column("year", "Năm", required=True),
    Column("summary", "Tóm tắt"),
    Column("content", "Nội dung", aliases=("story",)),
    Column("results", "Kết quả"),
    Column("recognition_level", "Cấp công nhận", aliases=("level",)),
)


def map_headers(*, headers: list[str], columns: Iterable[Column]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Match the header row to the columns: {key: index}, {key: header as written}, warnings."""
    columns = list(columns)
    by_fold = {folded: column for column in columns for folded in column.header_keys()}
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    warnings: list[str] = []
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        column = by_fold.get(fold_key(header))
        if column is None:
            warnings.append(_("Column “%(column)s” is not part of the import and was ignored.") % {"column": header})
            continue
        if column.key in positions:
            errors.append(
                RowError(
                    row=1,
                    column=header,
                    message=_("Columns “%(first)s” and “%(second)s” both mean %(column)s: keep only one.")
                    % {"first": names[column.key], "second": header, "column": column.display},
                )
            )
            continue
        positions[column.key] = index
        names[column.key] = header
    missing = [column.display for column in columns if column.required and column.key not in positions]
    if missing:
        errors.append(
            RowError(
                row=1,
                column="",
                message=_("Required columns are missing from the header row: %(columns)s.")
                % {"columns": ", ".join(missing)},
            )
        )
    if errors:
        raise ImportFileError(*errors)
    return positions, names, warnings


class _Row:
    """One data row read through the header mapping; collects its errors with the column as written."""

    def __init__(self, number: int, cells: list[str], positions: dict[str, int], names: dict[str, str]):
        self.number = number
        self.cells = cells
        self.positions = positions
        self.names = names
        self.errors: list[RowError] = []

    def has(self, key: str) -> bool:
        return key in self.positions

    def get(self, key: str) -> str:
        index = self.positions.get(key)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(row=self.number, column=self.names.get(key, key), message=message))

    def required(self, key: str) -> str:
        value = self.get(key)
        if not value:
            self.error(key, _("This cell is empty; a value is required."))
        return value

    def limited(self, key: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.error(
                key,
                _("The value is too long: %(length)s characters where at most %(limit)s are allowed.")
                % {"length": len(value), "limit": limit},
            )
        return value


def _choices_lookup(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """{folded name: value}; a name that would point at two different values is left out."""
    lookup: dict[str, object] = {}
    ambiguous: set[str] = set()
    for name, value in pairs:
        key = fold_key(str(name))
        if not key:
            continue
        if key in lookup and lookup[key] != value:
            ambiguous.add(key)
        lookup.setdefault(key, value)
    for key in ambiguous:
        lookup.pop(key)
    return lookup


def _choice_labels(choices) -> list[tuple[str, str]]:
    """Each choice's value, English label and label in the active language and in Vietnamese."""
    pairs = []
    for value, label in choices:
        pairs += [(value, value), (label, value)]
        with translation.override("en"):
            pairs.append((str(label), value))
        with translation.override("vi"):
            pairs.append((str(label), value))
    return pairs


# How units and recognition levels are commonly written in Vietnamese spreadsheets.
UNIT_KIND_NAMES = {
    UnitKind.CITY: ["Thành phố", "Tỉnh", "Tỉnh, thành phố", "Thành phố, tỉnh", "Cấp tỉnh", "Cấp thành phố"],
    UnitKind.DISTRICT: ["Quận", "Huyện", "Thị xã", "Quận, huyện", "Quận, huyện, thị xã", "Cấp huyện", "Cấp quận"],
    UnitKind.COMMUNE: ["Phường", "Xã", "Thị trấn", "Phường, xã", "Xã, phường", "Phường, xã, thị trấn", "Cấp xã"],
    UnitKind.PARTY_COMMITTEE: ["Đảng ủy", "Đảng bộ", "Cấp ủy"],
    UnitKind.PARTY_CELL: ["Chi bộ"],
    UnitKind.ORGANISATION: [
        "Tổ chức",
        "Đoàn thể",
        "Tổ chức đoàn thể",
        "Mặt trận, đoàn thể",
        "Tổ chức chính trị - xã hội",
    ],
}
RECOGNITION_LEVEL_NAMES = {
    RecognitionLevel.GRASSROOTS: ["Cơ sở", "Cấp cơ sở", "Xã, phường", "Cấp xã"],
    RecognitionLevel.DISTRICT: ["Quận, huyện", "Quận", "Huyện", "Cấp quận", "Cấp huyện", "Cấp quận, huyện"],
    RecognitionLevel.CITY: ["Thành phố", "Tỉnh", "Tỉnh, thành phố", "Cấp tỉnh", "Cấp thành phố"],
    RecognitionLevel.CENTRAL: ["Trung ương", "Cấp trung ương", "Toàn quốc"],
}


def unit_kind_lookup() -> dict[str, str]:
    pairs = _choice_labels(UnitKind.choices)
    pairs += [(name, str(kind)) for kind, names in UNIT_KIND_NAMES.items() for name in names]
    return _choices_lookup(pairs)


def recognition_level_lookup() -> dict[str, str]:
    pairs = _choice_labels(RecognitionLevel.choices)
    pairs += [(name, str(level)) for level, names in RECOGNITION_LEVEL_NAMES.items() for name in names]
    return _choices_lookup(pairs)


def _lookup_code(code: str, exact: dict[str, object], folded: dict[str, object]):
    """Unit codes match exactly, or case-insensitively when that is unambiguous."""
    if code in exact:
        return exact[code]
    return folded.get(code.casefold())


def _casefold_index(mapping: dict[str, object]) -> dict[str, object]:
    index: dict[str, object] = {}
    clashes: set[str] = set()
    for code, value in mapping.items():
        key = code.casefold()
        if key in index:
            clashes.add(key)
        index[key] = value
    for key in clashes:
        index.pop(key)
    return index


def _validate_unit_code(row: _Row, key: str, code: str) -> None:
    if not code:
        return
    row.limited(key, code, 50)
    try:
        unit_code_validator(code)
    except ValidationError:
        row.error(
            key,
            _(
                "The unit code “%(code)s” is not valid: use only letters without diacritics, digits, dots, "
                "dashes and underscores."
            )
            % {"code": code},
        )


def _fail(result: ImportResult, errors: Iterable[RowError]) -> ImportResult:
    result.errors = sorted(errors, key=lambda error: error.row or 0)
    result.created = result.updated = result.unchanged = 0
    return result


# ---------------------------------------------------------------------------------------------
# Units


@dataclass
class _UnitRow:
    number: int
    code: str
    name: str
    kind: str
    parent_code: str | None  # None: keep the current parent (no parent_code column)


def import_units(
    *, source: str | os.PathLike | BinaryIO, filename: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Create, update or move units from a spreadsheet; a file with any bad row changes nothing."""
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(source=source, filename=filename)
        positions, names, result.warnings = map_headers(headers=table.headers, columns=UNIT_COLUMNS)
    except ImportFileError as error:
        return _fail(result, error.errors)

    existing = {unit.code: unit for unit in Unit.objects.only("pk", "code", "name", "kind", "path", "depth")}
    existing_folded = _casefold_index(existing)
    code_by_path = {unit.path: unit.code for unit in existing.values()}
    steplen = Unit.steplen
    current_parent = {
        unit.code: code_by_path.get(unit.path[:-steplen]) if unit.depth > 1 else None for unit in existing.values()
    }
    kinds = unit_kind_lookup()
    kind_choices = ", ".join(value for value, _label in UnitKind.choices)

    errors: list[RowError] = []
    planned: dict[str, _UnitRow] = {}  # canonical code -> row
    first_row: dict[str, int] = {}
    seen_codes: dict[str, str] = {}  # every code of the file, bad rows included
    for number, cells in table.rows:
        row = _Row(number, cells, positions, names)
        code = row.required("code")
        _validate_unit_code(row, "code", code)
        name = row.limited("name", normalise_spaces(row.required("name")), 255)
        kind_text = row.required("kind")
        kind = kinds.get(fold_key(kind_text)) if kind_text else None
        if kind_text and kind is None:
            row.error(
                "kind",
                _("The unit kind “%(value)s” is not known. Use one of: %(choices)s.")
                % {"value": kind_text, "choices": kind_choices},
            )
        parent_code: str | None = None
        if row.has("parent_code"):
            parent_code = row.get("parent_code")
            _validate_unit_code(row, "parent_code", parent_code)
        if code:
            # A code already in the registry keeps its spelling, whatever case the file uses.
            unit = _lookup_code(code, existing, existing_folded)
            canonical = unit.code if unit is not None else code
            key = canonical.casefold()
            seen_codes.setdefault(key, canonical)
            if key in first_row:
                row.error(
                    "code",
                    _("The unit code “%(code)s” appears twice in this file: on row %(first)s and on row %(second)s.")
                    % {"code": code, "first": first_row[key], "second": number},
                )
            else:
                first_row[key] = number
                if not row.errors:
                    planned[key] = _UnitRow(number, canonical, name, str(kind), parent_code)
        errors += row.errors

    # Resolve parents against the file and the registry, then look for cycles in the tree as it will be.
    # A parent on a bad row is still "in the file": its own row's error is the one to report.
    file_codes = seen_codes
    final_parent: dict[str, str | None] = {
        code.casefold(): (parent.casefold() if parent else None) for code, parent in current_parent.items()
    }
    for key, item in planned.items():
        if item.parent_code is None:
            final_parent.setdefault(key, None)
            continue
        if not item.parent_code:
            final_parent[key] = None
            continue
        parent_key = item.parent_code.casefold()
        if parent_key == key:
            errors.append(
                RowError(
                    row=item.number,
                    column=names["parent_code"],
                    message=_("A unit cannot be its own parent unit (code “%(code)s”).") % {"code": item.code},
                )
            )
            continue
        parent = _lookup_code(item.parent_code, existing, existing_folded)
        if parent is None and parent_key not in file_codes:
            errors.append(
                RowError(
                    row=item.number,
                    column=names["parent_code"],
                    message=_(
                        "The parent unit “%(code)s” is neither in this file nor in the registry: "
                        "add a row for it or correct the code."
                    )
                    % {"code": item.parent_code},
                )
            )
            continue
        final_parent[key] = parent.code.casefold() if parent is not None else parent_key
    display = {code.casefold(): code for code in existing} | file_codes
    reported: set[str] = set()
    for key in planned:
        chain, seen, cursor = [], set(), key
        while cursor is not None and cursor not in seen:
            seen.add(cursor)
            chain.append(cursor)
            cursor = final_parent.get(cursor)
        if cursor is not None and cursor == key and key not in reported:
            cycle = chain[chain.index(cursor) :]
            reported.update(cycle)
            path = " → ".join(display.get(code, code) for code in [*cycle, cursor])
            for member in cycle:
                member_row = planned.get(member)
                if member_row is None:
                    continue
                errors.append(
                    RowError(
                        row=member_row.number,
                        column=names.get("parent_code", ""),
                        message=_("These parent units form a cycle, so no tree can be built: %(cycle)s.")
                        % {"cycle": path},
                    )
                )
    if errors:
        return _fail(result, errors)

    # Plan: what is created, updated, moved or unchanged.
    to_create, to_update, to_move = [], [], []
    for key, item in planned.items():
        unit = existing.get(item.code)
        if unit is None:
            to_create.append(key)
            continue
        changed = unit.name != item.name or unit.kind != item.kind
        moved = item.parent_code is not None and final_parent[key] != (
            current_parent[unit.code].casefold() if current_parent[unit.code] else None
        )
        if changed:
            to_update.append(key)
        if moved:
            to_move.append(key)
        if not changed and not moved:
            result.unchanged += 1
    result.created = len(to_create)
    result.updated = len(set(to_update) | set(to_move))
    if dry_run:
        return result

    # Parents before children in the tree as it will be, so every parent exists when its child is placed.
    def depth(key: str) -> int:
        count, cursor = 0, final_parent.get(key)
        while cursor is not None:
            count, cursor = count + 1, final_parent.get(cursor)
        return count

    with transaction.atomic():
        for key in to_update:
            item = planned[key]
            # save(), not update(): a renamed unit's models carry its name in the search index and
            # the open-data files, which follow the unit's post_save.
            unit = Unit.objects.get(code=item.code)
            unit.name, unit.kind = item.name, item.kind
            unit.save(update_fields=["name", "kind"])
        # Units that move are first hung at the top, so that no move can land below its own subtree.
        for key in to_move:
            move_unit(unit=Unit.objects.get(code=planned[key].code), parent=None)
        placed = set(to_create) | set(to_move)
        for key in sorted(placed, key=depth):
            item = planned[key]
            parent_key = final_parent[key]
            parent = Unit.objects.get(code=display[parent_key]) if parent_key else None
            if key in to_move:
                if parent is not None:
                    move_unit(unit=Unit.objects.get(code=item.code), parent=parent)
            else:
                add_unit(unit=Unit(code=item.code, name=item.name, kind=item.kind), parent=parent)
    return result


# ---------------------------------------------------------------------------------------------
# Practice models


def story_from_text(text: str) -> list[str]:
    """The story's paragraph blocks: one per blank-line-separated paragraph, escaped and wrapped in <p>."""
    paragraphs = [paragraph.strip() for paragraph in PARAGRAPH_BREAK.split(text or "")]
    return ["<p>" + html.escape(paragraph).replace("\n", "<br/>") + "</p>" for paragraph in paragraphs if paragraph]


def _story_blocks(value) -> list[tuple[str, object]]:
    return [(block.get("type"), block.get("value")) for block in value.raw_data]


def _parse_year(row: _Row) -> int | None:
    text = row.required("year")
    if not text:
        return None
    match = INTEGRAL_NUMBER.match(text)
    if match is None:
        row.error("year", _("The year “%(value)s” is not a number.") % {"value": text})
        return None
    year = int(match.group(1))
    last = last_allowed_year()
    if not FIRST_YEAR <= year <= last:
        row.error(
            "year",
            _("The year %(value)s is out of range: it must be between %(first)s and %(last)s.")
            % {"value": year, "first": FIRST_YEAR, "last": last},
        )
        return None
    return year


@dataclass
class _ModelRow:
    number: int
    external_id: str
    values: dict  # model attribute -> value, only for the columns the file has
    unit: Unit


def _movement_lookup() -> dict[str, MovementPage]:
    pairs = []
    for movement in MovementPage.objects.all():
        pairs += [(movement.slug, movement), (movement.title, movement), (movement.abbreviation, movement)]
    return _choices_lookup(pairs)


def _field_lookup() -> dict[str, Field]:
    pairs = []
    for item in Field.objects.all():
        pairs += [(item.slug, item), (item.name, item)]
    return _choices_lookup(pairs)


def importable_unit_ids(user) -> set[int] | None:
    """The units whose models `user` may import: None for every unit (the command, an administrator).

    An officer imports for the units they submit for; a reviewer for the units below the one they review.
    """
    if user is None or permissions.is_unscoped(user):
        return None
    if not user.is_active:
        return set()
    scope = Q(pk__in=[])
    for membership in permissions.memberships(user):
        if membership.role == UnitMembership.Role.OFFICER:
            if membership.includes_subunits:
                scope |= Q(path__startswith=membership.unit.path)
            else:
                scope |= Q(pk=membership.unit_id)
        else:
            scope |= Q(path__startswith=membership.unit.path) & ~Q(pk=membership.unit_id)
    return set(Unit.objects.filter(scope).values_list("pk", flat=True))


def _out_of_scope(unit: Unit) -> str:
    return _("You may not import models for the unit “%(unit)s” (%(code)s).") % {"unit": unit.name, "code": unit.code}


def _validate_model_rows(
    table: Table, positions: dict[str, int], names: dict[str, str], allowed_unit_ids: set[int] | None = None
):
    units = {unit.code: unit for unit in Unit.objects.only("pk", "code", "name")}
    units_folded = _casefold_index(units)
    movements = _movement_lookup()
    fields_ = _field_lookup()
    levels = recognition_level_lookup()
    movement_choices = ", ".join(MovementPage.objects.order_by("path").values_list("slug", flat=True))
    field_choices = ", ".join(Field.objects.values_list("slug", flat=True))
    level_choices = ", ".join(value for value, _label in RecognitionLevel.choices)

    errors: list[RowError] = []
    planned: list[_ModelRow] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(number, cells, positions, names)
        external_id = row.limited("external_id", row.required("external_id"), 64)
        title = normalise_spaces(row.get("title"))
        if not title:
            row.error("title", _("The model title is empty: every model needs a title."))
        row.limited("title", title, 255)
        values: dict = {"title": title}

        unit_code = row.required("unit_code")
        unit = _lookup_code(unit_code, units, units_folded) if unit_code else None
        if unit_code and unit is None:
            row.error(
                "unit_code",
                _("The unit “%(code)s” is not in the registry: import it with import_units first or correct the code.")
                % {"code": unit_code},
            )
        elif unit is not None and allowed_unit_ids is not None and unit.pk not in allowed_unit_ids:
            row.error("unit_code", _out_of_scope(unit))

        movement_text = row.required("movement")
        movement = movements.get(fold_key(movement_text)) if movement_text else None
        if movement_text and movement is None:
            row.error(
                "movement",
                _("The movement “%(value)s” does not exist. Known movements: %(choices)s.")
                % {"value": movement_text, "choices": movement_choices},
            )
        values["movement_id"] = movement.pk if movement else None

        if row.has("field"):
            field_text = row.get("field")
            field_obj = fields_.get(fold_key(field_text)) if field_text else None
            if field_text and field_obj is None:
                row.error(
                    "field",
                    _("The field “%(value)s” does not exist. Known fields: %(choices)s.")
                    % {"value": field_text, "choices": field_choices},
                )
            values["field_id"] = field_obj.pk if field_obj else None

        values["year"] = _parse_year(row)

        if row.has("recognition_level"):
            level_text = row.get("recognition_level")
            level = levels.get(fold_key(level_text)) if level_text else ""
            if level is None:
                level = levels.get(fold_key(level_text).removeprefix("cap"))
            if level is None:
                row.error(
                    "recognition_level",
                    _("The recognition level “%(value)s” is not known. Use one of: %(choices)s.")
                    % {"value": level_text, "choices": level_choices},
                )
            values["recognition_level"] = level or ""
        for key in ("summary", "results"):
            if row.has(key):
                values[key] = row.get(key)
        if row.has("content"):
            values["story"] = story_from_text(row.get("content"))

        if external_id:
            if external_id in first_row:
                row.error(
                    "external_id",
                    _("The model code “%(code)s” appears twice in this file: on row %(first)s and on row %(second)s.")
                    % {"code": external_id, "first": first_row[external_id], "second": number},
                )
            else:
                first_row[external_id] = number
        if row.errors:
            errors += row.errors
        else:
            planned.append(_ModelRow(number, external_id, values, unit))
    return planned, errors


def _current_values(instance: PracticeModel, keys: Iterable[str]) -> dict:
    """The imported attributes of `instance`, shaped like a row's values for comparison."""
    current = {}
    for key in keys:
        if key == "story":
            blocks = _story_blocks(instance.story)
            only_paragraphs = all(block_type == "paragraph" for block_type, _value in blocks)
            current[key] = [value for _type, value in blocks] if only_paragraphs else blocks
        elif key == "unit":
            current[key] = instance.unit_id
        else:
            current[key] = getattr(instance, key)
    return current


def _apply(instance: PracticeModel, item: _ModelRow) -> None:
    stored_unit_id = instance.unit_id
    instance.unit = item.unit
    instance.take_unit_name(stored_unit_id=stored_unit_id)
    for key, value in item.values.items():
        if key == "story":
            instance.story = [("paragraph", RichText(paragraph)) for paragraph in value]
        else:
            setattr(instance, key, value)


def _chunks(items: list, size: int | None = None):
    size = size or BATCH_SIZE
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _consume_in_batches(items: list):
    """Batches of `items`, each let go of by the list once taken: a written model's story and content
    are not held until the whole file is written (10.000 rows: ~110 MB)."""
    while items:
        batch = items[:BATCH_SIZE]
        del items[:BATCH_SIZE]
        yield batch


def _existing_models(external_ids: list[str]) -> dict[str, PracticeModel]:
    existing: dict[str, PracticeModel] = {}
    for chunk in _chunks(external_ids):
        queryset = PracticeModel.objects.filter(external_id__in=chunk).prefetch_related(
            "measured_results", "gallery_images", "attachments"
        )
        existing.update({instance.external_id: instance for instance in queryset})
    # The editable state of a model with unpublished changes is its latest revision, not its row.
    revision_ids = [
        m.latest_revision_id for m in existing.values() if m.has_unpublished_changes and m.latest_revision_id
    ]
    contents: dict[int, dict] = {}
    for chunk in _chunks(revision_ids):
        contents.update(dict(Revision.objects.filter(pk__in=chunk).values_list("pk", "content")))
    for external_id, instance in list(existing.items()):
        content = contents.get(instance.latest_revision_id) if instance.has_unpublished_changes else None
        if content is not None:
            draft = instance.with_content_json(content)
            draft._import_from_revision = True
            existing[external_id] = draft
    return existing


def import_models(
    *,
    source: str | os.PathLike | BinaryIO,
    filename: str | None = None,
    publish: bool = False,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update practice models from a spreadsheet by model code; a file with any bad row changes nothing.

    New models become drafts with a revision, changes to existing ones a new draft revision (a live model
    keeps its live version); with `publish` every created or changed model is published. Rows that change
    nothing write nothing.

    With a `user` who is not an administrator (permissions.is_unscoped), every row must belong to a unit
    that user may act for, `publish` is refused, models under review cannot be changed, and every created
    or changed model is submitted to its review workflow. Without a user (the command) nothing is limited.
    `progress(done, total)` is called after each batch of rows written (and, for a scoped user, of models
    submitted: those count in `total` too).
    """
    scoped = user is not None and not permissions.is_unscoped(user)
    if publish and scoped:
        raise PermissionDenied(_("Only administrators may publish imported models directly."))
    result = ImportResult(dry_run=dry_run, published=publish)
    try:
        table = read_table(source=source, filename=filename)
        positions, names, result.warnings = map_headers(headers=table.headers, columns=MODEL_COLUMNS)
    except ImportFileError as error:
        return _fail(result, error.errors)
    result.rows = len(table.rows)
    allowed_unit_ids = importable_unit_ids(user) if scoped else None
    planned, errors = _validate_model_rows(table, positions, names, allowed_unit_ids)
    del table  # the planned rows hold what is needed: the file's cells are let go before the writes
    if errors:
        return _fail(result, errors)

    existing = _existing_models([item.external_id for item in planned])
    creates: list[tuple[_ModelRow, PracticeModel]] = []
    updates: list[tuple[_ModelRow, PracticeModel]] = []
    for item in planned:
        instance = existing.get(item.external_id)
        if instance is None:
            creates.append((item, PracticeModel(external_id=item.external_id)))
            continue
        keys = ["unit", *item.values]
        wanted = {"unit": item.unit.pk, **item.values}
        differs = _current_values(instance, keys) != wanted
        needs_publishing = publish and (not instance.live or instance.has_unpublished_changes)
        if differs or needs_publishing:
            updates.append((item, instance))
        else:
            result.unchanged += 1
    if scoped:
        changing = {item.external_id for item, _instance in updates}
        errors = _check_existing_for_scoped_user(planned, existing, allowed_unit_ids, names, changing)
        if errors:
            return _fail(result, errors)
    # Rows that look like a model already in the registry are warned about (and flagged once written);
    # a new row continuing an earlier year's record of the same model is linked to it.
    duplicates = check_import(creates=creates, updates=updates, user=user if scoped else None)
    duplicates.apply_links(creates)
    result.warnings += duplicates.warnings
    result.created, result.updated = len(creates), len(updates)
    if dry_run or not (creates or updates):
        return result
    del planned, existing  # what is written is in `creates` and `updates`, which the writes consume

    # For a scoped user, starting each model's workflow is the slow part: it counts in the progress too.
    total = result.rows + (len(creates) + len(updates) if scoped else 0)
    with transaction.atomic():
        slugs = SlugPool()
        # Only ids are kept across batches: holding every written model and revision (their stories
        # and serialised content) until the end made a 10.000-row import peak near 500 MB.
        written: list[tuple[int, int]] = []  # (model id, revision id)
        codes: dict[str, int] = {}
        done = result.unchanged
        if progress is not None:
            progress(done, total)
        # Batches of creates first, then of updates: one transaction, so the file is still all or nothing.
        pending = [("create", pair) for pair in creates] + [("update", pair) for pair in updates]
        del creates, updates
        for batch in _consume_in_batches(pending):
            for instance, revision in _write_models(
                creates=[pair for kind, pair in batch if kind == "create"],
                updates=[pair for kind, pair in batch if kind == "update"],
                publish=publish,
                user=user,
                slugs=slugs,
            ):
                written.append((instance.pk, revision.pk))
                codes[instance.external_id] = instance.pk
            done += len(batch)
            if progress is not None:
                progress(done, total)
        duplicates.store(codes)
        if scoped:
            result.submitted = _submit_for_review(
                list(_light_models([pk for pk, _revision in written])),
                user=user,
                progress=progress,
                done=done,
                total=total,
            )
    _after_commit(written=written, publish=publish)
    return result


def _light_models(pks: list[int]):
    """The written models again, a batch at a time, without their long texts."""
    for chunk in _chunks(pks):
        by_pk = (
            PracticeModel.objects.select_related("unit", "latest_revision")
            .defer("story", "summary", "results", "search_text", "latest_revision__content")
            .in_bulk(chunk)
        )
        yield from (by_pk[pk] for pk in chunk)


def _check_existing_for_scoped_user(planned, existing, allowed_unit_ids, names, changing: set[str]) -> list[RowError]:
    """A scoped user may not move another unit's model into theirs, nor change one a reviewer is deciding on."""
    errors = []
    pks = [instance.pk for instance in existing.values()]
    in_review = _workflow_states(pks)
    stored_units: dict[int, int] = {}
    for chunk in _chunks(pks):
        stored_units.update(PracticeModel.objects.filter(pk__in=chunk).values_list("pk", "unit_id"))
    # The unit of the row and, for a model with a newer draft, the draft's: both must be the user's.
    outside = {
        unit_id
        for instance in existing.values()
        for unit_id in (stored_units.get(instance.pk), instance.unit_id)
        if unit_id not in allowed_unit_ids
    }
    outside_units = Unit.objects.in_bulk(outside) if outside else {}
    column = names.get("external_id", "external_id")
    for item in planned:
        instance = existing.get(item.external_id)
        if instance is None:
            continue
        foreign = [unit_id for unit_id in (stored_units.get(instance.pk), instance.unit_id) if unit_id in outside]
        if foreign:
            errors.append(RowError(row=item.number, column=column, message=_out_of_scope(outside_units[foreign[0]])))
            continue
        state = in_review.get(instance.pk)
        if item.external_id in changing and state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            errors.append(
                RowError(
                    row=item.number,
                    column=column,
                    message=_(
                        "The model “%(code)s” is awaiting review and cannot be changed until the reviewers decide."
                    )
                    % {"code": item.external_id},
                )
            )
    return errors


def _workflow_states(pks: list[int]) -> dict[int, WorkflowState]:
    """The active (in progress or needing changes) workflow state of each of these models."""
    content_type = ContentType.objects.get_for_model(PracticeModel)
    states = {}
    for chunk in _chunks([str(pk) for pk in pks]):
        for state in WorkflowState.objects.active().filter(base_content_type=content_type, object_id__in=chunk):
            states[int(state.object_id)] = state
    return states


def _submit_for_review(
    instances: list[PracticeModel], *, user, progress: Progress | None = None, done: int = 0, total: int = 0
) -> int:
    """Send each imported model into its review workflow, as the editor's "Submit" would.

    A model whose review asked for changes resumes it at the step that asked (one by one, through
    Wagtail); the others start their workflow together (workflows.start_reviews_in_bulk: the same
    rows Wagtail writes, a few queries per batch instead of a few dozen per model), and each
    reviewer gets one email listing the models that await them instead of one email per model.
    """
    states = _workflow_states([instance.pk for instance in instances])
    submitted = 0
    fresh = []
    for instance in instances:
        state = states.get(instance.pk)
        if state is None:
            fresh.append(instance)
        elif state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user=user)
            submitted += 1
    workflow = fresh[0].get_workflow() if fresh else None  # a snippet's workflow is its model's
    task, in_review = None, []
    for chunk in _chunks(fresh if workflow is not None else []):
        started = start_reviews_in_bulk(workflow=workflow, instances=chunk, user=user)
        task, in_review = started.task or task, in_review + started.started
        for instance in started.not_started:
            workflow.start(instance, user)
        submitted += len(chunk)
        if progress is not None:
            progress(min(done + submitted, total), total)
    if in_review:
        notify_reviewers_of_batch(task=task, started=in_review, user=user)
    if progress is not None:
        progress(done + len(instances), total)
    return submitted


def _write_models(*, creates, updates, publish: bool, user, slugs: SlugPool) -> list[tuple[PracticeModel, Revision]]:
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(PracticeModel)

    new_instances = []
    for item, instance in creates:
        _apply(instance, item)
        instance.slug = slugs.take(instance.title)
        instance.search_text = instance.build_search_text()
        instance.live = False
        instance.has_unpublished_changes = True
        instance.created_at = instance.updated_at = now
        new_instances.append(instance)
    # Serialised before saving: an unsaved model has no child rows to look up, so no query per model.
    new_contents = [instance.serializable_data() for instance in new_instances]
    PracticeModel.objects.bulk_create(new_instances, batch_size=BATCH_SIZE)
    for instance, content in zip(new_instances, new_contents, strict=True):
        content["pk"] = instance.pk

    row_fields: list[PracticeModel] = []  # rows rewritten in full (drafts, or published now)
    pointer_only: list[PracticeModel] = []  # live rows that only gain a draft revision
    individually: list[PracticeModel] = []  # rows rebuilt from a revision: save() also writes their child rows
    update_contents = []
    for item, instance in updates:
        _apply(instance, item)
        instance.search_text = instance.build_search_text()
        instance.updated_at = now
        update_contents.append(instance.serializable_data())
        if instance.live and not publish:
            pointer_only.append(instance)
        elif getattr(instance, "_import_from_revision", False):
            individually.append(instance)
        else:
            row_fields.append(instance)

    instances = new_instances + [instance for _item, instance in updates]
    contents = new_contents + update_contents
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=content_type,
            object_id=str(instance.pk),
            user=user,
            content=content,
            object_str=str(instance),
            created_at=now,
        )
        for instance, content in zip(instances, contents, strict=True)
    ]
    Revision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
    for instance, revision in zip(instances, revisions, strict=True):
        instance.latest_revision = revision
        instance.has_unpublished_changes = not publish
        if publish:
            instance.live = True
            instance.expired = False
            instance.live_revision = revision
            instance.last_published_at = now
            instance.first_published_at = instance.first_published_at or now

    state = ["latest_revision", "has_unpublished_changes"]
    published_state = [*state, "live", "expired", "live_revision", "last_published_at", "first_published_at"]
    content_fields = [
        "title", "unit", "movement", "field", "year", "summary", "story", "results",
        "recognition_level", "search_text", "updated_at", "submitted_unit_name",
    ]  # fmt: skip
    update_rows(new_instances, published_state if publish else state)
    update_rows(pointer_only, state)
    update_rows(row_fields, content_fields + (published_state if publish else state))
    for instance in individually:
        instance.save()

    actions = []
    for position, (instance, revision) in enumerate(zip(instances, revisions, strict=True)):
        is_new = position < len(new_instances)
        actions.append((instance, revision, "wagtail.create" if is_new else "wagtail.edit"))
        if publish:
            actions.append((instance, revision, "wagtail.publish"))
    if log_registry.get_log_model_for_model(PracticeModel) is ModelLogEntry:
        ModelLogEntry.objects.bulk_create(
            [
                ModelLogEntry(
                    content_type=content_type,
                    object_id=str(instance.pk),
                    label=str(instance),
                    action=action,
                    timestamp=now,
                    user=user,
                    revision=revision,
                    content_changed=True,
                    data={},
                )
                for instance, revision, action in actions
            ],
            batch_size=BATCH_SIZE,
        )
    return list(zip(instances, revisions, strict=True))


@task()
def refresh_reference_index(pks: list[int]) -> None:
    """Record the imported models' references (unit, movement, field, images) in Wagtail's reference index."""
    with transaction.atomic():
        for instance in PracticeModel.objects.filter(pk__in=pks).iterator(chunk_size=BATCH_SIZE):
            ReferenceIndex.create_or_update_for_object(instance)


def _after_commit(*, written: list[tuple[int, int]], publish: bool) -> None:
    """What save() and publish() would have set off, skipped by the bulk writes: the reference index, `published`.

    The reference index is refreshed by one background task for the whole import rather than one per model.
    """
    indexed = ReferenceIndex.is_indexed(PracticeModel)
    pks = [pk for pk, _revision in written]
    if publish:
        # The search index follows within this transaction, in one pass for the whole import.
        practice_models_bulk_changed.send(sender=PracticeModel, ids=pks)

    def notify():
        if indexed:
            refresh_reference_index.enqueue(pks)
        if publish:
            # In one transaction, so receivers that act once per transaction (the open-data files)
            # run once for the import, not once per model; read back a batch at a time.
            with transaction.atomic():
                for chunk in _chunks(written):
                    revision_of = dict(chunk)
                    revisions = Revision.objects.defer("content").in_bulk(list(revision_of.values()))
                    for instance in _light_models(list(revision_of)):
                        revision = revisions[revision_of[instance.pk]]
                        published.send(sender=PracticeModel, instance=instance, revision=revision, search_indexed=True)

    transaction.on_commit(notify)
