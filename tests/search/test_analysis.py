"""Vietnamese query analysis: pure functions, given the synonym groups explicitly."""

import unicodedata

import pytest

from search.analysis import (
    MAX_EXPANSIONS,
    MAX_QUERY_LENGTH,
    analyse,
    build_groups,
    expand,
    has_diacritics,
    normalise,
    phrases,
    split_terms,
    tokens,
)

GROUPS = build_groups(
    split_terms(terms)
    for terms in (
        "DVK, Dân vận khéo",
        "CB4T, CB 4 tốt, Chi bộ bốn tốt, Chi bộ 4 tốt",
        "GPMB, giải phóng mặt bằng",
        "MTTQ, Mặt trận Tổ quốc, Mặt trận",
        "UBND, Ủy ban nhân dân",
        "HĐND, Hội đồng nhân dân",
    )
)


@pytest.mark.parametrize(
    ("old", "modern"),
    [
        ("hoà bình", "hòa bình"),
        ("văn hoá", "văn hóa"),
        ("thoả thuận", "thỏa thuận"),
        ("Nguyễn Văn Hoã", "Nguyễn Văn Hõa"),
        ("hoạ sĩ", "họa sĩ"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("thuỷ lợi", "thủy lợi"),
        ("tuỳ chọn", "tùy chọn"),
        ("huỷ bỏ", "hủy bỏ"),
        ("luỹ tre", "lũy tre"),
        ("thuỵ sĩ", "thụy sĩ"),
        ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
    ],
)
def test_old_tone_placement_becomes_modern(old, modern):
    assert normalise(old) == modern


@pytest.mark.parametrize(
    "word",
    # Closed syllables, "qu" + vowel and marked vowels are written one way only: left alone.
    ["hoàng", "hoạch", "huỳnh", "khuỷu", "quý", "quỳ", "quả", "hoặc", "thuyền", "Nguyễn", "thuế", "hòa", "thủy"],
)
def test_words_with_a_single_spelling_are_unchanged(word):
    assert normalise(word) == word


def test_decomposed_input_is_composed():
    decomposed = unicodedata.normalize("NFD", "Thuỷ lợi Đống Đa")
    assert normalise(decomposed) == "Thủy lợi Đống Đa"
    assert unicodedata.is_normalized("NFC", normalise(decomposed))


def test_control_and_invisible_characters_are_removed_and_spaces_collapsed():
    assert normalise("  dân\x00vận\tkhéo\n\r ở\u200b  Hà\ufeffNội\u202e ") == "dân vận khéo ở HàNội"


def test_length_is_capped():
    assert len(normalise("a" * 5000)) == MAX_QUERY_LENGTH
    assert len(normalise("dân vận " * 1000)) <= MAX_QUERY_LENGTH
    assert len(analyse("x " * 5000, groups=GROUPS).normalised) <= MAX_QUERY_LENGTH


@pytest.mark.parametrize("query", ["", "   ", None, "\x00\x01", "\u200b"])
def test_empty_queries(query):
    result = analyse(query, groups=GROUPS)
    assert result.normalised == ""
    assert result.tokens == ()
    assert result.expansions == ()
    assert result.is_empty
    assert not result.has_diacritics
    assert expand(query, groups=GROUPS) == []


def test_punctuation_only_query_has_no_tokens():
    assert analyse("\"'!?* -- ; () []", groups=GROUPS).is_empty


def test_tokens_lower_case_and_folded():
    text = "Đường Đê La Thành, CB4T: xã Đông-Anh!"
    assert tokens(text, folded=False) == ["đường", "đê", "la", "thành", "cb4t", "xã", "đông", "anh"]
    assert tokens(text, folded=True) == ["duong", "de", "la", "thanh", "cb4t", "xa", "dong", "anh"]


def test_tokens_of_old_and_modern_spelling_agree():
    assert tokens("Hoà Bình", folded=False) == tokens("Hòa Bình", folded=False) == ["hòa", "bình"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("vệ sinh hồ", True), ("Đa", True), ("đ", True), ("ve sinh ho", False), ("GPMB 2024", False), ("", False)],
)
def test_has_diacritics(text, expected):
    assert has_diacritics(text) is expected


def test_phrases_are_the_quoted_parts():
    query = 'mô hình "dân vận  khéo" và “giải phóng mặt bằng” ""'
    assert phrases(query) == ["dân vận khéo", "giải phóng mặt bằng"]
    assert phrases('an unclosed "quote') == []


def test_abbreviation_expands_to_the_full_expression():
    assert expand("GPMB quận Cầu Giấy", groups=GROUPS) == [
        "GPMB quận Cầu Giấy",
        "giải phóng mặt bằng quận Cầu Giấy",
    ]


def test_full_expression_without_diacritics_expands_to_the_abbreviation():
    assert expand("mo hinh dan van kheo", groups=GROUPS) == ["mo hinh dan van kheo", "mo hinh DVK"]


def test_matching_ignores_case_and_diacritics_but_needs_whole_words():
    assert expand("gpmb", groups=GROUPS)[1:] == ["giải phóng mặt bằng"]
    assert expand("GPMBX", groups=GROUPS) == ["GPMBX"]
    assert expand("dân vận", groups=GROUPS) == ["dân vận"]


def test_every_other_term_of_the_group_is_offered():
    assert expand("chi bo bon tot", groups=GROUPS)[1:] == ["CB4T", "CB 4 tốt", "Chi bộ 4 tốt"]


def test_the_longest_term_of_a_group_is_replaced():
    assert expand("Mặt trận Tổ quốc phường", groups=GROUPS)[1:] == ["MTTQ phường", "Mặt trận phường"]


def test_đ_in_abbreviations_matches_d():
    assert expand("hdnd quận", groups=GROUPS)[1:] == ["Hội đồng nhân dân quận"]


def test_old_spelling_in_the_query_still_matches():
    assert expand("uỷ ban nhân dân", groups=GROUPS)[1:] == ["UBND"]


def test_expansions_are_bounded_and_single_replacements_come_first():
    result = expand("CB4T GPMB DVK MTTQ UBND", groups=GROUPS)
    assert len(result) == MAX_EXPANSIONS + 1
    assert result[1] == "CB 4 tốt GPMB DVK MTTQ UBND"
    assert len(set(result)) == len(result)


def test_no_groups_no_expansions():
    assert expand("GPMB", groups=[]) == ["GPMB"]


def test_analyse_gathers_everything_a_backend_needs():
    result = analyse('  "Dân vận khéo" hoà\x00bình GPMB ', groups=GROUPS)
    assert result.original == '  "Dân vận khéo" hoà\x00bình GPMB '
    assert result.normalised == '"Dân vận khéo" hòa bình GPMB'
    assert result.folded == '"dan van kheo" hoa binh gpmb'
    assert result.tokens == ("dân", "vận", "khéo", "hòa", "bình", "gpmb")
    assert result.folded_tokens == ("dan", "van", "kheo", "hoa", "binh", "gpmb")
    assert result.phrases == ("Dân vận khéo",)
    assert result.has_diacritics
    assert result.expansions == (
        '"DVK" hòa bình GPMB',
        '"Dân vận khéo" hòa bình giải phóng mặt bằng',
        '"DVK" hòa bình giải phóng mặt bằng',
    )


def test_analyse_without_diacritics():
    result = analyse("giai phong mat bang", groups=GROUPS)
    assert not result.has_diacritics
    assert result.expansions == ("GPMB",)


def test_split_terms_normalises_and_drops_empty_parts():
    assert split_terms(" GPMB ,,  giải   phóng mặt bằng , ") == ["GPMB", "giải phóng mặt bằng"]
    assert split_terms("thuỷ lợi, TL") == ["thủy lợi", "TL"]
