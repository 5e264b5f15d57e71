"""Uploads (issue 7): limits below Wagtail's, SVG refused by name and by content, photo metadata
stripped from the stored original on every upload path, private attachments served only through
the permission-checking view, however the URL is spelled and whatever the serve method.
"""

import importlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.models import Collection

import pytest
from PIL import Image as PILImage

from models_registry import services
from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModelAttachment
from models_registry.uploads import strip_image_metadata

Image = get_image_model()
Document = get_document_model()

ORIENTATION, MAKE, DATETIME, GPS_IFD = 0x0112, 0x010F, 0x0132, 0x8825
SVG_REFUSED = (
    "Không chấp nhận tệp SVG vì tệp SVG có thể chứa mã lệnh. "
    "Hãy lưu hình ảnh dưới dạng PNG hoặc JPEG, hoặc lưu tài liệu dưới dạng PDF."
)
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
)
# What some phones append after the picture (a second, full-size picture with its own EXIF).
TRAILER = b"\xff\xd8\xff\xe1 appended picture GPSLatitude 21.0285"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="21,1.71N"/></x:xmpmeta>'


# ---------------------------------------------------------------------------------------------
# Photos that say where they were taken


def camera_exif(orientation: int = 6) -> PILImage.Exif:
    """EXIF as a phone writes it: orientation, maker, time and the GPS position (Hoàn Kiếm lake)."""
    exif = PILImage.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "Điện thoại"
    exif[DATETIME] = "2024:05:19 08:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (21.0, 1.0, 42.5), 3: "E", 4: (105.0, 51.0, 9.0)})
    return exif


def photo(image_format: str = "JPEG", *, orientation: int = 6, size=(64, 48)) -> bytes:
    """A real picture carrying GPS EXIF (and for JPEG XMP and an appended picture), built with Pillow."""
    picture = PILImage.new("RGB", size)
    for x in range(size[0]):
        for y in range(size[1]):
            picture.putpixel((x, y), (x * 4 % 256, y * 5 % 256, (x + y) % 256))
    buffer = io.BytesIO()
    options = {"exif": camera_exif(orientation)}
    if image_format == "JPEG":
        options.update(xmp=XMP, quality=90)
    picture.save(buffer, image_format, **options)
    data = buffer.getvalue()
    if image_format == "JPEG":
        data += TRAILER
    opened = PILImage.open(io.BytesIO(data))
    assert opened.getexif().get_ifd(GPS_IFD), "the test photo must carry GPS data"
    return data


def assert_no_location(data: bytes, *, orientation: int | None):
    picture = PILImage.open(io.BytesIO(data))
    exif = picture.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert set(exif) <= {ORIENTATION}, dict(exif)
    if orientation is not None:
        assert exif.get(ORIENTATION, 1) == orientation
    assert "xmp" not in picture.info
    for trace in (b"GPS", b"21,1.71N", "Điện thoại".encode(), b"2024:05:19", b"appended picture"):
        assert trace not in data, trace
    picture.load()


def pixels(data: bytes) -> bytes:
    return PILImage.open(io.BytesIO(data)).convert("RGB").tobytes()


def stored(image) -> bytes:
    with image.open_file() as handle:
        return handle.read()


def assert_clean_image(image, original: bytes, image_format: str = "JPEG"):
    """The stored original has lost its metadata, not its pixels or orientation; so have its renditions."""
    data = stored(image)
    assert_no_location(data, orientation=6)
    assert pixels(data) == pixels(original)  # rewritten without re-encoding
    assert image.file_size == len(data)
    rendition = image.get_rendition("width-32")
    with rendition.file.open("rb") as handle:
        rendered = handle.read()
    assert_no_location(rendered, orientation=None)
    # Orientation 6 (turn 90° clockwise): the 64 × 48 sensor picture is shown upright, 48 wide and 64 tall.
    assert rendition.height > rendition.width


@pytest.fixture
def officer_client(client, roles):
    client.force_login(roles["officer"])
    return client


@pytest.fixture
def root_collection(db):
    return Collection.get_first_root_node()


def post_image(client, view: str, collection, name: str, content: bytes, title: str):
    prefix = "image-chooser-upload-" if view == "chooser" else ""
    url = reverse("wagtailimages_chooser:create" if view == "chooser" else "wagtailimages:add")
    return client.post(
        url,
        {
            f"{prefix}title": title,
            f"{prefix}collection": collection.pk,
            f"{prefix}tags": "",
            f"{prefix}file": SimpleUploadedFile(name, content, content_type="image/jpeg"),
        },
    )


def test_the_limits_are_below_wagtails_defaults():
    field = WagtailImageField()
    # Wagtail's defaults (wagtail/images/fields.py; documents have no limit at all).
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE < 10 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS < 128 * 1_000_000
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE is not None
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE <= 10 * 1024 * 1024
    assert field.max_upload_size == settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    assert field.max_image_pixels == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert "svg" not in settings.WAGTAILDOCS_EXTENSIONS


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "temporary-file"])
@pytest.mark.parametrize("view", ["add", "chooser"])
def test_an_uploaded_photo_is_stored_without_its_location(officer_client, root_collection, view, in_memory):
    """The admin's add form and the chooser's upload (the officer's path from the model editor)."""
    original = photo()
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=settings.FILE_UPLOAD_MAX_MEMORY_SIZE if in_memory else 0):
        response = post_image(officer_client, view, root_collection, "anh-ra-quan.jpg", original, "Ảnh có GPS")
    assert response.status_code in (200, 302)
    if view == "chooser":
        assert response.json()["step"] == "chosen"
    assert_clean_image(Image.objects.get(title="Ảnh có GPS"), original)


def test_the_multiple_uploader_stores_the_photo_without_its_location(officer_client, root_collection):
    original = photo()
    response = officer_client.post(
        reverse("wagtailimages:add_multiple"),
        {"title": "Ảnh hàng loạt", "collection": root_collection.pk, "files[]": SimpleUploadedFile("a.jpg", original)},
    )
    assert response.json()["success"] is True
    assert_clean_image(Image.objects.get(pk=response.json()["image_id"]), original)


def test_replacing_an_images_file_strips_the_new_one(officer_client, roles, root_collection):
    image = Image.objects.create(
        title="Ảnh cũ",
        file=ContentFile(photo("PNG", orientation=1), name="cu.png"),
        uploaded_by_user=roles["officer"],
    )
    original = photo()
    response = officer_client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": "Ảnh thay",
            "collection": root_collection.pk,
            "tags": "",
            "file": SimpleUploadedFile("moi.jpg", original),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image.refresh_from_db()
    assert_clean_image(image, original)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_location_too(officer_client, root_collection, image_format):
    original = photo(image_format)
    extension = image_format.lower()
    response = post_image(officer_client, "add", root_collection, f"anh.{extension}", original, "Ảnh khác")
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get(title="Ảnh khác")
    data = stored(image)
    assert_no_location(data, orientation=6)
    assert pixels(data) == pixels(original)


def test_a_photo_without_metadata_keeps_its_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (10, 10), "blue").save(buffer, "PNG")
    assert strip_image_metadata(buffer.getvalue()) == buffer.getvalue()


def test_an_upright_photo_gets_no_orientation_tag():
    data = strip_image_metadata(photo(orientation=1))
    assert_no_location(data, orientation=1)
    assert ORIENTATION not in PILImage.open(io.BytesIO(data)).getexif()


# ---------------------------------------------------------------------------------------------
# SVG, by name and by content


@pytest.mark.parametrize("view", ["add", "chooser"])
@pytest.mark.parametrize("name", ["logo.png", "logo.jpg", "logo.gif"])
def test_an_svg_renamed_as_a_photo_is_refused(officer_client, root_collection, view, name):
    response = post_image(officer_client, view, root_collection, name, SVG, "Ảnh SVG")
    html = response.json()["htmlFragment"] if view == "chooser" else response.content.decode()
    assert SVG_REFUSED in html
    assert not Image.objects.filter(title="Ảnh SVG").exists()


def test_an_svg_image_is_refused_by_its_extension(officer_client, root_collection):
    response = post_image(officer_client, "add", root_collection, "logo.svg", SVG, "Ảnh SVG")
    assert response.status_code == 200
    assert SVG_REFUSED in response.content.decode()
    # Whatever it holds, a .svg name is not among the image extensions.
    response = post_image(officer_client, "add", root_collection, "logo.svg", photo("PNG"), "Ảnh SVG")
    assert response.status_code == 200
    assert "Định dạng ảnh không được hỗ trợ. Định dạng hỗ trợ: GIF, JPG, JPEG, PNG, WEBP." in (
        response.content.decode()
    )
    assert not Image.objects.filter(title="Ảnh SVG").exists()


def test_the_multiple_uploader_refuses_an_svg(officer_client, root_collection):
    response = officer_client.post(
        reverse("wagtailimages:add_multiple"),
        {"title": "SVG", "collection": root_collection.pk, "files[]": SimpleUploadedFile("logo.png", SVG)},
    )
    assert response.json() == {"success": False, "error_message": SVG_REFUSED}
    assert not Image.objects.filter(title="SVG").exists()


@pytest.mark.parametrize("view", ["wagtaildocs:add", "wagtaildocs_chooser:create"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ban-do.pdf", SVG),
        ("ghi-chu.txt", SVG),
        ("ghi-chu.txt", "\ufeff".encode() + SVG),
        ("danh-sach.csv", SVG.decode().encode("utf-16")),
    ],
    ids=["as-pdf", "as-txt", "as-txt-with-bom", "as-utf16-csv"],
)
def test_an_svg_renamed_as_a_document_is_refused(officer_client, root_collection, view, name, content):
    prefix = "document-chooser-upload-" if "chooser" in view else ""
    response = officer_client.post(
        reverse(view),
        {
            f"{prefix}title": "Tài liệu SVG",
            f"{prefix}collection": root_collection.pk,
            f"{prefix}tags": "",
            f"{prefix}file": SimpleUploadedFile(name, content),
        },
    )
    html = response.json()["htmlFragment"] if "chooser" in view else response.content.decode()
    assert SVG_REFUSED in html
    assert not Document.objects.filter(title="Tài liệu SVG").exists()


def test_an_html_page_renamed_as_text_is_refused(officer_client, root_collection):
    response = officer_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Trang HTML",
            "collection": root_collection.pk,
            "tags": "",
            "file": SimpleUploadedFile("ghi-chu.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        },
    )
    assert "Tệp này không phải là tệp .txt thật" in response.content.decode()
    assert not Document.objects.filter(title="Trang HTML").exists()


def test_an_svg_document_is_refused_by_its_extension(officer_client, root_collection):
    response = officer_client.post(
        reverse("wagtaildocs:add"),
        {"title": "SVG", "collection": root_collection.pk, "tags": "", "file": SimpleUploadedFile("ban-do.svg", SVG)},
    )
    assert response.status_code == 200
    assert "Không chấp nhận tệp có phần mở rộng “svg”." in response.content.decode()
    assert not Document.objects.filter(title="SVG").exists()


# ---------------------------------------------------------------------------------------------
# A draft's attachment: only through the permission-checking view


@pytest.fixture
def draft_attachment(roles, unit_tree, dvk):
    """A Dịch Vọng officer's report, attached to a draft of their unit."""
    document = Document.objects.create(
        title="Báo cáo nội bộ",
        file=ContentFile(b"%PDF-1.4 bao cao noi bo", name="bao-cao-noi-bo.pdf"),
        uploaded_by_user=roles["officer"],
    )
    draft = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, live=False)
    PracticeModelAttachment.objects.create(practice_model=draft, document=document)
    return document


# Who downloads the draft's attachment: its unit's officer, the district reviewer above and the city
# editor (they review and edit it); the anonymous visitor and another district's officer never.
DOWNLOADS = {"anonymous": False, "stranger": False, "officer": True, "reviewer": True, "editor": True, "admin": True}


@pytest.mark.parametrize("serve_method", [None, "serve_view"], ids=["default", "production"])
@pytest.mark.parametrize("who", DOWNLOADS)
def test_a_draft_attachment_is_served_only_through_the_checking_view(
    client, everyone, draft_attachment, who, serve_method
):
    document = draft_attachment
    if everyone[who] is not None:
        client.force_login(everyone[who])
    with override_settings(WAGTAILDOCS_SERVE_METHOD=serve_method):
        assert document.url == reverse("wagtaildocs_serve", args=[document.pk, document.filename])
        response = client.get(document.url)
    if DOWNLOADS[who]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 bao cao noi bo"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'"
    else:
        assert response.status_code == 404


def test_the_attachment_downloads_for_everyone_once_the_model_is_published(client, draft_attachment):
    model = PracticeModelAttachment.objects.get(document=draft_attachment).practice_model
    assert client.get(draft_attachment.url).status_code == 404
    services.publish_practice_model(practice_model=model.get_latest_revision_as_object())
    assert client.get(draft_attachment.url).status_code == 200


@pytest.fixture
def debug_urls():
    """The URLs as `manage.py runserver` builds them (DEBUG on, /media/ served by Django)."""
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.parametrize(
    "spelling",
    [
        "/media/{name}",
        "/media//{name}",
        "/media/./{name}",
        "/media/images/../{name}",
        "/media/original_images/..%2F{name}",
        "/media/original_images/%2E%2E/{name}",
        "/media/original_images\\..\\{name}",
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "stranger", "officer"])
def test_the_development_server_never_hands_out_documents_directly(
    client, everyone, draft_attachment, debug_urls, spelling, who
):
    if everyone[who] is not None:
        client.force_login(everyone[who])
    response = client.get(spelling.format(name=draft_attachment.file.name))
    assert response.status_code == 404
    assert b"bao cao noi bo" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_development_server_still_serves_pictures(client, roles, debug_urls):
    image = Image.objects.create(title="Ảnh", file=ContentFile(photo("PNG", orientation=1), name="anh.png"))
    response = client.get(f"/media/{image.file.name}")
    assert response.status_code == 200


def test_production_refuses_media_documents_in_nginx():
    conf = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    for folder in ("documents", "uploaded_files"):
        block = conf.split(f"location /media/{folder}/", 1)[1].split("}", 1)[0]
        assert "return 404" in block, folder
