"""Hà Nội as the demo's unit tree: the city, its 30 district-level units as they stood before the
2025 reorganisation (12 quận, thị xã Sơn Tây, 17 huyện), real wards and communes of each, party
cells under them and the mass organisations at city and district level.

Unit codes: HN, HN-CG (district), HN-CG-DV (ward), HN-CG-DV-CB01 (party cell), HN-CG-PN (organisation).
"""

from dataclasses import dataclass

from search.text import fold

from ..models import UnitKind

CITY_CODE = "HN"
CITY_NAME = "Thành phố Hà Nội"


@dataclass(frozen=True)
class District:
    code: str
    prefix: str  # "Quận", "Thị xã" or "Huyện"
    name: str
    wards: tuple[str, ...]  # full names: "Phường Dịch Vọng", "Xã Cổ Loa", "Thị trấn Đông Anh"
    farming: bool  # has a farmers' association (huyện, thị xã and the peri-urban quận)

    @property
    def full_name(self) -> str:
        return f"{self.prefix} {self.name}"

    @property
    def in_text(self) -> str:
        """The name as it reads inside a sentence: "quận Cầu Giấy", "huyện Đông Anh"."""
        return f"{self.prefix.lower()} {self.name}"


def _wards(prefix: str, names: str) -> tuple[str, ...]:
    return tuple(f"{prefix} {name.strip()}" for name in names.split(","))


DISTRICTS: tuple[District, ...] = (
    District(
        "HN-BD",
        "Quận",
        "Ba Đình",
        _wards("Phường", "Cống Vị, Điện Biên, Đội Cấn, Giảng Võ, Kim Mã, Liễu Giai, Ngọc Hà, Quán Thánh, Trúc Bạch"),
        False,
    ),
    District(
        "HN-HK",
        "Quận",
        "Hoàn Kiếm",
        _wards("Phường", "Chương Dương, Cửa Đông, Đồng Xuân, Hàng Bạc, Hàng Bài, Hàng Bồ, Hàng Trống, Tràng Tiền"),
        False,
    ),
    District(
        "HN-TH",
        "Quận",
        "Tây Hồ",
        _wards("Phường", "Bưởi, Nhật Tân, Phú Thượng, Quảng An, Thụy Khuê, Tứ Liên, Xuân La, Yên Phụ"),
        True,
    ),
    District(
        "HN-LB",
        "Quận",
        "Long Biên",
        _wards(
            "Phường", "Bồ Đề, Cự Khối, Đức Giang, Gia Thụy, Giang Biên, Ngọc Thụy, Phúc Đồng, Thạch Bàn, Việt Hưng"
        ),
        True,
    ),
    District(
        "HN-CG",
        "Quận",
        "Cầu Giấy",
        _wards("Phường", "Dịch Vọng, Dịch Vọng Hậu, Mai Dịch, Nghĩa Đô, Nghĩa Tân, Quan Hoa, Trung Hòa, Yên Hòa"),
        False,
    ),
    District(
        "HN-DD",
        "Quận",
        "Đống Đa",
        _wards("Phường", "Cát Linh, Khâm Thiên, Kim Liên, Láng Hạ, Láng Thượng, Ô Chợ Dừa, Quốc Tử Giám, Văn Chương"),
        False,
    ),
    District(
        "HN-HBT",
        "Quận",
        "Hai Bà Trưng",
        _wards("Phường", "Bách Khoa, Bạch Đằng, Bạch Mai, Đồng Nhân, Lê Đại Hành, Minh Khai, Phố Huế, Thanh Nhàn"),
        False,
    ),
    District(
        "HN-HM",
        "Quận",
        "Hoàng Mai",
        _wards("Phường", "Đại Kim, Định Công, Giáp Bát, Hoàng Liệt, Lĩnh Nam, Tân Mai, Thịnh Liệt, Vĩnh Hưng, Yên Sở"),
        True,
    ),
    District(
        "HN-TX",
        "Quận",
        "Thanh Xuân",
        _wards(
            "Phường",
            "Hạ Đình, Khương Đình, Khương Mai, Kim Giang, Nhân Chính, Phương Liệt, Thanh Xuân Bắc, Thượng Đình",
        ),
        False,
    ),
    District(
        "HN-NTL",
        "Quận",
        "Nam Từ Liêm",
        _wards("Phường", "Cầu Diễn, Đại Mỗ, Mễ Trì, Mỹ Đình 1, Mỹ Đình 2, Phú Đô, Tây Mỗ, Trung Văn, Xuân Phương"),
        True,
    ),
    District(
        "HN-BTL",
        "Quận",
        "Bắc Từ Liêm",
        _wards("Phường", "Cổ Nhuế 1, Cổ Nhuế 2, Đông Ngạc, Đức Thắng, Phú Diễn, Tây Tựu, Thượng Cát, Xuân Đỉnh"),
        True,
    ),
    District(
        "HN-HD",
        "Quận",
        "Hà Đông",
        _wards("Phường", "Dương Nội, Hà Cầu, Kiến Hưng, La Khê, Mộ Lao, Phú Lãm, Vạn Phúc, Văn Quán, Yên Nghĩa"),
        True,
    ),
    District(
        "HN-ST",
        "Thị xã",
        "Sơn Tây",
        _wards("Phường", "Lê Lợi, Ngô Quyền, Phú Thịnh, Quang Trung, Trung Hưng, Viên Sơn")
        + _wards("Xã", "Đường Lâm, Kim Sơn, Thanh Mỹ"),
        True,
    ),
    District(
        "HN-BV",
        "Huyện",
        "Ba Vì",
        _wards("Thị trấn", "Tây Đằng")
        + _wards("Xã", "Ba Trại, Ba Vì, Cẩm Lĩnh, Minh Quang, Tản Lĩnh, Thụy An, Vân Hòa, Yên Bài"),
        True,
    ),
    District(
        "HN-CM",
        "Huyện",
        "Chương Mỹ",
        _wards("Thị trấn", "Chúc Sơn, Xuân Mai")
        + _wards("Xã", "Đông Sơn, Hoàng Văn Thụ, Phụng Châu, Quảng Bị, Thủy Xuân Tiên, Trường Yên"),
        True,
    ),
    District(
        "HN-DP",
        "Huyện",
        "Đan Phượng",
        _wards("Thị trấn", "Phùng")
        + _wards("Xã", "Đan Phượng, Hạ Mỗ, Hồng Hà, Liên Hà, Song Phượng, Tân Hội, Thượng Mỗ"),
        True,
    ),
    District(
        "HN-DA",
        "Huyện",
        "Đông Anh",
        _wards("Thị trấn", "Đông Anh")
        + _wards("Xã", "Cổ Loa, Dục Tú, Hải Bối, Kim Chung, Mai Lâm, Tiên Dương, Uy Nỗ, Vân Nội, Xuân Nộn"),
        True,
    ),
    District(
        "HN-GL",
        "Huyện",
        "Gia Lâm",
        _wards("Thị trấn", "Trâu Quỳ, Yên Viên")
        + _wards("Xã", "Bát Tràng, Đa Tốn, Kiêu Kỵ, Ninh Hiệp, Phù Đổng, Văn Đức"),
        True,
    ),
    District(
        "HN-HDU",
        "Huyện",
        "Hoài Đức",
        _wards("Thị trấn", "Trạm Trôi")
        + _wards("Xã", "An Khánh, An Thượng, Đức Thượng, Kim Chung, La Phù, Sơn Đồng, Vân Canh"),
        True,
    ),
    District(
        "HN-ML",
        "Huyện",
        "Mê Linh",
        _wards("Thị trấn", "Chi Đông, Quang Minh")
        + _wards("Xã", "Chu Phan, Mê Linh, Tam Đồng, Thanh Lâm, Tiền Phong, Tráng Việt"),
        True,
    ),
    District(
        "HN-MD",
        "Huyện",
        "Mỹ Đức",
        _wards("Thị trấn", "Đại Nghĩa")
        + _wards("Xã", "An Mỹ, An Phú, Đốc Tín, Hồng Sơn, Hương Sơn, Phù Lưu Tế, Phúc Lâm, Tuy Lai"),
        True,
    ),
    District(
        "HN-PX",
        "Huyện",
        "Phú Xuyên",
        _wards("Thị trấn", "Phú Xuyên, Phú Minh")
        + _wards("Xã", "Chuyên Mỹ, Đại Xuyên, Hồng Thái, Nam Phong, Phú Túc, Quang Lãng"),
        True,
    ),
    District(
        "HN-PT",
        "Huyện",
        "Phúc Thọ",
        _wards("Thị trấn", "Phúc Thọ")
        + _wards("Xã", "Hát Môn, Ngọc Tảo, Sen Phương, Tam Hiệp, Thanh Đa, Vân Phúc, Võng Xuyên"),
        True,
    ),
    District(
        "HN-QO",
        "Huyện",
        "Quốc Oai",
        _wards("Thị trấn", "Quốc Oai")
        + _wards("Xã", "Cấn Hữu, Đông Yên, Liệp Tuyết, Ngọc Mỹ, Phú Cát, Sài Sơn, Yên Sơn"),
        True,
    ),
    District(
        "HN-SS",
        "Huyện",
        "Sóc Sơn",
        _wards("Thị trấn", "Sóc Sơn")
        + _wards("Xã", "Bắc Sơn, Hồng Kỳ, Minh Phú, Nam Sơn, Phù Linh, Phù Lỗ, Tân Minh, Trung Giã"),
        True,
    ),
    District(
        "HN-TT",
        "Huyện",
        "Thạch Thất",
        _wards("Thị trấn", "Liên Quan")
        + _wards("Xã", "Bình Phú, Canh Nậu, Chàng Sơn, Hữu Bằng, Phùng Xá, Tiến Xuân, Yên Bình"),
        True,
    ),
    District(
        "HN-TO",
        "Huyện",
        "Thanh Oai",
        _wards("Thị trấn", "Kim Bài")
        + _wards("Xã", "Bình Minh, Cao Viên, Cự Khê, Dân Hòa, Mỹ Hưng, Tam Hưng, Thanh Thùy"),
        True,
    ),
    District(
        "HN-TTR",
        "Huyện",
        "Thanh Trì",
        _wards("Thị trấn", "Văn Điển")
        + _wards("Xã", "Đông Mỹ, Liên Ninh, Ngọc Hồi, Tả Thanh Oai, Tam Hiệp, Tân Triều, Vĩnh Quỳnh, Yên Mỹ"),
        True,
    ),
    District(
        "HN-TTI",
        "Huyện",
        "Thường Tín",
        _wards("Thị trấn", "Thường Tín")
        + _wards("Xã", "Duyên Thái, Hà Hồi, Nhị Khê, Ninh Sở, Quất Động, Thống Nhất, Tô Hiệu, Vân Tảo"),
        True,
    ),
    District(
        "HN-UH",
        "Huyện",
        "Ứng Hòa",
        _wards("Thị trấn", "Vân Đình")
        + _wards("Xã", "Đại Hùng, Đội Bình, Hòa Xá, Phương Tú, Quảng Phú Cầu, Trầm Lộng, Viên An"),
        True,
    ),
)

WARD_PREFIXES = ("Phường", "Thị trấn", "Xã")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    description: str = ""
    place: str = ""  # where the unit works, as written in a sentence: "phường Dịch Vọng, quận Cầu Giấy"
    rural: bool = False


def split_ward(full_name: str) -> tuple[str, str]:
    """("Thị trấn", "Đông Anh") from "Thị trấn Đông Anh"."""
    for prefix in WARD_PREFIXES:
        if full_name.startswith(prefix + " "):
            return prefix, full_name[len(prefix) + 1 :]
    raise ValueError(full_name)


def _initials(name: str) -> str:
    return "".join(word[0] for word in fold(name).upper().split())


def ward_codes(district: District) -> list[str]:
    """A short, unique code for each ward of a district: Dịch Vọng → DV, Dịch Vọng Hậu → DVH.

    On a clash the last word is spelled out (Hàng Bạc → HB, Hàng Bài → HBAI); a thị trấn gets "TT".
    The organisations' suffixes (MT, PN…) are reserved: Mễ Trì becomes MTRI, not MT.
    """
    taken: set[str] = {suffix for suffix, _name in CITY_ORGANISATIONS}
    codes = []
    for full_name in district.wards:
        prefix, name = split_ward(full_name)
        lead = "TT" if prefix == "Thị trấn" else ""
        code = lead + _initials(name)
        if code in taken:
            words = fold(name).upper().split()
            code = lead + "".join(word[0] for word in words[:-1]) + words[-1]
        counter = 2
        base = code
        while code in taken:
            code = f"{base}{counter}"
            counter += 1
        taken.add(code)
        codes.append(code)
    return codes


# Mass organisations: (code suffix, name at city level, name pattern at district level).
CITY_ORGANISATIONS = (
    ("MT", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội"),
    ("PN", "Hội Liên hiệp Phụ nữ thành phố Hà Nội"),
    ("DTN", "Thành đoàn Hà Nội"),
    ("CCB", "Hội Cựu chiến binh thành phố Hà Nội"),
    ("ND", "Hội Nông dân thành phố Hà Nội"),
)


def district_organisations(district: District) -> list[tuple[str, str]]:
    """The mass organisations of one district: Mặt trận, Phụ nữ, Đoàn, Cựu chiến binh, Nông dân."""
    youth = "Huyện đoàn" if district.prefix == "Huyện" else "Thị đoàn" if district.prefix == "Thị xã" else "Quận đoàn"
    organisations = [
        ("MT", f"Ủy ban Mặt trận Tổ quốc Việt Nam {district.in_text}"),
        ("PN", f"Hội Liên hiệp Phụ nữ {district.in_text}"),
        ("DTN", f"{youth} {district.name}"),
        ("CCB", f"Hội Cựu chiến binh {district.in_text}"),
    ]
    if district.farming:
        organisations.append(("ND", f"Hội Nông dân {district.in_text}"))
    return organisations


URBAN_CELLS = (
    "Chi bộ Tổ dân phố số {n}",
    "Chi bộ Khu dân cư số {n}",
    "Chi bộ Tổ dân phố số {m}",
)
URBAN_INSTITUTION_CELLS = (
    "Chi bộ Trường Tiểu học {ward}",
    "Chi bộ Trường Mầm non {ward}",
    "Chi bộ Trạm Y tế {ward_lower}",
    "Chi bộ Trường Trung học cơ sở {ward}",
)
VILLAGES = ("Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Tiền", "Hậu", "Chợ", "Mới", "Đình")
RURAL_INSTITUTION_CELLS = (
    "Chi bộ Hợp tác xã Nông nghiệp {ward}",
    "Chi bộ Trường Trung học cơ sở {ward}",
    "Chi bộ Trạm Y tế {ward_lower}",
    "Chi bộ Trường Mầm non {ward}",
)
CELLS_PER_WARD = 3


def party_cells(*, ward_index: int, ward_full_name: str) -> list[str]:
    """Three party cells under a ward or commune: two residential, one in a school, clinic or cooperative."""
    prefix, name = split_ward(ward_full_name)
    ward_lower = f"{prefix.lower()} {name}"
    if prefix == "Xã":
        first = VILLAGES[ward_index % len(VILLAGES)]
        second = VILLAGES[(ward_index * 5 + 3) % len(VILLAGES)]
        if second == first:
            second = VILLAGES[(ward_index + 1) % len(VILLAGES)]
        institution = RURAL_INSTITUTION_CELLS[ward_index % len(RURAL_INSTITUTION_CELLS)]
        return [f"Chi bộ thôn {first}", f"Chi bộ thôn {second}", institution.format(ward=name, ward_lower=ward_lower)]
    n = 1 + ward_index % 9
    m = n + 3 + ward_index % 5
    residential = URBAN_CELLS[ward_index % 2].format(n=n)
    institution = URBAN_INSTITUTION_CELLS[ward_index % len(URBAN_INSTITUTION_CELLS)]
    return [residential, URBAN_CELLS[2].format(m=m), institution.format(ward=name, ward_lower=ward_lower)]


def unit_plan() -> list[UnitSpec]:
    """Every demo unit, parents before children, in a fixed order (so generated data is deterministic)."""
    specs = [
        UnitSpec(
            CITY_CODE,
            CITY_NAME,
            UnitKind.CITY,
            None,
            "Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam.",
            place="thành phố Hà Nội",
        )
    ]
    for suffix, name in CITY_ORGANISATIONS:
        specs.append(
            UnitSpec(f"{CITY_CODE}-{suffix}", name, UnitKind.ORGANISATION, CITY_CODE, place="thành phố Hà Nội")
        )
    ward_index = 0
    for district in DISTRICTS:
        specs.append(
            UnitSpec(
                district.code,
                district.full_name,
                UnitKind.DISTRICT,
                CITY_CODE,
                f"Đơn vị hành chính cấp huyện thuộc thành phố Hà Nội, gồm {len(district.wards)} phường, xã, "
                "thị trấn trong dữ liệu minh họa.",
                place=district.in_text,
                rural=district.prefix != "Quận",
            )
        )
        for suffix, name in district_organisations(district):
            specs.append(
                UnitSpec(
                    f"{district.code}-{suffix}",
                    name,
                    UnitKind.ORGANISATION,
                    district.code,
                    place=district.in_text,
                    rural=district.prefix != "Quận",
                )
            )
        for ward_full_name, ward_code in zip(district.wards, ward_codes(district), strict=True):
            prefix, name = split_ward(ward_full_name)
            code = f"{district.code}-{ward_code}"
            place = f"{prefix.lower()} {name}, {district.in_text}"
            rural = prefix == "Xã"
            specs.append(UnitSpec(code, ward_full_name, UnitKind.COMMUNE, district.code, place=place, rural=rural))
            for number, cell in enumerate(party_cells(ward_index=ward_index, ward_full_name=ward_full_name), 1):
                specs.append(
                    UnitSpec(
                        f"{code}-CB{number:02d}",
                        cell,
                        UnitKind.PARTY_CELL,
                        code,
                        f"Chi bộ trực thuộc Đảng bộ {prefix.lower()} {name}, {district.in_text}.",
                        place=place,
                        rural=rural,
                    )
                )
            ward_index += 1
    return specs


# People, for contact persons, quotes and signatures.
FAMILY_NAMES = (
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 1),
    ("Phan", 2),
    ("Đinh", 2),
    ("Trịnh", 2),
    ("Tạ", 1),
    ("Khuất", 1),
    ("Kiều", 1),
    ("Chu", 1),
)
MALE_MIDDLE_NAMES = ("Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Mạnh", "Tiến", "Công", "Ngọc", "Thanh")
FEMALE_MIDDLE_NAMES = ("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Hồng", "Thị Thu", "Kim", "Bích")
MALE_GIVEN_NAMES = (
    "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Long", "Thắng", "Cường", "Hòa", "Sơn", "Trung", "Quân",
    "Khánh", "Bình", "Thành", "Toàn", "Huy", "Phúc", "Đạt", "Vinh", "Tùng", "Hiếu",
)  # fmt: skip
FEMALE_GIVEN_NAMES = (
    "Lan", "Hương", "Hà", "Hằng", "Mai", "Thủy", "Nga", "Hạnh", "Linh", "Trang", "Yến", "Huyền",
    "Loan", "Phượng", "Oanh", "Thảo", "Dung", "Hiền", "Nhung", "Vân",
)  # fmt: skip

MOBILE_PREFIXES = ("091", "094", "098", "097", "096", "090", "093", "086", "088", "083", "085", "036", "038")
