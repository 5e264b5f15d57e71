"""A small published registry across the unit tree, both movements, four years, fields and levels.

    Hà Nội (1 model) → Cầu Giấy (1) → Dịch Vọng (2) → party cell (1)
                                    → women's union (1)
                     → Đống Đa (1)  → Ô Chợ Dừa (2)

Nine published models and one draft, which no count may include.
"""

import datetime
from types import SimpleNamespace

import pytest

from models_registry.factories import CommendationFactory, PracticeModelFactory, UnitFactory
from models_registry.models import CommendationForm, RecognitionLevel, UnitKind

EFFECTIVE = datetime.date(2025, 7, 1)


@pytest.fixture
def registry(unit_tree, dvk, cb4t, fields):
    def make(unit, movement, field, year, level="", **kwargs):
        return PracticeModelFactory(
            unit=unit,
            movement=movement,
            field=fields[field] if field else None,
            year=year,
            recognition_level=level,
            **kwargs,
        )

    market = make(unit_tree.dich_vong, dvk, "kinh-te", 2023, RecognitionLevel.CITY)
    CommendationFactory(practice_model=market, form=CommendationForm.CERTIFICATE_OF_MERIT)
    CommendationFactory(practice_model=market, form=CommendationForm.DIPLOMA_OF_MERIT)
    lane = make(unit_tree.dich_vong, dvk, "van-hoa-xa-hoi", 2022, RecognitionLevel.DISTRICT)
    CommendationFactory(practice_model=lane, form=CommendationForm.CERTIFICATE_OF_MERIT)
    models = [
        market,
        lane,
        make(unit_tree.cell, cb4t, None, 2024),
        make(unit_tree.women, dvk, "kinh-te", 2021, RecognitionLevel.GRASSROOTS),
        make(unit_tree.cau_giay, dvk, "van-hoa-xa-hoi", 2023),
        make(unit_tree.o_cho_dua, dvk, "quoc-phong-an-ninh", 2023, RecognitionLevel.DISTRICT),
        make(unit_tree.o_cho_dua, cb4t, "kinh-te", 2024),
        make(unit_tree.dong_da, dvk, "van-hoa-xa-hoi", 2022),
        make(unit_tree.city, dvk, None, 2021),
    ]
    draft = make(unit_tree.dich_vong, dvk, "kinh-te", 2023, live=False)
    return SimpleNamespace(models=models, draft=draft)


@pytest.fixture
def new_ward(unit_tree, dvk, fields):
    """The ward the 2025 reorganisation formed under the city, with one model of its own (2025)."""
    ward = UnitFactory(code="HN-PCG", name="Phường Cầu Giấy", kind=UnitKind.COMMUNE, parent=unit_tree.city)
    PracticeModelFactory(unit=ward, movement=dvk, field=fields["kinh-te"], year=2025)
    return ward
