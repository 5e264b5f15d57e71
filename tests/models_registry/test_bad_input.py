"""Bad input from a unit officer, through the real admin views: refused in Vietnamese or made inert.

The officer belongs to Phường Dịch Vọng (HN-CG-DV) and has the unit officers' group of
services.demo.ensure_groups(). Every refusal leaves what was already saved as it was: the
officer's existing draft keeps its content and revisions, existing images and documents keep
their files.
"""

import io
import json
import math
import struct
import tempfile
import zlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from PIL import Image as PILImage

from models_registry import services
from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel
from models_registry.services.demo import OFFICERS, ensure_groups
from tests.html_checks import injected
from tests.models_registry.admin_forms import model_form_data

Image = get_image_model()
Document = get_document_model()

REQUIRED = "Trường này là bắt buộc."
NOT_A_REAL_FILE = "Tệp này không phải là tệp .{extension} thật: nội dung của tệp không khớp với tên tệp."
NOT_AN_IMAGE = "Hãy tải lên một hình ảnh hợp lệ."
MISMATCHED_IMAGE = "Không phải ảnh .{extension} hợp lệ. Phần mở rộng không khớp với định dạng tệp ({detected})"
TOO_BIG = "Tệp này quá lớn ({size}). Dung lượng tối đa {limit}."
TOO_MANY_PIXELS = "Tệp này có quá nhiều điểm ảnh ({pixels}). Số điểm ảnh tối đa {limit}."
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert('hidden')</script><p>Not a photo</p></body></html>"
WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# ---------------------------------------------------------------------------------------------
# Helpers


def png_bytes(width: int = 8, height: int = 6, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares `width` × `height` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 256))
        + chunk(b"IEND", b"")
    )


def post_streamed_file(client, url: str, *, fields: dict, file_field: str, name: str, head: bytes, size: int):
    """POST a multipart form whose file is `size` bytes (`head` then zeros), never held in memory.

    The request body is written to a temporary file (the zeros as a sparse extension of it) and
    handed to Django as the WSGI input stream; Django spools the upload to disk as it would in
    production, so a 50 MB file costs no 50 MB string, let alone two.
    """
    boundary = "registry-upload-boundary"
    with tempfile.TemporaryFile() as body:
        for key, value in fields.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        body.write(head)
        end_of_file = body.tell() + size - len(head)
        body.truncate(end_of_file)
        body.seek(end_of_file)
        body.write(f"\r\n--{boundary}--\r\n".encode())
        length = body.tell()
        body.seek(0)
        return client.request(
            REQUEST_METHOD="POST",
            PATH_INFO=url,
            QUERY_STRING="",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(length),
            **{"wsgi.input": body},
        )


def vietnamese_size(size: int) -> str:
    with translation.override("vi"):
        return str(filesizeformat(size))


def page_text(response) -> str:
    """The response's HTML (a chooser answers JSON with the HTML inside)."""
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        assert data["step"] == "reshow_creation_form", data["step"]
        return data["htmlFragment"]
    return response.content.decode()


def snippet_url(view: str, *args) -> str:
    return reverse(f"wagtailsnippets_models_registry_practicemodel:{view}", args=args)


def draftail(text: str, link: str | None = None) -> str:
    """A rich-text paragraph as the Draftail editor posts it (contentstate JSON), optionally a link."""
    block = {"key": "a1b2c", "type": "unstyled", "depth": 0, "text": text, "inlineStyleRanges": [], "data": {}}
    entity_map = {}
    if link:
        block["entityRanges"] = [{"offset": 0, "length": len(text), "key": 0}]
        entity_map["0"] = {"type": "LINK", "mutability": "MUTABLE", "data": {"url": link}}
    else:
        block["entityRanges"] = []
    return json.dumps({"blocks": [block], "entityMap": entity_map})


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def officer(users):
    users.officer.groups.add(ensure_groups()[OFFICERS])
    return users.officer


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def root_collection(db):
    return Collection.get_first_root_node()


@pytest.fixture
def saved(officer, unit_tree, dvk, root_collection):
    """What the officer already has: an image, a document and a draft that uses both, with two revisions."""
    image = Image.objects.create(
        title="Ảnh buổi ra quân", file=ContentFile(png_bytes(), name="ra-quan.png"), uploaded_by_user=officer
    )
    document = Document.objects.create(
        title="Kế hoạch triển khai", file=ContentFile(PDF, name="ke-hoach.pdf"), uploaded_by_user=officer
    )
    draft = PracticeModelFactory(
        title="Tổ dân phố không rác thải nhựa", unit=unit_tree.dich_vong, movement=dvk, live=False
    )
    draft.summary = "Bản tóm tắt đã lưu."
    draft.cover_image = image
    services.save_draft(practice_model=draft, user=officer)
    return {"image": image, "document": document, "draft": draft}


def assert_nothing_lost(saved):
    draft = PracticeModel.objects.get(pk=saved["draft"].pk)
    assert draft.title == "Tổ dân phố không rác thải nhựa"
    latest = draft.get_latest_revision_as_object()
    assert latest.title == "Tổ dân phố không rác thải nhựa"
    assert latest.summary == "Bản tóm tắt đã lưu."
    assert latest.cover_image_id == saved["image"].pk
    assert draft.revisions.count() == 2
    assert draft.latest_revision_id == saved["draft"].latest_revision_id
    image = Image.objects.get(pk=saved["image"].pk)
    with image.open_file() as handle:
        assert handle.read() == png_bytes()
    document = Document.objects.get(pk=saved["document"].pk)
    assert document.title == "Kế hoạch triển khai"
    with document.open_file() as handle:
        assert handle.read() == PDF


# ---------------------------------------------------------------------------------------------
# Files disguised by their extension


IMAGE_UPLOADS = {
    "add": ("wagtailimages:add", ""),
    "chooser": ("wagtailimages_chooser:create", "image-chooser-upload-"),
}
DOCUMENT_UPLOADS = {
    "add": ("wagtaildocs:add", ""),
    "chooser": ("wagtaildocs_chooser:create", "document-chooser-upload-"),
}


def upload(client, view: tuple[str, str], collection, name: str, content: bytes, title: str = "Tệp tải lên"):
    url_name, prefix = view
    data = {
        f"{prefix}title": title,
        f"{prefix}collection": collection.pk,
        f"{prefix}tags": "",
        f"{prefix}file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    }
    return client.post(reverse(url_name), data)


@pytest.mark.parametrize("view", IMAGE_UPLOADS)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Willow reads markup as SVG, which is not among WAGTAILIMAGES_EXTENSIONS.
        (HTML_PAGE, MISMATCHED_IMAGE.format(extension="jpeg", detected="svg")),
        ("Ảnh chụp buổi họp tổ dân phố".encode(), NOT_AN_IMAGE),
    ],
    ids=["html", "text"],
)
def test_a_page_or_text_named_photo_jpg_is_refused_as_an_image(
    officer_client, saved, root_collection, view, content, message
):
    images_before = Image.objects.count()
    response = upload(officer_client, IMAGE_UPLOADS[view], root_collection, "photo.jpg", content)
    assert response.status_code == 200
    assert message in page_text(response)
    assert Image.objects.count() == images_before
    assert_nothing_lost(saved)


@pytest.mark.parametrize("view", IMAGE_UPLOADS)
def test_a_png_named_jpg_is_refused_as_a_mismatched_image(officer_client, saved, root_collection, view):
    response = upload(officer_client, IMAGE_UPLOADS[view], root_collection, "photo.jpg", png_bytes())
    assert response.status_code == 200
    assert MISMATCHED_IMAGE.format(extension="jpeg", detected="png") in page_text(response)
    assert not Image.objects.filter(title="Tệp tải lên").exists()
    assert_nothing_lost(saved)


@pytest.mark.parametrize("view", DOCUMENT_UPLOADS)
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", HTML_PAGE),
        ("bao-cao.pdf", WINDOWS_PROGRAM),
        ("bang-tinh.xlsx", HTML_PAGE),
        ("ghi-chu.txt", WINDOWS_PROGRAM),
    ],
    ids=["html-as-pdf", "exe-as-pdf", "html-as-xlsx", "exe-as-txt"],
)
def test_a_document_whose_content_does_not_match_its_extension_is_refused(
    officer_client, saved, root_collection, view, name, content
):
    documents_before = Document.objects.count()
    response = upload(officer_client, DOCUMENT_UPLOADS[view], root_collection, name, content)
    assert response.status_code == 200
    extension = name.rpartition(".")[2]
    assert NOT_A_REAL_FILE.format(extension=extension) in page_text(response)
    assert Document.objects.count() == documents_before
    assert_nothing_lost(saved)


def test_a_program_is_refused_by_its_extension(officer_client, saved, root_collection):
    response = upload(officer_client, DOCUMENT_UPLOADS["add"], root_collection, "setup.exe", WINDOWS_PROGRAM)
    assert response.status_code == 200
    assert "Không chấp nhận tệp có phần mở rộng “exe”." in page_text(response)
    assert_nothing_lost(saved)


def test_replacing_a_documents_file_with_a_disguised_one_keeps_the_original(officer_client, saved, root_collection):
    document = saved["document"]
    response = officer_client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": "Kế hoạch triển khai (sửa)",
            "collection": root_collection.pk,
            "tags": "",
            "file": SimpleUploadedFile("ke-hoach.pdf", HTML_PAGE),
        },
    )
    assert response.status_code == 200
    assert NOT_A_REAL_FILE.format(extension="pdf") in response.content.decode()
    assert_nothing_lost(saved)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", PDF),
        ("ghi-chu.txt", "Tổ dân phố số 1: 120 hộ tham gia.\n".encode()),
        ("danh-sach.csv", "\ufeffHọ tên;Số hộ\nNguyễn Văn A;3\n".encode("utf-16")),
    ],
    ids=["pdf", "utf8-text", "utf16-csv"],
)
def test_real_documents_are_accepted(officer_client, root_collection, name, content):
    response = upload(officer_client, DOCUMENT_UPLOADS["add"], root_collection, name, content, title=name)
    assert response.status_code == 302, page_text(response)[:2000]
    assert Document.objects.filter(title=name).exists()


def test_a_real_spreadsheet_is_accepted(officer_client, root_collection):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Mã mô hình", "Tên mô hình"])
    workbook.save(buffer)
    response = upload(officer_client, DOCUMENT_UPLOADS["chooser"], root_collection, "mo-hinh.xlsx", buffer.getvalue())
    assert response.status_code == 200
    assert response.json()["step"] == "chosen"
    assert Document.objects.filter(title="Tệp tải lên").exists()


# ---------------------------------------------------------------------------------------------
# Oversized files and decompression bombs


def test_an_image_over_the_upload_limit_is_refused(officer_client, saved, root_collection):
    limit = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    response = post_streamed_file(
        officer_client,
        reverse("wagtailimages:add"),
        fields={"title": "Ảnh quá lớn", "collection": root_collection.pk, "tags": ""},
        file_field="file",
        name="anh-qua-lon.png",
        head=png_bytes(),
        size=limit + 1,
    )
    assert response.status_code == 200
    expected = TOO_BIG.format(size=vietnamese_size(limit + 1), limit=vietnamese_size(limit))
    assert expected in response.content.decode()
    assert not Image.objects.filter(title="Ảnh quá lớn").exists()
    assert_nothing_lost(saved)


@pytest.mark.parametrize("view", IMAGE_UPLOADS)
def test_a_decompression_bomb_is_refused(officer_client, saved, root_collection, view):
    """A 20000 × 20000 PNG of a few hundred bytes: Pillow refuses to open it at all."""
    limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000)
    bomb = png_declaring(20_000, 20_000)
    assert len(bomb) < 1000
    response = upload(officer_client, IMAGE_UPLOADS[view], root_collection, "bom.png", bomb, title="Bom giải nén")
    assert response.status_code == 200
    # Pillow refuses past twice its own limit before counting: Wagtail then reports the lower limit.
    pillow_limit = 2 * PILImage.MAX_IMAGE_PIXELS
    expected = TOO_MANY_PIXELS.format(pixels="không rõ số", limit=min(limit, pillow_limit))
    assert expected in page_text(response)
    assert not Image.objects.filter(title="Bom giải nén").exists()
    assert_nothing_lost(saved)


def test_an_image_just_over_the_pixel_limit_is_refused(officer_client, saved, root_collection):
    limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000)
    side = math.isqrt(limit) + 1
    response = upload(officer_client, IMAGE_UPLOADS["add"], root_collection, "lon.png", png_declaring(side, side))
    assert response.status_code == 200
    assert TOO_MANY_PIXELS.format(pixels=side * side, limit=limit) in response.content.decode()
    assert_nothing_lost(saved)


@pytest.mark.parametrize("view", ["wagtaildocs:add", "wagtaildocs_chooser:create"])
def test_a_50_mb_attachment_is_refused(officer_client, saved, root_collection, view):
    limit = settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    size = 50 * 1024 * 1024
    assert size > limit
    prefix = "document-chooser-upload-" if "chooser" in view else ""
    response = post_streamed_file(
        officer_client,
        reverse(view),
        fields={f"{prefix}title": "Tài liệu 50 MB", f"{prefix}collection": root_collection.pk, f"{prefix}tags": ""},
        file_field=f"{prefix}file",
        name="tai-lieu-lon.pdf",
        head=PDF,
        size=size,
    )
    assert response.status_code == 200
    assert TOO_BIG.format(size=vietnamese_size(size), limit=vietnamese_size(limit)) in page_text(response)
    assert not Document.objects.filter(title="Tài liệu 50 MB").exists()
    assert_nothing_lost(saved)


# ---------------------------------------------------------------------------------------------
# Empty title


def test_an_empty_title_is_refused_on_add(officer_client, saved, unit_tree, dvk):
    before = PracticeModel.objects.count()
    data = model_form_data({"title": "   ", "unit": unit_tree.dich_vong.pk, "movement": dvk.pk})
    response = officer_client.post(snippet_url("add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert REQUIRED in html
    assert "Không thể tạo mô hình do có lỗi." in html
    assert PracticeModel.objects.count() == before
    assert_nothing_lost(saved)


@pytest.mark.parametrize("action", ["save", "submit"])
def test_an_empty_title_is_refused_on_edit_and_the_draft_is_kept(officer_client, saved, unit_tree, dvk, action):
    draft = saved["draft"]
    data = model_form_data(
        {
            "title": "",
            "unit": unit_tree.dich_vong.pk,
            "movement": dvk.pk,
            "summary": "Nội dung mới chưa được lưu.",
            "cover_image": saved["image"].pk,
        }
    )
    if action == "submit":
        data["action-submit"] = "submit"
    response = officer_client.post(snippet_url("edit", draft.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert REQUIRED in html
    assert "Không thể lưu mô hình do có lỗi." in html
    # The officer's typing comes back in the form, nothing of it reached the database.
    assert "Nội dung mới chưa được lưu." in html
    assert_nothing_lost(saved)
    assert PracticeModel.objects.get(pk=draft.pk).current_workflow_state is None


# ---------------------------------------------------------------------------------------------
# HTML and script in every text field


def payload(field: str) -> str:
    return f"<script>alert('xss-{field}')</script><b onmouseover=\"alert('xss-{field}')\">{field}</b>"


def test_html_and_script_in_every_text_field_are_inert(officer_client, officer, unit_tree, dvk, root_collection):
    # A photo and a document whose file names and titles are themselves payloads.
    image_name = "\"><img src=x onerror=alert('xss-imagefile')>.png"
    response = upload(officer_client, IMAGE_UPLOADS["add"], root_collection, image_name, png_bytes(), payload("image"))
    assert response.status_code == 302, page_text(response)[:2000]
    image = Image.objects.get(title=payload("image"))
    assert "<" not in image.file.name and ">" not in image.file.name
    document_name = "<script>alert('xss-docfile')</script>.pdf"
    response = upload(
        officer_client, DOCUMENT_UPLOADS["add"], root_collection, document_name, PDF, payload("document")
    )
    assert response.status_code == 302, page_text(response)[:2000]
    document = Document.objects.get(title=payload("document"))
    assert "<" not in document.file.name

    data = model_form_data(
        {
            "title": payload("title"),
            "unit": unit_tree.dich_vong.pk,
            "movement": dvk.pk,
            "summary": payload("summary"),
            "results": payload("results"),
            "cover_image": image.pk,
            "contact_name": payload("contactname"),
            "contact_position": payload("position"),
            "contact_phone": "<script>alert('xss-p')</script>",
            "contact_email": "canbo@example.vn",
            "external_id": "XSS-1",
        },
        results=[{"label": payload("label"), "value": "12", "unit_of_measure": "<i onclick=alert('xss-u')>hộ</i>"}],
        gallery=[{"image": image.pk, "caption": payload("gallerycaption")}],
        attachments=[{"document": document.pk, "title": payload("attachment")}],
        blocks=[
            ("paragraph", draftail(payload("paragraph"), link="javascript:alert('xss-link')")),
            ("image", {"image": image.pk, "caption": payload("imagecaption")}),
            ("quote", {"text": payload("quote"), "attribution": payload("attribution")}),
            ("document", {"document": document.pk, "title": payload("storydocument")}),
        ],
    )
    response = officer_client.post(snippet_url("add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = PracticeModel.objects.get(external_id="XSS-1")

    # What the officer typed is stored as typed (escaping is the templates' job), then published.
    practice_model = draft.get_latest_revision_as_object()
    assert practice_model.title == payload("title")
    services.publish_practice_model(practice_model=practice_model)
    practice_model = PracticeModel.objects.get(pk=draft.pk)
    assert practice_model.live

    public = officer_client.get(practice_model.url)
    assert public.status_code == 200
    html = public.content.decode()
    assert injected(html) == []
    for field in ("title", "summary", "results", "contactname", "position", "label", "gallerycaption", "quote"):
        assert f"&lt;script&gt;alert(&#x27;xss-{field}&#x27;)&lt;/script&gt;" in html, field
    for field in ("imagecaption", "attribution", "attachment", "storydocument"):
        assert f"&lt;b onmouseover=&quot;alert(&#x27;xss-{field}&#x27;)&quot;&gt;" in html, field
    # The rich text keeps the words, escaped, and loses the javascript: link (Wagtail's converter).
    assert "<a>&lt;script&gt;alert('xss-paragraph')&lt;/script&gt;" in html
    assert "javascript:" not in html

    for url in (
        snippet_url("list"),
        snippet_url("edit", practice_model.pk),
        reverse("wagtailimages:index"),
        reverse("wagtaildocs:index"),
    ):
        admin_html = officer_client.get(url).content.decode()
        assert injected(admin_html) == [], url
        assert "&lt;script&gt;" in admin_html, url


@pytest.mark.parametrize(
    "posted",
    [
        '{"blocks": [{"text": "Họp dân <script>alert(1)</script>"',  # cut short: not JSON
        '["Họp dân <script>alert(1)</script>"]',  # JSON, not contentstate
        '{"blocks": "Họp dân <script>alert(1)</script>"}',
        '{"blocks": [{"text": 5}], "entityMap": {}}',
    ],
)
def test_malformed_rich_text_is_kept_as_plain_text_not_a_500(officer_client, unit_tree, dvk, posted):
    """Draftail always posts contentstate; a broken client may not. The request is saved, the text
    kept as escaped plain text (security.widgets), never run and never a server error."""
    data = model_form_data(
        {"title": "Mô hình nội dung hỏng", "unit": unit_tree.dich_vong.pk, "movement": dvk.pk, "summary": "Tóm tắt"},
        blocks=[("paragraph", posted)],
    )
    response = officer_client.post(snippet_url("add"), data)
    assert response.status_code == 302, page_text(response)[:2000]
    saved_model = PracticeModel.objects.get(title="Mô hình nội dung hỏng")
    paragraph = saved_model.story[0].value.source
    assert "<script>" not in paragraph
    assert paragraph == f"<p>{escape(posted)}</p>"
