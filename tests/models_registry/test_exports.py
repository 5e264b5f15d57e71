"""The export core: columns, plain-text stories, formula neutralisation, CSV and XLSX read back, round trip."""

import csv
import io

from django.utils import translation

import openpyxl
import pytest

from models_registry import exports
from models_registry.factories import PracticeModelFactory
from models_registry.formulas import neutralise, restore
from models_registry.models import PracticeModel
from models_registry.services.imports import MODEL_COLUMNS, import_models

KEYS = [column.key for column in MODEL_COLUMNS] + ["url"]
DANGEROUS = ["=1+1", "+84 912", "-5 hộ", "@SUM(A1)", "\tTab", "\rCR"]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_csv(queryset, **kwargs) -> bytes:
    return b"".join(exports.csv_chunks(exports.iter_rows(queryset), **kwargs))


def export_xlsx(queryset, **kwargs) -> bytes:
    return b"".join(exports.xlsx_chunks(exports.iter_rows(queryset), **kwargs))


@pytest.fixture
def imported(tmp_path, unit_tree, dvk, fields):
    """Three models made by an import (paragraph-only stories), published; one with dangerous text."""
    rows = [
        KEYS[:-1],
        ["M-001", "Dân vận khéo trong giải phóng mặt bằng", "HN-CG", "dan-van-kheo", "kinh-te", "2023",
         "Tóm tắt có dấu \"ngoặc\" & <thẻ>", "Đoạn một.\nDòng hai.\n\nĐoạn hai với 50% & <b>", "Kết quả tốt", "thanh-pho"],
        ["M-002", "=HYPERLINK(\"http://x\")", "HN-DD", "chi-bo-bon-tot", "", "2024",
         "-5 hộ nghèo", "+ tăng thu nhập\n\n@ mọi người", "''=đã có nháy", ""],
        ["M-003", "Mô hình 'nháy đơn'", "HN-CG-DV", "Dân vận khéo", "Văn hóa - xã hội", "2022", "", "", "", "co-so"],
    ]  # fmt: skip
    path = tmp_path / "models.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = import_models(source=path, publish=True)
    assert result.ok, result.errors
    assert result.created == 3
    return PracticeModel.objects.order_by("external_id")


def test_columns_are_the_import_columns_plus_url():
    assert exports.header_row("keys") == KEYS
    assert exports.header_row() == [column.label for column in MODEL_COLUMNS] + ["Đường dẫn"]
    assert exports.header_row()[0] == "Mã mô hình"


@pytest.mark.parametrize("value", DANGEROUS)
def test_every_dangerous_prefix_is_neutralised_and_restored(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["Bình thường", "'chỉ nháy", "", "a=b", "''=x", "'@x"])
def test_neutralisation_is_reversible_for_harmless_and_quoted_text(value):
    assert restore(neutralise(value)) == value
    assert not neutralise(value).lstrip("'").startswith(("=", "+", "-", "@")) or neutralise(value).startswith("'")


def test_numbers_stay_numbers():
    assert neutralise(-5) == -5
    assert neutralise(2023) == 2023


def test_story_text_from_rich_text_blocks():
    raw = [
        {
            "type": "paragraph",
            "value": "<h3>Bối cảnh</h3><p>Một &amp; hai<br/>dòng ba</p><ul><li>ý 1</li><li>ý <b>2</b></li></ul>",
        },
        {"type": "image", "value": {"image": 1, "caption": "ảnh"}},
        {"type": "quote", "value": {"text": "Dân biết, dân bàn", "attribution": "Bác Hồ"}},
        {"type": "paragraph", "value": '<p><a href="https://x">liên kết</a></p>'},
    ]
    assert (
        exports.story_text(raw)
        == "Bối cảnh\n\nMột & hai\ndòng ba\n\ný 1\n\ný 2\n\nDân biết, dân bàn\n\n— Bác Hồ\n\nliên kết"
    )


def test_csv_has_bom_vietnamese_and_neutralised_cells(imported):
    data = export_csv(imported)
    assert data.startswith(b"\xef\xbb\xbf")
    header, first, second, third = csv_rows(data)
    assert header == exports.header_row()
    assert first[:6] == ["M-001", "Dân vận khéo trong giải phóng mặt bằng", "HN-CG", "dan-van-kheo", "kinh-te", "2023"]
    assert first[7] == "Đoạn một.\nDòng hai.\n\nĐoạn hai với 50% & <b>"
    assert first[10].startswith("http://") and first[10].endswith(
        "/dan-van-kheo/dan-van-kheo-trong-giai-phong-mat-bang/"
    )
    assert second[1] == '\'=HYPERLINK("http://x")'
    assert second[6] == "'-5 hộ nghèo"
    assert second[7] == "'+ tăng thu nhập\n\n@ mọi người"
    assert second[8] == "''=đã có nháy"
    assert third[1] == "Mô hình 'nháy đơn'"
    for row in (first, second, third):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_with_keys_header(imported):
    header, *_rows = csv_rows(export_csv(imported, header=exports.header_row("keys")))
    assert header == KEYS


def test_xlsx_reads_back_with_bold_frozen_header_and_numbers(imported):
    data = export_xlsx(imported)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == exports.header_row()
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["H"].width == 80
    assert rows[1][5] == 2023 and isinstance(rows[1][5], int)
    assert rows[1][1] == "Dân vận khéo trong giải phóng mặt bằng"
    assert rows[2][1] == '\'=HYPERLINK("http://x")'
    assert rows[2][6] == "'-5 hộ nghèo"
    # No cell is stored as a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("style", ["labels", "keys"])
def test_round_trip_export_import_changes_nothing(imported, tmp_path, kind, style):
    before = {m.external_id: (m.title, m.summary, m.results, m.story.raw_data, m.latest_revision_id) for m in imported}
    header = exports.header_row(style)
    data = export_csv(imported, header=header) if kind == "csv" else export_xlsx(imported, header=header)
    path = tmp_path / f"export.{kind}"
    path.write_bytes(data)
    with translation.override("en"):
        result = import_models(source=path, publish=True)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    after = {m.external_id: (m.title, m.summary, m.results, m.story.raw_data, m.latest_revision_id) for m in imported}
    assert after == before
    assert PracticeModel.objects.get(external_id="M-002").title == '=HYPERLINK("http://x")'


def test_rows_follow_the_querysets_order_and_filters(unit_tree):
    older = PracticeModelFactory(unit=unit_tree.cau_giay, year=2020, external_id="A")
    newer = PracticeModelFactory(unit=unit_tree.dong_da, year=2024, external_id="B")
    PracticeModelFactory(unit=unit_tree.dong_da, year=2024, external_id="C", live=False)
    rows = list(exports.iter_rows(PracticeModel.objects.published().order_by("-year")))
    assert [row[0] for row in rows] == [newer.external_id, older.external_id]
    rows = list(exports.iter_rows(PracticeModel.objects.published().under(unit_tree.cau_giay)))
    assert [row[0] for row in rows] == ["A"]


def test_rows_are_read_in_a_fixed_number_of_queries(unit_tree, django_assert_max_num_queries):
    for index in range(30):
        PracticeModelFactory(unit=unit_tree.cau_giay, external_id=f"Q{index}")
    with django_assert_max_num_queries(4):
        rows = list(exports.iter_rows(PracticeModel.objects.all(), chunk_size=100))
    assert len(rows) == 30
