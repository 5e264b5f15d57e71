"""Seed the site: the home page, the two movements with their criteria, and the four fields.

Wagtail's own initial migration creates a placeholder "Welcome" page; it is replaced by
the HomePage here, as Wagtail's project template does.
"""

from django.db import migrations
from django.utils import timezone

FIELDS = [
    ("Kinh tế", "kinh-te"),
    ("Văn hóa - xã hội", "van-hoa-xa-hoi"),
    ("Quốc phòng - an ninh", "quoc-phong-an-ninh"),
    ("Xây dựng hệ thống chính trị", "xay-dung-he-thong-chinh-tri"),
]

MOVEMENTS = [
    {
        "title": "Dân vận khéo",
        "slug": "dan-van-kheo",
        "abbreviation": "DVK",
        "intro": (
            "<p>Phong trào thi đua “Dân vận khéo” khơi dậy sức dân, phát huy quyền làm chủ của Nhân dân "
            "trong phát triển kinh tế, văn hóa - xã hội, quốc phòng - an ninh và xây dựng hệ thống chính trị. "
            "Mỗi mô hình là một cách làm hay được cơ sở đúc kết, được cấp trên công nhận và nhân rộng.</p>"
        ),
        "criteria": [
            ("Có cách làm mới, sáng tạo", "Mô hình có cách làm mới, phù hợp với thực tiễn địa phương, đơn vị."),
            ("Phát huy được sức dân", "Huy động được Nhân dân tự nguyện tham gia đóng góp công sức, trí tuệ, vật chất."),
            ("Mang lại hiệu quả thiết thực", "Kết quả đo đếm được, được Nhân dân đồng tình, ủng hộ."),
            ("Có khả năng nhân rộng", "Có thể áp dụng ở các địa phương, đơn vị khác."),
        ],
        "fields": ["kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh", "xay-dung-he-thong-chinh-tri"],
    },
    {
        "title": "Chi bộ bốn tốt",
        "slug": "chi-bo-bon-tot",
        "abbreviation": "CB4T",
        "intro": (
            "<p>Phong trào xây dựng “Chi bộ bốn tốt” nâng cao năng lực lãnh đạo và sức chiến đấu của chi bộ "
            "cơ sở: tư tưởng chính trị tốt, lãnh đạo thực hiện nhiệm vụ chính trị tốt, chất lượng sinh hoạt "
            "chi bộ tốt và xây dựng đội ngũ đảng viên tốt.</p>"
        ),
        "criteria": [
            ("Tư tưởng chính trị tốt", "Chi bộ và đảng viên giữ vững lập trường, chấp hành nghiêm chủ trương, nghị quyết."),
            ("Lãnh đạo thực hiện nhiệm vụ chính trị tốt", "Hoàn thành tốt nhiệm vụ chính trị của địa bàn, đơn vị."),
            ("Chất lượng sinh hoạt chi bộ tốt", "Sinh hoạt định kỳ, chuyên đề nền nếp, nội dung thiết thực."),
            ("Xây dựng đội ngũ đảng viên tốt", "Đảng viên gương mẫu, phát triển đảng viên mới, quản lý đảng viên chặt chẽ."),
        ],
        "fields": ["xay-dung-he-thong-chinh-tri", "van-hoa-xa-hoi", "kinh-te"],
    },
]


def create_initial_content(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("movements.HomePage")
    MovementPage = apps.get_model("movements.MovementPage")
    Criterion = apps.get_model("movements.Criterion")
    Field = apps.get_model("movements.Field")

    fields = {}
    for order, (name, slug) in enumerate(FIELDS):
        fields[slug], _ = Field.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})

    if HomePage.objects.exists():
        return
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(language_code="vi")
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=page_type, depth=2, slug="home").delete()
    root = Page.objects.get(depth=1)
    now = timezone.now()

    home_type, _ = ContentType.objects.get_or_create(app_label="movements", model="homepage")
    home = HomePage.objects.create(
        title="Trang chủ",
        draft_title="Trang chủ",
        seo_title="Mô hình Dân vận khéo – Chi bộ bốn tốt",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=len(MOVEMENTS),
        url_path="/home/",
        locale=locale,
        live=True,
        first_published_at=now,
        last_published_at=now,
        hero_title="Kho mô hình “Dân vận khéo” và “Chi bộ bốn tốt”",
        intro=(
            "<p>Nơi lưu giữ, lan tỏa những cách làm hay của các đơn vị, địa phương: câu chuyện, hình ảnh, "
            "kết quả đo đếm được và các quyết định khen thưởng.</p>"
        ),
    )
    # The placeholder page is gone, so the home page takes the first child slot of the root.
    Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())

    movement_type, _ = ContentType.objects.get_or_create(app_label="movements", model="movementpage")
    for index, data in enumerate(MOVEMENTS, start=1):
        movement = MovementPage.objects.create(
            title=data["title"],
            draft_title=data["title"],
            slug=data["slug"],
            content_type=movement_type,
            path=home.path + f"{index:04d}",
            depth=3,
            numchild=0,
            url_path=f"/home/{data['slug']}/",
            locale=locale,
            live=True,
            first_published_at=now,
            last_published_at=now,
            abbreviation=data["abbreviation"],
            intro=data["intro"],
        )
        movement.fields.set([fields[slug] for slug in data["fields"]])
        for order, (name, description) in enumerate(data["criteria"]):
            Criterion.objects.create(movement=movement, sort_order=order, name=name, description=description)

    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Mô hình thi đua"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("movements", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_initial_content, migrations.RunPython.noop)]
