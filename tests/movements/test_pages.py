"""The public home page and movement pages: placement, rendering, search and facets, pages, queries, errors.

The movement listing goes through search.services.search (the database backend here; both
backends are exercised on the search page in tests/search/test_search_page.py).
"""

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from emulation.factories import CriterionFactory
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import RecognitionLevel
from movements.models import HomePage, MovementPage


def make_models(count, *, movement, unit, with_images=True, **kwargs):
    """`count` published models, each with its own cover image (the worst case for a listing)."""
    models = []
    for n in range(count):
        image = Image.objects.create(title=f"Ảnh {n}", file=get_test_image_file()) if with_images else None
        models.append(PracticeModelFactory(movement=movement, unit=unit, cover_image=image, **kwargs))
    return models


def count_queries(client, url):
    client.get(url)  # warm up: the first request creates the image renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# Placement in the page tree


def test_home_page_sits_only_under_the_root_and_holds_only_movements(home_page, dvk):
    root = Page.get_first_root_node()
    assert HomePage.can_exist_under(root)
    assert not HomePage.can_exist_under(home_page)
    assert not HomePage.can_exist_under(dvk)
    assert not HomePage.can_create_at(root)  # one home page only
    assert HomePage.allowed_subpage_models() == [MovementPage]


def test_movement_page_sits_only_under_the_home_page_and_has_no_children(home_page, dvk):
    root = Page.get_first_root_node()
    assert MovementPage.can_exist_under(home_page)
    assert not MovementPage.can_exist_under(root)
    assert not MovementPage.can_exist_under(dvk)
    assert MovementPage.allowed_subpage_models() == []


# Home page


def test_home_page_shows_totals_and_entry_points_in_vietnamese(client, unit_tree, dvk, cb4t, fields):
    first = PracticeModelFactory(movement=dvk, unit=unit_tree.dich_vong, recognition_level=RecognitionLevel.CITY)
    PracticeModelFactory(movement=dvk, unit=unit_tree.o_cho_dua)
    PracticeModelFactory(movement=cb4t, unit=unit_tree.cell)
    PracticeModelFactory(movement=dvk, unit=unit_tree.dich_vong, live=False, title="Bản nháp chưa duyệt")
    CommendationFactory(practice_model=first)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Mô hình" in html
    assert response.context["total_models"] == 3
    assert response.context["total_units"] == 3
    assert response.context["total_commendations"] == 1
    totals = {m.slug: (m.model_count, m.unit_count, m.commendation_count) for m in response.context["movement_totals"]}
    assert totals == {"dan-van-kheo": (2, 2, 1), "chi-bo-bon-tot": (1, 1, 0)}
    # Entry points: each movement's page, then fields, levels and district-level units as searches.
    assert 'href="/dan-van-kheo/"' in html and 'href="/chi-bo-bon-tot/"' in html
    assert 'href="/tim-kiem/?field=kinh-te"' in html
    assert 'href="/tim-kiem/?level=trung-uong"' in html
    assert 'href="/tim-kiem/?unit=HN-CG"' in html
    assert 'href="/tim-kiem/"' in html
    # The latest recognised models, as cards; the unrecognised one and the draft are not among them.
    assert [m.pk for m in response.context["latest_recognised"]] == [first.pk]
    assert first.title in html
    assert "Bản nháp chưa duyệt" not in html


def test_home_page_numbers_use_vietnamese_grouping(client, unit_tree, dvk, settings):
    PracticeModelFactory(movement=dvk, unit=unit_tree.dich_vong, year=2023, recognition_level=RecognitionLevel.CITY)
    html = client.get("/").content.decode()
    assert "2.023" not in html  # a year is never grouped like a number
    assert ">2023<" in html


# Movement listing


@pytest.fixture
def listing(unit_tree, dvk, cb4t, fields):
    """Models across the tree, fields, years and levels, plus a draft and another movement's model."""
    return {
        "economy_2023_cell": PracticeModelFactory(
            title="Tổ dân phố kinh tế giỏi",
            movement=dvk,
            unit=unit_tree.cell,
            field=fields["kinh-te"],
            year=2023,
            recognition_level=RecognitionLevel.DISTRICT,
        ),
        "culture_2022_ward": PracticeModelFactory(
            title="Khu phố văn hóa",
            movement=dvk,
            unit=unit_tree.dich_vong,
            field=fields["van-hoa-xa-hoi"],
            year=2022,
            recognition_level=RecognitionLevel.CITY,
        ),
        "economy_2022_dong_da": PracticeModelFactory(
            title="Chợ dân sinh văn minh",
            movement=dvk,
            unit=unit_tree.o_cho_dua,
            field=fields["kinh-te"],
            year=2022,
        ),
        "draft": PracticeModelFactory(title="Mô hình còn nháp", movement=dvk, unit=unit_tree.dich_vong, live=False),
        "other_movement": PracticeModelFactory(title="Chi bộ kiểu mẫu", movement=cb4t, unit=unit_tree.cell),
    }


def titles(response):
    return {m.title for m in response.context["practice_models"]}


def test_movement_page_lists_its_published_models_with_intro_criteria_and_count(client, dvk, listing):
    response = client.get("/dan-van-kheo/")
    assert response.status_code == 200
    assert titles(response) == {"Tổ dân phố kinh tế giỏi", "Khu phố văn hóa", "Chợ dân sinh văn minh"}
    html = response.content.decode()
    assert "Phát huy được sức dân" in html  # a criterion
    assert "3 mô hình" in html
    # The facet sidebar, without a movement facet: the page is the movement.
    for name in ("field", "unit", "year", "level"):
        assert f'<fieldset class="facet" id="facet-{name}">' in html
    assert 'id="facet-movement"' not in html and 'name="movement"' not in html
    assert '<form class="search-layout" method="get" action="/dan-van-kheo/"' in html
    assert 'name="q"' in html and 'name="sort"' in html
    assert "Mô hình còn nháp" not in html
    assert "Chi bộ kiểu mẫu" not in html
    assert 'href="/dan-van-kheo/to-dan-pho-kinh-te-gioi/"' in html


# Criteria: the emulation criteria in use, the one list scoring and the page share


def criteria_items(html):
    """The text of each item of the page's criteria list, in order, tags dropped and spaces collapsed."""
    listing = re.search(r'<ol class="criteria">(.*?)</ol>', html, re.DOTALL)
    if listing is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", listing.group(1), re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_movement_page_lists_the_criteria_in_use_in_order_and_how_each_counts(client, dvk, cb4t):
    dvk.emulation_criteria.filter(name="Có cách làm mới, sáng tạo").update(sort_order=10)  # moved after the rest
    CriterionFactory(movement=dvk, name="Tiêu chí đã thôi áp dụng", is_active=False, sort_order=5)
    CriterionFactory(
        movement=dvk, name="Có sản phẩm cụ thể", weight=Decimal("2"), max_score=Decimal("12.5"), sort_order=20
    )

    response = client.get("/dan-van-kheo/")

    assert response.status_code == 200
    assert criteria_items(response.content.decode()) == [
        "Phát huy được sức dân 25 điểm "
        "Huy động được Nhân dân tự nguyện tham gia đóng góp công sức, trí tuệ, vật chất.",
        "Mang lại hiệu quả thiết thực 25 điểm Kết quả đo đếm được, được Nhân dân đồng tình, ủng hộ.",
        "Có khả năng nhân rộng 25 điểm Có thể áp dụng ở các địa phương, đơn vị khác.",
        "Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước Điều kiện bắt buộc "
        "Điều kiện bắt buộc: mô hình không đáp ứng điều kiện này bị xếp loại không đạt, dù điểm cao.",
        "Có cách làm mới, sáng tạo 25 điểm Mô hình có cách làm mới, phù hợp với thực tiễn địa phương, đơn vị.",
        "Có sản phẩm cụ thể 12,5 điểm, trọng số 2",  # no description: no empty paragraph either
    ]
    html = response.content.decode()
    assert "Tiêu chí đã thôi áp dụng" not in html  # not in use
    assert "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị" not in html  # another movement's


def test_the_party_cell_movement_shows_the_four_goods_of_resolution_21(client, cb4t):
    items = criteria_items(client.get("/chi-bo-bon-tot/").content.decode())
    assert [item.split(" 25 điểm")[0] for item in items] == [
        "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị",
        "Chất lượng sinh hoạt tốt",
        "Đoàn kết, kỷ luật tốt",
        "Cán bộ, đảng viên tốt",
    ]
    assert all(" 25 điểm " in item for item in items)
    # The old page list ("Tư tưởng chính trị tốt"…) is gone with its model.
    assert "Tư tưởng chính trị tốt" not in client.get("/chi-bo-bon-tot/").content.decode()


def test_a_movement_without_criteria_in_use_shows_no_criteria_section(client, cb4t):
    cb4t.emulation_criteria.update(is_active=False)
    response = client.get("/chi-bo-bon-tot/")
    assert response.status_code == 200
    assert response.context["criteria"] == []
    assert 'id="criteria-title"' not in response.content.decode()


def test_the_movement_editor_points_to_the_criteria_screen(client, users, home_page, dvk):
    client.force_login(users.admin)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[dvk.pk])).content.decode()
    assert "Tiêu chí của phong trào được sửa ở màn hình Thi đua › Tiêu chí" in html
    link = f'<a href="{reverse("emulation_criteria:index")}?movement={dvk.pk}">Sửa tiêu chí của phong trào này</a>'
    assert link in html
    assert "criteria-TOTAL_FORMS" not in html  # the old inline list is gone
    # The link opens the criteria screen filtered to this movement.
    listing = client.get(f"{reverse('emulation_criteria:index')}?movement={dvk.pk}").content.decode()
    assert "Phát huy được sức dân" in listing
    assert "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị" not in listing

    add_url = reverse("wagtailadmin_pages:add", args=["movements", "movementpage", home_page.pk])
    html = client.get(add_url).content.decode()
    assert f'<a href="{reverse("emulation_criteria:index")}">Mở màn hình tiêu chí</a>' in html


def test_the_movement_editor_publishes_without_a_criteria_list_of_its_own(client, users, dvk):
    client.force_login(users.admin)
    data = nested_form_data(
        {
            "title": "Dân vận khéo",
            "slug": "dan-van-kheo",
            "abbreviation": "DVK",
            "intro": rich_text("<p>Lời giới thiệu mới.</p>"),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[dvk.pk]), data)
    assert response.status_code == 302
    dvk.refresh_from_db()
    assert "Lời giới thiệu mới." in dvk.intro
    assert dvk.emulation_criteria.filter(is_active=True).count() == 5  # the criteria are not the page's to change
    assert "Phát huy được sức dân" in client.get("/dan-van-kheo/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("field=kinh-te", {"Tổ dân phố kinh tế giỏi", "Chợ dân sinh văn minh"}),
        ("year=2022", {"Khu phố văn hóa", "Chợ dân sinh văn minh"}),
        ("unit=HN-CG", {"Tổ dân phố kinh tế giỏi", "Khu phố văn hóa"}),  # the whole subtree
        ("unit=HN-CG-DV-CB1", {"Tổ dân phố kinh tế giỏi"}),  # a deep unit, by code
        ("level=thanh-pho", {"Khu phố văn hóa"}),
        ("field=kinh-te&year=2022&unit=HN", {"Chợ dân sinh văn minh"}),
    ],
)
def test_movement_page_filters(client, listing, query, expected):
    """Each facet filters; the unit filter covers the unit's whole subtree."""
    response = client.get(f"/dan-van-kheo/?{query}")
    assert response.status_code == 200
    assert titles(response) == expected
    assert 'href="/dan-van-kheo/"' in response.content.decode()  # "Xóa lọc"


def test_deep_unit_filter_stays_selected(client, listing):
    html = client.get("/dan-van-kheo/?unit=HN-CG-DV-CB1").content.decode()
    assert 'name="unit" value="HN-CG-DV-CB1" checked>' in html


def test_facets_count_and_select_several_values(client, listing):
    response = client.get("/dan-van-kheo/?year=2022&year=2023")
    assert titles(response) == {"Tổ dân phố kinh tế giỏi", "Khu phố văn hóa", "Chợ dân sinh văn minh"}
    groups = {group.name: group for group in response.context["facet_groups"]}
    assert {o.value: (o.count, o.selected) for o in groups["year"].options} == {"2023": (1, True), "2022": (2, True)}
    # Counts are the movement's only: the other movement's model is not among them.
    assert {o.value: o.count for o in groups["field"].options} == {"kinh-te": 2, "van-hoa-xa-hoi": 1}
    assert {o.value: o.count for o in groups["unit"].options} == {"HN-CG": 2, "HN-DD": 1}
    html = response.content.decode()
    assert 'name="year" value="2023" checked>' in html and 'name="year" value="2022" checked>' in html


def test_movement_page_searches_within_the_movement_and_sorts(client, listing):
    response = client.get("/dan-van-kheo/", {"q": "van minh"})  # without diacritics
    assert titles(response) == {"Chợ dân sinh văn minh"}  # not the other movement's "Chi bộ kiểu mẫu"
    assert "<mark>văn</mark> <mark>minh</mark>" in response.content.decode()
    by_title = client.get("/dan-van-kheo/", {"sort": "title"})
    assert [m.title for m in by_title.context["practice_models"]] == [
        "Chợ dân sinh văn minh",
        "Khu phố văn hóa",
        "Tổ dân phố kinh tế giỏi",
    ]


@pytest.mark.parametrize(
    "query",
    ["field=khong-co", "year=abc", "year=1800", "unit=%27%3B--", "level=vu-tru", "page=abc&year=x&field[]=1"],
)
def test_bad_filter_values_are_ignored_with_a_gentle_message(client, listing, query):
    response = client.get(f"/dan-van-kheo/?{query}")
    assert response.status_code == 200
    assert len(titles(response)) == 3  # the bad value is ignored, the rest still lists
    html = response.content.decode()
    assert "Một số tham số không hợp lệ nên đã được bỏ qua" in html  # a bad page number is named too


def test_bad_value_is_ignored_while_good_values_still_filter(client, listing):
    response = client.get("/dan-van-kheo/?field=kinh-te&year=abc")
    assert titles(response) == {"Tổ dân phố kinh tế giỏi", "Chợ dân sinh văn minh"}


def test_empty_result_shows_an_empty_state(client, listing):
    response = client.get("/dan-van-kheo/?year=2001")
    assert response.status_code == 200
    assert titles(response) == set()
    assert "Không có mô hình nào phù hợp" in response.content.decode()


def test_listing_pages_by_twenty_keep_filters_and_clamp_page_numbers(client, unit_tree, dvk, fields):
    make_models(23, movement=dvk, unit=unit_tree.dich_vong, with_images=False, field=fields["kinh-te"])
    first = client.get("/dan-van-kheo/?field=kinh-te")
    assert len(first.context["practice_models"]) == 20
    html = first.content.decode()
    assert "23 mô hình" in html
    assert 'href="?field=kinh-te&amp;page=2"' in html  # the next page keeps the filter

    second = client.get("/dan-van-kheo/?field=kinh-te&page=2")
    assert second.context["page_obj"].number == 2
    assert len(second.context["practice_models"]) == 3

    for page, expected in [("999", 2), ("0", 1), ("-3", 1), ("abc", 1), ("1.5", 1)]:
        response = client.get(f"/dan-van-kheo/?field=kinh-te&page={page}")
        assert response.status_code == 200
        assert response.context["page_obj"].number == expected


def test_result_count_uses_vietnamese_number_format(client, unit_tree, dvk, monkeypatch):
    from search import services

    search = services.search

    def search_with_many_results(**kwargs):
        results = search(**kwargs)
        results.count = 1234  # as if the movement had that many
        return results

    PracticeModelFactory(movement=dvk, unit=unit_tree.dich_vong)
    monkeypatch.setattr(services, "search", search_with_many_results)
    html = client.get("/dan-van-kheo/").content.decode()
    assert "1.234 mô hình" in html
    assert "Trang 1 / 62" in html
    assert 'href="?page=62"' in html


def test_draft_is_never_public_and_its_address_is_404(client, unit_tree, dvk):
    draft = PracticeModelFactory(title="Mô hình bí mật", movement=dvk, unit=unit_tree.dich_vong, live=False)
    assert "Mô hình bí mật" not in client.get("/dan-van-kheo/").content.decode()
    assert "Mô hình bí mật" not in client.get("/").content.decode()
    response = client.get(f"/dan-van-kheo/{draft.slug}/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_model_is_served_only_under_its_own_movement(client, unit_tree, dvk, cb4t):
    model = PracticeModelFactory(movement=dvk, unit=unit_tree.dich_vong)
    assert client.get(f"/dan-van-kheo/{model.slug}/").status_code == 200
    assert client.get(f"/chi-bo-bon-tot/{model.slug}/").status_code == 404


# Query counts: a page of cards costs the same whatever the number of models


def test_movement_listing_queries_do_not_grow_with_the_number_of_models(
    client, unit_tree, dvk, django_assert_max_num_queries
):
    make_models(5, movement=dvk, unit=unit_tree.dich_vong, recognition_level=RecognitionLevel.CITY)
    few, response = count_queries(client, "/dan-van-kheo/")
    assert len(response.context["practice_models"]) == 5
    assert 'srcset="' in response.content.decode()
    assert 'loading="lazy"' in response.content.decode()

    make_models(20, movement=dvk, unit=unit_tree.o_cho_dua, recognition_level=RecognitionLevel.CITY)
    many, response = count_queries(client, "/dan-van-kheo/")
    assert len(response.context["practice_models"]) == 20
    assert many == few
    # The page and its criteria, the search with its facets, the cards and their renditions,
    # the facet labels, the header's movements, the recorded unit successions.
    with django_assert_max_num_queries(22):
        client.get("/dan-van-kheo/?field=kinh-te&year=2023&q=dan+van")


def test_home_page_queries_do_not_grow_with_the_number_of_models(client, unit_tree, dvk):
    make_models(2, movement=dvk, unit=unit_tree.dich_vong, recognition_level=RecognitionLevel.CITY)
    few, _ = count_queries(client, "/")
    make_models(10, movement=dvk, unit=unit_tree.dich_vong, recognition_level=RecognitionLevel.CITY)
    many, response = count_queries(client, "/")
    assert len(response.context["latest_recognised"]) == 6
    assert many == few
    assert many <= 15


def test_unit_page_queries_do_not_grow_with_the_number_of_models(
    client, unit_tree, dvk, django_assert_max_num_queries
):
    url = reverse("models_registry:unit_detail", kwargs={"code": unit_tree.cau_giay.code})
    make_models(5, movement=dvk, unit=unit_tree.dich_vong)
    few, _ = count_queries(client, url)
    make_models(20, movement=dvk, unit=unit_tree.cell)
    many, response = count_queries(client, url)
    assert len(response.context["practice_models"]) == 20
    assert many == few
    # 22: one reads the recorded unit successions (merges, splits) the unit's scope includes.
    with django_assert_max_num_queries(22):
        client.get(url + "?year=2023&q=dan+van")


# Error pages


def test_404_page_is_in_vietnamese(client, db):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'href="/"' in html


def test_500_page_needs_no_database_and_is_in_vietnamese(rf):
    # No `db` fixture: any database access here would raise.
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã có lỗi xảy ra" in html
    assert '<html lang="vi">' in html
