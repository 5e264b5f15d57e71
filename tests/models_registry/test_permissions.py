"""Who may see and do what with a practice model: one table, every model URL × role × unit relation.

The officer belongs to Phường Dịch Vọng (HN-CG-DV). Each draft model below belongs to a unit in a
given relation to that ward: its own unit, its child (a party cell), its parent (Quận Cầu Giấy),
a sibling under the same parent (the district's women's union), and a unit in another district.
The reviewer reviews for Quận Cầu Giấy (the units below it); the city editor manages every unit.
"""

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModel, UnitMembership
from models_registry.services.demo import EDITORS, OFFICERS, REVIEWERS, ensure_groups
from tests.models_registry.admin_forms import model_form_data

RELATIONS = ("own", "child", "parent", "sibling", "elsewhere")

# URL name -> what a GET answers per role and relation: 200 (shown), 403 (seen, not allowed), 404 (unseen).
V, F, N = 200, 403, 404
EXPECTED = {
    # role: {url: (own, child, parent, sibling, elsewhere)}
    "officer": {
        "edit": (V, N, N, N, N),
        "history": (V, N, N, N, N),
        "usage": (V, N, N, N, N),
        "delete": (F, N, N, N, N),  # officers revise and resubmit; deleting is the editors' call
        "workflow_history": (V, N, N, N, N),
        "revisions_view": (V, N, N, N, N),
        "revisions_compare": (V, N, N, N, N),
        "preview_on_edit": (V, N, N, N, N),
        "copy": (V, N, N, N, N),
        "revisions_revert": (V, N, N, N, N),
    },
    "reviewer": {
        "edit": (F, F, N, F, N),
        "history": (V, V, N, V, N),
        "usage": (V, V, N, V, N),
        "delete": (F, F, N, F, N),
        "workflow_history": (V, V, N, V, N),
        "revisions_view": (V, V, N, V, N),
        "revisions_compare": (V, V, N, V, N),
        # Reviewers preview through their review step (workflow_preview), not the editor's preview.
        "preview_on_edit": (F, F, N, F, N),
        "copy": (F, F, N, F, N),
        "revisions_revert": (F, F, N, F, N),
    },
    "editor": dict.fromkeys(("edit", "history", "usage", "delete", "workflow_history", "revisions_view", "revisions_compare", "preview_on_edit", "copy", "revisions_revert"), (V, V, V, V, V)),
}  # fmt: skip
EXPECTED["admin"] = EXPECTED["editor"]


@pytest.fixture
def roles(db, unit_tree, users):
    groups = ensure_groups()
    users.officer.groups.add(groups[OFFICERS])
    users.reviewer.groups.add(groups[REVIEWERS])
    editor = UserFactory(username="bientap_test")
    editor.groups.add(groups[EDITORS])
    return {"officer": users.officer, "reviewer": users.reviewer, "editor": editor, "admin": users.admin}


@pytest.fixture
def drafts(unit_tree, dvk):
    units = {
        "own": unit_tree.dich_vong,
        "child": unit_tree.cell,
        "parent": unit_tree.cau_giay,
        "sibling": unit_tree.women,
        "elsewhere": unit_tree.o_cho_dua,
    }
    return {
        relation: PracticeModelFactory(title=f"Mô hình bí mật {relation}", unit=unit, movement=dvk, live=False)
        for relation, unit in units.items()
    }


def url_for(name: str, model: PracticeModel) -> str:
    prefix = "wagtailsnippets_models_registry_practicemodel"
    revision = model.latest_revision_id
    if name in ("revisions_view", "revisions_revert"):
        return reverse(f"{prefix}:{name}", args=[model.pk, revision])
    if name == "revisions_compare":
        return reverse(f"{prefix}:{name}", args=[model.pk, "earliest", "latest"])
    return reverse(f"{prefix}:{name}", args=[model.pk])


CASES = [
    (role, url, relation, expected)
    for role, urls in EXPECTED.items()
    for url, outcomes in urls.items()
    for relation, expected in zip(RELATIONS, outcomes, strict=True)
]


@pytest.mark.parametrize(("role", "url_name", "relation", "expected"), CASES)
def test_model_urls_by_role_and_unit(client, roles, drafts, role, url_name, relation, expected):
    client.force_login(roles[role])
    model = drafts[relation]
    response = client.get(url_for(url_name, model))
    status = response.status_code
    if status == 302 and response["Location"] == reverse("wagtailadmin_home"):
        status = 403  # Wagtail's admin answers a refused action with a redirect to the dashboard.
    assert status == expected, f"{role} GET {url_name} of the {relation} unit's model: {response.status_code}"
    if expected == 404:
        assert model.title not in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "reviewer", "editor", "admin"])
def test_listing_and_chooser_show_only_what_the_role_may_see(client, roles, drafts, role):
    client.force_login(roles[role])
    visible = {
        relation for relation, outcome in zip(RELATIONS, EXPECTED[role]["history"], strict=True) if outcome == V
    }
    listing = client.get(reverse("wagtailsnippets_models_registry_practicemodel:list")).content.decode()
    chooser = client.get(reverse("wagtailsnippetchoosers_models_registry_practicemodel:choose")).json()["html"]
    for relation, model in drafts.items():
        assert (model.title in listing) == (relation in visible), (role, relation, "listing")
        assert (model.title in chooser) == (relation in visible), (role, relation, "chooser")


@pytest.mark.parametrize("role", ["anonymous", "officer", "reviewer", "editor", "admin"])
def test_drafts_are_never_public(client, roles, drafts, role):
    if role != "anonymous":
        client.force_login(roles[role])
    for model in drafts.values():
        assert client.get(f"/dan-van-kheo/{model.slug}/").status_code == 404


def test_an_officer_cannot_save_another_units_model(client, roles, drafts):
    client.force_login(roles["officer"])
    model = drafts["sibling"]
    response = client.post(url_for("edit", model), {"title": "Đã sửa trộm"})
    assert response.status_code == 404
    model.refresh_from_db()
    assert model.title == "Mô hình bí mật sibling"


def test_membership_below_extends_an_officer_to_the_units_below(client, roles, drafts):
    officer = roles["officer"]
    UnitMembership.objects.filter(user=officer).update(includes_subunits=True)
    client.force_login(officer)
    assert client.get(url_for("edit", drafts["child"])).status_code == 200
    assert client.get(url_for("edit", drafts["sibling"])).status_code == 404


def test_a_second_membership_is_all_it_takes_to_review_another_district(client, roles, drafts, unit_tree):
    reviewer = roles["reviewer"]
    client.force_login(reviewer)
    assert client.get(url_for("history", drafts["elsewhere"])).status_code == 404
    UnitMembershipFactory(user=reviewer, unit=unit_tree.dong_da, role=UnitMembership.Role.REVIEWER)
    assert not Group.objects.filter(name__icontains="Đống Đa").exists()
    client.force_login(reviewer)
    assert client.get(url_for("history", drafts["elsewhere"])).status_code == 200


@pytest.mark.parametrize("role", ["officer", "reviewer", "editor"])
def test_no_role_below_administrator_manages_users(client, roles, role):
    client.force_login(roles[role])
    for url in (reverse("wagtailusers_users:index"), reverse("wagtailusers_users:add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def test_the_administrator_manages_users(client, roles):
    client.force_login(roles["admin"])
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200


def new_model_data(unit, movement) -> dict:
    return model_form_data({"title": "Mô hình mới của phường", "unit": unit.pk, "movement": movement.pk})


def test_an_officer_files_models_only_under_their_own_unit(client, roles, unit_tree, dvk):
    client.force_login(roles["officer"])
    add = reverse("wagtailsnippets_models_registry_practicemodel:add")
    refused = client.post(add, new_model_data(unit_tree.o_cho_dua, dvk))
    assert refused.status_code == 200
    assert "Bạn không thể đưa mô hình vào đơn vị này." in refused.content.decode()
    assert not PracticeModel.objects.filter(title="Mô hình mới của phường").exists()
    accepted = client.post(add, new_model_data(unit_tree.dich_vong, dvk))
    assert accepted.status_code == 302
    assert PracticeModel.objects.get(title="Mô hình mới của phường").unit == unit_tree.dich_vong


def test_an_officer_cannot_move_their_model_to_another_unit(client, roles, drafts, unit_tree, dvk):
    client.force_login(roles["officer"])
    own = drafts["own"]
    response = client.post(url_for("edit", own), new_model_data(unit_tree.o_cho_dua, dvk))
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.unit == unit_tree.dich_vong


def test_the_unit_chooser_searches_without_diacritics(client, roles, unit_tree):
    client.force_login(roles["officer"])
    url = reverse("wagtailsnippetchoosers_models_registry_unit:choose_results")
    html = client.get(url, {"q": "dich vong"}).content.decode()
    assert "Phường Dịch Vọng" in html
    assert "Phường Ô Chợ Dừa" not in html
    assert "Quận Đống Đa" in client.get(url, {"q": "HN-DD"}).content.decode()
