"""What the registry accepts as an image or a document, checked by content, not by name.

Documents: Wagtail only checks the extension, so an HTML page or a program renamed `bao-cao.pdf`
would be stored and served. `RegistryDocumentForm` refuses a file whose first bytes are not those
of the format its extension promises.

Images: Wagtail reads the real format and counts the pixels, but only after Willow has decoded
the whole picture, so a small file declaring a huge picture is decompressed in memory first, and
a truncated one ends in a server error. `RegistryImageForm` reads the declared size from the
header first and turns a picture that cannot be decoded into the usual "not a valid image" error.

SVG (markup that a browser runs scripts in) is refused as an image and as a document, whatever
the file is called.

Photos: a phone writes where it was (GPS), when, and with what into the file's EXIF, and Wagtail
keeps the original file reachable by URL and copies its EXIF into every rendition. The image
field therefore rewrites the uploaded file before it is stored: every metadata segment goes
(EXIF, XMP, IPTC, comments, embedded thumbnails and the extra pictures some phones append), only
the orientation is written back so the photo stays upright; the pixels are not re-encoded.

Both are the base of every image/document form (add, edit, multiple upload, chooser upload)
once `WAGTAILIMAGES_IMAGE_FORM_BASE` and `WAGTAILDOCS_DOCUMENT_FORM_BASE` name them. Code that
stores an image without a form (none does today: the demo draws its pictures, imports add none)
must pass the file through `strip_image_metadata` first.
"""

import io
import re
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
import willow
from PIL import Image as PILImage
from PIL import ImageOps

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


# Markup a browser would render and run: SVG, and (in a plain-text file) an HTML page.
_LEADING_BOM = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SVG = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_HTML = re.compile(rb"<(!doctype\s+html|html[\s>]|script[\s>]|body[\s>]|iframe[\s>])", re.IGNORECASE)


def _as_ascii_text(head: bytes) -> bytes:
    """The head without a BOM, UTF-16 reduced to its ASCII bytes, so markup is found in either encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].replace(b"\x00", b"")
    elif head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def is_svg(head: bytes) -> bool:
    """Whether a file starting with `head` is an SVG picture (XML markup with an <svg> element)."""
    text = _as_ascii_text(head)
    return text.startswith(b"<") and _SVG.search(text) is not None


def is_markup(head: bytes) -> bool:
    """Whether a file starting with `head` is SVG or an HTML page, which a browser would run."""
    text = _as_ascii_text(head)
    return text.startswith(b"<") and (_SVG.search(text) is not None or _HTML.match(text) is not None)


def content_matches_extension(head: bytes, extension: str) -> bool:
    """Whether a file starting with `head` really is what its extension says."""
    extension = extension.lower()
    kind = detect_kind(head)
    if extension in TEXT_EXTENSIONS:
        if kind is not None or is_markup(head):
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


def svg_refused() -> str:
    return gettext(
        "SVG files are not accepted: they can carry scripts. Save the picture as PNG or JPEG, or the document as PDF."
    )


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
        head = read_head(uploaded)
        if is_svg(head):
            raise ValidationError(svg_refused(), code="svg")
        if not content_matches_extension(head, extension):
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
        if hasattr(data, "read") and is_svg(read_head(data)):
            raise ValidationError(svg_refused(), code="svg")
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
            uploaded = super().to_python(data)
        except UNDECODABLE as error:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error
        if isinstance(uploaded, UploadedFile):
            strip_uploaded_image(uploaded)
        return uploaded


class RegistryImageForm(BaseImageForm):
    """Wagtail's image form with `RegistryImageField` as its file field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and not isinstance(field, RegistryImageField):
            self.fields["file"] = RegistryImageField(
                label=field.label, required=field.required, widget=field.widget, initial=field.initial
            )


# ---------------------------------------------------------------------------------------------
# Photo metadata: everything but the orientation goes before the original is stored.

ORIENTATION_TAG = 0x0112
GPS_IFD_TAG = 0x8825

# JPEG application segments kept, by the signature their data starts with: JFIF (APP0), the colour
# profile (APP2 ICC_PROFILE; not MPF, which indexes appended pictures) and Adobe's colour transform
# (APP14), which decoders need. Every other APPn (Exif and XMP in APP1, IPTC in APP13, makers'
# blocks) and every comment goes.
JPEG_KEPT_SEGMENTS = {0xE0: (b"JFIF\x00", b"JFXX\x00"), 0xE2: (b"ICC_PROFILE\x00",), 0xEE: (b"Adobe",)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DROPPED_CHUNKS = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})
WEBP_DROPPED_CHUNKS = frozenset({b"EXIF", b"XMP "})
WEBP_EXIF_FLAG, WEBP_XMP_FLAG = 0x08, 0x04


class MetadataError(ValueError):
    """The file's structure is not what its format promises; the lossless rewrite is not possible."""


def _orientation_exif(orientation: int) -> bytes:
    """An EXIF block ("Exif\\0\\0" and TIFF data) holding the orientation tag only."""
    exif = PILImage.Exif()
    exif[ORIENTATION_TAG] = orientation
    return exif.tobytes()


def _jpeg_without_metadata(data: bytes, orientation: int) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise MetadataError("no JPEG start of image")
    segments: list[bytes] = []
    position, end = 2, len(data)
    while position < end:
        if data[position] != 0xFF:
            raise MetadataError("marker expected")
        while position < end and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= end:
            break
        marker = data[position]
        position += 1
        if marker == 0xD9:  # end of image: what some phones append after it (more pictures) goes too
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            segments.append(bytes((0xFF, marker)))
            continue
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > end:
            raise MetadataError("segment length out of bounds")
        body = data[position : position + length]
        position += length
        is_metadata = 0xE0 <= marker <= 0xEF or marker == 0xFE
        if is_metadata and not body[2:].startswith(JPEG_KEPT_SEGMENTS.get(marker, ())):
            continue
        segments.append(bytes((0xFF, marker)) + body)
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            start = position
            while True:
                position = data.find(b"\xff", position)
                if position == -1 or position + 1 >= end:
                    raise MetadataError("no end of image")
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
            segments.append(data[start:position])
    else:
        raise MetadataError("no end of image")
    head = [b"\xff\xd8"]
    if segments and segments[0].startswith(b"\xff\xe0"):
        head.append(segments.pop(0))
    if orientation != 1:
        exif = _orientation_exif(orientation)
        head.append(b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif)
    return b"".join(head + segments) + b"\xff\xd9"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def _png_without_metadata(data: bytes, orientation: int) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise MetadataError("no PNG signature")
    chunks = [PNG_SIGNATURE]
    position, end, orientation_written = len(PNG_SIGNATURE), len(data), orientation == 1
    while True:
        if position + 12 > end:
            raise MetadataError("truncated PNG")
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        chunk_end = position + 12 + length
        if chunk_end > end:
            raise MetadataError("chunk length out of bounds")
        if kind in (b"IDAT", b"IEND") and not orientation_written:
            chunks.append(_png_chunk(b"eXIf", _orientation_exif(orientation)[6:]))
            orientation_written = True
        if kind not in PNG_DROPPED_CHUNKS:
            chunks.append(data[position:chunk_end])
        position = chunk_end
        if kind == b"IEND":
            return b"".join(chunks)


def _webp_without_metadata(data: bytes, orientation: int) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MetadataError("no WebP header")
    chunks: list[bytearray] = []
    position, end = 12, min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while position + 8 <= end:
        kind = data[position : position + 4]
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        chunk_end = position + 8 + length + (length & 1)
        if position + 8 + length > end:
            raise MetadataError("chunk length out of bounds")
        if kind not in WEBP_DROPPED_CHUNKS:
            chunks.append(bytearray(data[position:chunk_end]))
        position = chunk_end
    extended = chunks[0] if chunks and chunks[0][:4] == b"VP8X" else None
    if extended is not None:
        extended[8] &= ~(WEBP_EXIF_FLAG | WEBP_XMP_FLAG) & 0xFF
        if orientation != 1:
            extended[8] |= WEBP_EXIF_FLAG
            exif = _orientation_exif(orientation)[6:]
            chunks.append(bytearray(b"EXIF" + len(exif).to_bytes(4, "little") + exif + b"\x00" * (len(exif) & 1)))
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


LOSSLESS_STRIPPERS = {"JPEG": _jpeg_without_metadata, "PNG": _png_without_metadata, "WEBP": _webp_without_metadata}


def _has_metadata(image: PILImage.Image) -> bool:
    exif = image.getexif()
    if set(exif) - {ORIENTATION_TAG} or exif.get_ifd(GPS_IFD_TAG):
        return True
    return any(key in image.info for key in ("xmp", "XML:com.adobe.xmp", "comment", "photoshop"))


def _reencoded(image: PILImage.Image) -> bytes:
    """The picture drawn again without any metadata, turned upright first (the last resort)."""
    if getattr(image, "is_animated", False):
        raise MetadataError("an animated picture cannot be redrawn here")
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    output = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if image.format == "JPEG":
        upright.save(output, "JPEG", quality=92, **options)
    elif image.format == "WEBP":
        upright.save(output, "WEBP", quality=92, **options)
    else:
        upright.save(output, "PNG", **options)
    return output.getvalue()


def strip_image_metadata(data: bytes) -> bytes:
    """The image `data` without EXIF (but its orientation), XMP, IPTC or comments; GIF comes back as is.

    JPEG, PNG and WebP are rewritten segment by segment, the pixels untouched; a file whose
    structure defeats that is redrawn by Pillow instead. Raises MetadataError if neither works.
    """
    with PILImage.open(io.BytesIO(data)) as image:
        image_format = image.format
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    if orientation not in range(1, 9):
        orientation = 1
    stripper = LOSSLESS_STRIPPERS.get(image_format)
    if stripper is None:
        return data  # GIF has no EXIF
    try:
        stripped = stripper(data, orientation)
        with PILImage.open(io.BytesIO(stripped)) as image:
            if image.format != image_format or _has_metadata(image):
                raise MetadataError("metadata left behind")
            if image_format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()  # the rewritten file still decodes (JPEG at 1/8 scale: cheap)
        return stripped
    except (MetadataError, *UNDECODABLE):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                return _reencoded(image)


def strip_uploaded_image(uploaded: UploadedFile) -> None:
    """Rewrite an uploaded picture in place without its metadata, so every later step stores the clean file."""
    uploaded.seek(0)
    data = uploaded.read()
    try:
        stripped = strip_image_metadata(data)
    except (MetadataError, *UNDECODABLE) as error:
        raise ValidationError(
            gettext("This picture's location and camera data could not be removed. Save it again as JPEG or PNG."),
            code="metadata_not_removed",
        ) from error
    if stripped != data:
        handle = uploaded.file
        if hasattr(uploaded, "temporary_file_path"):
            handle.seek(0)
            handle.write(stripped)
            handle.truncate()
            handle.flush()
        else:
            uploaded.file = io.BytesIO(stripped)
        uploaded.size = len(stripped)
        # Wagtail reads sizes and format from this Willow image later on (renditions, checks).
        uploaded.image = willow.Image.open(io.BytesIO(stripped))
    uploaded.seek(0)
