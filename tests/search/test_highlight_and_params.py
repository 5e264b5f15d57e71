"""Highlighting (diacritic-insensitive, escaped) and the parsing of search parameters."""

import unicodedata

from django.http import QueryDict

import pytest

from search.analysis import analyse
from search.forms import MAX_VALUES, SearchParamsForm
from search.highlight import highlight, query_terms, snippet
from search.query import SearchFilters


def terms(query: str) -> frozenset[str]:
    return query_terms(analyse(query, groups=[]))


def test_marks_words_with_or_without_diacritics_and_d():
    assert highlight("Quận Đống Đa", terms("dong da")) == "Quận <mark>Đống</mark> <mark>Đa</mark>"
    assert highlight("Vệ sinh hồ Hoàn Kiếm", terms("vệ sinh")) == "<mark>Vệ</mark> <mark>sinh</mark> hồ Hoàn Kiếm"


def test_no_match_gives_none_and_no_terms_mark_nothing():
    assert highlight("Kinh tế", terms("an ninh")) is None
    assert highlight("Kinh tế", frozenset()) is None


def test_text_is_escaped_and_only_marks_are_html():
    marked = highlight('<script>alert("x")</script> dân vận', terms("dan van"))
    assert "<script>" not in marked
    assert "&lt;script&gt;" in marked
    assert marked.endswith("<mark>dân</mark> <mark>vận</mark>")


def test_synonym_variants_are_marked_too():
    groups = [(("GPMB", ("gpmb",)), ("giải phóng mặt bằng", ("giai", "phong", "mat", "bang")))]
    found = query_terms(analyse("GPMB", groups=groups))
    assert highlight("Giải phóng mặt bằng nhanh", found).count("<mark>") == 4


def test_snippet_is_a_window_around_the_first_match():
    text = " ".join(f"từ{n}" for n in range(100)) + " đường làng " + " ".join(f"chữ{n}" for n in range(100))
    cut = snippet(text, terms("duong lang"), words=20)
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>đường</mark> <mark>làng</mark>" in cut
    assert len(cut.split()) < 30


def form(query: str, **kwargs) -> SearchParamsForm:
    return SearchParamsForm(QueryDict(query), **kwargs)


@pytest.mark.django_db
def test_filters_accept_repeated_and_comma_separated_values(unit_tree, fields):
    params = form("field=kinh-te,van-hoa-xa-hoi&year=2023&year=2021&unit=HN-CG&level=thanh-pho&form=bang-khen")
    assert params.all_errors() == {}
    assert params.filters == SearchFilters(
        fields=("kinh-te", "van-hoa-xa-hoi"),
        units=("HN-CG",),
        years=(2023, 2021),
        levels=("thanh-pho",),
        forms=("bang-khen",),
    )


@pytest.mark.django_db
def test_bad_values_are_named_in_vietnamese_and_left_out(unit_tree, fields):
    params = form(
        "field=kinh-te,khong-co&year=abc&year=2022&unit=XYZ&level=cap-vu-tru&sort=bogus&page=0&page_size=10000"
    )
    errors = params.all_errors()
    assert set(errors) == {"field", "year", "unit", "level", "sort", "page", "page_size"}
    assert "khong-co" in errors["field"]
    assert "abc" in errors["year"]
    assert params.filters.fields == ("kinh-te",)
    assert params.filters.years == (2022,)
    assert params.filters.units == ()
    kwargs = params.search_kwargs()
    assert (kwargs["sort"], kwargs["page"], kwargs["page_size"]) == ("relevance", 1, 20)


@pytest.mark.django_db
def test_too_many_values_are_refused(fields):
    params = form("&".join(f"year={2000 + n % 20}" for n in range(MAX_VALUES + 1)))
    assert "year" in params.all_errors()
    assert params.filters.years == ()


@pytest.mark.django_db
def test_fixed_movement_and_unit_override_the_query_string(unit_tree, dvk):
    params = form("movement=chi-bo-bon-tot&unit=HN-DD", fixed_movement=dvk, fixed_unit=unit_tree.cau_giay)
    assert params.filters.movements == ("dan-van-kheo",)
    assert params.filters.units == ("HN-CG",)
    assert params.all_errors() == {}


@pytest.mark.django_db
def test_a_long_query_is_cut_not_refused():
    params = form("q=" + "dân vận " * 1000)
    assert params.all_errors() == {}
    assert len(params.search_kwargs()["q"]) == 5000


def test_the_one_pass_and_the_word_by_word_ways_mark_the_same_words():
    """One expression finds the words; decomposed text (a mark as a character of its own) is
    composed first, so its words are not cut at every mark; a term outside the expression's table
    is looked for word by word."""
    text = "Nhân dân, DÂN dần; dan_x Đống Đa — đa (Đà) 2024 dân2024"
    wanted = frozenset({"dan", "da", "2024"})
    fast = highlight(text, wanted)
    assert fast == (
        "Nhân <mark>dân</mark>, <mark>DÂN</mark> <mark>dần</mark>; <mark>dan</mark>_x Đống <mark>Đa</mark> — "
        "<mark>đa</mark> (<mark>Đà</mark>) <mark>2024</mark> dân2024"
    )
    assert highlight(unicodedata.normalize("NFD", text), wanted) == fast
    assert highlight("Chữ ß và Straße", frozenset({"straße"})) == "Chữ ß và <mark>Straße</mark>"


def test_a_snippet_of_a_long_story_is_the_window_around_the_first_match():
    words = [f"từ{number}" for number in range(3000)]
    words[2000] = "Đảng"
    text = " ".join(words)
    marked = snippet(text, frozenset({"dang"}), words=40)
    shown = marked.removeprefix("… ").removesuffix(" …").split()
    assert marked.startswith("… ") and marked.endswith(" …")
    assert len(shown) == 40
    assert shown[0] == "từ1990" and shown[10] == "<mark>Đảng</mark>" and shown[-1] == "từ2029"
    # Near the start, the snippet starts at the text's start.
    assert snippet("— " + text, frozenset({"tu3"}), words=40).startswith("— từ0")
