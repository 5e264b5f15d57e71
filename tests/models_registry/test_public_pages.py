"""The public practice model page, its admin preview, and the unit pages (searched through search.services)."""

import datetime
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import (
    CommendationForm,
    PracticeModel,
    PracticeModelAttachment,
    PracticeModelImage,
    PracticeModelResult,
    RecognitionLevel,
)
from models_registry.selectors import practice_model_context


@pytest.fixture
def image(db):
    return Image.objects.create(title="Nhân dân dọn vệ sinh ngõ phố", file=get_test_image_file())


@pytest.fixture
def document(db):
    return Document.objects.create(title="Báo cáo tổng kết", file=ContentFile(b"%PDF-1.4 " * 200, name="bao-cao.pdf"))


@pytest.fixture
def full_model(unit_tree, dvk, fields, image, document):
    """A published model with every part of its page filled in."""
    story = [
        {"type": "paragraph", "value": "<h3>Cách làm</h3><p>Họp dân bàn bạc, thống nhất quy ước.</p>"},
        {"type": "image", "value": {"image": image.pk, "caption": "Ra quân làm sạch ngõ"}},
        {"type": "quote", "value": {"text": "Dân biết, dân bàn, dân làm.", "attribution": "Bí thư chi bộ"}},
        {"type": "document", "value": {"document": document.pk, "title": "Quy ước khu dân cư"}},
    ]
    model = PracticeModelFactory(
        title="Ngõ phố xanh - sạch - đẹp",
        movement=dvk,
        unit=unit_tree.dich_vong,
        field=fields["van-hoa-xa-hoi"],
        year=2023,
        recognition_level=RecognitionLevel.CITY,
        cover_image=image,
        story=json.dumps(story),
        contact_name="Nguyễn Thị Hoa",
        contact_position="Tổ trưởng tổ dân phố",
        contact_phone="0912 345 678",
    )
    PracticeModelResult.objects.create(
        practice_model=model, label="Hộ gia đình tham gia", value=Decimal("1234"), unit_of_measure="hộ", sort_order=0
    )
    PracticeModelResult.objects.create(
        practice_model=model, label="Kinh phí Nhân dân đóng góp", value=Decimal("1500000.50"), unit_of_measure="đồng"
    )
    PracticeModelImage.objects.create(practice_model=model, image=image, caption="Ngõ phố sau khi chỉnh trang")
    PracticeModelAttachment.objects.create(practice_model=model, document=document, title="Báo cáo kết quả")
    CommendationFactory(
        practice_model=model,
        form=CommendationForm.CERTIFICATE_OF_MERIT,
        level=RecognitionLevel.DISTRICT,
        decision_number="123/QĐ-UBND",
        decision_date=datetime.date(2023, 3, 5),
        issuing_body="Ủy ban nhân dân quận Cầu Giấy",
    )
    CommendationFactory(
        practice_model=model,
        form=CommendationForm.DIPLOMA_OF_MERIT,
        level=RecognitionLevel.CITY,
        title="Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2023",
        decision_number="4567/QĐ-UBND",
        decision_date=datetime.date(2023, 12, 15),
        issuing_body="Ủy ban nhân dân thành phố Hà Nội",
        decision_document=document,
    )
    return model


def test_model_page_shows_everything_about_the_model(client, full_model, unit_tree):
    response = client.get("/dan-van-kheo/ngo-pho-xanh-sach-dep/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ngõ phố xanh - sạch - đẹp</h1>" in html
    # Breadcrumbs: the movement, and the unit trail from the city down, each unit a link.
    assert '<a href="/dan-van-kheo/">Dân vận khéo</a>' in html
    for unit in (unit_tree.city, unit_tree.cau_giay, unit_tree.dich_vong):
        assert f'<a href="/don-vi/{unit.code}/">{unit.name}</a>' in html
    # Meta: field, year (never "2.023"), recognition badge.
    assert "Văn hóa - xã hội" in html
    assert "2.023" not in html
    assert "Cấp thành phố, tỉnh" in html
    # The story blocks, each through its template.
    assert "Họp dân bàn bạc, thống nhất quy ước." in html
    assert '<figure class="story-image">' in html and "Ra quân làm sạch ngõ" in html
    assert "<blockquote><p>Dân biết, dân bàn, dân làm.</p></blockquote>" in html
    assert "— Bí thư chi bộ" in html
    assert "Quy ước khu dân cư" in html and "(PDF, " in html
    # Measured results in Vietnamese number format.
    assert "1.234" in html and "hộ" in html
    assert "1.500.000,50" in html
    # The gallery: responsive, lazy renditions with captions and alt text.
    assert "Ngõ phố sau khi chỉnh trang</figcaption>" in html
    assert 'srcset="' in html and 'loading="lazy"' in html
    assert 'alt="Nhân dân dọn vệ sinh ngõ phố"' in html
    assert "<picture>" in html  # the cover image
    # Attachments with extension and size.
    assert "Báo cáo kết quả" in html
    # The commendation timeline, oldest first, dates as dd/mm/yyyy, with the scanned decision.
    assert html.index("05/03/2023") < html.index("15/12/2023")
    assert '<time datetime="2023-12-15">15/12/2023</time>' in html
    assert "Quyết định số 4567/QĐ-UBND của Ủy ban nhân dân thành phố Hà Nội" in html
    assert "Bằng khen" in html and "Giấy khen" in html
    assert "Bản quét quyết định" in html
    # Contact.
    assert "Nguyễn Thị Hoa" in html and 'href="tel:0912345678"' in html


def test_model_page_queries_do_not_grow_with_its_parts(client, full_model, unit_tree, dvk, fields, image, document):
    """Each part of the page is read in one query, however many photos, results, commendations,
    attachments and related models it has: the count is fixed, not one per item."""
    neighbour_fields = {"movement": dvk, "unit": unit_tree.dich_vong, "field": fields["van-hoa-xa-hoi"]}
    PracticeModelFactory(title="Ngõ phố xanh sạch đẹp mới", **neighbour_fields)
    client.get(full_model.get_url())  # renditions are made on the first view
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(full_model.get_url()).status_code == 200
    for index in range(4):
        PracticeModelImage.objects.create(practice_model=full_model, image=image, caption=f"Ảnh {index}")
        PracticeModelResult.objects.create(practice_model=full_model, label=f"Chỉ số {index}", value=Decimal(index))
        PracticeModelAttachment.objects.create(practice_model=full_model, document=document, title=f"Tệp {index}")
        CommendationFactory(practice_model=full_model, level=RecognitionLevel.DISTRICT)
        PracticeModelFactory(
            title=f"Ngõ phố xanh sạch đẹp số {index}",
            movement=dvk,
            unit=unit_tree.dich_vong,
            field=fields["van-hoa-xa-hoi"],
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(full_model.get_url())
    assert len(response.context["related_models"]) == 4  # of the five neighbours
    assert len(response.context["gallery"]) == 5 and len(response.context["commendations"]) == 6
    assert len(after) == len(before), [query["sql"][:120] for query in after]


def test_model_page_shows_related_models(client, full_model, unit_tree, dvk, fields):
    """Related models come from the search backend: published models sharing the most words."""
    neighbour = PracticeModelFactory(
        title="Khu phố không rác", movement=dvk, unit=unit_tree.dich_vong, field=fields["van-hoa-xa-hoi"]
    )
    PracticeModelFactory(title="Bản nháp liên quan", movement=dvk, unit=unit_tree.dich_vong, live=False)
    response = client.get(full_model.get_url())
    assert [m.pk for m in response.context["related_models"]] == [neighbour.pk]
    html = response.content.decode()
    assert "Mô hình liên quan" in html
    assert f'href="/dan-van-kheo/{neighbour.slug}/"' in html
    assert "Bản nháp liên quan" not in html


def test_model_page_without_optional_parts_renders(client, unit_tree, dvk):
    bare = PracticeModelFactory(
        title="Mô hình giản dị", movement=dvk, unit=unit_tree.dich_vong, summary="", results=""
    )
    response = client.get(bare.get_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hình ảnh" not in html and "Khen thưởng</h2>" not in html


def test_unpublished_model_is_404(client, full_model):
    url = full_model.get_url()
    full_model.unpublish()
    assert client.get(url).status_code == 404


# Admin preview: the same template with the unsaved form data


def test_preview_of_an_unsaved_model_renders_in_memory_children(rf, users, unit_tree, dvk, fields, image):
    model = PracticeModel(
        title="Mô hình đang soạn",
        slug="mo-hinh-dang-soan",
        unit=unit_tree.dich_vong,
        movement=dvk,
        field=fields["kinh-te"],
        year=2024,
        summary="Tóm tắt chưa lưu.",
        story=json.dumps([{"type": "quote", "value": {"text": "Chưa lưu mà vẫn xem được.", "attribution": ""}}]),
    )
    model.measured_results = [PracticeModelResult(label="Hộ tham gia", value=Decimal("2500"), unit_of_measure="hộ")]
    model.gallery_images = [PracticeModelImage(image=image, caption="Ảnh chưa lưu")]
    request = rf.get("/admin/snippets/models_registry/practicemodel/preview/")
    request.user = users.admin

    context = practice_model_context(practice_model=model, preview=True)
    assert context["preview"] is True
    assert context["related_models"] == [] and context["commendations"] == []
    response = model.serve_preview(request, model.default_preview_mode)
    response.render()

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mô hình đang soạn" in html
    assert "Bản xem trước" in html
    assert "Chưa lưu mà vẫn xem được." in html
    assert "2.500" in html
    assert "Ảnh chưa lưu" in html
    assert f'<a href="/don-vi/{unit_tree.cau_giay.code}/">' in html
    assert PracticeModel.objects.count() == 0


def test_admin_preview_view_renders_the_posted_form_data(client, users, unit_tree, dvk, fields, image):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    model = PracticeModelFactory(title="Bản lưu trước", movement=dvk, unit=unit_tree.dich_vong, live=False)
    client.force_login(users.admin)
    url = reverse("wagtailsnippets_models_registry_practicemodel:preview_on_edit", args=[model.pk])
    data = nested_form_data(
        {
            "title": "Tiêu đề đang sửa",
            "unit": unit_tree.dich_vong.pk,
            "movement": dvk.pk,
            "field": fields["kinh-te"].pk,
            "year": 2024,
            "summary": "Tóm tắt đang sửa.",
            "story": streamfield([("paragraph", rich_text("<p>Đoạn văn chưa lưu.</p>"))]),
            "results": "",
            "measured_results": inline_formset([{"label": "Hộ tham gia", "value": "3200", "unit_of_measure": "hộ"}]),
            "gallery_images": inline_formset([{"image": image.pk, "caption": "Ảnh trong bản sửa"}]),
            "attachments": inline_formset([]),
            "recognition_level": "",
            "slug": model.slug,
        }
    )
    posted = client.post(url, data)
    assert posted.json()["is_valid"] is True, posted.json()

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tiêu đề đang sửa" in html and "Bản lưu trước" not in html
    assert "Đoạn văn chưa lưu." in html
    assert "3.200" in html
    assert "Ảnh trong bản sửa" in html
    model.refresh_from_db()
    assert model.title == "Bản lưu trước"  # a preview saves nothing


# Unit pages


@pytest.fixture
def unit_models(unit_tree, dvk, cb4t, fields):
    return {
        "ward": PracticeModelFactory(title="Phường văn minh", movement=dvk, unit=unit_tree.dich_vong, year=2022),
        "cell": PracticeModelFactory(
            title="Chi bộ gương mẫu", movement=cb4t, unit=unit_tree.cell, field=fields["kinh-te"], year=2023
        ),
        "women": PracticeModelFactory(
            title="Phụ nữ giúp nhau", movement=dvk, unit=unit_tree.women, recognition_level=RecognitionLevel.DISTRICT
        ),
        "district": PracticeModelFactory(title="Quận đồng lòng", movement=dvk, unit=unit_tree.cau_giay),
        "elsewhere": PracticeModelFactory(title="Ô Chợ Dừa sạch đẹp", movement=dvk, unit=unit_tree.o_cho_dua),
        "draft": PracticeModelFactory(title="Nháp của phường", movement=dvk, unit=unit_tree.dich_vong, live=False),
    }


def test_unit_page_lists_the_whole_subtree_and_counts_units_below(client, unit_tree, unit_models):
    response = client.get("/don-vi/HN-CG/")

    assert response.status_code == 200
    assert {m.title for m in response.context["practice_models"]} == {
        "Phường văn minh",
        "Chi bộ gương mẫu",
        "Phụ nữ giúp nhau",
        "Quận đồng lòng",
    }
    counts = {child.code: count for child, count in response.context["child_units"]}
    assert counts == {"HN-CG-DV": 2, "HN-CG-PN": 1}
    html = response.content.decode()
    assert "<h1>Quận Cầu Giấy</h1>" in html
    assert '<a href="/don-vi/HN/">Thành phố Hà Nội</a>' in html
    assert "4 mô hình" in html and "2 mô hình" in html
    assert "Nháp của phường" not in html
    # The same facets as a movement listing, plus the movement; the unit facet lists the units
    # below this one (with the models found under each) as links to their own pages.
    assert 'name="unit"' not in html
    assert 'name="field"' in html and 'name="movement"' in html
    assert '<form class="search-layout" method="get" action="/don-vi/HN-CG/"' in html
    groups = {group.name: group for group in response.context["facet_groups"]}
    assert {o.value: o.count for o in groups["unit"].options} == {"HN-CG-DV": 2, "HN-CG-PN": 1}
    assert '<a class="facet__label" href="/don-vi/HN-CG-DV/">Phường Dịch Vọng</a>' in html


def test_unit_page_searches_its_subtree_and_keeps_the_search_when_drilling_down(client, unit_tree, unit_models):
    response = client.get("/don-vi/HN-CG/", {"q": "chi bo guong mau"})
    assert [m.title for m in response.context["practice_models"]] == ["Chi bộ gương mẫu"]
    html = response.content.decode()
    assert "<mark>Chi</mark> <mark>bộ</mark> <mark>gương</mark> <mark>mẫu</mark>" in html
    assert 'href="/don-vi/HN-CG-DV/?q=chi+bo+guong+mau"' in html
    # Ô Chợ Dừa's model is found from the city's page, but lies outside Cầu Giấy.
    assert "Ô Chợ Dừa sạch đẹp" not in [
        m.title for m in client.get("/don-vi/HN-CG/?q=o+cho+dua").context["practice_models"]
    ]
    assert [m.title for m in client.get("/don-vi/HN/?q=o+cho+dua").context["practice_models"]] == [
        "Ô Chợ Dừa sạch đẹp"
    ]


def test_unit_page_selects_several_values_of_a_facet(client, unit_models):
    response = client.get("/don-vi/HN-CG/?year=2022&movement=chi-bo-bon-tot&movement=dan-van-kheo")
    assert {m.title for m in response.context["practice_models"]} == {"Phường văn minh"}
    response = client.get("/don-vi/HN-CG/?movement=chi-bo-bon-tot,dan-van-kheo&level=quan-huyen")
    assert {m.title for m in response.context["practice_models"]} == {"Phụ nữ giúp nhau"}


def test_unit_page_names_bad_values_it_ignored(client, unit_models):
    response = client.get("/don-vi/HN-CG/?year=abc&movement=khong-co")
    assert len(response.context["practice_models"]) == 4
    html = response.content.decode()
    assert "Một số tham số không hợp lệ nên đã được bỏ qua" in html
    assert "Năm:" in html and "Phong trào:" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("movement=chi-bo-bon-tot", {"Chi bộ gương mẫu"}),
        ("field=kinh-te", {"Chi bộ gương mẫu"}),
        ("year=2022", {"Phường văn minh"}),
        ("level=quan-huyen", {"Phụ nữ giúp nhau"}),
        ("unit=HN-DD", {"Phường văn minh", "Chi bộ gương mẫu", "Phụ nữ giúp nhau", "Quận đồng lòng"}),
        ("year=abc&movement=khong-co", {"Phường văn minh", "Chi bộ gương mẫu", "Phụ nữ giúp nhau", "Quận đồng lòng"}),
    ],
)
def test_unit_page_filters(client, unit_models, query, expected):
    response = client.get(f"/don-vi/HN-CG/?{query}")
    assert response.status_code == 200
    assert {m.title for m in response.context["practice_models"]} == expected


def test_unit_page_pages_and_clamps(client, unit_tree, dvk):
    for n in range(21):
        PracticeModelFactory(title=f"Mô hình phường {n}", movement=dvk, unit=unit_tree.dich_vong)
    assert len(client.get("/don-vi/HN-CG-DV/").context["practice_models"]) == 20
    response = client.get("/don-vi/HN-CG-DV/?page=50")
    assert response.context["page_obj"].number == 2
    assert len(response.context["practice_models"]) == 1


def test_leaf_unit_and_unknown_unit(client, unit_tree, unit_models):
    response = client.get("/don-vi/HN-CG-DV-CB1/")
    assert response.status_code == 200
    assert response.context["child_units"] == []
    assert [m.title for m in response.context["practice_models"]] == ["Chi bộ gương mẫu"]
    assert client.get("/don-vi/KHONG-CO/").status_code == 404


def test_unit_index_with_one_root_is_that_roots_page(client, unit_tree, unit_models):
    response = client.get("/don-vi/")
    assert response.status_code == 200
    assert response.context["unit"] == unit_tree.city
    assert {child.code: count for child, count in response.context["child_units"]} == {"HN-CG": 4, "HN-DD": 1}


def test_unit_index_lists_several_roots_with_counts(client, unit_tree, unit_models):
    from models_registry.factories import UnitFactory

    UnitFactory(code="HP", name="Thành phố Hải Phòng", kind="city")
    response = client.get("/don-vi/")
    assert response.status_code == 200
    assert [(unit.code, count) for unit, count in response.context["root_units"]] == [("HN", 5), ("HP", 0)]
    html = response.content.decode()
    assert '<a href="/don-vi/HP/">Thành phố Hải Phòng</a>' in html
    assert "5 mô hình" in html
