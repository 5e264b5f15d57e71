"""Relevance judgments over `corpus.csv`: for each query, the models a reader would want to find.

Each judgment names the models judged relevant by their external_id and, where one answer is clearly
the best, the one that must rank first. The queries cover what citizens and officers type: with
diacritics, without, mixed, the abbreviations of the seeded synonym list (search/migrations/
0002_seed_synonyms.py), one typo in a word of four or more letters, quoted phrases, and queries
narrowed by facet filters (movement, field, unit with its subtree, year, level).

Relevance is judged by meaning, not by whether a backend can match the words: a model about the
household ("hộ") is not relevant to a query about the lake ("hồ"), and models that only mention a
term in passing, or share it through their unit's name, are left out unless they are about it.
"""

from dataclasses import dataclass, field

from search.query import SearchFilters

DIACRITICS = "diacritics"
FOLDED = "no diacritics"
MIXED = "mixed"
ABBREVIATION = "abbreviation"
TYPO = "typo"
PHRASE = "phrase"
FILTERED = "filtered"


@dataclass(frozen=True)
class Judgment:
    query: str
    relevant: tuple[str, ...]
    kind: str
    first: str | None = None  # the model that must rank first, when one clearly should
    filters: SearchFilters = field(default_factory=SearchFilters)

    @property
    def label(self) -> str:
        parts = [self.query]
        for name, values in self.filters.by_facet().items():
            if values:
                parts.append(f"{name}={','.join(str(value) for value in values)}")
        return " | ".join(parts)


GPMB = ("GPMB-VANHDAI4", "GPMB-BONCUNG", "GPMB-NGO68", "GPMB-DIDOIMO", "GPMB-CCB-TULIEN")
VSMT = (
    "VSMT-CHUNHATXANH",
    "VSMT-PHANLOAIRAC",
    "VSMT-PHOKHONGNHUA",
    "VSMT-THANHNIENKENH",
    "VSMT-CHIBOGUONGMAU",
    "HO-VANCHUONG",
)
CHUYEN_DOI_SO = ("CDS-SOTAYDANGVIEN", "CDS-CHO40", "CDS-DICHVUCONG", "CDS-CAMERAAI", "CDS-BINHDANHOCVU")
ANTT = (
    "ANTT-TOBAOVE",
    "ANTT-CAMERAKDC",
    "ANTT-CCB",
    "ANTT-MATUY",
    "ANTT-CHIBO-TDPANTOAN",
    "CDS-CAMERAAI",
)
CCHC = ("CCHC-MOTCUA", "CCHC-HOTICHLUUDONG", "CCHC-TRAKETQUA", "CDS-DICHVUCONG")
NTM = ("DUONG-THAPSANG", "LUA-HUUCO", "NTM-HIENDAT", "NTM-KIEUMAU", "NTM-CHIBO-HAUDUONG", "PN-5KHONG3SACH")
MTTQ = ("MT-VINGUOINGHEO", "MT-NGAYHOI", "MT-GIAMSAT", "MT-GIAMSATCONGDONG", "MT-HOANGHEO-DAIDOANKET")
HO_NGHEO = ("HO-HONGHEO-BO", "MT-HOANGHEO-DAIDOANKET", "MT-VINGUOINGHEO", "CCB-THOATNGHEO")
LAKES = ("HO-VANCHUONG", "HO-DIEUHOA")  # Trúc Bạch is about its landscape, not cleaning
DONG_HO = ("HO-DONGHO-KHUYENHOC", "HO-DONGHO-PHAPLUAT", "GPMB-DIDOIMO")
SINH_HOAT_CHI_BO = (
    "CB-SINHHOATCHUYENDE",
    "CDS-SOTAYDANGVIEN",
    "HO-DECOY-HOCHIMINH",
    "VSMT-CHIBOGUONGMAU",
    "BG-CHIBO-THUPHI",
)
# Every model of a unit below Quận Đống Đa: the query names the district.
DONG_DA = (
    "VSMT-CHUNHATXANH",
    "VSMT-CHIBOGUONGMAU",
    "HO-VANCHUONG",
    "DUONG-PHUNGDUONG",
    "CA-CATRU",
    "CDS-CAMERAAI",
    "MT-VINGUOINGHEO",
    "PN-NUOILONDAT",
    "PN-NGOINHABINHYEN",
    "CB-PHUTRACHHO",
    "BG-KHUYENHOC-TUSACH",
    "BG-BANHMI0D",
    "BG-BEPANNHANDAO",
    "BG-VIECTANG",
    "BG-CHOVANMINH",
    "BG-CHIBO-THUPHI",
    "BG-CHIBO-PHATTRIENDANGVIEN",
    "BG-DIENMAO",
    "BG-THUVIENSO",
)

JUDGMENTS: tuple[Judgment, ...] = (
    # With diacritics, as typed on a Vietnamese keyboard.
    Judgment("giải phóng mặt bằng", GPMB, DIACRITICS),
    Judgment("vệ sinh hồ", LAKES, DIACRITICS, first="HO-VANCHUONG"),
    Judgment("vệ sinh hộ gia đình", ("HO-HOGIADINH", "PN-5KHONG3SACH"), DIACRITICS, first="HO-HOGIADINH"),
    Judgment("dòng họ", DONG_HO, DIACRITICS),
    Judgment("hộ nghèo", HO_NGHEO, DIACRITICS),
    Judgment("hồ Trúc Bạch", ("HO-TRUCBACH",), DIACRITICS, first="HO-TRUCBACH"),
    Judgment("tuyên dương", ("DUONG-TUYENDUONG",), DIACRITICS, first="DUONG-TUYENDUONG"),
    Judgment("thắp sáng đường quê", ("DUONG-THAPSANG",), DIACRITICS, first="DUONG-THAPSANG"),
    Judgment("dệt lụa", ("LUA-VANPHUC",), DIACRITICS, first="LUA-VANPHUC"),
    Judgment("lúa hữu cơ", ("LUA-HUUCO",), DIACRITICS, first="LUA-HUUCO"),
    Judgment("ca trù", ("CA-CATRU",), DIACRITICS, first="CA-CATRU"),
    Judgment("nuôi cá", ("CA-NUOICA",), DIACRITICS, first="CA-NUOICA"),
    Judgment("đọc báo", ("BAO-DOCBAO",), DIACRITICS, first="BAO-DOCBAO"),
    Judgment("chuyển đổi số", CHUYEN_DOI_SO, DIACRITICS),
    Judgment("an ninh trật tự", ANTT, DIACRITICS),
    Judgment("cải cách hành chính", CCHC, DIACRITICS),
    Judgment("xây dựng nông thôn mới", NTM, DIACRITICS),
    Judgment("Mặt trận Tổ quốc", MTTQ, DIACRITICS),
    Judgment("Cựu chiến binh", ("GPMB-CCB-TULIEN", "ANTT-CCB", "CCB-THOATNGHEO", "HO-DECOY-CUHO"), DIACRITICS),
    Judgment("Đống Đa", DONG_DA, DIACRITICS),
    Judgment("hiến máu Đông Anh", ("DTN-HIENMAU",), DIACRITICS, first="DTN-HIENMAU"),
    # Without diacritics, as typed on a phone or an English keyboard.
    Judgment("giai phong mat bang", GPMB, FOLDED),
    Judgment("ve sinh ho", ("HO-VANCHUONG", "HO-HOGIADINH"), FOLDED),
    Judgment("chuyen doi so", CHUYEN_DOI_SO, FOLDED),
    Judgment("dong da", DONG_DA, FOLDED),
    Judgment("dong ho khuyen hoc", ("HO-DONGHO-KHUYENHOC",), FOLDED, first="HO-DONGHO-KHUYENHOC"),
    Judgment("tuyen duong", ("DUONG-TUYENDUONG", "DUONG-TUYENTUQUAN"), FOLDED),
    Judgment("thoat ngheo", ("HO-HONGHEO-BO", "CCB-THOATNGHEO", "PN-NUOILONDAT"), FOLDED),
    Judgment("lua van phuc", ("LUA-VANPHUC",), FOLDED, first="LUA-VANPHUC"),
    Judgment("nuoi bo sinh san", ("HO-HONGHEO-BO",), FOLDED, first="HO-HONGHEO-BO"),
    Judgment("hoa giai", ("BG-HOAGIAI", "PN-NGOINHABINHYEN", "ANTT-TOBAOVE"), FOLDED, first="BG-HOAGIAI"),
    Judgment("ho truc bach", ("HO-TRUCBACH",), FOLDED, first="HO-TRUCBACH"),
    # Mixed: some words with their marks, some without.
    Judgment("giải phong mat bằng", GPMB, MIXED),
    Judgment("vệ sinh moi truong", VSMT, MIXED),
    Judgment("hồ van chuong", ("HO-VANCHUONG",), MIXED, first="HO-VANCHUONG"),
    # Abbreviations of the seeded synonym list.
    Judgment("GPMB", GPMB, ABBREVIATION),
    Judgment("MTTQ", MTTQ, ABBREVIATION),
    Judgment("UBND", ("CCHC-MOTCUA", "CCHC-UBND-TIEPDAN"), ABBREVIATION),
    Judgment("DVK giải phóng mặt bằng", GPMB, ABBREVIATION),
    Judgment(
        "CB4T sinh hoạt chuyên đề",
        ("CB-SINHHOATCHUYENDE", "NTM-CHIBO-HAUDUONG"),
        ABBREVIATION,
        first="CB-SINHHOATCHUYENDE",
    ),
    Judgment("VSMT", VSMT, ABBREVIATION),
    Judgment("ANTT", ANTT, ABBREVIATION),
    Judgment("CCHC", CCHC, ABBREVIATION),
    Judgment("NTM", NTM, ABBREVIATION),
    Judgment("LHPN khởi nghiệp", ("PN-KHOINGHIEP",), ABBREVIATION, first="PN-KHOINGHIEP"),
    Judgment("CCB an ninh trật tự", ("ANTT-CCB",), ABBREVIATION, first="ANTT-CCB"),
    Judgment("ĐTN hiến máu", ("DTN-HIENMAU",), ABBREVIATION, first="DTN-HIENMAU"),
    Judgment("TDP số 7 phân loại rác", ("VSMT-PHANLOAIRAC",), ABBREVIATION, first="VSMT-PHANLOAIRAC"),
    Judgment("KDC an toàn phòng cháy", ("ANTT-PCCC",), ABBREVIATION, first="ANTT-PCCC"),
    # One typo in a folded word of four or more letters.
    Judgment("giai phong mat bnag", GPMB, TYPO),
    Judgment("ve sinh moi truowng", VSMT, TYPO),
    Judgment("chuyne doi so", CHUYEN_DOI_SO, TYPO),
    Judgment("an ninnh trat tu", ANTT, TYPO),
    Judgment("cai cach hanh chinnh", CCHC, TYPO),
    Judgment("hien mau tinh nguyeen", ("DTN-HIENMAU",), TYPO, first="DTN-HIENMAU"),
    Judgment("khoi ngheip", ("PN-KHOINGHIEP",), TYPO, first="PN-KHOINGHIEP"),
    # Quoted phrases.
    Judgment('"sinh hoạt chi bộ"', SINH_HOAT_CHI_BO, PHRASE),
    Judgment("“hồ điều hòa”", ("HO-DIEUHOA",), PHRASE, first="HO-DIEUHOA"),
    Judgment('"dòng họ" khuyến học', ("HO-DONGHO-KHUYENHOC",), PHRASE, first="HO-DONGHO-KHUYENHOC"),
    # Narrowed by filters.
    Judgment(
        "vệ sinh môi trường",
        ("VSMT-CHIBOGUONGMAU",),
        FILTERED,
        first="VSMT-CHIBOGUONGMAU",
        filters=SearchFilters(movements=("chi-bo-bon-tot",)),
    ),
    Judgment(
        "giai phong mat bang",
        ("GPMB-VANHDAI4", "GPMB-DIDOIMO", "GPMB-CCB-TULIEN"),
        FILTERED,
        filters=SearchFilters(units=("HN-DA",)),
    ),
    Judgment(
        "chuyển đổi số",
        ("CDS-SOTAYDANGVIEN", "CDS-DICHVUCONG"),
        FILTERED,
        filters=SearchFilters(fields=("xay-dung-he-thong-chinh-tri",)),
    ),
    Judgment(
        "an ninh trat tu",
        ("ANTT-CCB", "ANTT-CHIBO-TDPANTOAN"),
        FILTERED,
        filters=SearchFilters(years=(2023,)),
    ),
    Judgment(
        "hộ nghèo",
        ("HO-HONGHEO-BO", "CCB-THOATNGHEO", "MT-VINGUOINGHEO"),
        FILTERED,
        filters=SearchFilters(levels=("quan-huyen",)),
    ),
    Judgment("hồ", ("HO-TRUCBACH",), FILTERED, first="HO-TRUCBACH", filters=SearchFilters(units=("HN-BD",))),
    Judgment(
        "sinh hoat chi bo",
        ("CB-SINHHOATCHUYENDE", "CDS-SOTAYDANGVIEN"),
        FILTERED,
        filters=SearchFilters(units=("HN-CG",)),
    ),
    Judgment(
        "NTM",
        ("NTM-HIENDAT", "LUA-HUUCO"),
        FILTERED,
        filters=SearchFilters(movements=("dan-van-kheo",), years=(2022, 2023)),
    ),
)
