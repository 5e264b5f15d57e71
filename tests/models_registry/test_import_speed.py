"""Importing as a unit officer starts every model's review in bulk, and reviewers cannot tell.

The batched start (workflows.start_reviews_in_bulk) must leave what `Workflow.start()` leaves: a
workflow state in progress, the first step's task state on the latest revision with its reviewing
unit, the audit entry; reviewers see the models in their lists and approve or return them as usual;
they get one summary email each, not one per model; and the queries do not grow with the rows.
"""

import csv
import io

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import ModelLogEntry, TaskState, WorkflowState

import pytest

from models_registry.factories import UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModel, UnitMembership
from models_registry.panels import awaiting_review
from models_registry.services.imports import import_models
from models_registry.workflows import UnitReviewTaskState
from tests.models_registry.test_workflow import grant_reviewer_role, workflow_action_url

HEADER = ["external_id", "title", "unit_code", "movement", "field", "year", "summary", "content", "results"]


def spreadsheet(count: int, *, start: int = 0, unit: str = "HN-CG-DV") -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(start, start + count):
        writer.writerow(
            [f"NK-{n:04d}", f"Tổ dân phố văn minh số {n}", unit, "dan-van-kheo", "kinh-te", "2024",
             "Tóm tắt.", "Đoạn một.\n\nĐoạn hai.", "Kết quả."]
        )  # fmt: skip
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def run_import(source, user, capture) -> tuple:
    mail.outbox.clear()
    with capture(execute=True):
        result = import_models(source=source, filename="mo-hinh.csv", user=user)
    assert result.ok, result.errors
    return result, list(mail.outbox)


@pytest.fixture
def reviewers(users, unit_tree):
    """The district's reviewer (from `users`) plus a second one, and the city's reviewer for step two."""
    second = UserFactory(username="duyet_caugiay_2")
    UnitMembershipFactory(user=second, unit=unit_tree.cau_giay, role=UnitMembership.Role.REVIEWER)
    city = UserFactory(username="duyet_thanhpho")
    UnitMembershipFactory(user=city, unit=unit_tree.city, role=UnitMembership.Role.REVIEWER)
    return {"district": [users.reviewer, second], "city": city}


def test_an_officers_import_starts_every_review_as_wagtail_would(
    users, unit_tree, dvk, fields, reviewers, django_capture_on_commit_callbacks
):
    result, sent = run_import(spreadsheet(30), users.officer, django_capture_on_commit_callbacks)
    assert (result.created, result.submitted) == (30, 30)

    models = list(PracticeModel.objects.filter(external_id__startswith="NK-").select_related("latest_revision"))
    assert len(models) == 30
    for model in models:
        state = model.current_workflow_state
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.requested_by == users.officer
        assert state.workflow == model.get_workflow()
        task_state = model.current_workflow_task_state
        assert isinstance(task_state, UnitReviewTaskState)
        assert task_state.status == TaskState.STATUS_IN_PROGRESS
        assert task_state.reviewing_unit == unit_tree.cau_giay
        assert task_state.revision == model.latest_revision
        assert task_state.task.specific == state.workflow.tasks.first().specific
        assert not model.live
        entry = ModelLogEntry.objects.get(object_id=str(model.pk), action="wagtail.workflow.start")
        assert entry.user == users.officer
        assert entry.revision == model.latest_revision
        assert entry.data["workflow"]["task_state_id"] == task_state.pk
        assert entry.data["workflow"]["next"]["title"] == task_state.task.name

    # One summary email per reviewer of the district (never the officer, never the city yet).
    assert sorted(address for message in sent for address in message.to) == sorted(
        user.email for user in reviewers["district"]
    )
    message = sent[0]
    assert message.subject == "30 mô hình nhập từ bảng tính đang chờ anh/chị duyệt"
    assert "Tổ dân phố văn minh số 0 (Phường Dịch Vọng)" in message.body
    assert "/admin/snippets/models_registry/practicemodel/edit/" in message.body

    # The reviewer's dashboard lists them all.
    _items, total = awaiting_review(users.reviewer)
    assert total == 30
    assert awaiting_review(reviewers["city"])[1] == 0


def test_reviewers_approve_and_return_bulk_started_models_as_usual(
    client, users, unit_tree, dvk, fields, reviewers, django_capture_on_commit_callbacks
):
    run_import(spreadsheet(3), users.officer, django_capture_on_commit_callbacks)
    first, second, _third = PracticeModel.objects.filter(external_id__startswith="NK-").order_by("external_id")
    grant_reviewer_role(users.reviewer)
    client.force_login(users.reviewer)

    # Approve the first through the admin's workflow action: it moves on to the city's step.
    step_one = first.current_workflow_task_state
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(workflow_action_url(first, "approve", step_one), {"comment": "Đạt."})
    assert response.status_code == 302
    step_one.refresh_from_db()
    assert step_one.status == TaskState.STATUS_APPROVED
    step_two = PracticeModel.objects.get(pk=first.pk).current_workflow_task_state
    assert step_two.pk != step_one.pk
    assert step_two.reviewing_unit == unit_tree.city
    assert step_two.status == TaskState.STATUS_IN_PROGRESS
    assert reviewers["city"].email in {address for message in mail.outbox for address in message.to}

    # Return the second for changes: the unit gets it back, and re-importing it resumes the review.
    task_state = second.current_workflow_task_state
    with django_capture_on_commit_callbacks(execute=True):
        client.post(workflow_action_url(second, "reject", task_state), {"comment": "Bổ sung số liệu."})
    assert PracticeModel.objects.get(pk=second.pk).current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    source = spreadsheet(1, start=1)
    source = io.BytesIO(source.getvalue().replace("Tóm tắt.".encode(), "Tóm tắt mới.".encode()))
    result, _sent = run_import(source, users.officer, django_capture_on_commit_callbacks)
    assert (result.updated, result.submitted) == (1, 1)
    resumed = PracticeModel.objects.get(pk=second.pk)
    assert resumed.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert resumed.current_workflow_task_state.task_id == task_state.task_id


def test_the_queries_do_not_grow_with_the_rows(users, unit_tree, dvk, fields, reviewers):
    def queries(count: int, start: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = import_models(source=spreadsheet(count, start=start), filename="mo-hinh.csv", user=users.officer)
        assert result.submitted == count
        return len(captured)

    small, large = queries(10, 0), queries(60, 100)
    # One workflow start per model cost about 20 queries each; in bulk, a handful per batch.
    assert large - small < 15, (small, large)


def test_a_locked_model_is_started_the_ordinary_way(users, unit_tree, dvk, fields, reviewers):
    """Starting a step may release a lock (as Wagtail's group approval does): such models go one by one."""
    import_models(source=spreadsheet(2), filename="mo-hinh.csv", user=users.admin)  # drafts, no review
    PracticeModel.objects.filter(external_id="NK-0000").update(locked=True, locked_by=users.officer)
    source = io.BytesIO(spreadsheet(2).getvalue().replace("Kết quả.".encode(), "Kết quả mới.".encode()))
    result = import_models(source=source, filename="mo-hinh.csv", user=users.officer)
    assert result.submitted == 2
    for model in PracticeModel.objects.filter(external_id__startswith="NK-"):
        assert model.current_workflow_task_state.reviewing_unit == unit_tree.cau_giay
    assert WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count() == 2


@pytest.mark.parametrize("scope", ["nearest", "root"])
def test_resolving_many_units_at_once_agrees_with_one_at_a_time(users, unit_tree, reviewers, scope):
    from models_registry.models import Unit
    from models_registry.workflows import UnitReviewTask

    task = UnitReviewTask(name="Bước thử", scope=scope)
    units = list(Unit.objects.all())
    expected = {unit.pk: getattr(task.resolve_reviewing_unit(unit), "pk", None) for unit in units}
    assert task.resolve_reviewing_unit_ids(units) == expected
