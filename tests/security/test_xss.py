"""Stored XSS: a payload in every text and rich-text field, and in file names, stays inert on every page.

Each field gets its own marker (`xss-<field>`) inside three payloads at once: a script element, an
attribute break-out with an event handler, and a javascript: link. Rich text goes through the
editor's converter (what Draftail's save stores). The public pages and the admin pages that show
those objects are then rendered and parsed: no script, event handler or javascript:/data: URL
carrying a marker may exist in any of them, and each marker must show up somewhere as text (so a
page that silently dropped the field does not pass for a safe one).
"""

import datetime
import io
import json

from django.core.files.base import ContentFile
from django.urls import reverse

from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from emulation.factories import CriterionFactory, CycleFactory
from models_registry import services
from models_registry.factories import CommendationFactory, PracticeModelFactory, UnitFactory
from models_registry.models import (
    PracticeModelAttachment,
    PracticeModelImage,
    PracticeModelResult,
    UnitChange,
    UnitKind,
)
from movements.models import Field, HomePage
from tests.html_checks import injected


def payload(field: str) -> str:
    marker = f"xss-{field}"
    return (
        f"<script>alert('{marker}')</script>\"><img src=x onerror=alert('{marker}')>"
        f"<a href=\"javascript:alert('{marker}')\">{marker}</a><svg onload=alert('{marker}')>"
    )


def rich_text(field: str, features=None) -> str:
    """What the editor stores for a paragraph typed as the payload, with a javascript: link on it."""
    text = payload(field)
    block = {
        "key": "a1b2c",
        "type": "unstyled",
        "depth": 0,
        "text": text,
        "inlineStyleRanges": [],
        "entityRanges": [{"offset": 0, "length": len(text), "key": 0}],
        "data": {},
    }
    entity_map = {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": f"javascript:alert('xss-{field}')"}}}
    converter = ContentstateConverter(features or ["bold", "italic", "link", "h3", "h4", "ol", "ul"])
    return converter.to_database_format(json.dumps({"blocks": [block], "entityMap": entity_map}))


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (16, 12), "orange").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def stored(roles, unit_tree, dvk, fields):
    """One published model of a payload-named unit, with every field, file name and related row a payload."""
    home = HomePage.objects.get()
    home.hero_title = payload("herotitle")
    home.intro = rich_text("homeintro", ["bold", "italic", "link"])
    home.save()
    dvk.intro = rich_text("movementintro")
    dvk.abbreviation = "<svg onload=x>xss-ab"
    dvk.save()
    field = Field.objects.create(
        name=payload("fieldname")[:250], slug="linh-vuc-xss", description=payload("fielddesc")
    )
    unit = UnitFactory(
        code="HN-XSS",
        name=payload("unitname")[:250],
        kind=UnitKind.COMMUNE,
        parent=unit_tree.cau_giay,
        description=payload("unitdesc"),
    )
    image = get_image_model().objects.create(
        title=payload("imagetitle")[:250],
        file=ContentFile(png(), name="\"><img src=x onerror=alert('xss-imgfile')>.png"),
    )
    document = get_document_model().objects.create(
        title=payload("doctitle")[:250],
        # The name as Django's upload parser hands it on (the part after the last slash).
        file=ContentFile(b"%PDF-1.4 x", name="\"><svg onload=alert('xss-docfile')>.pdf"),
    )
    story = [
        {"type": "paragraph", "value": rich_text("paragraph")},
        {"type": "image", "value": {"image": image.pk, "caption": payload("storycaption")[:500]}},
        {"type": "quote", "value": {"text": payload("quote"), "attribution": payload("attribution")[:255]}},
        {"type": "document", "value": {"document": document.pk, "title": payload("storydoc")[:255]}},
    ]
    model = PracticeModelFactory(
        title=payload("title")[:255],
        unit=unit,
        movement=dvk,
        field=field,
        summary=payload("summary"),
        results=payload("results"),
        contact_name=payload("contactname")[:255],
        contact_position=payload("position")[:255],
        contact_phone="<b onclick=alert('xss-phone')>1</b>"[:50],
        cover_image=image,
        story=json.dumps(story),
        live=False,
    )
    PracticeModelResult.objects.create(
        practice_model=model,
        label=payload("label")[:255],
        value=12,
        unit_of_measure="<i onclick=alert('xss-uom')>"[:50],
    )
    PracticeModelImage.objects.create(practice_model=model, image=image, caption=payload("gallery")[:500])
    PracticeModelAttachment.objects.create(practice_model=model, document=document, title=payload("attachment")[:255])
    model = services.publish_practice_model(practice_model=model)
    commendation = CommendationFactory(
        practice_model=model,
        title=payload("commendation")[:255],
        decision_number="1/<b onclick=alert('xss-decision')>"[:100],
        issuing_body=payload("issuer")[:255],
    )
    cycle = CycleFactory(movement=dvk, name=payload("cycle")[:255])
    criterion = CriterionFactory(movement=dvk, name=payload("criterion")[:255], description=payload("criteriondesc"))
    change = UnitChange.objects.create(
        kind=UnitChange._meta.get_field("kind").choices[0][0],
        effective_date=datetime.date(2024, 1, 1),
        legal_basis=payload("legalbasis")[:255],
        note=payload("changenote"),
    )
    return {
        "model": model,
        "unit": unit,
        "field": field,
        "image": image,
        "document": document,
        "commendation": commendation,
        "cycle": cycle,
        "criterion": criterion,
        "change": change,
        "home": home,
    }


# Fields whose marker must be seen (escaped) on at least one page: proof the page rendered them.
SHOWN = [
    "herotitle", "homeintro", "movementintro", "unitname", "unitdesc", "fieldname", "title", "summary", "results",
    "contactname", "position", "paragraph", "storycaption", "quote", "attribution", "storydoc", "label", "gallery",
    "attachment", "commendation", "issuer", "imagetitle", "doctitle", "criterion", "cycle",
]  # fmt: skip


def public_pages(stored) -> list[str]:
    model, unit = stored["model"], stored["unit"]
    return [
        "/",
        "/dan-van-kheo/",
        model.url,
        f"/don-vi/{unit.code}/",
        "/don-vi/",
        "/bang-vinh-danh/",
        "/thong-ke/",
        "/du-lieu-mo/",
        "/tim-kiem/?q=xss",
        "/tim-kiem/?q=" + payload("query"),
        "/dan-van-kheo/?q=" + payload("listingquery"),
    ]


def admin_pages(stored) -> list[str]:
    model, unit, commendation = stored["model"], stored["unit"], stored["commendation"]
    snippet = "wagtailsnippets_models_registry_"
    return [
        "/admin/",
        reverse(f"{snippet}practicemodel:list"),
        reverse(f"{snippet}practicemodel:edit", args=[model.pk]),
        reverse(f"{snippet}practicemodel:history", args=[model.pk]),
        reverse(f"{snippet}practicemodel:revisions_view", args=[model.pk, model.latest_revision_id]),
        reverse(f"{snippet}unit:list"),
        reverse(f"{snippet}unit:edit", args=[unit.pk]),
        reverse(f"{snippet}commendation:list"),
        reverse(f"{snippet}commendation:edit", args=[commendation.pk]),
        reverse("wagtailsnippets_movements_field:list"),
        reverse("wagtailsnippets_movements_field:edit", args=[stored["field"].pk]),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:edit", args=[stored["image"].pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:edit", args=[stored["document"].pk]),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailsnippetchoosers_models_registry_practicemodel:choose"),
        reverse("wagtailadmin_pages:edit", args=[stored["home"].pk]),
        reverse("wagtailadmin_pages:edit", args=[model.movement.pk]),
        reverse("wagtailadmin_explore", args=[stored["home"].pk]),
        "/admin/unitchange/",
        "/admin/emulation/cycles/",
        "/admin/emulation/criteria/",
        "/admin/thong-ke/",
        reverse(f"{snippet}practicemodel:list") + "?q=" + payload("adminquery"),
    ]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        text = data.get("html") or data.get("htmlFragment") or text
    return text


def render(client, urls) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages[url] = body(response)
    return pages


def test_file_names_are_stored_without_markup(stored):
    for item in (stored["image"], stored["document"]):
        assert not set(item.file.name) & set("<>\"'")


def test_no_payload_runs_on_the_public_pages(client, stored):
    pages = render(client, public_pages(stored))
    for url, html in pages.items():
        assert injected(html) == [], url
    seen = "\n".join(pages.values())
    public = [field for field in SHOWN if field not in {"imagetitle", "doctitle", "criterion", "cycle"}]
    missing = [field for field in public if f"xss-{field}" not in seen]
    assert missing == []


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_no_payload_runs_on_the_admin_pages(client, roles, stored, role):
    client.force_login(roles[role])
    urls = admin_pages(stored)
    if role == "editor":
        # The editor works on models, units and media, not on pages or the emulation set-up.
        urls = [url for url in urls if "/pages/" not in url and "/emulation/" not in url]
    pages = render(client, urls)
    for url, html in pages.items():
        assert injected(html) == [], url
    seen = "\n".join(pages.values())
    assert [
        field
        for field in ("title", "unitname", "commendation", "imagetitle", "doctitle")
        if f"xss-{field}" not in seen
    ] == []


def test_the_feeds_and_the_api_escape_the_payloads(client, stored):
    for url in (
        "/nguon-tin/moi-cong-nhan.atom",
        "/nguon-tin/phong-trao/dan-van-kheo.atom",
        f"/nguon-tin/don-vi/{stored['unit'].code}.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert(" not in body(response), url
    # The public certificate is a PDF (the payload is text inside it), never HTML.
    certificate = client.get(f"/bang-vinh-danh/giay-chung-nhan/{stored['commendation'].pk}/")
    assert certificate.status_code == 200
    assert certificate["Content-Type"] == "application/pdf"
    response = client.get("/api/v1/models/", {"q": "xss"})
    assert response["Content-Type"].startswith("application/json")
    response = client.get(f"/api/v1/models/{stored['model'].pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["title"] == payload("title")[:255]  # data, as typed; the JSON type makes it inert


def test_the_detector_sees_a_payload_that_is_not_escaped():
    """The control: the same payloads, unescaped, are found (script, handler, javascript: link)."""
    found = injected(f"<p>{payload('raw')}</p>")
    assert len(found) == 4
