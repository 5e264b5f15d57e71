"""Photos and attachments stay within the unit until a published model uses them."""

import io

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from models_registry import services
from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModelAttachment, UnitMembership
from models_registry.services.demo import OFFICERS, REVIEWERS, ensure_groups


def png() -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name="anh.png")


@pytest.fixture
def people(db, unit_tree, users):
    groups = ensure_groups()
    colleague = UserFactory(username="canbo_dichvong_2")
    stranger = UserFactory(username="canbo_ochodua")
    UnitMembershipFactory(user=colleague, unit=unit_tree.dich_vong, role=UnitMembership.Role.OFFICER)
    UnitMembershipFactory(user=stranger, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    for officer in (users.officer, colleague, stranger):
        officer.groups.add(groups[OFFICERS])
    users.reviewer.groups.add(groups[REVIEWERS])
    return {"officer": users.officer, "colleague": colleague, "stranger": stranger, "reviewer": users.reviewer}


@pytest.fixture
def media(people):
    image = get_image_model().objects.create(
        title="Ảnh nội bộ Dịch Vọng", file=png(), uploaded_by_user=people["officer"]
    )
    shared = get_image_model().objects.create(title="Ảnh minh họa dùng chung", file=png())
    document = get_document_model().objects.create(
        title="Báo cáo nội bộ Dịch Vọng",
        file=ContentFile(b"%PDF-1.4 bao cao noi bo", name="bao-cao-noi-bo.pdf"),
        uploaded_by_user=people["officer"],
    )
    return {"image": image, "shared": shared, "document": document}


@pytest.mark.parametrize(
    ("who", "chooses_unit_media", "edits_unit_media"),
    [("officer", True, True), ("colleague", True, False), ("reviewer", True, False), ("stranger", False, False)],
)
def test_libraries_and_choosers_show_only_the_units_media(
    client, people, media, who, chooses_unit_media, edits_unit_media
):
    client.force_login(people[who])
    # The choosers list what the user may choose; the libraries, as in Wagtail, what they may edit.
    choosers = {
        media["image"].title: client.get(reverse("wagtailimages_chooser:choose")).json()["html"],
        media["document"].title: client.get(reverse("wagtaildocs_chooser:choose")).json()["html"],
    }
    libraries = {
        media["image"].title: client.get(reverse("wagtailimages:index")).content.decode(),
        media["document"].title: client.get(reverse("wagtaildocs:index")).content.decode(),
    }
    for title, html in choosers.items():
        assert (title in html) == chooses_unit_media, (who, "chooser", title)
    for title, html in libraries.items():
        assert (title in html) == edits_unit_media, (who, "library", title)
    assert media["shared"].title in choosers[media["image"].title]


def test_another_unit_cannot_open_or_choose_the_image(client, people, media):
    client.force_login(people["stranger"])
    image = media["image"]
    response = client.get(reverse("wagtailimages:edit", args=[image.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    response = client.get(reverse("wagtailimages_chooser:chosen", args=[image.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def document_url(document) -> str:
    return reverse("wagtaildocs_serve", args=[document.pk, document.filename])


def test_a_draft_attachment_downloads_only_within_the_unit(client, people, media, unit_tree, dvk):
    document = media["document"]
    draft = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, live=False)
    PracticeModelAttachment.objects.create(practice_model=draft, document=document)
    assert client.get(document_url(document)).status_code == 404
    client.force_login(people["stranger"])
    assert client.get(document_url(document)).status_code == 404
    client.force_login(people["colleague"])
    response = client.get(document_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 bao cao noi bo"


def test_an_attachment_of_a_published_model_is_public(client, media, unit_tree, dvk):
    document = media["document"]
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, live=False)
    model.attachments.add(PracticeModelAttachment(document=document, title="Báo cáo"))
    services.publish_practice_model(practice_model=model)
    assert client.get(document_url(document)).status_code == 200
