"""The review workflow on Wagtail's engine: unit-tree reviewers, decisions, emails, the dashboard."""

import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry, TaskState, WorkflowState
from wagtail.workflows import get_task_types

import pytest

from models_registry.factories import PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import PracticeModel, RecognitionLevel, UnitMembership
from models_registry.panels import awaiting_review
from models_registry.workflows import UnitReviewTask, UnitReviewTaskState

REVIEWER = UnitMembership.Role.REVIEWER


@pytest.fixture
def city_reviewer(users, unit_tree):
    user = UserFactory(username="duyet_thanhpho")
    UnitMembershipFactory(user=user, unit=unit_tree.city, role=REVIEWER)
    return user


@pytest.fixture
def dong_da_reviewer(users, unit_tree):
    user = UserFactory(username="duyet_dongda")
    UnitMembershipFactory(user=user, unit=unit_tree.dong_da, role=REVIEWER)
    return user


@pytest.fixture
def draft(users, unit_tree, dvk):
    return PracticeModelFactory(title="Tổ dân phố không rác thải nhựa", unit=unit_tree.dich_vong, live=False)


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Review emails leave on commit: run what the block scheduled, and return the mail it sent."""

    class Sent:
        def __enter__(self):
            mail.outbox.clear()
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            return self.capture.__exit__(*exc)

    return Sent


def grant_reviewer_role(user):
    """The model permissions the reviewers' group gives (see services/demo.py); membership says where."""
    # Wagtail creates the publish permission only once the admin viewsets are loaded: make sure it exists.
    publish, _created = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(PracticeModel),
        codename="publish_practicemodel",
        defaults={"name": "Can publish practice model"},
    )
    user.user_permissions.add(Permission.objects.get(codename="access_admin"), publish)


def submit(practice_model, user) -> WorkflowState:
    practice_model.save_revision(user=user)
    return practice_model.get_workflow().start(practice_model, user)


def current_state(practice_model) -> UnitReviewTaskState:
    return PracticeModel.objects.get(pk=practice_model.pk).current_workflow_task_state


def act(practice_model, user, action, **data):
    task_state = current_state(practice_model)
    task_state.task.specific.on_action(task_state, user, action, **data)
    return task_state


def workflow_action_url(practice_model, action, task_state):
    return reverse(
        "wagtailsnippets_models_registry_practicemodel:workflow_action",
        args=[practice_model.pk, action, task_state.pk],
    )


def recipients(messages):
    return sorted(address for message in messages for address in message.to)


# The default workflow.


def test_default_workflow_duyet_mo_hinh_is_assigned_to_practice_models(db):
    workflow = PracticeModel.get_default_workflow()
    assert workflow is not None
    assert workflow.name == "Duyệt mô hình"
    steps = [task.specific for task in workflow.tasks]
    assert [(step.name, step.scope, step.sets_recognition_level) for step in steps] == [
        ("Quận/đoàn thể duyệt", UnitReviewTask.Scope.NEAREST, False),
        ("Thành phố duyệt", UnitReviewTask.Scope.ROOT, True),
    ]
    # Wagtail lists it among the task types an administrator can create.
    assert UnitReviewTask in get_task_types()
    assert str(UnitReviewTask.get_verbose_name()) == "Duyệt theo cây đơn vị"


def test_nearest_skips_units_without_reviewers_and_root_is_the_city(users, unit_tree):
    nearest, root = (task.specific for task in PracticeModel.get_default_workflow().tasks)
    # The party cell's ward has no reviewer: the district reviews it.
    assert nearest.resolve_reviewing_unit(unit_tree.cell) == unit_tree.cau_giay
    assert nearest.resolve_reviewing_unit(unit_tree.women) == unit_tree.cau_giay
    assert root.resolve_reviewing_unit(unit_tree.cell) == unit_tree.city
    # A reviewer on the women's union would make it the nearest for nothing but itself and below.
    UnitMembershipFactory(unit=unit_tree.dich_vong, role=REVIEWER)
    assert nearest.resolve_reviewing_unit(unit_tree.cell) == unit_tree.dich_vong
    assert nearest.resolve_reviewing_unit(unit_tree.dich_vong) == unit_tree.cau_giay


# Who may act.


def test_step_one_is_the_districts_reviewers_step_two_the_citys(draft, users, unit_tree, city_reviewer):
    submit(draft, users.officer)
    step_one = current_state(draft)
    assert step_one.reviewing_unit == unit_tree.cau_giay
    assert step_one.task.specific.get_actions(draft, users.reviewer)
    assert step_one.task.specific.get_actions(draft, city_reviewer) == []
    assert step_one.task.specific.get_actions(draft, users.officer) == []
    assert list(TaskState.objects.reviewable_by(users.reviewer)) == [step_one.taskstate_ptr]

    act(draft, users.reviewer, "approve", comment="")
    step_two = current_state(draft)
    assert step_two.task.name == "Thành phố duyệt"
    assert step_two.reviewing_unit == unit_tree.city
    assert step_two.task.specific.get_actions(draft, city_reviewer)
    assert step_two.task.specific.get_actions(draft, users.reviewer) == []
    # The officer cannot edit while reviewers hold it.
    assert step_two.task.specific.locked_for_user(draft, users.officer)
    assert not step_two.task.specific.locked_for_user(draft, city_reviewer)


def test_a_reviewer_of_another_district_cannot_act(client, draft, users, dong_da_reviewer):
    submit(draft, users.officer)
    task_state = current_state(draft)
    task = task_state.task.specific
    assert task.get_actions(draft, dong_da_reviewer) == []
    assert not task.user_can_access_editor(draft, dong_da_reviewer)
    assert not TaskState.objects.reviewable_by(dong_da_reviewer).exists()
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, dong_da_reviewer, "approve", comment="")

    dong_da_reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(dong_da_reviewer)
    response = client.post(workflow_action_url(draft, "approve", task_state), {"comment": ""})
    assert response.status_code in (403, 404)
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS


# Decisions.


def test_request_changes_returns_the_model_with_the_comment(draft, users, mails):
    workflow_state = submit(draft, users.officer)
    with mails():
        act(draft, users.reviewer, "reject", comment="Bổ sung số liệu kết quả năm 2024.")

    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = workflow_state.current_task_state
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "Bổ sung số liệu kết quả năm 2024."
    rejected = ModelLogEntry.objects.get(action="wagtail.workflow.reject", object_id=str(draft.pk))
    assert rejected.user == users.reviewer
    assert rejected.data["comment"] == "Bổ sung số liệu kết quả năm 2024."

    # One email, to the unit's officer, in Vietnamese, with the comment and the edit link.
    assert recipients(mail.outbox) == [users.officer.email]
    message = mail.outbox[0]
    assert "Yêu cầu chỉnh sửa" in message.subject
    assert "Bổ sung số liệu kết quả năm 2024." in message.body
    assert f"http://testserver/admin/snippets/models_registry/practicemodel/edit/{draft.pk}/" in message.body


def test_resubmitting_resumes_at_the_step_that_asked_for_changes(draft, users):
    workflow_state = submit(draft, users.officer)
    act(draft, users.reviewer, "reject", comment="Sửa tên mô hình.")

    draft.title = "Tổ dân phố nói không với rác thải nhựa"
    draft.save_revision(user=users.officer)
    workflow_state.refresh_from_db()
    workflow_state.resume(user=users.officer)

    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    task_state = current_state(draft)
    assert task_state.task.name == "Quận/đoàn thể duyệt"
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert task_state.revision == draft.get_latest_revision()


def test_approving_both_steps_publishes_with_the_chosen_level(client, draft, users, city_reviewer, mails):
    submit(draft, users.officer)
    act(draft, users.reviewer, "approve", comment="Đạt yêu cầu cấp quận.")
    step_two = current_state(draft)
    grant_reviewer_role(city_reviewer)
    client.force_login(city_reviewer)

    # The last step cannot approve without a recognition level.
    client.post(workflow_action_url(draft, "approve", step_two), {"comment": ""})
    step_two.refresh_from_db()
    assert step_two.status == TaskState.STATUS_IN_PROGRESS

    with mails():
        response = client.post(
            workflow_action_url(draft, "approve", step_two),
            {"comment": "Mô hình tiêu biểu.", "recognition_level": RecognitionLevel.CITY},
        )
    assert response.status_code == 302

    published = PracticeModel.objects.get(pk=draft.pk)
    assert published.live
    assert published.recognition_level == RecognitionLevel.CITY
    assert published.current_workflow_state is None
    # The unit hears once that it is published, with the level and the comment; Wagtail's own
    # "approved" email to the submitter is not sent as well.
    assert recipients(mail.outbox) == [users.officer.email]
    assert "Thành phố" in mail.outbox[0].body
    assert "Mô hình tiêu biểu." in mail.outbox[0].body


def test_reject_ends_the_workflow_without_publishing_and_is_logged(draft, users, mails):
    workflow_state = submit(draft, users.officer)
    with mails():
        act(draft, users.reviewer, "refuse", comment="Không phải mô hình dân vận.")

    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_CANCELLED
    assert workflow_state.current_task_state.status == TaskState.STATUS_REJECTED
    assert not PracticeModel.objects.get(pk=draft.pk).live
    entry = ModelLogEntry.objects.get(action="models_registry.workflow.refuse", object_id=str(draft.pk))
    assert entry.user == users.reviewer
    assert entry.data["comment"] == "Không phải mô hình dân vận."
    assert str(entry.formatter.label) == "Quy trình duyệt: từ chối mô hình"

    assert recipients(mail.outbox) == [users.officer.email]
    assert "Không phải mô hình dân vận." in mail.outbox[0].body
    assert "từ chối" in mail.outbox[0].subject


def test_request_changes_and_reject_need_a_comment(draft, users):
    submit(draft, users.officer)
    task_state = current_state(draft)
    form_class = task_state.task.specific.get_form_for_action("refuse")
    assert not form_class({"comment": ""}).is_valid()
    assert not task_state.task.specific.get_form_for_action("reject")({"comment": ""}).is_valid()
    assert task_state.task.specific.get_form_for_action("approve")({"comment": ""}).is_valid()


# Emails.


def test_submission_emails_only_the_reviewers_of_the_step(draft, users, city_reviewer, dong_da_reviewer, mails):
    with mails():
        submit(draft, users.officer)
    # Not the city (step two), not Đống Đa, not the superuser (Wagtail's own submission email).
    assert recipients(mail.outbox) == [users.reviewer.email]
    assert "Tổ dân phố không rác thải nhựa" in mail.outbox[0].subject
    assert "chờ" in mail.outbox[0].subject

    with mails():
        act(draft, users.reviewer, "approve", comment="Chuyển thành phố.")
    # The city's reviewers are told it awaits them; the unit that the district approved.
    assert recipients(mail.outbox) == sorted([city_reviewer.email, users.officer.email])
    to_officer = next(message for message in mail.outbox if message.to == [users.officer.email])
    assert "Chuyển thành phố." in to_officer.body


# The dashboard.


def test_dashboard_lists_what_awaits_the_reviewer_oldest_first(
    client, users, unit_tree, dvk, django_assert_max_num_queries, settings
):
    settings.REGISTRY_REVIEW_OVERDUE_DAYS = 7
    now = timezone.now()
    for title, days in [("Mô hình mới gửi", 2), ("Mô hình chờ lâu", 10), ("Mô hình chờ vừa", 5)]:
        practice_model = PracticeModelFactory(title=title, unit=unit_tree.dich_vong, live=False)
        submit(practice_model, users.officer)
        TaskState.objects.filter(pk=current_state(practice_model).pk).update(
            started_at=now - datetime.timedelta(days=days, hours=1)
        )
    elsewhere = PracticeModelFactory(title="Mô hình của Đống Đa", unit=unit_tree.o_cho_dua, live=False)
    submit(elsewhere, users.officer)

    with django_assert_max_num_queries(4):
        items, total = awaiting_review(users.reviewer)
    assert total == 3
    assert [(item.title, item.age_days, item.overdue) for item in items] == [
        ("Mô hình chờ lâu", 10, True),
        ("Mô hình chờ vừa", 5, False),
        ("Mô hình mới gửi", 2, False),
    ]

    users.reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(users.reviewer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Mô hình chờ anh/chị duyệt" in html
    assert html.index("Mô hình chờ lâu") < html.index("Mô hình chờ vừa") < html.index("Mô hình mới gửi")
    assert "chờ 10 ngày" in html
    assert "Quá hạn" in html
    assert "Mô hình của Đống Đa" not in html


def test_dashboard_shows_nothing_to_a_user_with_nothing_to_review(client, users):
    users.officer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(users.officer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "practice-models-to-review" not in html


# A published model, edited again.


def test_an_edited_published_model_stays_public_until_the_new_revision_is_approved(
    users, unit_tree, dvk, city_reviewer
):
    grant_reviewer_role(city_reviewer)
    published = PracticeModelFactory(title="Chi bộ bốn tốt Tổ 1", unit=unit_tree.cell)
    assert published.live

    editing = PracticeModel.objects.get(pk=published.pk)
    editing.title = "Chi bộ bốn tốt Tổ 1 (cập nhật 2025)"
    submit(editing, users.officer)

    public = PracticeModel.objects.get(pk=published.pk)
    assert public.live
    assert public.title == "Chi bộ bốn tốt Tổ 1"
    assert public.has_unpublished_changes

    act(editing, users.reviewer, "approve", comment="")
    assert PracticeModel.objects.get(pk=published.pk).title == "Chi bộ bốn tốt Tổ 1"
    act(editing, city_reviewer, "approve", comment="", recognition_level=RecognitionLevel.DISTRICT)

    public = PracticeModel.objects.get(pk=published.pk)
    assert public.title == "Chi bộ bốn tốt Tổ 1 (cập nhật 2025)"
    assert public.recognition_level == RecognitionLevel.DISTRICT
    assert not public.has_unpublished_changes


def test_the_finish_action_publishes_for_a_reviewer_by_membership_only(draft, users, city_reviewer):
    """With WAGTAIL_FINISH_WORKFLOW_ACTION set to it, a city reviewer needs no model-level publish permission."""
    from models_registry.workflow_actions import publish_approved_workflow

    workflow_state = submit(draft, users.officer)
    act(draft, users.reviewer, "approve", comment="")
    last = current_state(draft)
    # Approve the last step without letting Wagtail finish, then finish with our action.
    last.task.specific._set_recognition_level(last, draft, RecognitionLevel.CITY)
    last.approve(user=city_reviewer, update=False)
    workflow_state.refresh_from_db()
    assert not city_reviewer.has_perm("models_registry.publish_practicemodel")
    publish_approved_workflow(workflow_state, user=city_reviewer)

    published = PracticeModel.objects.get(pk=draft.pk)
    assert published.live
    assert published.recognition_level == RecognitionLevel.CITY


# The admin screens around the workflow.


def test_the_reviewer_opens_the_editor_with_the_four_decisions(client, draft, users):
    submit(draft, users.officer)
    grant_reviewer_role(users.reviewer)
    client.force_login(users.reviewer)
    response = client.get(reverse("wagtailsnippets_models_registry_practicemodel:edit", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Yêu cầu chỉnh sửa", "Duyệt kèm bình luận", "Từ chối"):
        assert label in html


def test_the_task_type_is_offered_when_creating_a_task(client, users):
    client.force_login(users.admin)
    html = client.get(reverse("wagtailadmin_workflows:select_task_type")).content.decode()
    assert "Duyệt theo cây đơn vị" in html


def test_history_shows_the_rejection_with_its_comment(client, draft, users):
    submit(draft, users.officer)
    act(draft, users.reviewer, "refuse", comment="Trùng với mô hình đã có.")
    client.force_login(users.admin)
    html = client.get(
        reverse("wagtailsnippets_models_registry_practicemodel:history", args=[draft.pk])
    ).content.decode()
    assert "Bị từ chối ở bước" in html
    assert "Trùng với mô hình đã có." in html


# Found by the browser journey (tests/e2e/test_review_journey.py).


def test_approving_from_the_editor_moves_on_and_publishes(draft, users, city_reviewer):
    """Wagtail's snippet editor saves a revision before the action; the approval must still count."""
    workflow_state = submit(draft, users.officer)
    PracticeModel.objects.get(pk=draft.pk).save_revision(user=users.reviewer)  # what the editor does
    act(draft, users.reviewer, "approve", comment="")
    assert current_state(draft).task.name == "Thành phố duyệt"

    PracticeModel.objects.get(pk=draft.pk).save_revision(user=city_reviewer)
    act(draft, city_reviewer, "approve", comment="", recognition_level=RecognitionLevel.CITY)
    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_APPROVED
    published = PracticeModel.objects.get(pk=draft.pk)
    assert published.live
    assert published.recognition_level == RecognitionLevel.CITY


def test_a_district_reviewer_cannot_publish_from_the_editor(client, draft, users):
    """Only the last step's approval publishes: the editor's "Publish" must not skip the city."""
    from models_registry.services.demo import REVIEWERS, ensure_groups

    users.reviewer.groups.add(ensure_groups()[REVIEWERS])
    submit(draft, users.officer)
    client.force_login(users.reviewer)
    management = {
        f"{prefix}-{key}": value
        for prefix in ("measured_results", "gallery_images", "attachments")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    client.post(
        reverse("wagtailsnippets_models_registry_practicemodel:edit", args=[draft.pk]),
        {
            "title": draft.title,
            "unit": draft.unit_id,
            "movement": draft.movement_id,
            "year": draft.year,
            "summary": draft.summary,
            "story-count": "0",
            "slug": draft.slug,
            **management,
            "action-publish": "action-publish",
        },
    )
    practice_model = PracticeModel.objects.get(pk=draft.pk)
    assert not practice_model.live
    assert practice_model.current_workflow_task_state.task.name == "Quận/đoàn thể duyệt"
