"""Media storage full (ENOSPC) during uploads in the admin and an officer's submission with a photo.

The default storage is swapped, through the STORAGES setting, for a FileSystemStorage whose
`_save` fails as a full disk does. The user gets a 503 page in Vietnamese, no database row points
at a file that was never written, what was already saved keeps its files, and once there is room
again the same upload succeeds.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import WorkflowState

import pytest

from models_registry.factories import PracticeModelFactory
from models_registry.models import Commendation, PracticeModel
from tests.faults.test_database_faults import reviewer_client, submission  # noqa: F401
from tests.models_registry.test_bad_input import DOCUMENT_UPLOADS, IMAGE_UPLOADS, PDF, png_bytes, snippet_url, upload
from tests.models_registry.test_commendations import BULK_URL, bulk_data

Image = get_image_model()
Document = get_document_model()

STORAGE_MESSAGE = (
    "The file storage is full or unavailable at the moment, so your file could not be saved. "
    "Nothing you sent was saved; please try again later or tell an administrator."
)


def vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def assert_storage_full_page(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert vietnamese(STORAGE_MESSAGE) in html
    assert "Traceback" not in html and "No space left" not in html


def assert_every_file_row_has_its_file():
    for item in [*Image.objects.all(), *Document.objects.all()]:
        assert item.file.storage.exists(item.file.name), item


def test_an_image_upload_on_a_full_disk_is_refused_then_succeeds(client, users, root_collection, full_disk):
    client.force_login(users.admin)
    response = upload(client, IMAGE_UPLOADS["add"], root_collection, "ra-quan.png", png_bytes(), "Ảnh ra quân")
    assert_storage_full_page(response)
    assert not Image.objects.exists()

    full_disk.off()
    response = upload(client, IMAGE_UPLOADS["add"], root_collection, "ra-quan.png", png_bytes(), "Ảnh ra quân")
    assert response.status_code == 302
    assert Image.objects.get().title == "Ảnh ra quân"
    assert_every_file_row_has_its_file()


def test_a_document_upload_on_a_full_disk_is_refused_then_succeeds(client, users, root_collection, full_disk):
    client.force_login(users.admin)
    response = upload(client, DOCUMENT_UPLOADS["add"], root_collection, "ke-hoach.pdf", PDF, "Kế hoạch")
    assert_storage_full_page(response)
    assert not Document.objects.exists()

    full_disk.off()
    response = upload(client, DOCUMENT_UPLOADS["add"], root_collection, "ke-hoach.pdf", PDF, "Kế hoạch")
    assert response.status_code == 302
    assert_every_file_row_has_its_file()


# Real transactions, as in production: the chooser's upload writes outside any atomic block, where a
# failed save inside the test's own transaction would doom the rest of the test (not the site).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officers_photo_on_a_full_disk_is_refused_and_the_model_is_still_submitted(
    officer_client, saved, unit_tree, dvk, root_collection, full_disk
):
    """The officer adds a photo from the editor (the image chooser's upload) while the disk is full:
    the photo is refused, the editor page with the officer's typing is untouched (the chooser is a
    dialog), and the model goes for review with its text and its earlier photo."""
    draft = saved["draft"]
    images_before = set(Image.objects.values_list("pk", flat=True))
    response = upload(
        officer_client, IMAGE_UPLOADS["chooser"], root_collection, "buoi-hop.png", png_bytes(), "Buổi họp"
    )
    assert_storage_full_page(response)
    assert set(Image.objects.values_list("pk", flat=True)) == images_before

    data = submission(saved, unit_tree, dvk, summary="Kết quả sau sáu tháng: 120 hộ tham gia.")
    response = officer_client.post(snippet_url("edit", draft.pk), data)
    assert response.status_code == 302
    draft = PracticeModel.objects.get(pk=draft.pk)
    latest = draft.get_latest_revision_as_object()
    assert latest.summary == "Kết quả sau sáu tháng: 120 hộ tham gia."
    assert latest.cover_image_id == saved["image"].pk
    assert draft.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    with saved["image"].open_file() as handle:
        assert handle.read() == png_bytes()
    assert_every_file_row_has_its_file()

    # With room again, the photo uploads.
    full_disk.off()
    response = upload(
        officer_client, IMAGE_UPLOADS["chooser"], root_collection, "buoi-hop.png", png_bytes(), "Buổi họp"
    )
    assert response.status_code == 200
    assert Image.objects.filter(title="Buổi họp").exists()
    assert_every_file_row_has_its_file()


def test_a_commendation_with_its_scan_on_a_full_disk_saves_nothing_then_succeeds(
    reviewer_client,  # noqa: F811
    unit_tree,
    dvk,
    full_disk,
):
    chosen = [PracticeModelFactory(title="Ngõ phố xanh - sạch - đẹp", unit=unit_tree.dich_vong, movement=dvk)]

    def confirm():
        scan = SimpleUploadedFile("quyet-dinh-245.pdf", PDF, content_type="application/pdf")
        return reviewer_client.post(
            reverse(BULK_URL), {**bulk_data(chosen), "action": "confirm", "decision_file": scan}
        )

    assert_storage_full_page(confirm())
    assert not Commendation.objects.exists()
    assert not Document.objects.exists()

    full_disk.off()
    assert confirm().status_code == 302
    assert Commendation.objects.get().decision_document == Document.objects.get()
    assert_every_file_row_has_its_file()
