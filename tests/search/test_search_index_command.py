"""`manage.py search_index rebuild|check|repair`, with and without Elasticsearch."""

from django.core.management import CommandError, call_command

import pytest

from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel
from search import elastic, tasks


def run(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("search_index", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def published(db, unit_tree):
    return [PracticeModelFactory(title=f"Mô hình số {n}", unit=unit_tree.dich_vong).pk for n in range(3)]


def test_rebuild_without_elasticsearch_does_the_database_only(settings, published):
    settings.ELASTICSEARCH_URL = ""
    output = run("rebuild")
    assert "3" in output
    assert "ELASTICSEARCH_URL" in output


def test_check_and_repair_without_elasticsearch_compare_the_database_index(settings, published):
    settings.ELASTICSEARCH_URL = ""
    assert "ELASTICSEARCH_URL" in run("check")
    assert "ELASTICSEARCH_URL" in run("repair")


def test_rebuild_check_repair_with_elasticsearch(elasticsearch, published):
    output = run("rebuild")
    (index,) = elastic.indexing_client().indices.get_alias(name=elastic.alias_name()).body
    assert index in output
    assert "3" in output
    run("check")  # clean: no error

    client = elastic.indexing_client()
    client.delete(index=elastic.alias_name(), id=str(published[0]), refresh=True)
    PracticeModel.objects.filter(pk=published[1]).update(title="Tên mới")
    with pytest.raises(CommandError) as caught:
        run("check")
    assert caught.value.returncode == 1

    output = run("repair")
    assert str(published[0]) in output
    assert str(published[1]) in output
    run("check")
    assert not tasks.PendingIndexUpdate.objects.exists()


def test_elasticsearch_down_is_a_clear_error(settings, published):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    try:
        with pytest.raises(CommandError):
            run("check")
    finally:
        elastic.reset_client()
