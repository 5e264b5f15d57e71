"""The import_units / import_models contract: CSV and XLSX, header matching, idempotence, refusals."""

import csv
import unicodedata
from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import translation

from wagtail.models import Revision

import openpyxl
import pytest

from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel, Unit, UnitKind, last_allowed_year
from models_registry.services.imports import import_models, import_units

MODEL_HEADER = [
    "external_id",
    "title",
    "unit_code",
    "movement",
    "field",
    "year",
    "summary",
    "content",
    "results",
    "recognition_level",
]
VI_MODEL_HEADER = [
    "Mã mô hình",
    "Tên mô hình",
    "Mã đơn vị",
    "Phong trào",
    "Lĩnh vực",
    "Năm",
    "Tóm tắt",
    "Nội dung",
    "Kết quả",
    "Cấp công nhận",
]


@pytest.fixture(autouse=True)
def english():
    """Service messages are compared in English; the command tests switch to Vietnamese themselves."""
    with translation.override("en"):
        yield


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def model_row(external_id="M001", **overrides):
    values = {
        "external_id": external_id,
        "title": "Tổ dân phố văn minh",
        "unit_code": "HN-CG-DV",
        "movement": "dan-van-kheo",
        "field": "kinh-te",
        "year": "2023",
        "summary": "Huy động Nhân dân giữ gìn vệ sinh.",
        "content": "Đoạn một <có thẻ> & ký hiệu.\n\nĐoạn hai.",
        "results": "Khu phố sạch đẹp.",
        "recognition_level": "thanh-pho",
    }
    values.update(overrides)
    return [values[key] for key in MODEL_HEADER]


def run(command, path, *args):
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def messages(result):
    return [(error.row, error.column, error.message) for error in result.errors]


# --- units -------------------------------------------------------------------------------------


def test_units_csv_with_vietnamese_headers_builds_the_tree_in_any_order(db, tmp_path):
    path = write_csv(
        tmp_path / "don_vi.csv",
        [
            ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại"],
            ["HP-LC-AD", "Phường An Dương", "HP-LC", "commune"],
            ["HP", "Thành phố Hải Phòng", "", "Thành phố"],
            ["HP-LC", "Quận Lê Chân", "HP", "quan"],
        ],
    )
    result = import_units(source=path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    ward = Unit.objects.get(code="HP-LC-AD")
    assert ward.get_parent().code == "HP-LC"
    assert ward.get_parent().get_parent().code == "HP"
    assert Unit.objects.get(code="HP").kind == UnitKind.CITY
    assert Unit.objects.get(code="HP-LC").kind == UnitKind.DISTRICT


def test_units_xlsx_with_unaccented_upper_case_headers_and_translated_kinds(db, tmp_path):
    with translation.override("vi"):
        city_label = str(UnitKind.CITY.label)
        cell_label = str(UnitKind.PARTY_CELL.label)
    path = write_xlsx(
        tmp_path / "don_vi.xlsx",
        [
            ["MA DON VI", "TEN DON VI", "MA DON VI CAP TREN", "LOAI", "Ghi chú"],
            ["DN", "Thành phố Đà Nẵng", None, city_label, "x"],
            [None, None, None, None, None],
            ["DN-CB1", unicodedata.normalize("NFD", "Chi bộ số 1"), "DN", cell_label, None],
        ],
    )
    result = import_units(source=path)
    assert result.ok, result.errors
    assert result.created == 2
    assert result.warnings == ["Column “Ghi chú” is not part of the import and was ignored."]
    cell = Unit.objects.get(code="DN-CB1")
    assert cell.name == "Chi bộ số 1"  # NFD pasted from Word is stored as NFC
    assert cell.kind == UnitKind.PARTY_CELL
    assert cell.get_parent().code == "DN"


def test_units_reimport_updates_moves_and_never_duplicates(unit_tree, tmp_path):
    rows = [
        ["code", "Name", "parent_code", "kind"],
        ["HN-CG-PN", "Hội LHPN quận Cầu Giấy", "HN-CG", "organisation"],
        ["HN-DD-OCD", "Phường Ô Chợ Dừa", "HN-DD", "commune"],
    ]
    result = import_units(source=write_csv(tmp_path / "a.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Unit.objects.get(code="HN-CG-PN").name == "Hội LHPN quận Cầu Giấy"

    # Ô Chợ Dừa moves to Cầu Giấy, and Cầu Giấy moves under a new root defined later in the file.
    rows = [
        ["code", "name", "parent_code", "kind"],
        ["HN-DD-OCD", "Phường Ô Chợ Dừa", "HN-CG", "commune"],
        ["HN-CG", "Quận Cầu Giấy", "VN", "district"],
        ["VN", "Trung ương", "", "organisation"],
    ]
    result = import_units(source=write_csv(tmp_path / "b.csv", rows))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    assert Unit.objects.get(code="HN-DD-OCD").get_parent().code == "HN-CG"
    assert Unit.objects.get(code="HN-CG").get_parent().code == "VN"
    assert Unit.objects.get(code="HN-CG-DV-CB1").get_ancestors().first().code == "VN"
    assert Unit.objects.filter(code="HN-CG").count() == 1
    assert Unit.find_problems() == ([], [], [], [], [])

    again = import_units(source=tmp_path / "b.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_unit_renamed_by_import_is_found_under_its_new_name(client, unit_tree, dvk, tmp_path):
    PracticeModelFactory(unit=unit_tree.women, movement=dvk, title="Phụ nữ giữ phố sạch")
    rows = [["code", "name", "parent_code", "kind"], ["HN-CG-PN", "Hội Phụ nữ Cầu Giấy mới", "HN-CG", "organisation"]]
    assert import_units(source=write_csv(tmp_path / "a.csv", rows)).updated == 1
    # The new name is in the search index: only it has the word "mới".
    answer = client.get("/api/v1/models/", {"q": "moi"}).json()
    assert [item["unit"]["name"] for item in answer["results"]] == ["Hội Phụ nữ Cầu Giấy mới"]


def test_units_bad_rows_are_all_reported_and_nothing_changes(unit_tree, tmp_path):
    before = list(Unit.objects.values_list("code", "name", "path"))
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["code", "name", "parent_code", "kind"],
            ["NEW-1", "Đơn vị mới", "", "city"],  # a good row: must not be created either
            ["A", "Đơn vị A", "B", "commune"],
            ["B", "Đơn vị B", "A", "commune"],
            ["C", "Đơn vị C", "KHONG-CO", "commune"],
            ["D", "Đơn vị D", "", "ban chỉ đạo"],
            ["A", "Đơn vị A lần hai", "", "commune"],
            ["Mã có dấu", "", "", "commune"],
            ["HN-CG", "Quận Cầu Giấy", "HN-CG-DV", "district"],
            ["E", "Đơn vị E", "D", "commune"],  # its parent is on a bad row, which is the error to fix
        ],
    )
    result = import_units(source=path)
    found = messages(result)
    assert (7, "code", "The unit code “A” appears twice in this file: on row 3 and on row 7.") in found
    assert (
        5,
        "parent_code",
        "The parent unit “KHONG-CO” is neither in this file nor in the registry: add a row for it or correct the code.",
    ) in found
    assert (
        6,
        "kind",
        "The unit kind “ban chỉ đạo” is not known. Use one of: city, district, commune, party_committee, party_cell, organisation.",
    ) in found
    assert any(row == 8 and column == "code" and "is not valid" in message for row, column, message in found)
    assert (8, "name", "This cell is empty; a value is required.") in found
    assert not [row for row, _c, _m in found if row == 10]
    cycles = {row: message for row, column, message in found if "cycle" in message}
    assert set(cycles) == {3, 4, 9}
    assert "A → B → A" in cycles[3] or "B → A → B" in cycles[3]
    assert "HN-CG → HN-CG-DV → HN-CG" in cycles[9] or "HN-CG-DV → HN-CG → HN-CG-DV" in cycles[9]
    assert [row for row, _c, _m in found] == sorted(row for row, _c, _m in found)
    assert list(Unit.objects.values_list("code", "name", "path")) == before


# --- models ------------------------------------------------------------------------------------


def test_models_csv_creates_drafts_with_a_revision_and_reimport_is_unchanged(unit_tree, dvk, fields, tmp_path):
    path = write_csv(tmp_path / "mo_hinh.csv", [MODEL_HEADER, model_row("M001"), model_row("M002", title="Khác")])
    _out, err = run("import_models", path)
    assert err == ""
    model = PracticeModel.objects.get(external_id="M001")
    assert not model.live
    assert model.latest_revision is not None
    assert model.revisions.count() == 1
    assert model.unit == unit_tree.dich_vong
    assert model.movement.specific == dvk
    assert model.field == fields["kinh-te"]
    assert model.recognition_level == "thanh-pho"
    assert model.slug == "to-dan-pho-van-minh"
    assert model.search_text == "to dan pho van minh m001 phuong dich vong"
    assert [block.block_type for block in model.story] == ["paragraph", "paragraph"]
    assert model.story[0].value.source == "<p>Đoạn một &lt;có thẻ&gt; &amp; ký hiệu.</p>"
    assert model.story[1].value.source == "<p>Đoạn hai.</p>"

    revisions = Revision.objects.count()
    result = import_models(source=path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Revision.objects.count() == revisions
    assert PracticeModel.objects.count() == 2


def test_imported_models_keep_their_units_name_at_submission(unit_tree, dvk, fields, tmp_path):
    """The bulk writer skips save(): it must still remember the unit's name, and take the new unit's
    name when a re-import files the model elsewhere, but not when the unit is merely renamed later."""
    path = write_csv(tmp_path / "mo_hinh.csv", [MODEL_HEADER, model_row("M001")])
    import_models(source=path)
    model = PracticeModel.objects.get(external_id="M001")
    assert model.submitted_unit_name == "Phường Dịch Vọng"
    assert model.latest_revision.content["submitted_unit_name"] == "Phường Dịch Vọng"

    Unit.objects.filter(pk=unit_tree.dich_vong.pk).update(name="Phường Dịch Vọng (tên mới)")
    import_models(source=write_csv(tmp_path / "sua.csv", [MODEL_HEADER, model_row("M001", title="Tên khác")]))
    model.refresh_from_db()
    assert model.title == "Tên khác"
    assert model.submitted_unit_name == "Phường Dịch Vọng"

    import_models(source=write_csv(tmp_path / "chuyen.csv", [MODEL_HEADER, model_row("M001", unit_code="HN-DD-OCD")]))
    model.refresh_from_db()
    assert model.unit == unit_tree.o_cho_dua
    assert model.submitted_unit_name == "Phường Ô Chợ Dừa"


def test_models_xlsx_with_vietnamese_headers_names_and_float_years(unit_tree, cb4t, fields, tmp_path):
    header = [unicodedata.normalize("NFD", name).upper() for name in VI_MODEL_HEADER]
    header[1] = "ten mo hinh"
    path = write_xlsx(
        tmp_path / "mo_hinh.xlsx",
        [
            header,
            [
                "CB-01",
                "  Chi bộ  bốn tốt   số 1 ",
                "hn-cg-dv-cb1",
                "Chi bộ bốn tốt",
                "Xây dựng hệ thống chính trị",
                2024.0,
                "Tóm tắt",
                "Nội dung",
                "Kết quả",
                "Quận/huyện",
            ],
            [None] * 10,
            ["CB-02", "Chi bộ số 2", "HN-CG-DV-CB1", "chi bo bon tot", None, 2023, None, None, None, "Cơ sở"],
            ["CB-03", "Chi bộ số 3", "HN-CG-DV-CB1", "CB4T", "van hoa xa hoi", "2022", None, None, None, "trung uong"],
            ["CB-04", "Chi bộ số 4", "HN-CG-DV-CB1", "cb4t", "", 2021, None, None, None, "Thành phố"],
        ],
    )
    result = import_models(source=path)
    assert result.ok, result.errors
    assert result.created == 4
    first = PracticeModel.objects.get(external_id="CB-01")
    assert first.title == "Chi bộ bốn tốt số 1"
    assert first.year == 2024
    assert first.unit == unit_tree.cell
    assert first.field == fields["xay-dung-he-thong-chinh-tri"]
    assert first.recognition_level == "quan-huyen"
    levels = dict(PracticeModel.objects.values_list("external_id", "recognition_level"))
    assert levels == {"CB-01": "quan-huyen", "CB-02": "co-so", "CB-03": "trung-uong", "CB-04": "thanh-pho"}
    assert PracticeModel.objects.get(external_id="CB-03").field == fields["van-hoa-xa-hoi"]
    assert PracticeModel.objects.get(external_id="CB-02").field is None
    assert set(PracticeModel.objects.values_list("movement__slug", flat=True)) == {"chi-bo-bon-tot"}


def test_models_publish_makes_them_live_and_served(client, unit_tree, dvk, tmp_path):
    path = write_csv(tmp_path / "m.csv", [MODEL_HEADER, model_row("M001")])
    _out, _err = run("import_models", path, "--publish")
    model = PracticeModel.objects.get(external_id="M001")
    assert model.live and not model.has_unpublished_changes
    assert model.live_revision_id == model.latest_revision_id is not None
    assert model.first_published_at is not None
    response = client.get(model.url)
    assert response.status_code == 200
    assert "Tổ dân phố văn minh" in response.content.decode()

    # Publishing the same file again changes nothing and writes no revision.
    revisions = model.revisions.count()
    result = import_models(source=path, publish=True)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert model.revisions.count() == revisions


def test_models_update_of_a_live_model_is_a_draft_until_published(client, unit_tree, dvk, tmp_path):
    live = PracticeModelFactory(external_id="M001", title="Tên cũ", unit=unit_tree.dich_vong, movement=dvk)
    revisions = live.revisions.count()
    path = write_csv(tmp_path / "m.csv", [MODEL_HEADER, model_row("M001", title="Tên mới")])
    result = import_models(source=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    live.refresh_from_db()
    assert live.title == "Tên cũ"  # the public still sees the live version
    assert live.has_unpublished_changes
    assert live.revisions.count() == revisions + 1
    assert live.get_latest_revision_as_object().title == "Tên mới"
    assert client.get(live.url).status_code == 200

    # Re-importing the same draft is unchanged: the comparison is with the latest revision.
    assert import_models(source=path).unchanged == 1
    assert live.revisions.count() == revisions + 1

    published = import_models(source=path, publish=True)
    assert published.updated == 1
    live.refresh_from_db()
    assert live.title == "Tên mới"
    assert not live.has_unpublished_changes
    assert PracticeModel.objects.count() == 1


def test_models_dry_run_writes_nothing(unit_tree, dvk, tmp_path):
    path = write_csv(tmp_path / "m.csv", [MODEL_HEADER, model_row("M001"), model_row("M002")])
    _out, _err = run("import_models", path, "--dry-run", "--publish")
    assert PracticeModel.objects.count() == 0
    assert Revision.objects.count() == 0
    result = import_models(source=path, dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (2, 0, 0, True)


def test_models_every_bad_row_is_reported_and_a_mixed_file_changes_nothing(unit_tree, dvk, tmp_path):
    PracticeModelFactory(external_id="OLD", title="Giữ nguyên", unit=unit_tree.dich_vong, movement=dvk)
    before = list(PracticeModel.objects.values_list("pk", "title", "latest_revision_id"))
    revisions = Revision.objects.count()
    rows = [
        VI_MODEL_HEADER,
        model_row("OLD", title="Đổi tên"),  # good
        model_row("N1"),  # good
        model_row("B1", unit_code="KHONG-CO"),
        model_row("B2", movement="phong trào lạ"),
        model_row("B3", field="nông nghiệp"),
        model_row("B4", recognition_level="cấp xóm"),
        model_row("B5", year="2O23"),
        model_row("B6", year="1989"),
        model_row("B7", year=str(last_allowed_year() + 1)),
        model_row("B8", title="   "),
        model_row("N1"),
    ]
    result = import_models(source=write_csv(tmp_path / "m.csv", rows), publish=True)
    found = messages(result)
    last = last_allowed_year()
    assert found == [
        (
            4,
            "Mã đơn vị",
            "The unit “KHONG-CO” is not in the registry: import it with import_units first or correct the code.",
        ),
        (
            5,
            "Phong trào",
            "The movement “phong trào lạ” does not exist. Known movements: dan-van-kheo, chi-bo-bon-tot.",
        ),
        (
            6,
            "Lĩnh vực",
            "The field “nông nghiệp” does not exist. Known fields: kinh-te, van-hoa-xa-hoi, quoc-phong-an-ninh, xay-dung-he-thong-chinh-tri.",
        ),
        (
            7,
            "Cấp công nhận",
            "The recognition level “cấp xóm” is not known. Use one of: co-so, quan-huyen, thanh-pho, trung-uong.",
        ),
        (8, "Năm", "The year “2O23” is not a number."),
        (9, "Năm", f"The year 1989 is out of range: it must be between 1990 and {last}."),
        (10, "Năm", f"The year {last + 1} is out of range: it must be between 1990 and {last}."),
        (11, "Tên mô hình", "The model title is empty: every model needs a title."),
        (12, "Mã mô hình", "The model code “N1” appears twice in this file: on row 3 and on row 12."),
    ]
    assert list(PracticeModel.objects.values_list("pk", "title", "latest_revision_id")) == before
    assert Revision.objects.count() == revisions


def test_command_prints_rows_in_vietnamese_and_exits_non_zero(unit_tree, dvk, tmp_path):
    path = write_csv(tmp_path / "m.csv", [MODEL_HEADER, model_row("M1", year="2O23"), model_row("M2", movement="x")])
    err = StringIO()
    with translation.override("vi"), pytest.raises(CommandError) as raised:
        call_command("import_models", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "Dòng 2, cột “year”: Năm “2O23” không phải là số."
    assert lines[1].startswith("Dòng 3, cột “movement”: Không có phong trào “x”.")
    assert "2 lỗi" in str(raised.value)
    assert PracticeModel.objects.count() == 0


def test_command_reports_counts(unit_tree, dvk, tmp_path):
    path = write_csv(tmp_path / "m.csv", [MODEL_HEADER, model_row("M1")])
    with translation.override("vi"):
        out, _err = run("import_models", path)
        assert "tạo mới 1, cập nhật 0, giữ nguyên 0" in out
        out, _err = run("import_units", write_csv(tmp_path / "u.csv", [["code", "name", "kind"], ["X", "X", "city"]]))
        assert "Đơn vị: tạo mới 1, cập nhật 0, giữ nguyên 0" in out


# --- whole-file refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\xef\xbb\xbf\r\n\r\n", "blank.csv", "The file is empty."),
        (b"external_id,title\r\n", "header.csv", "The file has a header row but no data rows"),
        (
            "external_id,title,unit_code,movement,year\nM1,Mô hình,HN,dvk,2023\n".encode("cp1252"),
            "windows.csv",
            "The file is not saved as UTF-8",
        ),
        (bytes(range(256)) * 4, "garbage.csv", "This is not a CSV or Excel (.xlsx) file."),
        (b"%PDF-1.7 ...", "report.pdf", "This is not a CSV or Excel (.xlsx) file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "Old Excel 97-2003 (.xls)"),
    ],
)
def test_files_that_cannot_be_read_get_their_own_message(db, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    for service in (import_units, import_models):
        result = service(source=path)
        assert len(result.errors) == 1
        assert result.errors[0].message.startswith(expected)


def test_a_docx_is_refused(db, tmp_path):
    import zipfile

    path = tmp_path / "bao_cao.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    result = import_models(source=path)
    assert [error.message for error in result.errors] == [
        "This is not a CSV or Excel (.xlsx) file. Save the spreadsheet as Excel Workbook (.xlsx) or as CSV UTF-8 "
        "and try again."
    ]


def test_a_missing_path_and_missing_columns(db, tmp_path):
    result = import_units(source=tmp_path / "khong-co.csv")
    assert result.errors[0].message == f"There is no file at {tmp_path / 'khong-co.csv'}."
    with pytest.raises(CommandError):
        call_command("import_units", str(tmp_path / "khong-co.csv"), stdout=StringIO(), stderr=StringIO())

    path = write_csv(tmp_path / "m.csv", [["Mã mô hình", "Nam", "Ghi chu"], ["M1", "2023", ""]])
    result = import_models(source=path)
    assert messages(result) == [
        (
            1,
            "",
            "Required columns are missing from the header row: title (Tên mô hình), unit_code (Mã đơn vị), "
            "movement (Phong trào).",
        )
    ]


def test_utf8_bom_semicolons_and_a_binary_file_object(unit_tree, dvk, tmp_path):
    data = "\ufeffMã mô hình;Tên mô hình;Mã đơn vị;Phong trào;Năm\nM1;Một;HN-DD;Dân vận khéo;2023\n".encode()
    path = tmp_path / "bom.csv"
    path.write_bytes(data)
    assert import_models(source=path).created == 1
    with open(path, "rb") as handle:
        assert import_models(source=handle, filename="bom.csv").unchanged == 1
    assert PracticeModel.objects.get(external_id="M1").unit == unit_tree.dong_da


# --- bad input the shared reader refuses before reading everything (issue 6) -------------------


def test_too_many_rows_are_refused_for_csv_and_xlsx(unit_tree, dvk, tmp_path, monkeypatch):
    monkeypatch.setattr("models_registry.services.imports.MAX_ROWS", 20)
    rows = [MODEL_HEADER] + [model_row(f"M{i:03}") for i in range(21)]
    for path in (write_csv(tmp_path / "m.csv", rows), write_xlsx(tmp_path / "m.xlsx", rows)):
        result = import_models(source=path)
        assert [error.message for error in result.errors] == [
            "The file has more than 20 data rows, more than one import can take. Split it into files of at most "
            "20 rows and import them one after the other."
        ]
    # Exactly the limit is fine.
    assert import_models(source=write_xlsx(tmp_path / "ok.xlsx", rows[:21])).created == 20


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_opened(db, tmp_path):
    import zipfile

    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))
    for service in (import_models, import_units):
        result = service(source=path)
        assert len(result.errors) == 1
        assert "zip bomb" in result.errors[0].message


def test_merged_header_cells_are_named(unit_tree, dvk, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])  # the header need not be on the first row
    sheet.append(MODEL_HEADER)
    sheet.append(model_row())
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("E3:F3")  # merged data cells are not the header's problem
    workbook.save(tmp_path / "m.xlsx")
    result = import_models(source=tmp_path / "m.xlsx")
    assert messages(result) == [
        (
            2,
            "",
            "The header row has merged cells (B2:C2): unmerge them so that every column has its own header in "
            "one cell, and try again.",
        )
    ]
    assert not PracticeModel.objects.exists()


def test_encodings_utf16_is_read_cp1258_and_mixed_files_are_refused(unit_tree, dvk, tmp_path):
    rows = [MODEL_HEADER, model_row()]
    assert import_models(source=write_csv(tmp_path / "utf16.csv", rows, encoding="utf-16")).created == 1
    # Windows-1258 (Vietnamese Windows): "ô" and "â" are single bytes there, invalid as UTF-8.
    cp1258 = tmp_path / "cp1258.csv"
    cp1258.write_bytes(
        "external_id,title,unit_code,movement,year\nM002,Tô dân,HN-CG-DV,dan-van-kheo,2023\n".encode("cp1258")
    )
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(
        write_csv(tmp_path / "a.csv", [MODEL_HEADER, model_row("M003")]).read_bytes()
        + "M004,Tô dân,HN-CG-DV,dan-van-kheo,,2023,,,,\n".encode("cp1258")
    )
    for path in (cp1258, mixed):
        result = import_models(source=path)
        assert len(result.errors) == 1
        assert result.errors[0].message.startswith("The file is not saved as UTF-8")
    assert PracticeModel.objects.count() == 1


def test_progress_is_reported_per_batch(unit_tree, dvk, tmp_path, monkeypatch):
    monkeypatch.setattr("models_registry.services.imports.BATCH_SIZE", 2)
    calls = []
    rows = [MODEL_HEADER] + [model_row(f"M{i}") for i in range(5)]
    result = import_models(
        source=write_csv(tmp_path / "m.csv", rows), progress=lambda done, total: calls.append((done, total))
    )
    assert result.created == 5
    assert calls == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert PracticeModel.objects.count() == 5
    assert len(set(PracticeModel.objects.values_list("slug", flat=True))) == 5


def test_the_command_prints_the_new_refusals(db, tmp_path):
    import zipfile

    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(CommandError):
        call_command("import_models", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    assert "zip bomb" in err.getvalue()
