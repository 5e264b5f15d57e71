"""The public search page /tim-kiem/ and the header search box, on both search backends.

Every test taking `search_backend` runs once against the database backend and once against
Elasticsearch (osmem-server, or the cluster of ELASTICSEARCH_URL); the page must say and find the
same things whichever answered.
"""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, RecognitionLevel

URL = "/tim-kiem/"


@pytest.fixture
def catalogue(search_backend, unit_tree, dvk, cb4t, fields):
    """Six published models across movements, fields, units, years and levels, plus a draft."""
    models = {
        "clearance": PracticeModelFactory(
            title="Dân vận khéo trong giải phóng mặt bằng",
            summary="Vận động các hộ dân bàn giao mặt bằng đúng tiến độ cho dự án đường vành đai.",
            movement=dvk,
            unit=unit_tree.dich_vong,
            field=fields["kinh-te"],
            year=2024,
            recognition_level=RecognitionLevel.CITY,
        ),
        "market": PracticeModelFactory(
            title="Chợ dân sinh văn minh",
            summary="Tiểu thương cùng nhau giữ chợ sạch đẹp, niêm yết giá.",
            movement=dvk,
            unit=unit_tree.o_cho_dua,
            field=fields["kinh-te"],
            year=2022,
        ),
        "culture": PracticeModelFactory(
            title="Khu phố văn hóa kiểu mẫu",
            summary="Xây dựng nếp sống văn minh ở khu dân cư.",
            results="Ba năm liền không có hộ vi phạm; giải phóng vỉa hè cho người đi bộ.",
            movement=dvk,
            unit=unit_tree.women,
            field=fields["van-hoa-xa-hoi"],
            year=2023,
            recognition_level=RecognitionLevel.DISTRICT,
        ),
        "cell": PracticeModelFactory(
            title="Chi bộ bốn tốt ở tổ dân phố",
            summary="Chi bộ sinh hoạt đều đặn, đảng viên gương mẫu.",
            movement=cb4t,
            unit=unit_tree.cell,
            field=fields["xay-dung-he-thong-chinh-tri"],
            year=2023,
        ),
        "security": PracticeModelFactory(
            title="Tổ an ninh tự quản",
            summary="Người dân cùng tuần tra giữ bình yên ngõ xóm.",
            movement=dvk,
            unit=unit_tree.cau_giay,
            field=fields["quoc-phong-an-ninh"],
            year=2021,
        ),
        "draft": PracticeModelFactory(
            title="Bản nháp giải phóng mặt bằng", movement=dvk, unit=unit_tree.dich_vong, live=False
        ),
    }
    CommendationFactory(practice_model=models["clearance"], form=CommendationForm.DIPLOMA_OF_MERIT)
    search_backend.sync()
    return models


def titles(response) -> list[str]:
    return [m.title for m in response.context["practice_models"]]


def facet(response, name) -> dict[str, tuple[int, bool]]:
    """The options of one facet of the rendered page: value -> (count, selected)."""
    groups = {group.name: group for group in response.context["facet_groups"]}
    if name not in groups:
        return {}
    return {option.value: (option.count, option.selected) for option in groups[name].options}


# Finding and highlighting


def test_finds_without_diacritics_and_marks_the_words(client, catalogue):
    response = client.get(URL, {"q": "giai phong mat bang"})

    assert response.status_code == 200
    assert titles(response)[0] == "Dân vận khéo trong giải phóng mặt bằng"
    assert "Bản nháp giải phóng mặt bằng" not in titles(response)
    html = response.content.decode()
    assert "<mark>giải</mark> <mark>phóng</mark> <mark>mặt</mark> <mark>bằng</mark>" in html  # the title
    assert "bàn giao <mark>mặt</mark> <mark>bằng</mark> đúng tiến độ" in html  # the summary snippet
    assert 'value="giai phong mat bang"' in html  # the box keeps the query
    assert f"{response.context['results'].count} mô hình" in html


def test_a_match_only_in_the_body_shows_a_body_snippet(client, catalogue):
    response = client.get(URL, {"q": "vỉa hè"})
    assert titles(response) == ["Khu phố văn hóa kiểu mẫu"]
    item = response.context["results"].items[0]
    assert "title" not in item.highlight and "summary" not in item.highlight
    assert "<mark>vỉa</mark> <mark>hè</mark>" in item.highlight["body"]
    assert "<mark>vỉa</mark> <mark>hè</mark> cho người đi bộ" in response.content.decode()


def test_empty_result_offers_tips(client, catalogue):
    response = client.get(URL, {"q": "qwertyuiop"})
    assert response.status_code == 200
    assert titles(response) == []
    html = response.content.decode()
    assert "Không có mô hình nào phù hợp" in html
    assert "gõ không dấu" in html and "dùng ít từ hơn" in html and "xóa tất cả bộ lọc" in html


# Facets


def test_facets_count_every_value_and_keep_other_values_selectable(client, catalogue):
    response = client.get(URL)
    assert len(titles(response)) == 5
    assert facet(response, "movement") == {"dan-van-kheo": (4, False), "chi-bo-bon-tot": (1, False)}
    assert facet(response, "field") == {
        "kinh-te": (2, False),
        "van-hoa-xa-hoi": (1, False),
        "quoc-phong-an-ninh": (1, False),
        "xay-dung-he-thong-chinh-tri": (1, False),
    }
    assert facet(response, "year") == {"2024": (1, False), "2023": (2, False), "2022": (1, False), "2021": (1, False)}
    assert facet(response, "level") == {"thanh-pho": (1, False), "quan-huyen": (1, False)}
    assert facet(response, "form") == {"bang-khen": (1, False)}
    html = response.content.decode()
    assert '<input type="checkbox" id="facet-field-1" name="field" value="kinh-te">' in html
    assert re.search(
        r'<label class="facet__label" for="facet-field-1">Kinh tế</label>\s*<span class="facet__count">', html
    )


def test_values_of_one_facet_add_up_and_facets_narrow_each_other(client, catalogue):
    response = client.get(URL + "?field=kinh-te&field=van-hoa-xa-hoi")
    assert set(titles(response)) == {
        "Dân vận khéo trong giải phóng mặt bằng",
        "Chợ dân sinh văn minh",
        "Khu phố văn hóa kiểu mẫu",
    }
    # A facet's own counts ignore its own selection, so another field can still be added.
    assert facet(response, "field")["quoc-phong-an-ninh"] == (1, False)
    assert facet(response, "field")["kinh-te"] == (2, True)
    assert facet(response, "year") == {"2024": (1, False), "2023": (1, False), "2022": (1, False)}
    html = response.content.decode()
    assert 'name="field" value="kinh-te" checked>' in html and 'name="field" value="van-hoa-xa-hoi" checked>' in html

    narrowed = client.get(URL + "?field=kinh-te&field=van-hoa-xa-hoi&year=2022&year=2023")
    assert set(titles(narrowed)) == {"Chợ dân sinh văn minh", "Khu phố văn hóa kiểu mẫu"}
    # The comma form means the same.
    assert set(titles(client.get(URL + "?field=kinh-te,van-hoa-xa-hoi&year=2022,2023"))) == set(titles(narrowed))


def test_commendation_form_and_level_filter(client, catalogue):
    assert titles(client.get(URL, {"form": "bang-khen"})) == ["Dân vận khéo trong giải phóng mặt bằng"]
    assert set(titles(client.get(URL + "?level=quan-huyen&level=thanh-pho"))) == {
        "Dân vận khéo trong giải phóng mặt bằng",
        "Khu phố văn hóa kiểu mẫu",
    }


def test_unit_facet_drills_down_the_tree_and_back_up(client, catalogue, unit_tree):
    top = client.get(URL)
    # One root (Hà Nội): the facet starts with the units directly below it, counting whole subtrees.
    assert facet(top, "unit") == {"HN-CG": (4, False), "HN-DD": (1, False)}
    html = top.content.decode()
    assert 'class="facet__drill" href="?unit=HN-CG"' in html
    assert "facet__trail" not in html

    district = client.get(URL, {"unit": "HN-CG"})
    assert len(titles(district)) == 4
    options = facet(district, "unit")
    # The unit drilled into comes first, ticked, with everything found; then the units below it.
    assert list(options) == ["HN-CG", "HN-CG-DV", "HN-CG-PN"]
    assert options["HN-CG"] == (4, True)
    assert options["HN-CG-DV"] == (2, False) and options["HN-CG-PN"] == (1, False)
    html = district.content.decode()
    assert '<a href="?">Tất cả đơn vị</a>' in html  # back up to the top level
    assert '<span aria-current="location">Quận Cầu Giấy</span>' in html
    assert 'href="?unit=HN-CG-DV"' in html  # Dịch Vọng has a party cell below it

    # Ticking a unit below the one drilled into narrows to it.
    ward = client.get(URL + "?unit=HN-CG&unit=HN-CG-DV")
    assert set(titles(ward)) == {"Dân vận khéo trong giải phóng mặt bằng", "Chi bộ bốn tốt ở tổ dân phố"}
    assert list(facet(ward, "unit")) == ["HN-CG-DV", "HN-CG-DV-CB1"]
    html = ward.content.decode()
    assert '<a href="?unit=HN-CG">Quận Cầu Giấy</a>' in html  # one level back up
    assert '<span aria-current="location">Phường Dịch Vọng</span>' in html

    # Two units side by side add up.
    both = client.get(URL + "?unit=HN-CG-PN&unit=HN-DD")
    assert set(titles(both)) == {"Khu phố văn hóa kiểu mẫu", "Chợ dân sinh văn minh"}


# Sorting and pages


def test_sort_orders(client, catalogue):
    by_title = titles(client.get(URL, {"sort": "title"}))
    assert by_title[0] == "Chi bộ bốn tốt ở tổ dân phố" and by_title[-1] == "Tổ an ninh tự quản"
    newest = client.get(URL, {"sort": "newest"})
    assert titles(newest)[0] == "Dân vận khéo trong giải phóng mặt bằng"  # 2024
    assert titles(newest)[-1] == "Tổ an ninh tự quản"  # 2021
    assert '<option value="newest" selected>Mới nhất</option>' in newest.content.decode()
    html = client.get(URL).content.decode()
    for label in ("Liên quan nhất", "Mới nhất", "Tên A–Z"):
        assert label in html


def test_pages_keep_the_query_and_clamp(client, search_backend, unit_tree, dvk):
    for n in range(23):
        PracticeModelFactory(title=f"Mô hình ngõ xanh số {n}", movement=dvk, unit=unit_tree.dich_vong)
    search_backend.sync()

    first = client.get(URL, {"q": "ngo xanh", "sort": "title"})
    assert len(titles(first)) == 20
    assert "23 mô hình" in first.content.decode()
    assert 'href="?q=ngo+xanh&amp;sort=title&amp;page=2"' in first.content.decode()
    second = client.get(URL, {"q": "ngo xanh", "sort": "title", "page": 2})
    assert second.context["page_obj"].number == 2 and len(titles(second)) == 3
    assert set(titles(first)).isdisjoint(titles(second))
    for page, expected in [("999", 2), ("0", 1), ("-3", 1), ("abc", 1), ("1.5", 1)]:
        response = client.get(URL, {"q": "ngo xanh", "page": page})
        assert response.status_code == 200
        assert response.context["page_obj"].number == expected


# Bad input


def test_bad_parameters_are_listed_and_the_rest_still_searches(client, catalogue):
    response = client.get(
        URL + "?q=tieu+thuong&field=kinh-te&field=khong-co&year=abc&unit=KHONG-CO&sort=zzz&level=vu-tru"
    )
    assert response.status_code == 200
    assert titles(response) == ["Chợ dân sinh văn minh"]
    html = response.content.decode()
    assert "Một số tham số không hợp lệ nên đã được bỏ qua" in html
    notice = html[html.index("Một số tham số không hợp lệ") :]
    notice = notice[: notice.index("</div>")]
    for label in ("Lĩnh vực:", "Năm:", "Đơn vị:", "Sắp xếp theo:", "Cấp công nhận:"):
        assert label in notice
    assert "Từ khóa:" not in notice


@pytest.mark.parametrize(
    "query",
    [
        {"q": "dân vận " * 700},  # 5,600 characters
        {"q": "x" * 5000},
        {"q": "giải\x00phóng\x01\x1f\u200b mặt\tbằng"},
        {"q": "\"'%_*?:(){}[]^~!\\/ AND OR NOT -+"},
        {"q": "", "page": "99999999999999999999999"},
        {"page_size": "0", "sort": "-title"},
        {"page_size": "100000"},
        {"unit": "'; DROP TABLE models_registry_unit;--"},
        {"year": "99999999999999999999"},
        {"field[]": "kinh-te", "movement": ",".join(["dan-van-kheo"] * 200)},
    ],
)
def test_hostile_input_never_fails(client, catalogue, query):
    response = client.get(URL, query)
    assert response.status_code == 200


def test_script_in_the_query_is_escaped(client, catalogue):
    response = client.get(URL, {"q": "<script>alert('x')</script> giải phóng"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# Query counts


def test_query_count_does_not_grow_with_the_number_of_results(
    client, search_backend, unit_tree, dvk, fields, django_assert_max_num_queries
):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    def add(count):
        for n in range(count):
            image = Image.objects.create(title=f"Ảnh {n}", file=get_test_image_file())
            PracticeModelFactory(
                title=f"Nhà văn hóa khu dân cư {n}",
                movement=dvk,
                unit=unit_tree.cell if n % 2 else unit_tree.o_cho_dua,
                field=fields["van-hoa-xa-hoi"],
                cover_image=image,
                recognition_level=RecognitionLevel.DISTRICT,
            )
        search_backend.sync()

    def measure(url):
        client.get(url)  # the first request creates the image renditions
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response

    url = URL + "?q=nha+van+hoa&field=van-hoa-xa-hoi&unit=HN-CG"
    add(4)
    few, response = measure(url)
    assert len(titles(response)) == 2
    add(40)
    many, response = measure(url)
    assert len(titles(response)) == 20
    assert many == few
    # Parsing, the search with its facets (and a savepoint around it), the page of models with
    # their renditions, the facet labels, the unit trail, the header's movements and the site.
    with django_assert_max_num_queries(22):
        client.get(url)


# Degraded mode: Elasticsearch down, the database answers


@pytest.fixture
def elasticsearch_down(settings, db):
    from search import elastic, services

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there
    elastic.reset_client()
    services.reset_circuit_breaker()
    yield
    settings.ELASTICSEARCH_URL = ""
    elastic.reset_client()
    services.reset_circuit_breaker()


def test_fallback_results_come_with_a_notice(client, unit_tree, dvk, elasticsearch_down):
    PracticeModelFactory(title="Dân vận khéo trong giải phóng mặt bằng", movement=dvk, unit=unit_tree.dich_vong)
    response = client.get(URL, {"q": "giai phong"})
    assert response.status_code == 200
    assert response.context["results"].degraded
    assert titles(response) == ["Dân vận khéo trong giải phóng mặt bằng"]
    assert "Tìm kiếm đang dùng chế độ dự phòng: kết quả có thể kém chính xác hơn." in response.content.decode()


def test_no_fallback_notice_normally(client, catalogue):
    response = client.get(URL, {"q": "giai phong"})
    assert not response.context["results"].degraded
    assert "chế độ dự phòng" not in response.content.decode()


# The header search box


def test_every_page_has_the_header_search_box_without_inline_script(client, catalogue, dvk):
    for path in ("/", "/dan-van-kheo/", "/don-vi/HN-CG/", URL):
        html = client.get(path).content.decode()
        header = html[html.index('<header class="site-header">') : html.index("</header>")]
        assert '<form class="site-search" method="get" action="/tim-kiem/" role="search"' in header
        assert 'name="q"' in header and 'role="combobox"' in header
        assert 'aria-controls="site-search-suggestions"' in header and 'role="listbox"' in header
        assert 'data-suggest-url="/api/v1/models/suggest"' in header
        assert re.search(r'<script src="[^"]*js/suggest\.js" defer></script>', html)
        # Every script is a file: a Content-Security-Policy without 'unsafe-inline' blocks none.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert " onclick=" not in html and " onchange=" not in html


def test_search_page_is_in_vietnamese_and_not_indexed(client, catalogue):
    html = client.get(URL).content.decode()
    assert "<h1>Tìm kiếm mô hình</h1>" in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert "Thu hẹp kết quả" in html and "Áp dụng bộ lọc" in html
