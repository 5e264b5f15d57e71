"""The public honour board at /bang-vinh-danh/: grouped by year, filtered by shareable parameters."""

import datetime
import re

from django.urls import reverse

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import CommendationForm, RecognitionLevel

BOARD = "/bang-vinh-danh/"


@pytest.fixture
def board(unit_tree, dvk, cb4t):
    """Commendations of 2022–2024 across the tree, and one of a draft that must never show."""
    dich_vong = PracticeModelFactory(title="Ngõ phố xanh Dịch Vọng", unit=unit_tree.dich_vong, movement=dvk)
    cell = PracticeModelFactory(title="Chi bộ bốn tốt tổ dân phố 1", unit=unit_tree.cell, movement=cb4t)
    women = PracticeModelFactory(title="Phụ nữ Cầu Giấy khởi nghiệp", unit=unit_tree.women, movement=dvk)
    dong_da = PracticeModelFactory(title="Tổ an ninh Ô Chợ Dừa", unit=unit_tree.o_cho_dua, movement=dvk)
    draft = PracticeModelFactory(title="Bản nháp chưa công bố", unit=unit_tree.dich_vong, movement=dvk, live=False)
    rows = {
        "dich_vong_2024": CommendationFactory(
            practice_model=dich_vong,
            form=CommendationForm.DIPLOMA_OF_MERIT,
            level=RecognitionLevel.CITY,
            decision_number="1234/QĐ-UBND",
            decision_date=datetime.date(2024, 12, 5),
            issuing_body="Ủy ban nhân dân thành phố Hà Nội",
        ),
        "dich_vong_2022": CommendationFactory(
            practice_model=dich_vong,
            form=CommendationForm.CERTIFICATE_OF_MERIT,
            level=RecognitionLevel.DISTRICT,
            decision_number="88/QĐ-UBND",
            decision_date=datetime.date(2022, 11, 2),
        ),
        "cell_2023": CommendationFactory(
            practice_model=cell,
            form=CommendationForm.CERTIFICATE_OF_MERIT,
            level=RecognitionLevel.GRASSROOTS,
            decision_number="15-QĐ/ĐU",
            decision_date=datetime.date(2023, 9, 1),
            issuing_body="Đảng ủy phường Dịch Vọng",
        ),
        "women_2023": CommendationFactory(
            practice_model=women,
            form=CommendationForm.EMULATION_FLAG,
            level=RecognitionLevel.DISTRICT,
            decision_number="301/QĐ-UBND",
            decision_date=datetime.date(2023, 12, 30),
        ),
        "dong_da_2024": CommendationFactory(
            practice_model=dong_da,
            form=CommendationForm.DIPLOMA_OF_MERIT,
            level=RecognitionLevel.DISTRICT,
            decision_number="77/QĐ-UBND",
            decision_date=datetime.date(2024, 4, 10),
            issuing_body="Ủy ban nhân dân quận Đống Đa",
        ),
        "draft": CommendationFactory(practice_model=draft, decision_date=datetime.date(2024, 6, 1)),
    }
    return rows


def listed(response) -> list[int]:
    return [commendation.pk for commendation in response.context["commendations"]]


def test_the_board_lists_published_commendations_newest_first_grouped_by_year(client, board):
    response = client.get(BOARD)

    assert response.status_code == 200
    assert listed(response) == [
        board[key].pk for key in ("dich_vong_2024", "dong_da_2024", "women_2023", "cell_2023", "dich_vong_2022")
    ]
    html = response.content.decode()
    headings = re.findall(r'<h2 id="honour-year-(\d{4})"', html)
    assert headings == ["2024", "2023", "2022"]
    assert "Bảng vinh danh" in html and "5 lượt khen thưởng" in html
    assert "Bản nháp chưa công bố" not in html
    assert "Quyết định số 1234/QĐ-UBND ngày 05/12/2024, Ủy ban nhân dân thành phố Hà Nội" in html
    assert reverse("honour_board:certificate", args=[board["dich_vong_2024"].pk]) in html
    assert response.context["years"] == [(2024, 2), (2023, 2), (2022, 1)]
    # The site's navigation links to the board, marked as the current page.
    assert '<a href="/bang-vinh-danh/" aria-current="page">Bảng vinh danh</a>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2023"}, ["women_2023", "cell_2023"]),
        ({"level": "quan-huyen"}, ["dong_da_2024", "women_2023", "dich_vong_2022"]),
        ({"form": "bang-khen"}, ["dich_vong_2024", "dong_da_2024"]),
        ({"movement": "chi-bo-bon-tot"}, ["cell_2023"]),
        # A unit includes every unit below it: the district has the ward, its party cell and the women's union.
        ({"unit": "HN-CG"}, ["dich_vong_2024", "women_2023", "cell_2023", "dich_vong_2022"]),
        ({"unit": "HN-CG-DV"}, ["dich_vong_2024", "cell_2023", "dich_vong_2022"]),
        (
            {"unit": "HN-CG", "year": "2024", "level": "thanh-pho", "form": "bang-khen", "movement": "dan-van-kheo"},
            ["dich_vong_2024"],
        ),
        ({"unit": "HN-DD", "year": "2022"}, []),
    ],
)
def test_each_filter_narrows_the_board_and_is_a_shareable_address(client, board, query, expected):
    response = client.get(BOARD, query)

    assert response.status_code == 200
    assert listed(response) == [board[key].pk for key in expected]
    assert response.context["invalid_parameters"] == []
    html = response.content.decode()
    for name, value in query.items():
        assert f'value="{value}" selected' in html, name
    if not expected:
        assert "Không có mô hình được khen thưởng nào phù hợp với bộ lọc." in html


@pytest.mark.parametrize(
    ("query", "label", "message"),
    [
        ({"year": "abc"}, "Năm", "“abc” không phải là một năm trong khoảng từ 1990 đến"),
        ({"year": "1500"}, "Năm", "“1500” không phải là một năm trong khoảng từ 1990 đến"),
        ({"level": "tinh"}, "Cấp", "Không có cấp công nhận “tinh”."),
        ({"form": "ky-niem-chuong"}, "Hình thức khen thưởng", "Không có hình thức khen thưởng “ky-niem-chuong”."),
        ({"movement": "khong-co"}, "Phong trào", "Không có phong trào “khong-co”."),
        ({"unit": "KHONG-CO"}, "Đơn vị", "Không có đơn vị nào mang mã “KHONG-CO”."),
        ({"page": "-1"}, "Trang", "Số trang phải là số nguyên từ 1 đến 10.000."),
        ({"page": "99"}, "Trang", "Chỉ có 1 trang: đang hiển thị trang cuối cùng."),
    ],
)
def test_bad_parameters_are_named_in_vietnamese_and_ignored(client, board, query, label, message):
    response = client.get(BOARD, query)

    assert response.status_code == 200
    problems = response.context["invalid_parameters"]
    assert [name for name, _ in problems] == [label]
    assert message in problems[0][1]
    assert len(listed(response)) == 5  # the bad filter is left out, the board still shows
    assert "Một số tham số không hợp lệ và đã được bỏ qua:" in response.content.decode()


def test_a_nul_character_separates_like_a_space(client, board):
    response = client.get(BOARD, {"year": "2024\x00", "unit": "\x00HN-CG"})

    assert response.status_code == 200
    assert response.context["invalid_parameters"] == []
    assert listed(response) == [board["dich_vong_2024"].pk]


def test_the_board_pages_thirty_rows_at_a_time_keeping_the_filters(client, unit_tree, dvk):
    model = PracticeModelFactory(title="Mô hình nhiều khen thưởng", unit=unit_tree.dich_vong, movement=dvk)
    for day in range(1, 33):
        CommendationFactory(practice_model=model, decision_date=datetime.date(2023, 1, 1) + datetime.timedelta(day))

    first = client.get(BOARD, {"year": "2023"})
    second = client.get(BOARD, {"year": "2023", "page": "2"})

    assert len(listed(first)) == 30 and len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))
    assert "?year=2023&amp;page=2" in first.content.decode()
    assert "32 lượt khen thưởng" in second.content.decode()


def test_the_board_reads_a_fixed_number_of_queries_whatever_the_rows(
    client, unit_tree, dvk, django_assert_max_num_queries
):
    for index in range(12):
        model = PracticeModelFactory(title=f"Mô hình số {index}", unit=unit_tree.dich_vong, movement=dvk)
        CommendationFactory(practice_model=model, decision_date=datetime.date(2020 + index % 5, 5, 1))
    client.get(BOARD)  # warm the site root cache and the like

    with django_assert_max_num_queries(10) as few:
        client.get(BOARD, {"unit": "HN"})
    for index in range(12, 30):
        model = PracticeModelFactory(title=f"Mô hình số {index}", unit=unit_tree.o_cho_dua, movement=dvk)
        CommendationFactory(practice_model=model, decision_date=datetime.date(2020 + index % 5, 5, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(BOARD, {"unit": "HN"})


def test_an_empty_board_says_so(client, db):
    response = client.get(BOARD)
    assert response.status_code == 200
    assert "Chưa có khen thưởng nào được ghi nhận." in response.content.decode()
