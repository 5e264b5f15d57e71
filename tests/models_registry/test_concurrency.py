"""Two officers of Phường Dịch Vọng edit the same draft: neither overwrites the other silently.

What Wagtail 8 provides for a snippet with revisions, locking and a workflow, through the real
admin views:

- editing sessions: each open editor pings the server, which tells it who else has the model open
  and whether someone saved a newer version since it was loaded (with a "proceeding will
  overwrite" confirmation in the browser);
- autosave refuses, server-side, to write over a newer version than the one the editor loaded;
- an explicit save after that warning is accepted as a new revision: both versions stay in the
  history, nothing is lost;
- a lock (the lock action, or the review workflow once a model is submitted) refuses every other
  user's save with a message, and their change is not applied.
"""

import re

from django.test import Client
from django.urls import reverse

from wagtail.admin.models import EditingSession

import pytest

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModel, UnitMembership
from models_registry.services.demo import EDITORS, OFFICERS, ensure_groups

from .test_bad_input import model_form_data, snippet_url

LOCKED = "Không thể lưu mô hình vì đang bị khóa"
NEWER_VERSION = "Lưu sẽ ghi đè một phiên bản mới hơn."


@pytest.fixture
def officers(db, unit_tree):
    """Two officers of the same ward, in the unit officers' group."""
    group = ensure_groups()[OFFICERS]
    pair = []
    for username, first_name, last_name in (("canbo_lan", "Lan", "Trần"), ("canbo_minh", "Minh", "Lê")):
        user = UserFactory(username=username, first_name=first_name, last_name=last_name)
        user.groups.add(group)
        UnitMembershipFactory(user=user, unit=unit_tree.dich_vong, role=UnitMembership.Role.OFFICER)
        pair.append(user)
    return pair


@pytest.fixture
def draft(officers, unit_tree, dvk):
    return PracticeModelFactory(title="Tổ dân phố tự quản", unit=unit_tree.dich_vong, movement=dvk, live=False)


@pytest.fixture
def clients(officers):
    first, second = Client(), Client()
    first.force_login(officers[0])
    second.force_login(officers[1])
    return first, second


def open_editor(client, practice_model) -> dict:
    """GET the edit form as a browser does; return what its hidden inputs and editing session say."""
    response = client.get(snippet_url("edit", practice_model.pk))
    assert response.status_code == 200
    html = response.content.decode()
    loaded = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("loaded_revision_id", "loaded_revision_created_at")
    }
    session = EditingSession.objects.filter(user=response.wsgi_request.user, object_id=str(practice_model.pk)).latest(
        "id"
    )
    return {"html": html, "session": session, **loaded}


def ping(client, practice_model, editor: dict, **extra):
    url = reverse(
        "wagtailadmin_editing_sessions:ping",
        args=("models_registry", "practicemodel", practice_model.pk, editor["session"].pk),
    )
    response = client.post(url, {"is_editing": "1", **extra})
    assert response.status_code == 200
    return response.json()


def edit_data(practice_model, editor: dict, **changes) -> dict:
    data = model_form_data(
        {
            "title": practice_model.title,
            "unit": practice_model.unit_id,
            "movement": practice_model.movement_id,
            "summary": practice_model.summary,
            "results": practice_model.results,
            **changes,
        }
    )
    data["loaded_revision_id"] = editor["loaded_revision_id"]
    data["loaded_revision_created_at"] = editor["loaded_revision_created_at"]
    return data


def test_a_newer_version_is_announced_and_autosave_will_not_overwrite_it(clients, officers, draft):
    lan, _minh = officers
    client_lan, client_minh = clients
    editor_lan = open_editor(client_lan, draft)
    editor_minh = open_editor(client_minh, draft)
    assert editor_minh["loaded_revision_id"] == str(draft.latest_revision_id)

    # Each editor is told the other has the model open, and when they start typing.
    ping(client_lan, draft, editor_lan)
    seen = ping(client_minh, draft, editor_minh)
    assert [session["user"] for session in seen["other_sessions"]] == ["Lan Trần"]
    assert "Lan Trần có thay đổi chưa lưu" in seen["html"]

    # Lan saves first.
    response = client_lan.post(
        snippet_url("edit", draft.pk), edit_data(draft, editor_lan, summary="Bản của Lan: 120 hộ tham gia.")
    )
    assert response.status_code == 302
    lans_revision = PracticeModel.objects.get(pk=draft.pk).latest_revision
    assert lans_revision.user == lan

    # Minh's editor learns at its next ping that Lan saved a newer version.
    warned = ping(
        client_minh,
        draft,
        editor_minh,
        revision_id=editor_minh["loaded_revision_id"],
        revision_created_at=editor_minh["loaded_revision_created_at"],
    )
    assert warned["other_sessions"][0]["user"] == "Lan Trần"
    assert warned["other_sessions"][0]["revision_id"] == lans_revision.pk
    assert "Lan Trần đã lưu một phiên bản mới" in warned["html"]
    assert "Tiếp tục sẽ ghi đè các thay đổi của Lan Trần." in warned["html"]

    # Minh's autosave, based on the version he loaded, is refused and changes nothing.
    response = client_minh.post(
        snippet_url("edit", draft.pk),
        edit_data(draft, editor_minh, summary="Bản của Minh."),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"success": False, "error_code": "invalid_revision", "error_message": NEWER_VERSION}
    current = PracticeModel.objects.get(pk=draft.pk)
    assert current.latest_revision_id == lans_revision.pk
    assert current.get_latest_revision_as_object().summary == "Bản của Lan: 120 hộ tham gia."


def test_saving_anyway_after_the_warning_keeps_both_versions_in_the_history(clients, officers, draft):
    """Wagtail warns (above) but lets a full save through: it is a new revision, the other one is kept."""
    _lan, minh = officers
    client_lan, client_minh = clients
    editor_lan = open_editor(client_lan, draft)
    editor_minh = open_editor(client_minh, draft)
    client_lan.post(snippet_url("edit", draft.pk), edit_data(draft, editor_lan, summary="Bản của Lan."))
    lans_revision = PracticeModel.objects.get(pk=draft.pk).latest_revision

    response = client_minh.post(snippet_url("edit", draft.pk), edit_data(draft, editor_minh, summary="Bản của Minh."))
    assert response.status_code == 302

    current = PracticeModel.objects.get(pk=draft.pk)
    assert current.latest_revision.user == minh
    assert current.get_latest_revision_as_object().summary == "Bản của Minh."
    lans_revision.refresh_from_db()
    assert lans_revision.as_object().summary == "Bản của Lan."
    assert list(current.revisions.order_by("created_at", "id").values_list("user__username", flat=True)) == [
        None,
        "canbo_lan",
        "canbo_minh",
    ]
    history = client_lan.get(snippet_url("history", draft.pk)).content.decode()
    assert "Lan Trần" in history and "Minh Lê" in history
    # Either version can be compared with the other and brought back.
    compare = client_lan.get(snippet_url("revisions_compare", draft.pk, lans_revision.pk, "latest"))
    assert compare.status_code == 200
    compare_html = compare.content.decode()
    assert "Lan." in compare_html and "Minh." in compare_html


def test_a_draft_sent_for_review_is_locked_for_the_other_officer(clients, officers, draft):
    _lan, _minh = officers
    client_lan, client_minh = clients
    editor_lan = open_editor(client_lan, draft)
    editor_minh = open_editor(client_minh, draft)

    data = edit_data(draft, editor_lan, summary="Bản Lan gửi duyệt.")
    data["action-submit"] = "submit"
    response = client_lan.post(snippet_url("edit", draft.pk), data)
    assert response.status_code == 302
    submitted = PracticeModel.objects.get(pk=draft.pk)
    assert submitted.current_workflow_state is not None
    submitted_revision = submitted.latest_revision_id

    response = client_minh.post(snippet_url("edit", draft.pk), edit_data(draft, editor_minh, summary="Bản của Minh."))
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    current = PracticeModel.objects.get(pk=draft.pk)
    assert current.latest_revision_id == submitted_revision
    assert current.get_latest_revision_as_object().summary == "Bản Lan gửi duyệt."


def test_a_lock_refuses_every_other_users_save(client, clients, officers, draft, users):
    """The city editor locks the draft while correcting it; an officer's save is refused, nothing applied."""
    editor = UserFactory(username="bientap_khoa", first_name="Hà", last_name="Phạm")
    editor.groups.add(ensure_groups()[EDITORS])
    _client_lan, client_minh = clients
    editor_minh = open_editor(client_minh, draft)
    client.force_login(editor)
    response = client.post(snippet_url("lock", draft.pk))
    assert response.status_code == 302
    assert PracticeModel.objects.get(pk=draft.pk).locked_by == editor

    response = client_minh.post(snippet_url("edit", draft.pk), edit_data(draft, editor_minh, summary="Bản của Minh."))
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    current = PracticeModel.objects.get(pk=draft.pk)
    assert current.latest_revision_id == draft.latest_revision_id
    assert current.get_latest_revision_as_object().summary == draft.summary


def test_an_officers_lock_refuses_the_other_officers_save(clients, officers, draft):
    lan, _minh = officers
    # Officers may lock their own unit's drafts (the officers' group holds lock/unlock).
    assert lan.has_perm("models_registry.lock_practicemodel")
    client_lan, client_minh = clients
    editor_minh = open_editor(client_minh, draft)
    assert client_lan.post(snippet_url("lock", draft.pk)).status_code == 302
    assert PracticeModel.objects.get(pk=draft.pk).locked_by == lan

    response = client_minh.post(snippet_url("edit", draft.pk), edit_data(draft, editor_minh, summary="Bản của Minh."))
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert PracticeModel.objects.get(pk=draft.pk).latest_revision_id == draft.latest_revision_id
    # Lan, who holds the lock, still saves.
    editor_lan = open_editor(client_lan, draft)
    response = client_lan.post(snippet_url("edit", draft.pk), edit_data(draft, editor_lan, summary="Bản của Lan."))
    assert response.status_code == 302
