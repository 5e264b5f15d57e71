"""Elasticsearch stopped in the middle of a rebuild, between searches and while models change.

The Elasticsearch is an osmem-server process of the test's own (conftest.ElasticsearchProcess):
killed with SIGKILL (connections refused; it comes back empty, as a node that lost its data) or
frozen with SIGSTOP (requests hang until their timeout; it comes back with its data). After each
fault: every model, revision and commendation is in the database, the public search answered
from the database meanwhile, and `search_index check` finds no drift once repaired.
"""

import datetime
import io

from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

import pytest

from models_registry import services
from models_registry.factories import PracticeModelFactory, UserFactory
from models_registry.models import Commendation, CommendationForm, PracticeModel, RecognitionLevel
from models_registry.services import commendations
from search import elastic
from search.documents import published_count
from search.models import PendingIndexUpdate
from search.services import reset_circuit_breaker

MODELS = 7


def vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


class KillOnProgress(io.StringIO):
    """The command's error stream: once the Elasticsearch progress bar first draws (after the
    first bulk batch reached the new index), `fault()` runs, in the middle of the rebuild."""

    def __init__(self, fault):
        super().__init__()
        self.fault = fault
        self.fired = False

    def write(self, text):
        if not self.fired and "Elasticsearch" in text:
            self.fired = True
            self.fault()
        return super().write(text)


def search_index(*args, stderr=None) -> str:
    out = io.StringIO()
    call_command("search_index", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def assert_no_drift() -> None:
    output = search_index("check")
    assert vietnamese("The Elasticsearch index matches the published models.") in output
    drift = elastic.check()
    assert drift.is_clean and drift.expected == drift.indexed == published_count()


def concrete_indices() -> set[str]:
    client = elastic.indexing_client()
    return set(client.indices.get(index=f"{elastic.alias_name()}-*", allow_no_indices=True).body)


def alias_targets() -> set[str]:
    return set(elastic.indexing_client().indices.get_alias(name=elastic.alias_name()).body)


def search_answers(client, query: str) -> tuple[int, bool, str]:
    """(hits in the API, whether the API says degraded, the search page's HTML), both answering 200."""
    api = client.get(reverse("search_api:model_list"), {"q": query})
    assert api.status_code == 200, api.content[:500]
    page = client.get(reverse("search_pages:search"), {"q": query})
    assert page.status_code == 200
    return api.json()["count"], api.json()["degraded"], page.content.decode()


FALLBACK_NOTICE = "Search is running in fallback mode: results may be less precise than usual."


@pytest.fixture
def published(es_process, unit_tree, dvk):
    models = [
        PracticeModelFactory(title=f"Tổ dân phố văn minh số {n}", unit=unit_tree.dich_vong, movement=dvk)
        for n in range(MODELS)
    ]
    search_index("rebuild")
    assert_no_drift()
    return models


@pytest.fixture
def small_batches(monkeypatch):
    # Two documents a bulk request: the rebuild of seven models takes four, so a fault after the
    # first lands in the middle (production sends 500 a request).
    monkeypatch.setattr(elastic, "BULK_CHUNK_SIZE", 2)


def test_killed_mid_rebuild_fails_cleanly_then_repair_restores_the_index(client, es_process, published, small_batches):
    stderr = KillOnProgress(es_process.kill)
    with pytest.raises(CommandError) as failure:
        search_index("rebuild", stderr=stderr)
    assert stderr.fired
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert message.startswith(vietnamese("Elasticsearch could not be reached or refused the request: %(error)s")[:30])
    assert "Traceback" not in message

    # Meanwhile the public search answers from the database, and says so.
    count, degraded, html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, True)
    assert vietnamese(FALLBACK_NOTICE) in html

    # It comes back empty (an in-memory node that was killed): check says so, repair rebuilds it.
    es_process.restart()
    elastic.reset_client()
    with pytest.raises(CommandError) as unchecked:
        search_index("check")
    assert unchecked.value.returncode == 1
    output = search_index("repair")
    assert (
        vietnamese("Repaired: %(indexed)s documents indexed, %(deleted)s deleted.")
        % {
            "indexed": MODELS,
            "deleted": 0,
        }
        in output
    )
    assert_no_drift()

    reset_circuit_breaker()
    count, degraded, html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, False)
    assert vietnamese(FALLBACK_NOTICE) not in html
    assert published_count() == MODELS


def test_frozen_mid_rebuild_the_old_index_keeps_serving_and_a_later_rebuild_completes(
    client, es_process, published, small_batches
):
    (old_index,) = alias_targets()
    stderr = KillOnProgress(es_process.freeze)
    with pytest.raises(CommandError) as failure:
        search_index("rebuild", stderr=stderr)
    assert stderr.fired and failure.value.returncode == 1

    count, degraded, html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, True)
    assert vietnamese(FALLBACK_NOTICE) in html

    # Back with its data: the alias never moved, searches go through the old, complete index.
    es_process.thaw()
    elastic.reset_client()
    assert alias_targets() == {old_index}
    assert_no_drift()
    reset_circuit_breaker()
    count, degraded, _html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, False)

    # The next rebuild completes and leaves exactly one index of ours, the alias on it.
    output = search_index("rebuild")
    (new_index,) = alias_targets()
    assert new_index != old_index and new_index in output
    assert concrete_indices() == {new_index}
    assert not elastic.indexing_client().indices.exists_alias(name=elastic.rebuild_alias_name())
    assert_no_drift()


def test_killed_between_searches_the_page_and_the_api_fall_back(client, es_process, published):
    count, degraded, _html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, False)

    es_process.kill()
    count, degraded, html = search_answers(client, "van minh")  # without diacritics too
    assert (count, degraded) == (MODELS, True)
    assert vietnamese(FALLBACK_NOTICE) in html

    es_process.restart()
    elastic.reset_client()
    search_index("repair")
    reset_circuit_breaker()
    count, degraded, _html = search_answers(client, "văn minh")
    assert (count, degraded) == (MODELS, False)
    assert_no_drift()


@pytest.mark.parametrize("fault", ["kill", "freeze"])
def test_saving_publishing_and_commending_while_it_is_down_never_fail_and_repair_catches_up(
    client, es_process, published, unit_tree, dvk, users, django_capture_on_commit_callbacks, fault
):
    editor = UserFactory(username="bientap", is_superuser=True, is_staff=True)
    getattr(es_process, fault)()

    with django_capture_on_commit_callbacks(execute=True):
        # A new model is drafted and published.
        draft = PracticeModelFactory(title="Chợ truyền thống không rác thải", unit=unit_tree.dich_vong, live=False)
        services.save_draft(practice_model=draft, user=editor)
        services.publish_practice_model(practice_model=draft.get_latest_revision_as_object(), user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        # A published model gets a new title, published as a new revision.
        renamed = PracticeModel.objects.get(pk=published[0].pk)
        renamed.title = "Tổ dân phố kiểu mẫu Dịch Vọng"
        services.save_draft(practice_model=renamed, user=editor)
        services.publish_practice_model(practice_model=renamed.get_latest_revision_as_object(), user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        # One is commended, one taken down.
        commendations.award_commendation(
            user=editor,
            practice_model=published[1],
            form=CommendationForm.DIPLOMA_OF_MERIT,
            level=RecognitionLevel.CITY,
            decision_number="77/QĐ-UBND",
            decision_date=datetime.date(2025, 3, 1),
            issuing_body="Ủy ban nhân dân thành phố Hà Nội",
        )
    with django_capture_on_commit_callbacks(execute=True):
        PracticeModel.objects.get(pk=published[2].pk).unpublish(user=editor)

    # Nothing was lost: the database has every change, the outbox every index update.
    assert PracticeModel.objects.get(pk=draft.pk).live
    assert PracticeModel.objects.get(pk=renamed.pk).title == "Tổ dân phố kiểu mẫu Dịch Vọng"
    assert PracticeModel.objects.get(pk=renamed.pk).revisions.count() >= 2
    assert Commendation.objects.filter(practice_model=published[1], decision_number="77/QĐ-UBND").exists()
    assert not PracticeModel.objects.get(pk=published[2].pk).live
    waiting = set(PendingIndexUpdate.objects.values_list("practice_model_id", flat=True))
    assert {draft.pk, renamed.pk, published[1].pk, published[2].pk} <= waiting
    assert PendingIndexUpdate.objects.filter(attempts__gte=1).exists()

    # The public search still answers, from the database, with the changes.
    count, degraded, _html = search_answers(client, "kiểu mẫu")
    assert (count, degraded) == (1, True)

    if fault == "kill":
        es_process.restart()
    else:
        es_process.thaw()
    elastic.reset_client()
    if fault == "freeze":
        # Back with its data, the index lags behind the database until repaired.
        with pytest.raises(CommandError):
            search_index("check")
    search_index("repair")
    assert_no_drift()
    assert not PendingIndexUpdate.objects.exists()
    reset_circuit_breaker()
    count, degraded, _html = search_answers(client, "kiểu mẫu")
    assert (count, degraded) == (1, False)
    count, degraded, _html = search_answers(client, "không rác thải")
    assert (count, degraded) == (1, False)
