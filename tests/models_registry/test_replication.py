"""Replication ("nhân rộng", issue 6 item 3): a model adopted from another unit's, the original's
count of adopting units kept in step with publishing, shown on both pages and in the statistics."""

from django.core.exceptions import ValidationError

import pytest

from models_registry import services
from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel
from models_registry.services.replication import actual_replication_counts, sync_replication_counts
from search.query import SearchFilters
from stats import selectors as stats_selectors


@pytest.fixture
def original(unit_tree, dvk):
    return PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk, title="Chợ văn minh, an toàn", year=2021)


def adopt(unit, original, **kwargs):
    return PracticeModelFactory(unit=unit, replicated_from=original, year=2023, **kwargs)


def count_of(model) -> int:
    return PracticeModel.objects.values_list("replication_count", flat=True).get(pk=model.pk)


def test_publishing_adopters_counts_distinct_other_units(unit_tree, original):
    adopt(unit_tree.o_cho_dua, original, title="Chợ văn minh ở Ô Chợ Dừa")
    adopt(unit_tree.o_cho_dua, original, title="Chợ văn minh thứ hai ở Ô Chợ Dừa")  # same unit twice: one unit
    adopt(unit_tree.women, original, title="Phụ nữ với chợ văn minh")
    assert count_of(original) == 2


def test_drafts_do_not_count_and_unpublishing_or_deleting_an_adopter_lowers_the_count(unit_tree, original):
    adopt(unit_tree.women, original, title="Bản nháp nhân rộng", live=False)
    assert count_of(original) == 0
    first = adopt(unit_tree.o_cho_dua, original, title="Nhân rộng 1")
    second = adopt(unit_tree.dong_da, original, title="Nhân rộng 2")
    assert count_of(original) == 2
    first.unpublish()
    assert count_of(original) == 1
    second.delete()
    assert count_of(original) == 0


def test_repointing_an_adopter_moves_the_count(unit_tree, dvk, original):
    other = PracticeModelFactory(unit=unit_tree.cau_giay, movement=dvk, title="Tổ tự quản", year=2020)
    adopter = adopt(unit_tree.o_cho_dua, original, title="Nhân rộng")
    assert (count_of(original), count_of(other)) == (1, 0)
    adopter.replicated_from = other
    services.publish_practice_model(practice_model=adopter)
    assert (count_of(original), count_of(other)) == (0, 1)


def test_an_unpublished_original_counts_nothing(unit_tree, original):
    adopt(unit_tree.o_cho_dua, original, title="Nhân rộng")
    original.unpublish()
    assert actual_replication_counts() == {}
    assert count_of(original) == 0


def test_sync_repairs_a_stale_count_and_reports_it(unit_tree, original):
    adopt(unit_tree.o_cho_dua, original, title="Nhân rộng")
    PracticeModel.objects.filter(pk=original.pk).update(replication_count=7)
    assert sync_replication_counts() == [original.pk]
    assert count_of(original) == 1
    assert sync_replication_counts() == []


def test_a_model_cannot_be_replicated_from_its_own_unit_or_itself(unit_tree, dvk, original):
    same_unit = PracticeModel(unit=unit_tree.dich_vong, movement=dvk, title="Cùng đơn vị", year=2023)
    same_unit.replicated_from = original
    with pytest.raises(ValidationError) as error:
        same_unit.full_clean()
    assert "replicated_from" in error.value.message_dict
    original.replicated_from = original
    with pytest.raises(ValidationError) as error:
        original.full_clean()
    assert error.value.message_dict["replicated_from"] == ["Một mô hình không thể nhân rộng từ chính nó."]


def test_an_earlier_record_must_be_of_an_earlier_year(unit_tree, dvk, original):
    later = PracticeModel(unit=unit_tree.dich_vong, movement=dvk, title="Chợ văn minh, an toàn", year=2021)
    later.previous_record = original
    with pytest.raises(ValidationError) as error:
        later.full_clean()
    assert "previous_record" in error.value.message_dict
    later.year = 2022
    later.full_clean()


def test_both_pages_show_the_replication(client, unit_tree, original):
    adopter = adopt(unit_tree.o_cho_dua, original, title="Chợ văn minh ở Ô Chợ Dừa")
    original.refresh_from_db()
    page = client.get(original.url).content.decode()
    assert "Nhân rộng" in page
    assert "1 đơn vị khác đã nhân rộng mô hình này." in page
    assert adopter.url in page and "Phường Ô Chợ Dừa" in page
    page = client.get(adopter.url).content.decode()
    assert "Nhân rộng từ mô hình" in page
    assert original.url in page and "Phường Dịch Vọng" in page


def test_statistics_count_and_list_the_most_replicated(client, unit_tree, dvk, original):
    other = PracticeModelFactory(unit=unit_tree.cau_giay, movement=dvk, title="Tổ tự quản", year=2020)
    for unit in (unit_tree.o_cho_dua, unit_tree.dong_da, unit_tree.women):
        adopt(unit, original, title=f"Chợ văn minh — {unit.name}")
    adopt(unit_tree.city, other, title="Tổ tự quản của thành phố")
    summary = stats_selectors.replication(stats_selectors.matching_entries(SearchFilters()))
    assert (summary.replicated_models, summary.adoptions) == (2, 4)
    assert [(model.pk, count) for model, count in summary.most_replicated] == [(original.pk, 3), (other.pk, 1)]
    page = client.get("/thong-ke/").content.decode()
    assert 'data-figure="replicated">2<' in page
    assert "Mô hình được nhân rộng nhiều nhất" in page
    assert page.index("Chợ văn minh, an toàn") < page.index("Tổ tự quản</a>")
