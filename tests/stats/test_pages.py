"""The public statistics page (/thong-ke/), the admin's statistics dashboard and its home page panel."""

import re

from django.urls import reverse
from django.utils import timezone

import pytest

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import UnitChangeKind, UnitMembership
from models_registry.services.demo import REVIEWERS, ensure_groups
from models_registry.services.unit_history import record_unit_change
from search.query import SearchFilters
from stats import charts, selectors

from .conftest import EFFECTIVE

PAGE = "/thong-ke/"


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def table_rows(html: str, slug: str) -> dict[str, str]:
    """The rows of one chart's table: label → figure."""
    start = html.index(f'id="chart-{slug}"')
    table = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    rows = re.findall(
        r'<th scope="row">(?:<a [^>]*>)?([^<]*)(?:</a>)?</th><td class="data-table__number">([^<]*)</td>', table
    )
    return dict(rows)


def test_the_page_charts_every_dimension_with_its_table(client, registry):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Thống kê</h1>" in html
    assert figure(html, "total") == "9"
    assert figure(html, "recognised") == "4"
    assert figure(html, "commended") == "2"
    # With one city at the top, the units charted are its districts.
    assert table_rows(html, "unit") == {"Quận Cầu Giấy": "5", "Quận Đống Đa": "3"}
    assert table_rows(html, "field") == {
        "Kinh tế": "3",
        "Văn hóa - xã hội": "3",
        "Quốc phòng - an ninh": "1",
        "Xây dựng hệ thống chính trị": "0",
        "Chưa phân lĩnh vực": "2",
    }
    assert table_rows(html, "year") == {"2021": "2", "2022": "2", "2023": "3", "2024": "2"}
    assert table_rows(html, "level")["Chưa được công nhận"] == "5"
    # Two forms on one model: it counts under each.
    assert table_rows(html, "form")["Giấy khen"] == "2"
    assert table_rows(html, "form")["Bằng khen"] == "1"
    assert table_rows(html, "movement") == {"Dân vận khéo": "7", "Chi bộ bốn tốt": "2"}
    assert html.count('<svg class="chart__svg"') == 7
    assert "Xem dạng bảng" in html
    assert "Tăng trưởng qua các năm" in html
    # No script of its own: the page works under a strict content security policy.
    assert "<script>" not in html


def test_the_page_drills_down_and_filters(client, registry):
    html = client.get(PAGE, {"unit": "HN-CG", "movement": "dan-van-kheo", "year": "2023"}).content.decode()
    assert "Thống kê: Quận Cầu Giấy" in html
    assert figure(html, "total") == "2"
    assert table_rows(html, "unit") == {"Phường Dịch Vọng": "1", "Hội Liên hiệp Phụ nữ quận Cầu Giấy": "0"}
    # Each unit links one level down, keeping the other filters.
    assert 'href="?unit=HN-CG-DV&amp;movement=dan-van-kheo&amp;year=2023"' in html
    # The way back up keeps them too.
    assert 'href="?unit=HN&amp;movement=dan-van-kheo&amp;year=2023"' in html
    assert 'href="?movement=dan-van-kheo&amp;year=2023">Tất cả đơn vị' in html
    assert '<option value="2023" selected>2023</option>' in html
    # The same figures as open data.
    assert "/api/v1/stats/?group_by=unit&amp;unit=HN-CG&amp;movement=dan-van-kheo&amp;year=2023" in html


def test_the_page_agrees_with_the_api(client, registry):
    html = client.get(PAGE, {"unit": "HN-DD", "year": "2024"}).content.decode()
    api = client.get("/api/v1/stats/", {"group_by": "field", "unit": "HN-DD", "year": "2024"}).json()
    assert figure(html, "total") == str(api["total"]) == "1"


def test_bad_choices_are_named_and_left_out(client, registry):
    response = client.get(PAGE, {"unit": "KHONG-CO", "year": "hai nghìn", "movement": "x" * 3000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Một số lựa chọn trong địa chỉ không hợp lệ và đã được bỏ qua" in html
    assert "Không có đơn vị nào mang mã “KHONG-CO”." in html
    assert figure(html, "total") == "9"


def test_a_successor_unit_page_names_its_predecessors(client, registry, unit_tree, new_ward):
    record_unit_change(
        kind=UnitChangeKind.MERGE,
        effective_date=EFFECTIVE,
        predecessors=[unit_tree.dich_vong, unit_tree.o_cho_dua],
        successors=[new_ward],
    )
    html = client.get(PAGE, {"unit": "HN-PCG"}).content.decode()
    assert figure(html, "total") == "6"
    assert "Số liệu này gồm cả mô hình của các đơn vị tiền thân: Phường Dịch Vọng, Phường Ô Chợ Dừa." in html


def test_an_empty_registry_says_so(client, unit_tree):
    html = client.get(PAGE).content.decode()
    assert figure(html, "total") == "0"
    assert "Không có mô hình đã công bố nào phù hợp với các lựa chọn này." in html


def test_the_site_navigation_links_to_the_page(client, registry):
    html = client.get("/").content.decode()
    assert '<a href="/thong-ke/">Thống kê</a>' in html
    assert '<a href="/thong-ke/" aria-current="page">Thống kê</a>' in client.get(PAGE).content.decode()


# Charts ----------------------------------------------------------------------------------------


def test_numbers_are_written_the_vietnamese_way_and_coordinates_are_not():
    groups = [selectors.Group("a", "Một", 12345), selectors.Group("b", "Hai", 500)]
    chart = charts.bar_chart(slug="x", title="X", label_heading="Y", groups=groups)
    assert [bar.figure for bar in chart.bars] == ["12.345", "500"]
    assert [bar.width for bar in chart.bars] == ["80.00%", "3.24%"]
    columns = charts.column_chart(slug="y", title="Y", label_heading="Năm", groups=groups)
    assert [line.label for line in columns.gridlines] == ["0", "5.000", "10.000", "15.000"]


def test_long_labels_are_shortened_in_the_chart_only():
    name = "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội và các đoàn thể"
    chart = charts.bar_chart(slug="x", title="X", label_heading="Y", groups=[selectors.Group("a", name, 1)])
    assert chart.bars[0].label.endswith("…")
    assert len(chart.bars[0].label) <= charts.MAX_LABEL
    assert chart.bars[0].full_label == name


def test_on_a_phone_some_year_labels_give_way():
    ticks = charts.column_chart(
        slug="y", title="Y", label_heading="Năm", groups=[selectors.Group(y, str(y), 1) for y in range(2010, 2026)]
    ).ticks
    shown = [tick.label for tick in ticks if not tick.minor]
    assert shown[0] == "2010"
    assert shown[-1] == "2025"
    assert len(shown) <= charts.PHONE_LABELS + 1


def test_overview_counts_with_five_grouped_queries(django_assert_max_num_queries, registry):
    # Five grouped queries, the cycles' three, and the replication figures' two (totals, most replicated).
    with django_assert_max_num_queries(14):
        overview = selectors.overview(filters=SearchFilters(), parent=None)
    assert overview.total == 9
    assert overview.growth == {"dan-van-kheo": {2021: 2, 2022: 2, 2023: 3}, "chi-bo-bon-tot": {2024: 2}}


# The admin -------------------------------------------------------------------------------------


@pytest.fixture
def dashboard():
    return reverse("stats_dashboard")


@pytest.fixture
def reviewer(users):
    """The reviewer of Cầu Giấy, in the reviewers' group (admin access)."""
    users.reviewer.groups.add(ensure_groups()[REVIEWERS])
    return users.reviewer


def test_a_reviewer_sees_only_the_statistics_of_their_units(client, registry, reviewer, dashboard):
    client.force_login(reviewer)
    response = client.get(dashboard)
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "total") == "5"
    assert table_rows(html, "unit") == {"Phường Dịch Vọng": "3", "Hội Liên hiệp Phụ nữ quận Cầu Giấy": "1"}
    # Another district is out of reach: the reviewer's own unit is shown instead.
    html = client.get(dashboard, {"unit": "HN-DD"}).content.decode()
    assert figure(html, "total") == "5"
    assert "Phường Ô Chợ Dừa" not in html
    # Within reach: a ward below.
    html = client.get(dashboard, {"unit": "HN-CG-DV", "year": "2023"}).content.decode()
    assert figure(html, "total") == "1"


def test_a_member_of_several_units_sees_each_of_them(client, registry, unit_tree, dashboard):
    user = UserFactory(username="canbo_hai_don_vi")
    UnitMembershipFactory(user=user, unit=unit_tree.dich_vong, role=UnitMembership.Role.OFFICER)
    UnitMembershipFactory(user=user, unit=unit_tree.dong_da, role=UnitMembership.Role.REVIEWER)
    user.user_permissions.add(*_admin_access())
    client.force_login(user)
    html = client.get(dashboard).content.decode()
    assert table_rows(html, "unit") == {"Phường Dịch Vọng": "3", "Quận Đống Đa": "3"}
    assert figure(html, "total") == "6"


def test_the_administrator_sees_everything(client, registry, users, dashboard):
    client.force_login(users.admin)
    html = client.get(dashboard).content.decode()
    assert figure(html, "total") == "9"
    assert "Thống kê" in html


def test_a_user_without_a_unit_is_told_why_there_is_nothing(client, registry, dashboard):
    user = UserFactory(username="chua_co_don_vi")
    user.user_permissions.add(*_admin_access())
    client.force_login(user)
    html = client.get(dashboard).content.decode()
    assert "Bạn chưa thuộc đơn vị nào" in html
    assert 'href="/admin/thong-ke/"' not in client.get("/admin/").content.decode()


def test_the_dashboard_is_for_admin_users_only(client, registry, dashboard):
    user = UserFactory(username="nguoi_dan")
    client.force_login(user)
    assert client.get(dashboard).status_code in (302, 403)


def test_the_admin_home_shows_the_units_totals(client, registry, reviewer, unit_tree):
    this_year = timezone.localdate().year
    PracticeModelFactory(unit=unit_tree.cau_giay, year=this_year)
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    assert "Thống kê đơn vị của bạn" in html
    panel = html[html.index("Thống kê đơn vị của bạn") :]
    assert "Quận Cầu Giấy" in panel
    assert re.search(r"Quận Cầu Giấy</a></div></td>\s*<td>6</td>\s*<td>1</td>", panel)


def _admin_access():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
