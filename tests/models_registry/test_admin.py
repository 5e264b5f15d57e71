"""The registry's admin screens, as the administrator uses them."""

from django.urls import reverse

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import PracticeModel, Unit
from tests.models_registry.admin_forms import model_form_data


@pytest.fixture
def admin_client(client, users):
    client.force_login(users.admin)
    return client


def snippet_url(model, view, *args):
    return reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{view}", args=args)


@pytest.mark.parametrize("model_name", ["practicemodel", "commendation", "unit", "unitmembership"])
def test_registry_listings_render(admin_client, dvk, unit_tree, model_name):
    PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    response = admin_client.get(reverse(f"wagtailsnippets_models_registry_{model_name}:list"))
    assert response.status_code == 200


def test_field_listing_lists_the_four_seeded_fields(admin_client):
    response = admin_client.get(reverse("wagtailsnippets_movements_field:list"))
    assert response.status_code == 200
    for name in ("Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh", "Xây dựng hệ thống chính trị"):
        assert name in response.content.decode()


def test_unit_listing_reads_as_a_tree(admin_client, unit_tree):
    html = admin_client.get(snippet_url(Unit, "list")).content.decode()
    assert html.index("Thành phố Hà Nội") < html.index("— Quận Cầu Giấy") < html.index("— — Phường Dịch Vọng")


def test_creating_a_unit_in_the_admin_places_it_under_its_parent(admin_client, unit_tree):
    response = admin_client.post(
        snippet_url(Unit, "add"),
        {
            "parent": unit_tree.cau_giay.pk,
            "code": "HN-CG-MD",
            "name": "Phường Mai Dịch",
            "kind": "commune",
            "is_active": "on",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="HN-CG-MD")
    assert unit.get_parent().code == "HN-CG"
    assert unit.depth == 3


def test_editing_a_units_parent_moves_it(admin_client, unit_tree):
    unit = unit_tree.dich_vong
    response = admin_client.post(
        snippet_url(Unit, "edit", unit.pk),
        {
            "parent": unit_tree.dong_da.pk,
            "code": unit.code,
            "name": "Phường Dịch Vọng",
            "kind": "commune",
            "is_active": "on",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).get_parent().code == "HN-DD"
    assert Unit.objects.get(code="HN-CG-DV-CB1").get_parent().code == "HN-CG-DV"


def test_a_unit_cannot_be_made_its_own_descendant_in_the_admin(admin_client, unit_tree):
    response = admin_client.post(
        snippet_url(Unit, "edit", unit_tree.cau_giay.pk),
        {
            "parent": unit_tree.dich_vong.pk,
            "code": "HN-CG",
            "name": "Quận Cầu Giấy",
            "kind": "district",
            "is_active": "on",
            "description": "",
        },
    )
    assert response.status_code == 200  # the form comes back with an error, nothing moved
    assert Unit.objects.get(code="HN-CG").get_parent().code == "HN"


def test_practice_model_edit_and_history_screens_render(admin_client, unit_tree, dvk):
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    CommendationFactory(practice_model=model)
    for view in ("edit", "history"):
        assert admin_client.get(snippet_url(PracticeModel, view, model.pk)).status_code == 200
    assert admin_client.get(snippet_url(PracticeModel, "add")).status_code == 200


def test_admin_search_ignores_diacritics(admin_client, unit_tree, dvk):
    wanted = PracticeModelFactory(title="Đường hoa tự quản ở Đống Đa", unit=unit_tree.o_cho_dua, movement=dvk)
    other = PracticeModelFactory(title="Tổ dân phố không rác thải", unit=unit_tree.dich_vong, movement=dvk)
    response = admin_client.get(snippet_url(PracticeModel, "list_results"), {"q": "duong hoa dong da"})
    html = response.content.decode()
    assert wanted.title in html
    assert other.title not in html


def test_admin_creates_a_draft_practice_model(admin_client, unit_tree, dvk, fields):
    response = admin_client.post(
        snippet_url(PracticeModel, "add"),
        model_form_data(
            {
                "title": "Dân vận khéo trong giải phóng mặt bằng",
                "unit": unit_tree.dich_vong.pk,
                "movement": dvk.pk,
                "field": fields["kinh-te"].pk,
                "year": "2024",
                "summary": "Vận động 120 hộ dân bàn giao mặt bằng đúng hạn.",
            },
            results=[{"label": "Số hộ bàn giao mặt bằng", "value": "120", "unit_of_measure": "hộ"}],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    model = PracticeModel.objects.get(title="Dân vận khéo trong giải phóng mặt bằng")
    assert not model.live
    assert model.slug == "dan-van-kheo-trong-giai-phong-mat-bang"
    assert model.external_id is None
    assert model.latest_revision is not None
    assert model.search_text == "dan van kheo trong giai phong mat bang phuong dich vong"
    assert [(r.label, int(r.value)) for r in model.measured_results.all()] == [("Số hộ bàn giao mặt bằng", 120)]
