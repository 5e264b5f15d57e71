"""The officer's dashboard: where each of the unit's submissions stands, with the reviewer's comment."""

from django.urls import reverse

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import UnitMembership
from models_registry.panels import unit_submissions
from models_registry.services.demo import OFFICERS, ensure_groups
from tests.models_registry.test_workflow import act, submit


def test_the_officer_sees_each_submission_and_the_reviewers_comment(client, users, unit_tree, dvk):
    users.officer.groups.add(ensure_groups()[OFFICERS])
    sent_back = PracticeModelFactory(title="Ngõ xanh", unit=unit_tree.dich_vong, movement=dvk, live=False)
    waiting = PracticeModelFactory(title="Tổ hòa giải", unit=unit_tree.dich_vong, movement=dvk, live=False)
    elsewhere = PracticeModelFactory(title="Chợ văn minh", unit=unit_tree.o_cho_dua, movement=dvk, live=False)
    for model in (sent_back, waiting):
        submit(model, users.officer)
    submit(elsewhere, users.admin)
    act(sent_back, users.reviewer, "reject", comment="Bổ sung số liệu năm 2024.")

    items = {item.title: item for item in unit_submissions(users.officer)}
    assert set(items) == {"Ngõ xanh", "Tổ hòa giải"}
    assert items["Ngõ xanh"].needs_changes
    assert items["Ngõ xanh"].comment == "Bổ sung số liệu năm 2024."
    assert not items["Tổ hòa giải"].needs_changes

    client.force_login(users.officer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Mô hình của đơn vị đang trong quy trình duyệt" in html
    assert "Đã yêu cầu chỉnh sửa" in html
    assert "Bổ sung số liệu năm 2024." in html
    assert "Chợ văn minh" not in html


def test_an_officer_of_another_unit_sees_none_of_them(users, unit_tree, dvk):
    stranger = UserFactory(username="canbo_ochodua")
    stranger.groups.add(ensure_groups()[OFFICERS])
    UnitMembershipFactory(user=stranger, unit=unit_tree.o_cho_dua, role=UnitMembership.Role.OFFICER)
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, live=False)
    submit(model, users.officer)
    assert unit_submissions(stranger) == []


def test_the_officer_is_not_shown_every_submission_twice(client, users, unit_tree, dvk, django_assert_max_num_queries):
    """Wagtail's own "in a workflow" panel would list the unit panel's models again, all of them:
    it is left out for an officer with nothing else in a workflow, kept for the city's editors."""
    users.officer.groups.add(ensure_groups()[OFFICERS])
    for number in range(12):
        submit(
            PracticeModelFactory(
                title=f"Mô hình gửi duyệt {number}", unit=unit_tree.dich_vong, movement=dvk, live=False
            ),
            users.officer,
        )
    client.force_login(users.officer)
    with django_assert_max_num_queries(40):
        html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Mô hình của đơn vị đang trong quy trình duyệt" in html
    assert 'id="objects-in-workflow-section"' not in html
    assert html.count("Mô hình gửi duyệt 7<") == 1

    submit(
        PracticeModelFactory(title="Mô hình thành phố gửi", unit=unit_tree.dich_vong, movement=dvk, live=False),
        users.admin,
    )
    client.force_login(users.admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="objects-in-workflow-section"' in html
    assert "Mô hình thành phố gửi" in html
