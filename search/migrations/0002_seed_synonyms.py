"""Seed the abbreviations and synonyms the movements' stories use most; editors maintain the rest.

Spelling variants ("hoà"/"hòa", "thuỷ"/"thủy") need no entry here: query analysis unifies them.
"""

from django.db import migrations

SEED = (
    ("DVK, Dân vận khéo", "Phong trào thi đua Dân vận khéo"),
    ("CB4T, CB 4 tốt, Chi bộ bốn tốt, Chi bộ 4 tốt", "Phong trào xây dựng Chi bộ bốn tốt"),
    ("GPMB, giải phóng mặt bằng", ""),
    ("MTTQ, Mặt trận Tổ quốc", "Mặt trận Tổ quốc Việt Nam"),
    ("UBND, Ủy ban nhân dân", ""),
    ("HĐND, Hội đồng nhân dân", ""),
    ("LHPN, HLHPN, Hội Liên hiệp Phụ nữ", ""),
    ("CCB, Cựu chiến binh", "Hội Cựu chiến binh"),
    ("ĐTN, ĐTNCS, Đoàn Thanh niên", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"),
    ("TDP, tổ dân phố", ""),
    ("KDC, khu dân cư", ""),
    ("XDNTM, NTM, xây dựng nông thôn mới", ""),
    ("ANTT, an ninh trật tự", ""),
    ("CCHC, cải cách hành chính", ""),
    ("VSMT, vệ sinh môi trường", ""),
)


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms, note in SEED:
        Synonym.objects.get_or_create(terms=terms, defaults={"note": note, "is_active": True})


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(terms__in=[terms for terms, _note in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
