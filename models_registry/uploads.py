"""What the registry accepts as an image or a document, checked by content, not by name.

Documents: Wagtail only checks the extension, so an HTML page or a program renamed `bao-cao.pdf`
would be stored and served. `RegistryDocumentForm` refuses a file whose first bytes are not those
of the format its extension promises.

Images: Wagtail reads the real format and counts the pixels, but only after Willow has decoded
the whole picture, so a small file declaring a huge picture is decompressed in memory first, and
a truncated one ends in a server error. `RegistryImageForm` reads the declared size from the
header first and turns a picture that cannot be decoded into the usual "not a valid image" error.

Both are the base of every image/document form (add, edit, multiple upload, chooser upload)
once `WAGTAILIMAGES_IMAGE_FORM_BASE` and `WAGTAILDOCS_DOCUMENT_FORM_BASE` name them.
"""

import struct
import warnings
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

import filetype
from PIL import Image as PILImage

# How much of the file is read to recognise it: what `filetype` needs for every format it knows.
HEAD_SIZE = 8192

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office files (.doc, .xls, .ppt)
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive (also .docx, .xlsx, .pptx, .odt)
ZIP_KINDS = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"})

# Extension -> the kinds of content (as `detect_kind` names them) a file with it may hold.
EXPECTED_KINDS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "rtf": frozenset({"rtf"}),
    "doc": frozenset({"ole2"}),
    "xls": frozenset({"ole2"}),
    "ppt": frozenset({"ole2"}),
    "zip": ZIP_KINDS,
    "docx": ZIP_KINDS,
    "xlsx": ZIP_KINDS,
    "pptx": ZIP_KINDS,
    "odt": ZIP_KINDS,
    "ods": ZIP_KINDS,
    "odp": ZIP_KINDS,
}
# Plain text has no signature: it is accepted unless it is recognisably some binary format.
TEXT_EXTENSIONS = frozenset({"txt", "csv"})
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def detect_kind(head: bytes) -> str | None:
    """The format the first bytes of a file reveal (`filetype`'s names, plus "ole2"), or None for text."""
    if head.startswith(OLE2_SIGNATURE):
        return "ole2"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.extension
    if head.startswith(ZIP_SIGNATURES):
        return "zip"
    return None


def content_matches_extension(head: bytes, extension: str) -> bool:
    """Whether a file starting with `head` really is what its extension says."""
    extension = extension.lower()
    kind = detect_kind(head)
    if extension in TEXT_EXTENSIONS:
        if kind is not None:
            return False
        # NUL bytes mean binary content, unless the text is UTF-16 (which Excel writes for CSV).
        return b"\x00" not in head or head.startswith(UTF16_BOMS)
    expected = EXPECTED_KINDS.get(extension)
    if expected is None:
        # An allowed extension this table does not know: anything but a program.
        return kind not in {"exe", "elf"}
    return kind in expected


def read_head(uploaded: UploadedFile) -> bytes:
    position = uploaded.tell()
    uploaded.seek(0)
    head = uploaded.read(HEAD_SIZE)
    uploaded.seek(position)
    return head


class RegistryDocumentForm(BaseDocumentForm):
    """Wagtail's document form, refusing a file whose content does not match its extension."""

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not isinstance(uploaded, UploadedFile):
            return uploaded  # unchanged on edit, or already refused
        extension = uploaded.name.rpartition(".")[2].lower() if "." in uploaded.name else ""
        allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
        if allowed and extension not in {allowed_extension.lower() for allowed_extension in allowed}:
            return uploaded  # Wagtail's extension check (Document.clean) refuses it with its own message
        if not content_matches_extension(read_head(uploaded), extension):
            raise ValidationError(
                gettext("This file is not a real .%(extension)s file: its content does not match its name.")
                % {"extension": extension or "?"},
                code="content_does_not_match_extension",
            )
        return uploaded


# What Pillow raises on a picture whose header is readable but whose data is not.
UNDECODABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)


def declared_pixels(uploaded) -> int | None:
    """The pixel count an image file's header declares, read without decoding it; None if too many to open."""
    position = uploaded.tell()
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(uploaded) as image:  # reads the header only
                return image.width * image.height
    except PILImage.DecompressionBombError:
        return None
    except Exception:  # not something Pillow reads: Wagtail's own checks refuse it
        return 0
    finally:
        uploaded.seek(position)


class RegistryImageField(WagtailImageField):
    """Wagtail's image field, checking the declared size before decoding and refusing undecodable pictures."""

    def to_python(self, data):
        if self.max_image_pixels is not None and hasattr(data, "read"):
            pixels = declared_pixels(data)
            if pixels is None or pixels > self.max_image_pixels:
                raise ValidationError(
                    self.error_messages["file_too_many_pixels"]
                    % {
                        "num_pixels": gettext("unknown number") if pixels is None else pixels,
                        "max_pixels_count": self.max_image_pixels,
                    },
                    code="file_too_many_pixels",
                )
        try:
            return super().to_python(data)
        except UNDECODABLE as error:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error


class RegistryImageForm(BaseImageForm):
    """Wagtail's image form with `RegistryImageField` as its file field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, RegistryImageField):
            self.fields["file"] = RegistryImageField(
                label=field.label, required=field.required, widget=field.widget, initial=field.initial
            )
