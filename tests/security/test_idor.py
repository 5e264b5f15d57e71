"""IDOR: every URL that names an object by id, admin and public, refuses the object to those without rights.

The URL patterns are walked from the resolver (as in test_csrf.py); each pattern with a parameter
is matched to the kind of object it names and filled with the id of an object of another district
(Ô Chợ Dừa, under Đống Đa): its draft model in review, that model's photo, attachment,
commendation, evaluation and registration, a likely-duplicate flag, a spreadsheet import of its
officer, and that officer's account. The permission table (tests/models_registry/test_permissions.py)
says who has no rights to that unit's drafts: the anonymous visitor, the Dịch Vọng officer and the
Cầu Giấy reviewer. For them every such URL, GET or POST, answers 403, 404, 405 or a redirect away
(the dashboard, the login), never shows the object, and changes nothing. A pattern with an id that
names no kind known here fails the suite until it is added.
"""

import json
import re

from django.core.files.base import ContentFile
from django.urls.resolvers import RegexPattern

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from emulation.factories import CycleFactory
from emulation.models import Evaluation, Registration
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import DuplicateFlag, ImportJob, PracticeModel, PracticeModelAttachment
from tests.models_registry.test_permissions import EXPECTED, RELATIONS
from tests.security.test_csrf import PATTERNS

# Which kind of object each family of URLs names, by the start of its pattern.
FAMILIES = {
    "admin/snippets/models_registry/practicemodel/": "model",
    "admin/snippets/choose/models_registry/practicemodel/": "model",
    "api/v1/models/<int:pk>/": "model",
    "admin/snippets/models_registry/commendation/": "commendation",
    "admin/snippets/choose/models_registry/commendation/": "commendation",
    "admin/khen-thuong/": "commendation",
    "bang-vinh-danh/giay-chung-nhan/": "commendation",
    "admin/images/": "image",
    "admin/api/main/^images/": "image",
    "admin/documents/": "document",
    "admin/api/main/^documents/": "document",
    "documents/^": "document",
    "admin/nhap-bang-tinh/<int:pk>/": "import_job",
    "admin/mo-hinh-trung/": "flag",
    "admin/emulation/registration/": "registration",
    "admin/emulation/evaluations/": "evaluation",
    "admin/users/": "user",
}
# Parametrised URLs that name no unit's object: site structure (pages, collections, workflows,
# sites, groups, settings, redirects), the shared taxonomy (units, fields, synonyms, cycles,
# criteria, unit history), or no object at all (a template, a tag list, a sitemap section, a
# password-reset token). Officers and reviewers are refused the administrators' part of these by
# test_admin_only_urls_refuse_officers_and_reviewers below; the public part is public.
NOT_UNIT_SCOPED = (
    "admin/pages/",
    "admin/choose-page/",
    "admin/bulk/",
    "admin/tag-autocomplete/",
    "admin/collections/",
    "admin/workflows/",
    "admin/editing-sessions/",
    "admin/forms/",
    "admin/redirects/",
    "admin/settings/",
    "admin/sites/",
    "admin/groups/",
    "admin/password_reset/",
    "admin/api/main/^pages/",
    "admin/snippets/models_registry/unit/",
    "admin/snippets/choose/models_registry/unit/",
    "admin/snippets/models_registry/unitmembership/",
    "admin/snippets/choose/models_registry/unitmembership/",
    "admin/snippets/movements/field/",
    "admin/snippets/choose/movements/field/",
    "admin/snippets/search/synonym/",
    "admin/snippets/choose/search/synonym/",
    "admin/unitchange/",
    "admin/emulation/cycles/",
    "admin/emulation/criteria/",
    "admin/nhap-bang-tinh/mau-",
    "documents/authenticate_with_password/",
    "_util/authenticate_with_password/",
    "don-vi/",
    "nguon-tin/",
    "sitemap-",
    "^((?:",
)
# Of those, the ones only administrators (or editors) use: a unit officer or reviewer gets nothing.
ADMIN_ONLY = (
    "admin/collections/",
    "admin/workflows/",
    "admin/redirects/",
    "admin/settings/",
    "admin/sites/",
    "admin/groups/",
    "admin/snippets/models_registry/unitmembership/",
    "admin/snippets/search/synonym/",
    "admin/forms/",
)
# Wagtail answers the workflow task chooser's choice (the task's name, no unit's data) to any admin user.
WAGTAIL_OPEN = ("admin/workflows/task_chooser/",)
UNSEEN = 404
ATTACKERS = ["anonymous"] + [role for role in ("officer", "reviewer") if EXPECTED[role]["history"][4] == UNSEEN]
assert RELATIONS[4] == "elsewhere"

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<group>\w+)>[^)]*\)|\([^)]*\)")


def family_of(description: str) -> str | None:
    for prefix, family in FAMILIES.items():
        if description.startswith(prefix):
            return family
    return None


def parametrised():
    return [
        (description, callback)
        for _path, description, callback in PATTERNS
        if "<" in description.replace("(?P<", "") or "(" in description
    ]


def png() -> ContentFile:
    import io

    buffer = io.BytesIO()
    PILImage.new("RGB", (12, 9), "purple").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="anh-bi-mat.png")


@pytest.fixture
def hidden(roles, drafts, stranger, unit_tree, dvk):
    """Ô Chợ Dừa's objects: its draft in review and everything hanging from it; with the words that must never show."""
    model = drafts["elsewhere"]
    model.save_revision(user=stranger)
    workflow_state = model.get_workflow().start(model, stranger)
    model = PracticeModel.objects.get(pk=model.pk)
    task_state = model.current_workflow_task_state
    twin = PracticeModelFactory(title="Mô hình bí mật sinh đôi", unit=unit_tree.dong_da, movement=dvk, live=False)
    image = get_image_model().objects.create(title="Ảnh bí mật Ô Chợ Dừa", file=png(), uploaded_by_user=stranger)
    document = get_document_model().objects.create(
        title="Tài liệu bí mật Ô Chợ Dừa",
        file=ContentFile(b"%PDF-1.4 tai lieu bi mat", name="tai-lieu-bi-mat.pdf"),
        uploaded_by_user=stranger,
    )
    PracticeModelAttachment.objects.create(practice_model=model, document=document)
    commendation = CommendationFactory(practice_model=model, title="Khen thưởng bí mật", decision_number="999/QĐ-BM")
    import_job = ImportJob.objects.create(
        user=stranger, original_filename="danh-sach-bi-mat.xlsx", file=ContentFile(b"PK\x03\x04", name="bi-mat.xlsx")
    )
    flag = DuplicateFlag.objects.create(practice_model=model, twin=twin, score=0.9, reason="tên gần giống")
    cycle = CycleFactory(movement=dvk, name="Năm thi đua")
    registration = Registration.objects.create(cycle=cycle, practice_model=model, registered_at=cycle_start(cycle))
    evaluation = Evaluation.objects.create(cycle=cycle, practice_model=model, nomination_note="Nhận xét bí mật")
    objects = {
        "model": model,
        "commendation": commendation,
        "image": image,
        "document": document,
        "import_job": import_job,
        "flag": flag,
        "registration": registration,
        "evaluation": evaluation,
        "user": stranger,
    }
    secrets = [
        "Mô hình bí mật elsewhere",
        "Mô hình bí mật sinh đôi",
        "Ảnh bí mật Ô Chợ Dừa",
        "anh-bi-mat",
        "Tài liệu bí mật Ô Chợ Dừa",
        "tai lieu bi mat",
        "999/QĐ-BM",
        "danh-sach-bi-mat",
        "Nhận xét bí mật",
        stranger.email,
    ]
    return {
        "objects": objects,
        "secrets": secrets,
        "revision": model.latest_revision_id,
        "workflow_state": workflow_state.pk,
        "task_state": task_state.pk,
        "task": task_state.task_id,
    }


def cycle_start(cycle):
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(cycle.registration_opens, datetime.time(9)))


def concrete(description: str, family: str, hidden: dict) -> str:
    """The pattern with every parameter filled in for the hidden object of its family."""
    target = hidden["objects"][family]
    values = {
        "revision_id": hidden["revision"],
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "task_state_id": hidden["task_state"],
        "workflow_state_id": hidden["workflow_state"],
        "task_id": hidden["task"],
        "action_name": "approve",
        "action": "link",
        "filter_spec": "original",
        "extension": "csv",
        "uploaded_file_id": 1,
    }
    positional = iter([target.pk, getattr(target, "filename", "")])

    def fill(match):
        name = match.group("name") or match.group("group")
        if name is None:
            return str(next(positional))
        return str(values.get(name, target.pk))

    path = description
    for marker in ("^", "$"):
        path = path.replace(marker, "")
    path = path.replace("\\.", ".")
    return "/" + PARAMETER.sub(fill, path)


def assert_refused(response, secrets, description):
    status = response.status_code
    assert status in (302, 403, 404, 405), (description, status)
    if status == 302:
        location = response["Location"]
        assert location.startswith(("/admin/login/", "/admin/")), (description, location)
        assert not re.match(r"^/admin/.*\d+/", location.split("?")[0]), (description, location)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    for secret in secrets:
        # As written in HTML, and as JSON writes it (\\u escapes) in the choosers' answers.
        assert secret not in text and json.dumps(secret)[1:-1] not in text, (description, secret)


def test_every_url_with_an_id_is_known_here():
    unknown = [
        description
        for description, _callback in parametrised()
        if family_of(description) is None and not description.startswith(NOT_UNIT_SCOPED)
    ]
    assert unknown == []


def snapshot(hidden) -> dict:
    objects = hidden["objects"]
    model = PracticeModel.objects.get(pk=objects["model"].pk)
    return {
        "model": (model.title, model.live, model.latest_revision_id, model.locked, str(model.current_workflow_state)),
        "counts": {name: type(obj)._default_manager.filter(pk=obj.pk).count() for name, obj in objects.items()},
        "flag": DuplicateFlag.objects.get(pk=objects["flag"].pk).status,
        "job": ImportJob.objects.get(pk=objects["import_job"].pk).status,
        "user": type(objects["user"]).objects.get(pk=objects["user"].pk).is_active,
        "registration_withdrawn": Registration.objects.filter(pk=objects["registration"].pk).count(),
    }


@pytest.mark.parametrize("who", ATTACKERS)
def test_no_url_gives_another_districts_object_to_those_without_rights(client, roles, hidden, who):
    if who != "anonymous":
        client.force_login(roles[who])
    before = snapshot(hidden)
    checked = 0
    for description, _callback in parametrised():
        family = family_of(description)
        if family is None:
            continue
        path = concrete(description, family, hidden)
        for method in ("get", "post"):
            response = getattr(client, method)(path, {"title": "Đã sửa trộm", "comment": "x"})
            assert_refused(response, hidden["secrets"], (who, method, description, path))
        checked += 1
    assert checked >= 60  # every snippet, media, commendation, import and API URL of the list
    assert snapshot(hidden) == before


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_admin_only_urls_refuse_officers_and_reviewers(client, roles, hidden, home_page, who):
    client.force_login(roles[who])
    for description, _callback in parametrised():
        if not description.startswith(ADMIN_ONLY) or description.startswith(WAGTAIL_OPEN):
            continue
        path = "/" + PARAMETER.sub(lambda match: "1", description.replace("^", "").replace("$", ""))
        response = client.get(path)
        assert response.status_code in (302, 403, 404, 405), (description, path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(("/admin/login/", "/admin/")), (description, response["Location"])


def test_the_table_still_lets_the_right_people_in(client, roles, hidden):
    """The control: the editor opens the same model and the officer of its unit downloads its file."""
    client.force_login(roles["editor"])
    model = hidden["objects"]["model"]
    response = client.get(f"/admin/snippets/models_registry/practicemodel/edit/{model.pk}/")
    assert response.status_code == 200
    assert "Mô hình bí mật elsewhere" in response.content.decode()
    client.force_login(hidden["objects"]["user"])
    document = hidden["objects"]["document"]
    assert client.get(document.url).status_code == 200


def test_regex_patterns_are_filled_too(hidden):
    documents = [
        description
        for description, _ in parametrised()
        if isinstance(description, str) and "documents/^" in description
    ]
    assert documents
    document = hidden["objects"]["document"]
    assert concrete(documents[0], "document", hidden) == f"/documents/{document.pk}/{document.filename}"
    assert RegexPattern  # the resolver's regex patterns are part of PATTERNS


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_the_choosers_do_not_list_another_districts_objects(client, roles, hidden, who):
    client.force_login(roles[who])
    for url in (
        "/admin/snippets/choose/models_registry/commendation/",
        "/admin/snippets/choose/models_registry/commendation/results/",
        "/admin/snippets/choose/models_registry/practicemodel/",
        "/admin/images/chooser/",
        "/admin/documents/chooser/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_refused_listing(response, hidden["secrets"], url)
    commendation = hidden["objects"]["commendation"]
    response = client.get(
        "/admin/snippets/choose/models_registry/commendation/chosen-multiple/", {"id": [commendation.pk]}
    )
    assert_refused_listing(response, hidden["secrets"], "chosen-multiple")


def assert_refused_listing(response, secrets, description):
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text and json.dumps(secret)[1:-1] not in text, (description, secret)
