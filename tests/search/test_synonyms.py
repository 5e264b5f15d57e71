"""The editable synonym list: validation, the seed, the admin screen and the cache of folded groups."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

import pytest

from models_registry.factories import UserFactory
from search.analysis import active_synonym_groups, expand
from search.models import Synonym


def url(view, *args):
    return reverse(f"wagtailsnippets_search_synonym:{view}", args=args)


@pytest.fixture
def city_editor(db):
    group = Group.objects.create(name="Biên tập viên thành phố (thử)")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="search", content_type__model="synonym"),
    )
    user = UserFactory(username="bientap")
    user.groups.add(group)
    return user


def clean_error(terms):
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        Synonym(terms=terms).full_clean()
    return caught.value.message_dict["terms"]


def test_a_group_needs_two_expressions():
    assert clean_error("GPMB") == [
        "Nhập ít nhất hai cách viết, cách nhau bằng dấu phẩy, ví dụ “GPMB, giải phóng mặt bằng”."
    ]
    assert clean_error(" GPMB , , ") == clean_error("GPMB")


def test_duplicates_are_refused_ignoring_case_and_diacritics():
    assert clean_error("GPMB, giải phóng mặt bằng, Giai Phong Mat Bang") == [
        "“Giai Phong Mat Bang” và “giải phóng mặt bằng” là cùng một cách viết "
        "(không phân biệt chữ hoa, chữ thường, khoảng trắng và dấu)."
    ]


def test_an_expression_needs_a_letter_or_digit():
    assert clean_error("GPMB, --") == ["“--” không có chữ cái hay chữ số nào."]


def test_clean_stores_the_normalised_list(db):
    synonym = Synonym(terms="  TL ,thuỷ   lợi,, ")
    synonym.full_clean()
    assert synonym.terms == "TL, thủy lợi"
    assert synonym.term_list == ["TL", "thủy lợi"]


def test_the_seed_holds_the_common_abbreviations(db):
    seeded = {synonym.term_list[0]: synonym.term_list[1:] for synonym in Synonym.objects.all()}
    assert seeded["DVK"] == ["Dân vận khéo"]
    assert seeded["CB4T"] == ["CB 4 tốt", "Chi bộ bốn tốt", "Chi bộ 4 tốt"]
    assert seeded["UBND"] == ["Ủy ban nhân dân"]
    assert seeded["HĐND"] == ["Hội đồng nhân dân"]
    assert seeded["ĐTN"] == ["ĐTNCS", "Đoàn Thanh niên"]
    for abbreviation in ("GPMB", "MTTQ", "LHPN", "CCB", "TDP", "KDC", "XDNTM", "ANTT", "CCHC", "VSMT"):
        assert abbreviation in seeded
    for synonym in Synonym.objects.all():
        synonym.full_clean()  # every seeded group passes the admin's own validation


def test_seeded_groups_expand_queries(db):
    assert "giải phóng mặt bằng quận Cầu Giấy" in expand("GPMB quận Cầu Giấy")
    assert "DVK" in expand("dan van kheo")
    assert "UBND phường" in expand("uỷ ban nhân dân phường")


def test_the_cache_refreshes_after_an_edit_and_a_delete(db, django_assert_num_queries):
    active_synonym_groups()
    with django_assert_num_queries(0):
        active_synonym_groups()  # read once, then served from the cache
    assert expand("TL") == ["TL"]
    synonym = Synonym.objects.create(terms="TL, thủy lợi")
    assert expand("TL") == ["TL", "thủy lợi"]
    synonym.terms = "TL, thủy lợi, công trình thủy lợi"
    synonym.save()
    assert expand("TL")[1:] == ["thủy lợi", "công trình thủy lợi"]
    synonym.is_active = False
    synonym.save()
    assert expand("TL") == ["TL"]
    synonym.delete()
    Synonym.objects.filter(terms__startswith="GPMB").delete()
    assert expand("GPMB") == ["GPMB"]


def test_listing_renders_in_vietnamese_and_searches_without_diacritics(client, users):
    client.force_login(users.admin)
    html = client.get(url("list")).content.decode()
    assert "Từ đồng nghĩa, viết tắt" in html
    assert "GPMB, giải phóng mặt bằng" in html
    html = client.get(url("list"), {"q": "giai phong"}).content.decode()
    assert "GPMB, giải phóng mặt bằng" in html
    assert "Dân vận khéo" not in html


def test_the_settings_menu_links_to_the_list(client, users):
    client.force_login(users.admin)
    assert url("list") in client.get(reverse("wagtailadmin_home")).content.decode()


def test_administrator_adds_a_group(client, users):
    client.force_login(users.admin)
    assert client.get(url("add")).status_code == 200
    response = client.post(url("add"), {"terms": "PCCC , phòng cháy chữa cháy", "note": "", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Synonym.objects.filter(terms="PCCC, phòng cháy chữa cháy").exists()


def test_add_form_shows_the_error_in_vietnamese(client, users):
    client.force_login(users.admin)
    response = client.post(url("add"), {"terms": "PCCC", "note": "", "is_active": "on"})
    assert response.status_code == 200
    assert "Nhập ít nhất hai cách viết" in response.content.decode()
    assert not Synonym.objects.filter(terms="PCCC").exists()


def test_city_editor_edits_a_group_and_search_follows(client, city_editor):
    synonym = Synonym.objects.get(terms__startswith="GPMB")
    assert expand("GPMB")[1:] == ["giải phóng mặt bằng"]
    client.force_login(city_editor)
    assert client.get(url("edit", synonym.pk)).status_code == 200
    response = client.post(
        url("edit", synonym.pk), {"terms": "GPMB, giải phóng mặt bằng, mặt bằng sạch", "note": "", "is_active": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert expand("GPMB")[1:] == ["giải phóng mặt bằng", "mặt bằng sạch"]


def test_unit_officers_cannot_open_the_list(client, users):
    client.force_login(users.officer)
    assert client.get(url("list")).status_code in (302, 403)
