"""The printable commendation certificate: one A4 landscape PDF page per commendation.

Drawn with ReportLab in DejaVu Serif, committed under models_registry/fonts/ with its licence:
the PDF standard fonts have no Vietnamese letters, and a font with every precomposed letter
(ễ, ặ, ướ…) lets the text be drawn, read back and searched as written. Text is normalised to NFC
first, so a title typed with combining marks still finds those precomposed glyphs. A QR code
(segno) in the corner holds the model's absolute public address.
"""

import io
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from .models import Commendation

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSerif"
BOLD = "DejaVuSerif-Bold"
RED = colors.HexColor("#8c1717")  # the site's brand red (site.css --red-800)
GOLD = colors.HexColor("#b8860b")
INK = colors.HexColor("#1f1f1f")
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
QR_SIZE = 3.6 * cm


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name, filename in ((REGULAR, "DejaVuSerif.ttf"), (BOLD, "DejaVuSerif-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _style(name: str, *, font: str = REGULAR, size: float, colour=INK, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.3, alignment=TA_CENTER, textColor=colour
    )


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a little markup: escape the user's text so "<" or "&" in a title stays text.
    return Paragraph(escape(nfc(text)), style)


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a PNG: error correction M, 10 pixels a module, the standard quiet zone."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def certificate_filename(commendation: Commendation) -> str:
    slug = slugify(commendation.practice_model.slug or "mo-hinh")[:60]
    return f"giay-chung-nhan-{slug}-{commendation.pk}.pdf"


def _frame(pdf: canvas.Canvas) -> None:
    """A double border, red outside and gold inside, with small corner marks."""
    margin = 1.0 * cm
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(3)
    pdf.rect(margin, margin, PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin)
    inner = margin + 0.35 * cm
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1)
    pdf.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)
    pdf.setFillColor(GOLD)
    for x in (inner, PAGE_WIDTH - inner):
        for y in (inner, PAGE_HEIGHT - inner):
            pdf.circle(x, y, 0.12 * cm, stroke=0, fill=1)


def certificate_pdf(*, commendation: Commendation, public_url: str) -> bytes:
    """The certificate of `commendation` as PDF bytes, its QR code pointing at `public_url`.

    Everything printed is in the active language (Vietnamese): the title "GIẤY CHỨNG NHẬN", the
    commendation's form and level, the model and its unit, and the decision's number, date
    (dd/mm/yyyy) and issuing body.
    """
    _register_fonts()
    practice_model = commendation.practice_model
    buffer = io.BytesIO()
    # invariant: no creation timestamp or random id, so the same commendation gives the same file.
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    pdf.setTitle(nfc(gettext("Certificate: %(model)s") % {"model": practice_model.title}))
    pdf.setAuthor(nfc(commendation.issuing_body))
    pdf.setSubject(nfc(commendation.get_form_display()))
    pdf.setCreator(gettext("Practice model registry"))
    _frame(pdf)

    date = formats.date_format(commendation.decision_date, "SHORT_DATE_FORMAT")
    form_and_level = gettext("%(form)s – %(level)s level") % {
        "form": commendation.get_form_display(),
        "level": commendation.get_level_display().lower(),
    }
    # (text, font, size, colour, space after in cm), top to bottom.
    blocks = [
        (nfc(commendation.issuing_body).upper(), BOLD, 12, RED, 0.8),
        (gettext("CERTIFICATE"), BOLD, 34, RED, 0.3),
        (form_and_level, BOLD, 16, GOLD, 0.6),
        (gettext("This certifies that the practice model"), REGULAR, 13, INK, 0.2),
        (practice_model.title, BOLD, 20, INK, 0.3),
        (gettext("of %(unit)s") % {"unit": practice_model.unit.name}, BOLD, 14, INK, 0.2),
        (
            gettext("Movement “%(movement)s”, year %(year)s")
            % {"movement": practice_model.movement.title, "year": practice_model.year},
            REGULAR,
            12,
            INK,
            0.4,
        ),
    ]
    if commendation.title:
        blocks.append((gettext("has been awarded: %(title)s") % {"title": commendation.title}, BOLD, 13, RED, 0.4))
    blocks.append(
        (
            gettext("under decision no. %(number)s of %(date)s of %(body)s.")
            % {"number": commendation.decision_number, "date": date, "body": commendation.issuing_body},
            REGULAR,
            12,
            INK,
            0,
        )
    )

    text_width = PAGE_WIDTH - 2 * 3.2 * cm
    left = (PAGE_WIDTH - text_width) / 2
    top = PAGE_HEIGHT - 2.2 * cm
    qr_x = PAGE_WIDTH - 2.0 * cm - QR_SIZE
    qr_y = 2.3 * cm
    available = top - (qr_y + QR_SIZE + 0.3 * cm)
    # Long titles shrink the whole text a step at a time until it clears the QR code.
    for scale in (1.0, 0.92, 0.84, 0.76, 0.68, 0.6):
        laid_out = []
        for index, (text, font, size, colour, gap) in enumerate(blocks):
            paragraph = _paragraph(text, _style(f"b{index}", font=font, size=size * scale, colour=colour))
            _w, height = paragraph.wrapOn(pdf, text_width, PAGE_HEIGHT)
            laid_out.append((paragraph, height, gap * cm * scale))
        if sum(height + gap for _p, height, gap in laid_out) <= available:
            break
    y = top
    for paragraph, height, gap in laid_out:
        y -= height
        paragraph.drawOn(pdf, left, y)
        y -= gap

    # The QR code in the lower right corner, with what it is for written under it.
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(public_url))), qr_x, qr_y, QR_SIZE, QR_SIZE)
    caption = _paragraph(gettext("Scan to read the model"), _style("qr", size=8))
    _w, height = caption.wrapOn(pdf, QR_SIZE + 1.0 * cm, 2 * cm)
    caption.drawOn(pdf, qr_x - 0.5 * cm, qr_y - height - 0.05 * cm)
    reference = _paragraph(
        gettext("Certificate no. %(id)s · %(url)s") % {"id": commendation.pk, "url": public_url},
        ParagraphStyle("reference", fontName=REGULAR, fontSize=7, leading=9, textColor=colors.HexColor("#555555")),
    )
    reference.wrapOn(pdf, qr_x - left - 1.0 * cm, 2 * cm)
    reference.drawOn(pdf, left, 2.0 * cm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_response(commendation: Commendation, request) -> HttpResponse:
    """The certificate PDF, shown in the browser (the print dialog is one click away)."""
    public_url = commendation.practice_model.get_full_url(request)
    if public_url is None:
        raise Http404
    pdf = certificate_pdf(commendation=commendation, public_url=public_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(commendation)}"'
    return response
