"""The commendation meeting's spreadsheet, read back with openpyxl."""

import datetime
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied

import openpyxl
import pytest

from emulation import reports, services
from emulation.factories import year_cycle
from emulation.models import Evaluation
from models_registry.factories import PracticeModelFactory

from .conftest import marks

D = datetime.date


@pytest.fixture
def meeting(dvk, unit_tree, users, reviewers, dvk_criteria, fields):
    """The 2025 cycle of Cầu Giấy: three models nominated, one evaluated but not nominated, one of Đống Đa."""
    cycle = year_cycle(year=2025, movement=dvk)

    def evaluate(title, unit, points, *, field=None, nominate=None, met=True, second_points=None):
        model = PracticeModelFactory(title=title, unit=unit, movement=dvk, field=field, external_id=f"M-{title[:6]}")
        services.register_practice_model(cycle=cycle, practice_model=model, user=users.admin, today=D(2025, 2, 1))
        evaluation = Evaluation.objects.get(cycle=cycle, practice_model=model)
        reviewer = reviewers.first if unit.path.startswith(unit_tree.cau_giay.path) else reviewers.dong_da
        services.score_evaluation(evaluation=evaluation, reviewer=reviewer, scores=marks(dvk_criteria, points, met),
                                  today=D(2025, 11, 1))  # fmt: skip
        if second_points is not None:
            services.score_evaluation(evaluation=evaluation, reviewer=reviewers.second,
                                      scores=marks(dvk_criteria, second_points), today=D(2025, 11, 2))  # fmt: skip
        if nominate:
            services.nominate(evaluation=evaluation, user=users.admin, form=nominate[0], level=nominate[1],
                              note=nominate[2] if len(nominate) > 2 else "")  # fmt: skip
        return evaluation

    evaluate("Ngõ phố xanh - sạch - đẹp", unit_tree.dich_vong, [25, 24, 23, 22], field=fields["van-hoa-xa-hoi"],
             nominate=("bang-khen", "thanh-pho", "Tiêu biểu của quận"), second_points=[23, 22, 21, 20])  # fmt: skip
    evaluate("Phụ nữ giúp nhau làm kinh tế", unit_tree.women, 20, field=fields["kinh-te"],
             nominate=("giay-khen", "quan-huyen"))  # fmt: skip
    evaluate('=HYPERLINK("http://example.com")', unit_tree.dich_vong, 15, nominate=("giay-khen", "quan-huyen"))
    evaluate("Tổ hòa giải giỏi", unit_tree.dich_vong, 18)  # good, not nominated
    evaluate("Chợ văn minh Ô Chợ Dừa", unit_tree.o_cho_dua, 25, nominate=("bang-khen", "thanh-pho"))
    return cycle


def read(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def rows(sheet, first_row=1):
    return [list(row) for row in sheet.iter_rows(min_row=first_row, values_only=True)]


def test_the_list_sheet_has_the_nominated_models_with_their_scores(meeting, unit_tree, users, dvk_criteria):
    workbook = read(reports.build_nomination_report(user=users.admin, cycle=meeting, unit=unit_tree.cau_giay,
                                                    on=D(2025, 12, 20)))  # fmt: skip
    assert workbook.sheetnames == ["Danh sách đề nghị", "Tổng hợp"]
    sheet = workbook["Danh sách đề nghị"]
    assert sheet["A1"].value == "DANH SÁCH MÔ HÌNH ĐỀ NGHỊ KHEN THƯỞNG"
    assert sheet["A2"].value == "Phong trào: Dân vận khéo – đợt: Năm 2025 – đơn vị: Quận Cầu Giấy"
    header = rows(sheet, reports.LIST_HEADER_ROW)[0]
    assert header == [
        "STT", "Mã mô hình", "Mô hình", "Đơn vị", "Lĩnh vực",
        "Có cách làm mới, sáng tạo (tối đa 25)", "Phát huy được sức dân (tối đa 25)",
        "Mang lại hiệu quả thiết thực (tối đa 25)", "Có khả năng nhân rộng (tối đa 25)",
        "Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước (đạt / không đạt)",
        "Tổng điểm", "Tỷ lệ so với điểm tối đa", "Xếp loại", "Hình thức khen thưởng đề nghị",
        "Cấp khen thưởng đề nghị", "Số người chấm", "Ghi chú",
    ]  # fmt: skip
    body = rows(sheet, reports.LIST_HEADER_ROW + 1)
    # Ordered by unit (Dịch Vọng before the women's union), then by score: Đống Đa's model is left out,
    # and so is the model evaluated but not nominated.
    assert [row[2] for row in body] == [
        "Ngõ phố xanh - sạch - đẹp",
        '=HYPERLINK("http://example.com")',
        "Phụ nữ giúp nhau làm kinh tế",
    ]
    first = body[0]
    assert (
        first[0] == 1 and first[1] == "M-Ngõ ph" and first[3] == "Phường Dịch Vọng" and first[4] == "Văn hóa - xã hội"
    )
    # Two reviewers: 25/23, 24/22, 23/21, 22/20 averaged.
    assert first[5:10] == [24, 23, 22, 21, "đạt"]
    assert first[10] == 90  # the weighted total out of 100
    assert first[11] == pytest.approx(0.9)
    assert first[12:17] == ["Xuất sắc", "Bằng khen", "Thành phố, tỉnh", 2, "Tiêu biểu của quận"]
    assert body[1][10:15] == [60, pytest.approx(0.6), "Đạt", "Giấy khen", "Quận, huyện"]
    assert body[2][10:15] == [80, pytest.approx(0.8), "Tốt", "Giấy khen", "Quận, huyện"]

    row = reports.LIST_HEADER_ROW + 1
    assert sheet.cell(row=row, column=6).number_format == reports.POINTS_FORMAT
    assert sheet.cell(row=row, column=11).number_format == reports.POINTS_FORMAT
    assert sheet.cell(row=row, column=12).number_format == "0.00%"
    assert sheet.cell(row=row, column=1).number_format == "#,##0"
    # A title that looks like a formula stays text.
    formula_like = sheet.cell(row=row + 1, column=3)
    assert formula_like.data_type == "s" and formula_like.quotePrefix


def test_the_list_sheet_prints_as_it_comes(meeting, unit_tree, users):
    sheet = read(reports.build_nomination_report(user=users.admin, cycle=meeting, unit=unit_tree.cau_giay))[
        "Danh sách đề nghị"
    ]
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4  # "9": A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.freeze_panes == "D5"
    assert sheet.column_dimensions["C"].width == 42
    assert sheet.column_dimensions["A"].width == 6
    assert all(sheet.column_dimensions[letter].width >= 10 for letter in "BDEFGHIJKLMNOPQ")
    assert sheet["C4"].alignment.wrap_text and sheet["C4"].font.bold
    assert sheet.oddFooter.center.text == "Trang &P / &N"


def test_the_summary_counts_by_unit_field_and_level(meeting, unit_tree, users):
    sheet = read(reports.build_nomination_report(user=users.admin, cycle=meeting, unit=unit_tree.cau_giay,
                                                 on=D(2025, 12, 20)))["Tổng hợp"]  # fmt: skip
    values = rows(sheet)
    assert values[0][0] == "TỔNG HỢP MÔ HÌNH ĐỀ NGHỊ KHEN THƯỞNG"
    overview = {row[0]: row[1] for row in values[3:7]}
    assert overview == {
        "Số mô hình đăng ký": 4,
        "Số mô hình đã chấm": 4,
        "Số mô hình đề nghị": 3,
        "Ngày lập báo cáo": "20/12/2025",
    }
    by_label = {row[0]: row for row in values if row and row[0]}
    header = next(row for row in values if row[0] == "Đơn vị")
    assert header[1:] == [
        "Số mô hình đề nghị", "Xuất sắc", "Tốt", "Đạt", "Giấy khen", "Bằng khen", "Cờ thi đua", "Danh hiệu thi đua",
        "Huân chương", "Tỷ lệ điểm bình quân",
    ]  # fmt: skip
    # By unit: the units directly below Cầu Giấy, each counting its subtree.
    # Dịch Vọng: two nominated (one excellent, one passed), one bằng khen and one giấy khen, 75 % on average.
    assert by_label["Phường Dịch Vọng"][1:] == [2, 1, 0, 1, 1, 1, 0, 0, 0, pytest.approx(0.75)]
    assert by_label["Hội Liên hiệp Phụ nữ quận Cầu Giấy"][1] == 1
    # By field, and the models without one.
    assert by_label["Văn hóa - xã hội"][1] == 1
    assert by_label["Kinh tế"][1] == 1
    assert by_label["Chưa phân lĩnh vực"][1] == 1
    # By proposed level.
    assert by_label["Quận, huyện"][1] == 2
    assert by_label["Thành phố, tỉnh"][1] == 1
    totals = [row for row in values if row[0] == "Tổng cộng"]
    assert len(totals) == 3
    assert all(row[1:] == [3, 1, 1, 1, 2, 1, 0, 0, 0, pytest.approx(0.7667, abs=1e-4)] for row in totals)
    assert sheet.page_setup.orientation == "landscape"


def test_a_reviewer_reports_on_the_units_they_review_only(meeting, unit_tree, reviewers):
    content = reports.build_nomination_report(user=reviewers.first, cycle=meeting, unit=unit_tree.cau_giay)
    assert len(rows(read(content)["Danh sách đề nghị"], reports.LIST_HEADER_ROW + 1)) == 3
    with pytest.raises(PermissionDenied):
        reports.build_nomination_report(user=reviewers.dong_da, cycle=meeting, unit=unit_tree.cau_giay)
    with pytest.raises(PermissionDenied):  # the city is above the district reviewer
        reports.build_nomination_report(user=reviewers.first, cycle=meeting, unit=unit_tree.city)
    city = read(reports.build_nomination_report(user=reviewers.city, cycle=meeting, unit=unit_tree.city))
    assert len(rows(city["Danh sách đề nghị"], reports.LIST_HEADER_ROW + 1)) == 4


def test_a_unit_with_nothing_nominated_gets_an_empty_but_valid_report(meeting, unit_tree, users):
    workbook = read(reports.build_nomination_report(user=users.admin, cycle=meeting, unit=unit_tree.cell))
    body = rows(workbook["Danh sách đề nghị"], reports.LIST_HEADER_ROW + 1)
    assert body[0][0] == "Đơn vị chưa có mô hình nào được đề nghị khen thưởng trong đợt này."
    assert rows(workbook["Tổng hợp"])[5][1] == 0


def test_the_report_file_name(meeting, unit_tree):
    assert (
        reports.report_filename(cycle=meeting, unit=unit_tree.cau_giay)
        == "de-nghi-khen-thuong-dan-van-kheo-2025-HN-CG.xlsx"
    )


def test_points_keep_two_decimals(meeting, unit_tree, users):
    sheet = read(reports.build_nomination_report(user=users.admin, cycle=meeting, unit=unit_tree.cau_giay))[
        "Danh sách đề nghị"
    ]
    value = sheet.cell(row=reports.LIST_HEADER_ROW + 1, column=6).value
    assert Decimal(str(value)) == Decimal("24")
