"""Importing a spreadsheet in the admin: upload and preview, confirmation, background run, report, refusals."""

import codecs
import csv
import io
import json
import zipfile

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.models import WorkflowState

import openpyxl
import pytest

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import ImportJob, PracticeModel, UnitMembership

HEADER = ["Mã mô hình", "Tên mô hình", "Mã đơn vị", "Phong trào", "Lĩnh vực", "Năm", "Tóm tắt"]


def row(code, title="Tổ dân phố văn minh", unit="HN-CG-DV", year="2023", movement="dan-van-kheo"):
    return [code, title, unit, movement, "kinh-te", year, "Huy động Nhân dân giữ gìn vệ sinh."]


def csv_bytes(rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, merge=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="mo-hinh.csv", **data):
    response = client.post(reverse("spreadsheet_import:upload"), {"file": SimpleUploadedFile(name, content), **data})
    return response


def latest_job():
    return ImportJob.objects.order_by("-pk").first()


def confirm(client, job, capture):
    with capture(execute=True):
        response = client.post(reverse("spreadsheet_import:confirm", args=[job.pk]))
    job.refresh_from_db()
    return response


def page(client, job):
    return client.get(reverse("spreadsheet_import:detail", args=[job.pk])).content.decode()


def grant_admin_access(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


@pytest.fixture
def officer_client(client, users):
    grant_admin_access(users.officer)
    client.force_login(users.officer)
    return client


@pytest.fixture
def movements(dvk, fields):
    return dvk


# The journey.


def test_menu_and_upload_screen_are_in_vietnamese_with_template_links(admin_client, movements):
    home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar is rendered from JSON, its labels escaped.
    assert json.dumps({"name": "spreadsheet-import", "label": "Nhập từ bảng tính"})[1:-1] in home
    html = admin_client.get(reverse("spreadsheet_import:upload")).content.decode()
    assert "Nhập từ bảng tính" in html
    assert reverse("spreadsheet_import:template", args=["mo-hinh", "xlsx"]) in html
    template = admin_client.get(reverse("spreadsheet_import:template", args=["mo-hinh", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]][:4] == ["Mã mô hình", "Tên mô hình", "Mã đơn vị", "Phong trào"]


def test_preview_lists_every_row_problem_and_writes_nothing(admin_client, movements):
    content = csv_bytes([HEADER, row("M001"), row("M002", year="năm ngoái"), row("M003", unit="KHONG-CO")])
    response = upload(admin_client, content)
    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("spreadsheet_import:detail", args=[job.pk])
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.refused_count == 2
    assert [(error["row"], error["column"]) for error in job.errors] == [(3, "Năm"), (4, "Mã đơn vị")]
    html = page(admin_client, job)
    assert "Chưa lưu gì" in html
    assert "năm ngoái" in html and "KHONG-CO" in html
    assert "Xác nhận nhập" not in html  # no confirmation while the file has errors
    assert PracticeModel.objects.count() == 0
    # Confirming anyway (a forged POST) changes nothing.
    admin_client.post(reverse("spreadsheet_import:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert PracticeModel.objects.count() == 0


def test_confirm_runs_the_job_and_a_second_upload_changes_nothing(
    admin_client, movements, django_capture_on_commit_callbacks
):
    content = xlsx_bytes([HEADER, row("M001"), row("M002", title="Bếp ăn tình thương")])
    upload(admin_client, content, name="mo-hinh.xlsx")
    job = latest_job()
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 0, 0)
    assert "Xác nhận nhập" in page(admin_client, job)
    assert PracticeModel.objects.count() == 0  # the preview wrote nothing

    response = confirm(admin_client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.rows_done, job.rows_total) == (2, 2, 2)
    assert job.started_at and job.finished_at
    assert set(PracticeModel.objects.values_list("external_id", flat=True)) == {"M001", "M002"}
    assert not PracticeModel.objects.filter(live=True).exists()  # drafts: "publish directly" was not chosen
    html = page(admin_client, job)
    assert "Đã nhập xong" in html
    status = admin_client.get(reverse("spreadsheet_import:status", args=[job.pk])).json()
    assert status == {
        "status": "done",
        "status_label": job.get_status_display(),
        "rows_done": 2,
        "rows_total": 2,
        "percent": 100,
        "finished": True,
    }
    # Confirming twice does not run it twice.
    confirm(admin_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE

    upload(admin_client, content, name="mo-hinh.xlsx")
    again = latest_job()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    confirm(admin_client, again, django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.DONE
    assert again.unchanged_count == 2
    assert PracticeModel.objects.count() == 2

    listing = admin_client.get(reverse("spreadsheet_import:list")).content.decode()
    assert listing.count("mo-hinh.xlsx") == 2


def test_the_report_downloads_as_xlsx_and_csv(admin_client, movements):
    upload(admin_client, csv_bytes([HEADER, row("M001"), row("M002", year="=1+1")]))
    job = latest_job()
    response = admin_client.get(reverse("spreadsheet_import:report", args=[job.pk, "xlsx"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, errors = workbook.worksheets
    counts = dict(summary.iter_rows(values_only=True))
    assert counts["Từ chối"] == 1
    assert counts["Tạo mới"] == 0
    table = list(errors.iter_rows(values_only=True))
    assert table[0] == ("Dòng", "Cột", "Lý do")
    assert table[1][:2] == (3, "Năm")
    # The reason quotes the cell "=1+1": the report never lets it run as a formula.
    assert all(not str(value).startswith("=") for line in table for value in line if value is not None)

    response = admin_client.get(reverse("spreadsheet_import:report", args=[job.pk, "csv"]))
    text = response.content.decode("utf-8")
    assert text.startswith(codecs.BOM_UTF8.decode("utf-8"))
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["Từ chối", "1"] in lines
    assert ["Dòng", "Cột", "Lý do"] in lines
    assert admin_client.get(reverse("spreadsheet_import:report", args=[job.pk, "exe"])).status_code == 404


# Who may import what.


def test_an_officer_imports_only_for_their_units_and_models_go_to_review(
    officer_client, users, unit_tree, movements, django_capture_on_commit_callbacks
):
    other_units = csv_bytes([HEADER, row("M001"), row("M002", unit="HN-DD")])
    upload(officer_client, other_units)
    job = latest_job()
    assert job.errors == [
        {"row": 3, "column": "Mã đơn vị", "message": "Bạn không được nhập mô hình cho đơn vị “Quận Đống Đa” (HN-DD)."}
    ]
    # Someone else's model, named by its code, is not theirs to move into their unit either.
    PracticeModelFactory(external_id="DD-1", unit=unit_tree.dong_da, live=False)
    upload(officer_client, csv_bytes([HEADER, row("DD-1")]))
    assert "Quận Đống Đa" in latest_job().errors[0]["message"]

    upload(officer_client, csv_bytes([HEADER, row("M001"), row("M002", title="Bếp ăn tình thương")]))
    job = latest_job()
    assert not job.errors
    confirm(officer_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert job.submitted_count == 2
    for model in PracticeModel.objects.filter(external_id__in=["M001", "M002"]):
        state = WorkflowState.objects.get(object_id=str(model.pk), status=WorkflowState.STATUS_IN_PROGRESS)
        assert state.requested_by == users.officer
        assert state.current_task_state.specific.reviewing_unit == unit_tree.cau_giay
        assert not model.live
    assert "Đã gửi duyệt" in page(officer_client, job)

    # The same file again: nothing changes, so the models under review are no obstacle.
    upload(officer_client, csv_bytes([HEADER, row("M001"), row("M002", title="Bếp ăn tình thương")]))
    assert (latest_job().unchanged_count, latest_job().errors) == (2, [])
    # A change to a model the reviewers are deciding on waits for their decision.
    upload(officer_client, csv_bytes([HEADER, row("M001", title="Tên mới")]))
    assert "đang chờ duyệt" in latest_job().errors[0]["message"]


def test_a_reviewer_imports_for_the_units_below_theirs(client, users, unit_tree, movements):
    client.force_login(grant_admin_access(users.reviewer))
    upload(
        client,
        csv_bytes([HEADER, row("M001", unit="HN-CG-DV-CB1"), row("M002", unit="HN-CG"), row("M003", unit="HN-DD")]),
    )
    job = latest_job()
    assert [error["row"] for error in job.errors] == [3, 4]  # their own district and another district


def test_publish_directly_is_for_administrators_only(
    officer_client, client, users, movements, django_capture_on_commit_callbacks
):
    html = officer_client.get(reverse("spreadsheet_import:upload")).content.decode()
    assert 'name="publish"' not in html
    # A forged field is ignored: the officer's models go to review, never live.
    upload(officer_client, csv_bytes([HEADER, row("M001")]), publish="on", kind="units")
    job = latest_job()
    assert (job.publish, job.kind) == (False, ImportJob.Kind.MODELS)
    confirm(officer_client, job, django_capture_on_commit_callbacks)
    assert not PracticeModel.objects.get(external_id="M001").live

    client.force_login(users.admin)
    assert 'name="publish"' in client.get(reverse("spreadsheet_import:upload")).content.decode()
    upload(client, csv_bytes([HEADER, row("M002")]), publish="on", kind="models")
    job = latest_job()
    assert job.publish
    confirm(client, job, django_capture_on_commit_callbacks)
    assert PracticeModel.objects.get(external_id="M002").live


def test_users_without_a_unit_and_other_users_jobs_are_kept_out(client, users, movements):
    stranger = grant_admin_access(UserFactory(username="khach"))
    client.force_login(users.admin)
    upload(client, csv_bytes([HEADER, row("M001")]))
    job = latest_job()
    client.force_login(stranger)
    assert client.get(reverse("spreadsheet_import:upload")).status_code in (302, 403)
    grant_admin_access(users.officer)
    client.force_login(users.officer)
    for name, args in [("detail", [job.pk]), ("status", [job.pk]), ("report", [job.pk, "csv"])]:
        assert client.get(reverse(f"spreadsheet_import:{name}", args=args)).status_code == 404
    assert client.post(reverse("spreadsheet_import:confirm", args=[job.pk])).status_code == 404


def test_administrators_import_units(admin_client, unit_tree, django_capture_on_commit_callbacks):
    content = csv_bytes(
        [["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại"], ["HN-CG-MD", "Phường Mai Dịch", "HN-CG", "Phường"]]
    )
    upload(admin_client, content, kind="units")
    job = latest_job()
    assert (job.kind, job.created_count, job.errors) == (ImportJob.Kind.UNITS, 1, [])
    confirm(admin_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert unit_tree.cau_giay.get_children().filter(code="HN-CG-MD").exists()


# Bad input: a clear message, nothing written, never a 500.


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    return buffer.getvalue()


def cp1258_mixed() -> bytes:
    # A UTF-8 header with a row typed on a machine saving in Windows-1258.
    return csv_bytes([HEADER]) + ",".join(row("M001")).encode("cp1258", errors="replace")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "lon.csv",
            csv_bytes([HEADER] + [[f"M{i}", "T", "HN-CG-DV", "dan-van-kheo", "", "2023", ""] for i in range(200_000)]),
            "nhiều hơn 50.000 dòng",
        ),
        ("bom.xlsx", zip_bomb(), "zip bomb"),
        ("bao-cao.xlsx", b"%PDF-1.7\n" + b"\x00\x01" * 100, "không phải tệp CSV hoặc Excel"),
        ("anh.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "không phải tệp CSV hoặc Excel"),
        ("tron-ma.csv", cp1258_mixed(), "UTF-8"),
        ("gop-o.xlsx", xlsx_bytes([HEADER, row("M001")], merge="A1:B1"), "A1:B1"),
    ],
    ids=["200000-rows", "zip-bomb", "pdf", "binary", "mixed-encodings", "merged-header"],
)
def test_bad_files_get_their_message_and_write_nothing(admin_client, movements, name, content, expected):
    response = upload(admin_client, content, name=name)
    assert response.status_code == 302
    job = latest_job()
    assert job.status == ImportJob.Status.PREVIEWED
    assert any(expected in error["message"] for error in job.errors), job.errors
    assert expected in page(admin_client, job)
    assert PracticeModel.objects.count() == 0


def test_utf16_csv_from_excel_is_read(admin_client, movements):
    upload(admin_client, csv_bytes([HEADER, row("M001")], encoding="utf-16"))
    job = latest_job()
    assert (job.errors, job.created_count) == ([], 1)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"file": "not a file"},
        {"file": SimpleUploadedFile("mo-hinh.docx", b"PK\x03\x04")},
        {"file": SimpleUploadedFile("mo-hinh.csv", b"")},
        {"file": SimpleUploadedFile("mo-hinh.csv", b"a,b\n1,2\n"), "kind": "khong-biet"},
    ],
    ids=["nothing", "text-instead-of-file", "docx", "empty", "unknown-kind"],
)
def test_garbage_posts_are_refused_without_a_500(admin_client, movements, data):
    response = admin_client.post(reverse("spreadsheet_import:upload"), data)
    assert response.status_code in (302, 400)
    assert PracticeModel.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(admin_client, movements, monkeypatch):
    monkeypatch.setattr("models_registry.import_admin.MAX_UPLOAD_BYTES", 1000)
    response = upload(admin_client, csv_bytes([HEADER] + [row(f"M{i}") for i in range(50)]))
    assert response.status_code == 400
    assert "Tách thành các tệp nhỏ hơn" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_get_on_confirm_and_unknown_job_are_not_errors(admin_client, movements):
    assert admin_client.get(reverse("spreadsheet_import:confirm", args=[999])).status_code == 405
    assert admin_client.get(reverse("spreadsheet_import:detail", args=[999])).status_code == 404


def test_uploaded_files_are_not_under_media_root(admin_client, movements, settings):
    upload(admin_client, csv_bytes([HEADER, row("M001")]))
    job = latest_job()
    path = job.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT).rstrip("/") + "/")
    assert job.original_filename == "mo-hinh.csv"
    assert "mo-hinh" not in path  # stored under a random name


def test_a_membership_with_subunits_lets_an_officer_import_below(client, unit_tree, movements):
    officer = grant_admin_access(UserFactory(username="canbo_caugiay"))
    UnitMembershipFactory(
        user=officer, unit=unit_tree.cau_giay, role=UnitMembership.Role.OFFICER, includes_subunits=True
    )
    client.force_login(officer)
    upload(client, csv_bytes([HEADER, row("M001", unit="HN-CG-DV-CB1"), row("M002", unit="HN-CG-PN")]))
    assert latest_job().errors == []


def test_a_model_returned_for_changes_resumes_its_review_when_reimported(
    officer_client, users, movements, django_capture_on_commit_callbacks
):
    upload(officer_client, csv_bytes([HEADER, row("M001")]))
    confirm(officer_client, latest_job(), django_capture_on_commit_callbacks)
    model = PracticeModel.objects.get(external_id="M001")
    task_state = model.current_workflow_task_state
    task_state.task.specific.on_action(task_state, users.reviewer, "reject", comment="Bổ sung kết quả.")
    assert WorkflowState.objects.get(object_id=str(model.pk)).status == WorkflowState.STATUS_NEEDS_CHANGES

    upload(officer_client, csv_bytes([HEADER, row("M001", title="Tổ dân phố văn minh, sạch đẹp")]))
    job = latest_job()
    assert (job.updated_count, job.errors) == (1, [])
    confirm(officer_client, job, django_capture_on_commit_callbacks)
    assert job.submitted_count == 1
    state = WorkflowState.objects.get(object_id=str(model.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision.content["title"] == "Tổ dân phố văn minh, sạch đẹp"


def test_a_running_job_shows_a_progress_bar_polled_by_a_static_script(admin_client, users, movements):
    upload(admin_client, csv_bytes([HEADER, row("M001"), row("M002")]))
    job = latest_job()
    # As a worker leaves it halfway (the test backend runs tasks at once, so this is set by hand).
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, rows_done=1, rows_total=2)
    html = page(admin_client, job)
    assert '<progress max="100" value="50"' in html
    assert "/static/js/import_progress.js" in html
    assert reverse("spreadsheet_import:status", args=[job.pk]) in html
    assert "Việc nhập chạy ngầm" in html
    status = admin_client.get(reverse("spreadsheet_import:status", args=[job.pk])).json()
    assert (status["percent"], status["finished"], status["status_label"]) == (50, False, "Đang nhập")
