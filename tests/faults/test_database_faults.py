"""The database refusing writes during a submission, a commendation, an upload and an import.

The fault is injected where Django hands SQL to the driver (`connection.execute_wrapper`): every
INSERT, UPDATE and DELETE (or those on one table) raises OperationalError, as SQLite does with
"database is locked" or PostgreSQL in read-only mode, and never runs. Each time the user gets a 503
page in Vietnamese (never Django's 500), nothing half-written stays, and once the database takes
writes again the same request succeeds.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import ModelLogEntry, TaskState, WorkflowState

import pytest

from models_registry.factories import PracticeModelFactory
from models_registry.models import Commendation, ImportJob, PracticeModel, private_import_storage
from models_registry.services.demo import REVIEWERS, ensure_groups
from tests.faults.conftest import database_refusing_writes
from tests.models_registry.admin_forms import model_form_data
from tests.models_registry.test_bad_input import PDF, png_bytes, snippet_url
from tests.models_registry.test_commendations import BULK_URL, bulk_data
from tests.models_registry.test_import_admin import HEADER, csv_bytes, row

Image = get_image_model()
Document = get_document_model()


def vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


DATABASE_MESSAGE = (
    "The database cannot save changes at the moment. Nothing you sent was saved; please try again in a few minutes."
)


def assert_try_again_page(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert vietnamese(DATABASE_MESSAGE) in html
    assert vietnamese("Temporarily unavailable") in html
    assert "Traceback" not in html and "OperationalError" not in html
    return html


def files_under(root) -> set[str]:
    root = Path(root)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


# ---------------------------------------------------------------------------------------------
# An officer submits a model for review


def submission(saved, unit_tree, dvk, summary="Bản tóm tắt mới, gửi duyệt.") -> dict:
    """The officer's draft, edited and sent for review ("action-submit")."""
    data = model_form_data(
        {
            "title": "Tổ dân phố không rác thải nhựa",
            "unit": unit_tree.dich_vong.pk,
            "movement": dvk.pk,
            "summary": summary,
            "cover_image": saved["image"].pk,
        }
    )
    data["action-submit"] = "submit"
    return data


def draft_state(draft) -> tuple:
    draft = PracticeModel.objects.get(pk=draft.pk)
    return (
        draft.revisions.count(),
        draft.latest_revision_id,
        WorkflowState.objects.for_instance(draft).count(),
        TaskState.objects.count(),
        ModelLogEntry.objects.filter(object_id=str(draft.pk)).count(),
    )


def test_a_submission_refused_by_the_database_saves_nothing_and_succeeds_later(officer_client, saved, unit_tree, dvk):
    draft = saved["draft"]
    assert officer_client.get(snippet_url("edit", draft.pk)).status_code == 200
    before = draft_state(draft)

    with database_refusing_writes("database is locked") as refused:
        response = officer_client.post(snippet_url("edit", draft.pk), submission(saved, unit_tree, dvk))
    assert refused
    assert_try_again_page(response)
    assert draft_state(draft) == before
    assert PracticeModel.objects.get(pk=draft.pk).get_latest_revision_as_object().summary == "Bản tóm tắt đã lưu."

    response = officer_client.post(snippet_url("edit", draft.pk), submission(saved, unit_tree, dvk))
    assert response.status_code == 302
    draft = PracticeModel.objects.get(pk=draft.pk)
    assert draft.get_latest_revision_as_object().summary == "Bản tóm tắt mới, gửi duyệt."
    assert draft.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_write_refused_half_way_through_a_submission_leaves_the_draft_whole(officer_client, saved, unit_tree, dvk):
    """The revision is written, then the database refuses to start the review: the edit is kept as
    a saved draft (one transaction), the review not half-started (another), and submitting again works."""
    draft = saved["draft"]
    revisions = draft.revisions.count()
    with database_refusing_writes(
        "cannot execute INSERT in a read-only transaction", tables=("wagtailcore_workflowstate",)
    ):
        response = officer_client.post(snippet_url("edit", draft.pk), submission(saved, unit_tree, dvk))
    assert_try_again_page(response)
    draft = PracticeModel.objects.get(pk=draft.pk)
    assert draft.revisions.count() == revisions + 1
    assert draft.get_latest_revision_as_object().summary == "Bản tóm tắt mới, gửi duyệt."
    assert not WorkflowState.objects.for_instance(draft).exists()
    assert not TaskState.objects.exists()

    response = officer_client.post(snippet_url("edit", draft.pk), submission(saved, unit_tree, dvk))
    assert response.status_code == 302
    assert PracticeModel.objects.get(pk=draft.pk).current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_new_model_refused_by_the_database_leaves_no_row(officer_client, unit_tree, dvk, officer):
    data = model_form_data({"title": "Mô hình mới của phường", "unit": unit_tree.dich_vong.pk, "movement": dvk.pk})
    data["action-submit"] = "submit"
    assert officer_client.get(snippet_url("add")).status_code == 200
    # The model's row goes in, then its revision is refused: the whole creation rolls back.
    with database_refusing_writes(tables=("wagtailcore_revision",)):
        response = officer_client.post(snippet_url("add"), data)
    assert_try_again_page(response)
    assert not PracticeModel.objects.filter(title="Mô hình mới của phường").exists()

    response = officer_client.post(snippet_url("add"), data)
    assert response.status_code == 302
    created = PracticeModel.objects.get(title="Mô hình mới của phường")
    assert created.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


# ---------------------------------------------------------------------------------------------
# A reviewer commends a nomination list, with the scanned decision


@pytest.fixture
def reviewer_client(client, users):
    users.reviewer.groups.add(ensure_groups()[REVIEWERS])
    client.force_login(users.reviewer)
    return client


@pytest.mark.parametrize("tables", [(), ("models_registry_commendation",)], ids=["all-writes", "commendation-rows"])
def test_a_commendation_refused_by_the_database_keeps_no_row_and_no_file(reviewer_client, unit_tree, dvk, tables):
    chosen = [
        PracticeModelFactory(title="Ngõ phố xanh - sạch - đẹp", unit=unit_tree.dich_vong, movement=dvk),
        PracticeModelFactory(title="Chi bộ tự quản an toàn", unit=unit_tree.cell, movement=dvk),
    ]
    media_before = files_under(settings.MEDIA_ROOT)

    def confirm():
        scan = SimpleUploadedFile("quyet-dinh-245.pdf", PDF, content_type="application/pdf")
        return reviewer_client.post(
            reverse(BULK_URL), {**bulk_data(chosen), "action": "confirm", "decision_file": scan}
        )

    with database_refusing_writes(tables=tables):
        response = confirm()
    assert_try_again_page(response)
    assert not Commendation.objects.exists()
    assert not Document.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == media_before  # the scan was not left behind

    response = confirm()
    assert response.status_code == 302
    document = Document.objects.get()
    assert set(Commendation.objects.values_list("practice_model_id", "decision_document_id")) == {
        (model.pk, document.pk) for model in chosen
    }
    with document.open_file() as handle:
        assert handle.read() == PDF


# ---------------------------------------------------------------------------------------------
# Uploads in the admin


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


def test_an_image_upload_refused_by_the_database_leaves_no_row(admin_client, root_collection):
    def post():
        return admin_client.post(
            reverse("wagtailimages:add"),
            {
                "title": "Ảnh ra quân",
                "collection": root_collection.pk,
                "tags": "",
                "file": SimpleUploadedFile("ra-quan.png", png_bytes(), content_type="image/png"),
            },
        )

    assert admin_client.get(reverse("wagtailimages:add")).status_code == 200
    with database_refusing_writes():
        assert_try_again_page(post())
    assert not Image.objects.exists()

    assert post().status_code == 302
    image = Image.objects.get()
    with image.open_file() as handle:
        assert handle.read() == png_bytes()


# ---------------------------------------------------------------------------------------------
# A spreadsheet import: the upload and preview, the confirmation, the run


@pytest.fixture
def spreadsheet():
    return csv_bytes([HEADER, row("DB-001"), row("DB-002", title="Bếp ăn tình thương")])


def upload_spreadsheet(client, content):
    return client.post(reverse("spreadsheet_import:upload"), {"file": SimpleUploadedFile("mo-hinh.csv", content)})


def private_files() -> set[str]:
    return files_under(private_import_storage().location)


def test_an_import_upload_refused_by_the_database_keeps_no_job_and_no_file(admin_client, dvk, fields, spreadsheet):
    files_before = private_files()
    with database_refusing_writes():
        assert_try_again_page(upload_spreadsheet(admin_client, spreadsheet))
    assert not ImportJob.objects.exists()
    assert private_files() == files_before

    response = upload_spreadsheet(admin_client, spreadsheet)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED and job.created_count == 2
    assert len(private_files() - files_before) == 1


def test_an_import_whose_confirmation_or_run_is_refused_saves_no_model_and_can_be_run_again(
    admin_client, dvk, fields, spreadsheet, django_capture_on_commit_callbacks
):
    upload_spreadsheet(admin_client, spreadsheet)
    job = ImportJob.objects.get()
    confirm_url = reverse("spreadsheet_import:confirm", args=[job.pk])

    # The confirmation itself is refused: the job stays checked, ready to confirm.
    with database_refusing_writes(), django_capture_on_commit_callbacks(execute=True):
        assert_try_again_page(admin_client.post(confirm_url))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED

    # The run is refused half-way (the models' table): all or nothing, the job says so in Vietnamese.
    with (
        database_refusing_writes("disk I/O error", tables=("models_registry_practicemodel",)),
        django_capture_on_commit_callbacks(execute=True),  # the run happens while the fault lasts
    ):
        assert admin_client.post(confirm_url).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == vietnamese(
        "The import stopped on an unexpected error; nothing was saved. Try again or tell an administrator."
    )
    assert not PracticeModel.objects.exists()
    page = admin_client.get(reverse("spreadsheet_import:detail", args=[job.pk]))
    assert page.status_code == 200

    # Once the database takes writes again, the same file imports.
    upload_spreadsheet(admin_client, spreadsheet)
    again = ImportJob.objects.order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(reverse("spreadsheet_import:confirm", args=[again.pk])).status_code == 302
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE
    assert set(PracticeModel.objects.values_list("external_id", flat=True)) == {"DB-001", "DB-002"}
