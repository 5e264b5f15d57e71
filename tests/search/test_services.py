"""The search service: one contract whichever backend answers, fallback to the database, clamping."""

import logging
import socket
import threading

import pytest

from models_registry.factories import PracticeModelFactory
from search import elastic, services
from search.query import MAX_PAGE_SIZE, SearchFilters


@pytest.fixture(autouse=True)
def closed_circuit():
    services.reset_circuit_breaker()
    yield
    services.reset_circuit_breaker()


@pytest.fixture
def models(unit_tree, dvk, cb4t, fields):
    created = {
        "lake": PracticeModelFactory(
            title="Vệ sinh hồ Văn Chương", unit=unit_tree.dong_da, movement=dvk, field=fields["van-hoa-xa-hoi"]
        ),
        "households": PracticeModelFactory(
            title="Vệ sinh hộ gia đình", unit=unit_tree.dich_vong, movement=dvk, field=fields["van-hoa-xa-hoi"]
        ),
        "cell": PracticeModelFactory(
            title="Chi bộ tổ dân phố số 1 đạt bốn tốt",
            summary="Sinh hoạt chi bộ nền nếp, đảng viên gương mẫu.",
            unit=unit_tree.cell,
            movement=cb4t,
            year=2022,
        ),
    }
    return created


def test_results_are_the_same_contract_on_both_backends(search_backend, models, unit_tree):
    search_backend.sync()
    results = services.search(q="ve sinh", filters=SearchFilters(units=("HN",)))
    assert results.backend == search_backend.name
    assert not results.degraded
    assert {item.practice_model.pk for item in results.items} == {models["lake"].pk, models["households"].pk}
    assert results.count == 2
    for item in results.items:
        assert "<mark>" in item.highlight["title"]
    movement = {option.value: option.count for option in results.facets["movement"]}
    assert movement == {"dan-van-kheo": 2}
    # One root (Hà Nội): the unit facet lists the districts, each counting its whole subtree.
    assert results.unit_facet_parent == unit_tree.city
    assert {option.value: option.count for option in results.facets["unit"]} == {"HN-CG": 1, "HN-DD": 1}


def test_exact_diacritics_rank_first(search_backend, models):
    search_backend.sync()
    results = services.search(q="vệ sinh hồ")
    assert results.items[0].practice_model == models["lake"]


def test_page_size_is_capped_and_a_page_past_the_end_shows_the_last(search_backend, models):
    search_backend.sync()
    results = services.search(page_size=10_000)
    assert results.page_size == MAX_PAGE_SIZE
    results = services.search(page=999, page_size=2)
    assert (results.page, results.num_pages, len(results.items)) == (2, 2, 1)


class SilentServer:
    """A socket that accepts connections and never answers: a hung Elasticsearch."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.parametrize("outage", ["down", "hung"])
def test_elasticsearch_outage_falls_back_to_the_database(settings, models, caplog, outage):
    server = SilentServer() if outage == "hung" else None
    settings.ELASTICSEARCH_URL = server.url if server else "http://127.0.0.1:9"
    settings.ELASTICSEARCH_TIMEOUT = 0.3
    elastic.reset_client()
    try:
        with caplog.at_level(logging.WARNING, logger="search.services"):
            results = services.search(q="ve sinh ho")
        assert results.degraded
        assert results.backend == "database"
        assert models["lake"] in results.practice_models
        assert "Elasticsearch unavailable" in caplog.text
        # The next search does not wait for Elasticsearch again.
        assert services.search(q="chi bo").degraded
        assert services.suggest(q="ve sinh")
        assert services.related_models(practice_model=models["lake"]) is not None
    finally:
        elastic.reset_client()
        if server:
            server.close()


def test_the_level_facet_is_the_highest_level_reached(search_backend, models):
    """Commended at city level, a model recognised at district level is found under the city level."""
    from models_registry.factories import CommendationFactory
    from models_registry.models import RecognitionLevel

    lake = models["lake"]
    lake.recognition_level = RecognitionLevel.DISTRICT
    lake.save_revision().publish()
    CommendationFactory(practice_model=lake, level=RecognitionLevel.CITY)
    CommendationFactory(practice_model=models["cell"], level=RecognitionLevel.GRASSROOTS)
    search_backend.sync()
    results = services.search(filters=SearchFilters(levels=(RecognitionLevel.CITY,)))
    assert [item.practice_model.pk for item in results.items] == [lake.pk]
    levels = {option.value: option.count for option in results.facets["level"]}
    assert levels == {RecognitionLevel.CITY: 1, RecognitionLevel.GRASSROOTS: 1}
    assert services.search(filters=SearchFilters(levels=(RecognitionLevel.DISTRICT,))).count == 0


def test_a_successor_unit_finds_its_predecessors_models(search_backend, models, unit_tree):
    """After Ô Chợ Dừa merges into Dịch Vọng, filtering by Dịch Vọng (or Cầu Giấy above it) also
    finds Ô Chợ Dừa's models, and the unit facet counts them there too, on both backends."""
    import datetime

    from models_registry.models import UnitChangeKind
    from models_registry.services.unit_history import record_unit_change

    merged = PracticeModelFactory(title="Chợ văn minh Ô Chợ Dừa", unit=unit_tree.o_cho_dua)
    search_backend.sync()
    before = services.search(filters=SearchFilters(units=("HN-CG-DV",)))
    assert before.count == 2, [
        (i.practice_model.title, i.practice_model.unit.code) for i in before.items
    ]  # households, cell
    record_unit_change(
        kind=UnitChangeKind.MERGE,
        effective_date=datetime.date(2025, 7, 1),
        predecessors=[unit_tree.o_cho_dua, unit_tree.dich_vong],
        successors=[unit_tree.dich_vong],
    )
    search_backend.sync()
    for code in ("HN-CG-DV", "HN-CG"):
        found = services.search(filters=SearchFilters(units=(code,)))
        assert merged.pk in [item.practice_model.pk for item in found.items], code
    results = services.search(unit_facet_parent=unit_tree.city)
    units = {option.value: option.count for option in results.facets["unit"]}
    assert units["HN-CG"] == 3  # households, cell and the merged ward's model
    assert units["HN-DD"] == 2, units  # the lake and the merged ward's model, still under Đống Đa
