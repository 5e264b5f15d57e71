"""Registration versus recognition per emulation cycle (the `emulation` app's cycles, registrations
and evaluations), on the statistics page and in `selectors.count_by_cycle`."""

import datetime

from django.utils import timezone

import factory
import pytest
from factory.django import DjangoModelFactory

from emulation.factories import year_cycle
from emulation.models import Evaluation, EvaluationResult, Registration
from search.query import SearchFilters
from stats import selectors

from .test_pages import PAGE, table_rows


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    registered_at = factory.LazyFunction(timezone.now)


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    evaluated_at = factory.LazyFunction(timezone.now)


@pytest.fixture
def campaign(registry, dvk, cb4t):
    """2024: Dân vận khéo registers three models (two pass), Chi bộ bốn tốt one (excellent);
    2023: Dân vận khéo registers the draft, not evaluated yet."""
    market, _lane, cell_model, women_model, *_rest = registry.models
    street = registry.models[5]  # Ô Chợ Dừa
    dvk_2024 = year_cycle(year=2024, movement=dvk)
    cb4t_2024 = year_cycle(year=2024, movement=cb4t)
    dvk_2023 = year_cycle(year=2023, movement=dvk)
    for model, result in ((market, EvaluationResult.GOOD), (street, EvaluationResult.FAILED), (women_model, "dat")):
        RegistrationFactory(cycle=dvk_2024, practice_model=model)
        EvaluationFactory(cycle=dvk_2024, practice_model=model, result=result)
    RegistrationFactory(cycle=cb4t_2024, practice_model=cell_model)
    EvaluationFactory(cycle=cb4t_2024, practice_model=cell_model, result=EvaluationResult.EXCELLENT)
    RegistrationFactory(
        cycle=dvk_2023, practice_model=registry.draft, registered_at=timezone.now() - datetime.timedelta(days=400)
    )
    return {"dvk_2024": dvk_2024, "cb4t_2024": cb4t_2024, "dvk_2023": dvk_2023}


def test_cycles_count_registered_and_recognised_models(campaign):
    counts = selectors.count_by_cycle(SearchFilters())
    assert [(c.label, c.registered, c.recognised) for c in counts] == [
        ("Năm 2023 – DVK", 1, 0),
        ("Năm 2024 – DVK", 3, 2),
        ("Năm 2024 – CB4T", 1, 1),
    ]


def test_cycles_follow_the_filters_and_a_units_subtree(campaign):
    in_cau_giay = selectors.count_by_cycle(SearchFilters(units=("HN-CG",)))
    assert [(c.label, c.registered, c.recognised) for c in in_cau_giay] == [
        ("Năm 2023 – DVK", 1, 0),
        ("Năm 2024 – DVK", 2, 2),
        ("Năm 2024 – CB4T", 1, 1),
    ]
    one_movement = selectors.count_by_cycle(SearchFilters(movements=("dan-van-kheo",), years=(2024,)))
    # One movement: the cycle's own name says enough.
    assert [(c.label, c.registered, c.recognised) for c in one_movement] == [("Năm 2024", 3, 2)]
    assert selectors.count_by_cycle(SearchFilters(years=(2021,))) == []


def test_the_page_charts_the_cycles_with_their_table(client, campaign):
    html = client.get(PAGE).content.decode()
    assert "Đăng ký và công nhận theo đợt thi đua" in html
    start = html.index('id="chart-cycle"')
    table = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    assert '<th scope="row">Năm 2024 – DVK</th><td class="data-table__number">3</td>' in table
    assert "66,7 %" in table
    assert (
        '<th scope="row">Năm 2023 – DVK</th><td class="data-table__number">1</td><td class="data-table__number">0</td><td class="data-table__number">0,0 %</td>'
        in table
    )
    html = client.get(PAGE, {"movement": "chi-bo-bon-tot"}).content.decode()
    assert '<th scope="row">Năm 2024</th>' in html
    assert table_rows(html, "unit") == {"Quận Cầu Giấy": "1", "Quận Đống Đa": "1"}
