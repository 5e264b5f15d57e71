"""Seed the evaluation criteria of the two movements; they stay editable data in the admin.

"Chi bộ bốn tốt": the four "tốt" as Resolution 21-NQ/TW (16/6/2022, 5th plenum of the 13th Central
Committee) names them for the "four-good party cell" model: leading the political task well, good
quality of cell meetings, good unity and discipline, good cadres and party members. Each is scored
out of 25 points, so a party cell's total reads out of 100.

"Dân vận khéo": the four qualities the movement asks of a model (a new way of working, the people's
strength mobilised, practical results, replicable), 25 points each, plus one pass/fail condition:
a model must be in line with the Party's guidelines and the State's laws, whatever its score.
"""

from decimal import Decimal

from django.db import migrations

POINTS, PASS_FAIL = "weighted", "pass_fail"

CRITERIA = {
    "chi-bo-bon-tot": [
        (
            "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị",
            "Chi bộ lãnh đạo hoàn thành tốt nhiệm vụ chính trị của địa phương, cơ quan, đơn vị; nghị quyết "
            "của chi bộ sát thực tế, được tổ chức thực hiện hiệu quả.",
            POINTS,
        ),
        (
            "Chất lượng sinh hoạt tốt",
            "Sinh hoạt chi bộ định kỳ, chuyên đề nền nếp, nội dung thiết thực; thực hiện nghiêm nguyên tắc tập "
            "trung dân chủ, tự phê bình và phê bình.",
            POINTS,
        ),
        (
            "Đoàn kết, kỷ luật tốt",
            "Nội bộ chi bộ đoàn kết, thống nhất; chấp hành nghiêm kỷ luật của Đảng, pháp luật của Nhà nước; "
            "không có đảng viên vi phạm phải xử lý kỷ luật.",
            POINTS,
        ),
        (
            "Cán bộ, đảng viên tốt",
            "Cán bộ, đảng viên gương mẫu, giữ mối liên hệ mật thiết với Nhân dân; làm tốt công tác phát triển, "
            "quản lý đảng viên.",
            POINTS,
        ),
    ],
    "dan-van-kheo": [
        (
            "Có cách làm mới, sáng tạo",
            "Mô hình có cách làm mới, phù hợp với thực tiễn địa phương, đơn vị.",
            POINTS,
        ),
        (
            "Phát huy được sức dân",
            "Huy động được Nhân dân tự nguyện tham gia đóng góp công sức, trí tuệ, vật chất.",
            POINTS,
        ),
        (
            "Mang lại hiệu quả thiết thực",
            "Kết quả đo đếm được, được Nhân dân đồng tình, ủng hộ.",
            POINTS,
        ),
        (
            "Có khả năng nhân rộng",
            "Có thể áp dụng ở các địa phương, đơn vị khác.",
            POINTS,
        ),
        (
            "Đúng chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
            "Điều kiện bắt buộc: mô hình không đáp ứng điều kiện này bị xếp loại không đạt, dù điểm cao.",
            PASS_FAIL,
        ),
    ],
}


def seed_criteria(apps, schema_editor):
    MovementPage = apps.get_model("movements", "MovementPage")
    Criterion = apps.get_model("emulation", "Criterion")
    for slug, criteria in CRITERIA.items():
        movement = MovementPage.objects.filter(slug=slug).first()
        if movement is None:
            continue
        for sort_order, (name, description, kind) in enumerate(criteria):
            Criterion.objects.get_or_create(
                movement=movement,
                name=name,
                defaults={
                    "description": description,
                    "kind": kind,
                    "weight": Decimal("1"),
                    "max_score": Decimal("25") if kind == POINTS else Decimal("0"),
                    "sort_order": sort_order,
                    "is_active": True,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("emulation", "0001_initial"),
        ("movements", "0002_initial_content"),
    ]

    operations = [migrations.RunPython(seed_criteria, migrations.RunPython.noop)]
