"""The spreadsheet for a commendation meeting: for a cycle and a unit subtree, the nominated models with
their scores, and the summary by unit, field and level.

Written so that an emulation and commendation officer can print it as it comes: Vietnamese headers,
column widths, number formats (Excel shows them with the reader's separators, 1.234,5 in Vietnamese),
A4 landscape fitted to the page width, the header row repeated on every printed page.
"""

import datetime
import io
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from models_registry.models import CommendationForm, RecognitionLevel, Unit

from . import selectors, services
from .models import Criterion, Cycle, Evaluation, EvaluationResult, Registration, Score

POINTS_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
HEADER_FILL = PatternFill("solid", start_color="DDE4EE")
TOTAL_FILL = PatternFill("solid", start_color="F2F2F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Row of the header on the list sheet (after the title, the subtitle and a blank row).
LIST_HEADER_ROW = 4
# The named styles each workbook has registered, by look (see _style).
_STYLES: "weakref.WeakKeyDictionary[Workbook, dict[tuple, str]]" = weakref.WeakKeyDictionary()
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class NominationRow:
    evaluation: Evaluation
    summary: services.ResultSummary


@dataclass
class Tally:
    """Nominated models counted for one group of the summary."""

    label: str
    nominated: int = 0
    by_result: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_form: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    percents: list[Decimal] = field(default_factory=list)

    def add(self, evaluation: Evaluation) -> None:
        self.nominated += 1
        self.by_result[evaluation.result] += 1
        self.by_form[evaluation.proposed_form] += 1
        if evaluation.score_percent is not None:
            self.percents.append(evaluation.score_percent)

    @property
    def average_percent(self) -> Decimal | None:
        return sum(self.percents, Decimal("0")) / len(self.percents) if self.percents else None


def report_filename(*, cycle: Cycle, unit: Unit) -> str:
    return f"de-nghi-khen-thuong-{cycle.movement.slug}-{cycle.year}-{unit.code}.xlsx"


def build_nomination_report(
    *, user: AbstractBaseUser, cycle: Cycle, unit: Unit, on: datetime.date | None = None
) -> bytes:
    """The XLSX for the commendation meeting of `cycle` over `unit`'s subtree, as `user` may see it."""
    if not selectors.reportable_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You cannot pull reports for this unit."))
    nominated = selectors.nominated_evaluations(user=user, cycle=cycle, unit=unit)
    evaluations = list(nominated)
    scores = _scores_by_evaluation(nominated)
    rows = [
        NominationRow(evaluation, services.compute_result(cycle=cycle, scores=scores.get(evaluation.pk, [])))
        for evaluation in evaluations
    ]
    criteria = _report_criteria(cycle=cycle, rows=rows)
    subtitle = _("Movement: %(movement)s – cycle: %(cycle)s – unit: %(unit)s") % {
        "movement": cycle.movement.title,
        "cycle": cycle.name,
        "unit": unit.name,
    }
    workbook = Workbook()
    list_sheet = workbook.active
    _write_list(list_sheet, rows=rows, criteria=criteria, subtitle=subtitle)
    summary_sheet = workbook.create_sheet()
    _write_summary(summary_sheet, user=user, cycle=cycle, unit=unit, evaluations=evaluations, subtitle=subtitle, on=on)
    workbook.properties.title = _("Models nominated for commendation")
    workbook.properties.creator = str(user)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _scores_by_evaluation(evaluations) -> dict[int, list[services.ScoreValue]]:
    """Every score of the evaluations, by evaluation, in two queries and without a model instance each."""
    scores = Score.objects.filter(evaluation__in=evaluations.order_by().values("pk"))
    criteria = Criterion.objects.in_bulk(set(scores.order_by().values_list("criterion_id", flat=True).distinct()))
    grouped: dict[int, list[services.ScoreValue]] = defaultdict(list)
    for evaluation_id, criterion_id, reviewer_id, value, passed in scores.order_by().values_list(
        "evaluation_id", "criterion_id", "reviewer_id", "value", "passed"
    ):
        grouped[evaluation_id].append(services.ScoreValue(criteria[criterion_id], reviewer_id, value, passed))
    return grouped


def _report_criteria(*, cycle: Cycle, rows: list[NominationRow]) -> list[Criterion]:
    """The criteria in use for the movement, and any other the nominated models were scored against."""
    scored = {outcome.criterion.pk for row in rows for outcome in row.summary.outcomes}
    return list(
        Criterion.objects.filter(Q(movement_id=cycle.movement_id, is_active=True) | Q(pk__in=scored)).order_by(
            "sort_order", "pk"
        )
    )


def _text(value) -> str:
    """A text cell's value; one that a spreadsheet would take for a formula is kept as text (see _put)."""
    return "" if value is None else str(value)


def _style(sheet: Worksheet, *, number_format: str | None, bold: bool, fill: PatternFill | None, header: bool) -> str:
    """The name of the workbook's named style for this look, registered on first use.

    One named style per look, rather than a border, an alignment and a font set on every cell:
    openpyxl hashes each style part it is given, which made a 500-row report spend most of its time there.
    """
    workbook = sheet.parent
    registry = _STYLES.setdefault(workbook, {})
    key = (number_format, bold, fill.start_color.rgb if fill is not None else None, header)
    if key not in registry:
        name = _("Report style %(number)s") % {"number": len(registry) + 1}
        style = NamedStyle(
            name=name,
            border=BORDER,
            alignment=HEADER_ALIGNMENT if header else WRAP_TOP,
            font=Font(bold=bold),
            number_format=number_format or "General",
        )
        if fill is not None:
            style.fill = fill
        workbook.add_named_style(style)
        registry[key] = name
    return registry[key]


def _put(
    sheet: Worksheet,
    row: int,
    column: int,
    value,
    *,
    number_format: str | None = None,
    bold=False,
    fill=None,
    header=False,
):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.style = _style(sheet, number_format=number_format, bold=bold, fill=fill, header=header)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Text from the registry is never run as a formula, on opening or when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _title(sheet: Worksheet, *, title: str, subtitle: str, width: int) -> None:
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=subtitle).font = Font(italic=True)
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[2].height = 30


def _header(sheet: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _put(sheet, row, column, label, bold=True, fill=HEADER_FILL, header=True)
    sheet.row_dimensions[row].height = 45


def _print_setup(sheet: Worksheet, *, title_rows: str) -> None:
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = _("Page &P of &N")


def _write_list(sheet: Worksheet, *, rows: list[NominationRow], criteria: list[Criterion], subtitle: str) -> None:
    sheet.title = _("Nominated models")[:31]
    labels = [_("No."), _("Model code"), _("Model"), _("Unit"), pgettext("taxonomy", "Field")]
    widths = [6, 14, 42, 28, 18]
    for criterion in criteria:
        if criterion.is_weighted:
            labels.append(
                _("%(criterion)s (max. %(maximum)s)")
                % {"criterion": criterion.name, "maximum": services.format_number(criterion.max_score)}
            )
        else:
            labels.append(_("%(criterion)s (met / not met)") % {"criterion": criterion.name})
        widths.append(15)
    labels += [
        _("Total points"),
        _("Share of the maximum"),
        pgettext("evaluation", "Result"),
        _("Proposed commendation form"),
        _("Proposed level"),
        pgettext("evaluation", "Reviewers"),
        _("Note"),
    ]
    widths += [11, 11, 12, 22, 15, 10, 28]
    _title(sheet, title=_("MODELS NOMINATED FOR COMMENDATION"), subtitle=subtitle, width=len(labels))
    _header(sheet, LIST_HEADER_ROW, labels)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width

    for number, item in enumerate(rows, start=1):
        row = LIST_HEADER_ROW + number
        evaluation, summary = item.evaluation, item.summary
        practice_model = evaluation.practice_model
        values = [
            (number, COUNT_FORMAT),
            (_text(practice_model.external_id), None),
            (_text(practice_model.title), None),
            (_text(practice_model.unit.name), None),
            (_text(practice_model.field.name if practice_model.field else ""), None),
        ]
        for criterion in criteria:
            outcome = summary.outcome_for(criterion)
            if outcome is None:
                values.append((None, None))
            elif criterion.is_weighted:
                values.append((outcome.average, POINTS_FORMAT))
            else:
                values.append((_("met") if outcome.met else _("not met"), None))
        values += [
            (summary.total, POINTS_FORMAT),
            (summary.percent / 100 if summary.percent is not None else None, PERCENT_FORMAT),
            (evaluation.get_result_display(), None),
            (evaluation.get_proposed_form_display(), None),
            (evaluation.get_proposed_level_display(), None),
            (summary.reviewer_count, COUNT_FORMAT),
            (_text(evaluation.nomination_note), None),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            _put(sheet, row, column, value, number_format=number_format)
    if not rows:
        _put(sheet, LIST_HEADER_ROW + 1, 1, _("No model of this unit is nominated in this cycle."))
        sheet.merge_cells(
            start_row=LIST_HEADER_ROW + 1, start_column=1, end_row=LIST_HEADER_ROW + 1, end_column=len(labels)
        )
    sheet.freeze_panes = f"D{LIST_HEADER_ROW + 1}"  # the header and the number, code and title stay in view
    _print_setup(sheet, title_rows=f"{LIST_HEADER_ROW}:{LIST_HEADER_ROW}")


def _unit_groups(unit: Unit, evaluations: list[Evaluation]) -> list[Tally]:
    """One group per unit directly below `unit` (each counting its subtree), and `unit` itself for its own models."""
    children = list(unit.get_children())
    prefix_length = len(unit.path) + Unit.steplen
    tallies = {child.path: Tally(child.name) for child in children}
    own = Tally(unit.name)
    for evaluation in evaluations:
        path = evaluation.practice_model.unit.path
        tally = tallies.get(path[:prefix_length]) if len(path) > len(unit.path) else None
        (tally or own).add(evaluation)
    groups = [own] if own.nominated else []
    return groups + [tally for tally in tallies.values() if tally.nominated]


def _field_groups(evaluations: list[Evaluation]) -> list[Tally]:
    tallies: dict[tuple, Tally] = {}
    for evaluation in evaluations:
        field_ = evaluation.practice_model.field
        key = (field_.sort_order, field_.name) if field_ else (10**6, "")
        tallies.setdefault(key, Tally(field_.name if field_ else _("No field"))).add(evaluation)
    return [tallies[key] for key in sorted(tallies)]


def _level_groups(evaluations: list[Evaluation]) -> list[Tally]:
    tallies = {level.value: Tally(str(level.label)) for level in RecognitionLevel}
    for evaluation in evaluations:
        tallies[evaluation.proposed_level].add(evaluation)
    return [tally for tally in tallies.values() if tally.nominated]


def _write_summary(
    sheet: Worksheet,
    *,
    user: AbstractBaseUser,
    cycle: Cycle,
    unit: Unit,
    evaluations: list[Evaluation],
    subtitle: str,
    on: datetime.date | None,
) -> None:
    sheet.title = pgettext("report", "Summary")[:31]
    results = [EvaluationResult.EXCELLENT, EvaluationResult.GOOD, EvaluationResult.PASSED]
    forms = list(CommendationForm)
    labels = [
        "",
        _("Models nominated"),
        *[str(result.label) for result in results],
        *[str(form.label) for form in forms],
        _("Average share of the maximum"),
    ]
    width = len(labels)
    _title(sheet, title=_("SUMMARY OF THE MODELS NOMINATED FOR COMMENDATION"), subtitle=subtitle, width=width)
    sheet.column_dimensions["A"].width = 34
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13

    in_subtree = selectors.scorable_evaluations(user=user, cycle=cycle).filter(
        practice_model__unit__path__startswith=unit.path
    )
    registered = Registration.objects.filter(
        cycle=cycle, practice_model_id__in=in_subtree.values("practice_model_id")
    ).count()
    overview = [
        (_("Models registered"), registered),
        (_("Models evaluated"), in_subtree.exclude(result="").count()),
        (_("Models nominated"), len(evaluations)),
        (_("Report date"), date_format(on or selectors.today(), "d/m/Y")),
    ]
    row = 4
    for label, value in overview:
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value, number_format=COUNT_FORMAT if isinstance(value, int) else None)
        row += 1

    sections = [
        (_("By unit"), _("Unit"), _unit_groups(unit, evaluations)),
        (_("By field"), pgettext("taxonomy", "Field"), _field_groups(evaluations)),
        (_("By proposed level"), _("Proposed level"), _level_groups(evaluations)),
    ]
    header_rows = []
    for heading, first_label, groups in sections:
        row += 1
        sheet.cell(row=row, column=1, value=heading).font = Font(bold=True, size=12)
        row += 1
        _header(sheet, row, [first_label, *labels[1:]])
        header_rows.append(row)
        total = Tally(_("Total"))
        for group in groups:
            row += 1
            _summary_row(sheet, row, group, results, forms)
            for evaluation_count_key, count in group.by_result.items():
                total.by_result[evaluation_count_key] += count
            for form_key, count in group.by_form.items():
                total.by_form[form_key] += count
            total.nominated += group.nominated
            total.percents += group.percents
        row += 1
        _summary_row(sheet, row, total, results, forms, fill=TOTAL_FILL, bold=True)
        row += 1
    _print_setup(sheet, title_rows="1:2")


def _summary_row(sheet, row, tally: Tally, results, forms, *, fill=None, bold=False) -> None:
    values = [
        (tally.label, None),
        (tally.nominated, COUNT_FORMAT),
        *[(tally.by_result.get(result.value, 0), COUNT_FORMAT) for result in results],
        *[(tally.by_form.get(form.value, 0), COUNT_FORMAT) for form in forms],
        (tally.average_percent / 100 if tally.average_percent is not None else None, PERCENT_FORMAT),
    ]
    for column, (value, number_format) in enumerate(values, start=1):
        _put(sheet, row, column, value, number_format=number_format, fill=fill, bold=bold)
