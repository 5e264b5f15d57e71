"""The demo data loader and its commands: complete, deterministic, idempotent, with working logins."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils.translation import gettext as _

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision

import pytest

from models_registry.demo.data import DISTRICTS
from models_registry.demo.images import PICTURES
from models_registry.models import (
    RECOGNITION_RANK,
    Commendation,
    PracticeModel,
    PracticeModelResult,
    Unit,
    UnitKind,
    UnitMembership,
)
from models_registry.services.demo import DEMO_PASSWORD, DEMO_USERS, IMAGE_COLLECTION, load_demo_data

pytestmark = pytest.mark.slow

SMALL = 40


def snapshot() -> dict:
    """Everything the loader writes, by id, so two snapshots are equal only if nothing changed."""
    return {
        "units": list(Unit.objects.order_by("pk").values_list("pk", "code", "path", "numchild")),
        "models": list(
            PracticeModel.objects.order_by("pk").values_list(
                "pk", "external_id", "title", "slug", "live", "latest_revision_id", "live_revision_id", "updated_at"
            )
        ),
        "results": list(PracticeModelResult.objects.order_by("pk").values_list("pk", "value")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "object_id")),
        "commendations": list(Commendation.objects.order_by("pk").values_list("pk", "decision_number")),
        "images": list(get_image_model().objects.order_by("pk").values_list("pk", "title")),
        "documents": list(get_document_model().objects.order_by("pk").values_list("pk", "title")),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "username", "password")),
        "memberships": list(UnitMembership.objects.order_by("pk").values_list("pk", "user_id", "unit_id", "role")),
        "groups": list(Group.objects.order_by("pk").values_list("pk", "name")),
    }


def titles() -> dict[str, str]:
    return dict(PracticeModel.objects.values_list("external_id", "title"))


def delete_models() -> None:
    content_type = ContentType.objects.get_for_model(PracticeModel)
    PracticeModel.objects.all().delete()
    Revision.objects.filter(base_content_type=content_type).delete()


@pytest.mark.django_db
def test_demo_data_is_complete_and_a_second_run_changes_nothing():
    first = load_demo_data(models=SMALL, seed=7)
    before = snapshot()

    again = load_demo_data(models=SMALL, seed=7)

    assert snapshot() == before
    assert (again.units_created, again.models_created, again.images_created, again.users_created) == (0, 0, 0, 0)
    assert first.models_created == SMALL == PracticeModel.objects.count()
    assert first.revisions_created == SMALL == len(before["revisions"])
    assert first.images_created == len(PICTURES)
    assert get_image_model().objects.filter(collection__name=IMAGE_COLLECTION).count() == len(PICTURES)

    # The tree: Hà Nội with its 30 district-level units (12 quận, 1 thị xã, 17 huyện), each with wards.
    city = Unit.objects.get(code="HN")
    districts = city.get_children().filter(kind=UnitKind.DISTRICT)
    assert districts.count() == len(DISTRICTS) == 30
    assert sorted(d.name.split(" ")[0] for d in districts).count("Quận") == 12
    for district in districts:
        assert district.get_children().filter(kind=UnitKind.COMMUNE).count() >= 6
    assert Unit.objects.get(code="HN-CG-DV-CB01").get_parent().code == "HN-CG-DV"
    assert Unit.objects.get(code="HN-CG-PN").kind == UnitKind.ORGANISATION

    models = list(PracticeModel.objects.select_related("unit", "live_revision", "latest_revision"))
    assert {m.movement.slug for m in models} == {"dan-van-kheo", "chi-bo-bon-tot"}
    assert all(2019 <= m.year <= 2025 for m in models)
    for model in models:
        assert model.search_text == model.build_search_text()
        assert model.latest_revision is not None
        assert model.latest_revision.as_object().title == model.title
        assert model.submitted_unit_name == model.unit.name == model.latest_revision.as_object().submitted_unit_name
        levels = list(model.commendations.values_list("level", flat=True))
        if model.live:
            assert model.live_revision_id == model.latest_revision_id
            assert model.first_published_at is not None and model.first_published_at.year == model.year
            assert model.has_unpublished_changes is False
            expected = max(levels, key=RECOGNITION_RANK.get) if levels else ""
            assert model.recognition_level == expected
        else:
            assert model.live_revision_id is None
            assert model.recognition_level == "" and levels == []
        assert model.measured_results.exists()
        assert model.get_url() == f"/{model.movement.slug}/{model.slug}/"
    published = sum(m.live for m in models)
    assert 0.6 * SMALL <= published < SMALL  # about 80% published, some drafts
    assert Commendation.objects.exists()
    assert all(c.decision_date.year == c.practice_model.year for c in Commendation.objects.all())


@pytest.mark.django_db
def test_a_larger_run_only_adds_the_missing_models():
    load_demo_data(models=SMALL, seed=7)
    before = set(PracticeModel.objects.values_list("pk", "external_id", "title", "slug"))

    result = load_demo_data(models=SMALL + 15, seed=7)

    assert result.models_created == 15
    after = set(PracticeModel.objects.values_list("pk", "external_id", "title", "slug"))
    assert before < after and len(after) == SMALL + 15
    assert PracticeModel.objects.filter(external_id="DEMO-000055").exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_models_and_another_seed_different_ones():
    load_demo_data(models=SMALL, seed=7)
    first = titles()
    delete_models()

    load_demo_data(models=SMALL, seed=7)
    assert titles() == first
    delete_models()

    load_demo_data(models=SMALL, seed=8)
    other = titles()
    assert other.keys() == first.keys()
    assert sum(other[key] != first[key] for key in first) > SMALL // 2


@pytest.mark.django_db
def test_demo_users_exist_with_their_roles_and_can_log_in(client):
    load_demo_data(models=0, seed=7)

    for spec in DEMO_USERS:
        assert client.login(username=spec.username, password=DEMO_PASSWORD), spec.username
        client.logout()
    reviewer = get_user_model().objects.get(username="duyet_caugiay")
    assert UnitMembership.objects.filter(user=reviewer, unit__code="HN-CG", role=UnitMembership.Role.REVIEWER).exists()
    assert UnitMembership.objects.filter(
        user__username="canbo_phunu", unit__code="HN-CG-PN", role=UnitMembership.Role.OFFICER
    ).exists()
    # Reviewers publish by approving the last review step, never with a publish button of their own.
    assert reviewer.has_perm("models_registry.view_practicemodel")
    assert not reviewer.has_perm("models_registry.publish_practicemodel")
    assert get_user_model().objects.get(username="bientap").has_perm("models_registry.manage_every_unit")
    officer = get_user_model().objects.get(username="canbo_dichvong")
    assert officer.has_perm("wagtailadmin.access_admin")
    assert officer.has_perm("models_registry.add_practicemodel")
    assert not officer.has_perm("models_registry.publish_practicemodel")
    assert get_user_model().objects.get(username="quantri").is_superuser

    client.login(username="canbo_dichvong", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_commands_load_skip_when_not_empty_and_print_the_logins():
    out, err = StringIO(), StringIO()
    call_command("load_demo_data", "--models", "5", "--seed", "3", "--if-empty", stdout=out, stderr=err)
    assert PracticeModel.objects.count() == 5
    assert "5" in out.getvalue() and DEMO_PASSWORD in out.getvalue()

    out = StringIO()
    call_command("load_demo_data", "--models", "9", "--if-empty", stdout=out, stderr=StringIO())
    assert _("The database already has data: demo data not loaded.") in out.getvalue()
    assert PracticeModel.objects.count() == 5

    out = StringIO()
    call_command("print_demo_logins", stdout=out)
    printed = out.getvalue()
    assert "http://testserver/admin/" in printed
    for spec in DEMO_USERS:
        assert spec.username in printed
    assert printed.count(DEMO_PASSWORD) == len(DEMO_USERS)
