"""Pictures and documents for the demo, drawn and written on the spot: nothing is downloaded.

A small pool (`PICTURES`) of pleasant scenes with a Vietnamese caption is drawn with Pillow and reused
by every demo model; a few short reports and a commendation decision become Wagtail documents.
"""

import csv
import io
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from search.text import fold

from .stories import ECONOMY, POLITICS, SECURITY, SOCIETY

WIDTH, HEIGHT = 1200, 800

# Fonts known to carry Vietnamese letters, tried in order; Pillow's built-in font is the fallback.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
VIETNAMESE_PROBE = "ẶệỮđƠ"


@dataclass(frozen=True)
class Picture:
    caption: str
    theme: str  # the field it illustrates best
    scene: str  # which drawing: fields, street, night, hall, lotus, abstract


PICTURES: tuple[Picture, ...] = (
    Picture("Cánh đồng lúa sau dồn điền đổi thửa", ECONOMY, "fields"),
    Picture("Nông dân thu hoạch rau an toàn VietGAP", ECONOMY, "fields"),
    Picture("Đường làng được mở rộng nhờ Nhân dân hiến đất", ECONOMY, "fields"),
    Picture("Tiểu thương thanh toán bằng mã QR tại chợ", ECONOMY, "street"),
    Picture("Gian hàng sản phẩm OCOP của hợp tác xã", ECONOMY, "abstract"),
    Picture("Hội viên phụ nữ nhận vốn vay phát triển kinh tế", ECONOMY, "hall"),
    Picture("Vườn cây ăn quả của hội viên cựu chiến binh", ECONOMY, "fields"),
    Picture("Làng nghề truyền thống vào mùa sản xuất", ECONOMY, "street"),
    Picture("Tuyến phố văn minh, rợp bóng cây xanh", SOCIETY, "street"),
    Picture("Ngày hội phân loại rác thải tại nguồn", SOCIETY, "abstract"),
    Picture("Tủ sách cộng đồng tại nhà văn hóa", SOCIETY, "abstract"),
    Picture("Bữa cơm nghĩa tình cho bệnh nhân nghèo", SOCIETY, "hall"),
    Picture("Câu lạc bộ dưỡng sinh người cao tuổi", SOCIETY, "lotus"),
    Picture("Sân chơi thiếu nhi trên điểm tập kết rác cũ", SOCIETY, "street"),
    Picture("Hồ sen mùa hạ ở khu dân cư", SOCIETY, "lotus"),
    Picture("Khánh thành mái ấm tình thương", SOCIETY, "fields"),
    Picture("Camera an ninh lắp tại đầu ngõ", SECURITY, "night"),
    Picture("Tổ liên gia diễn tập phòng cháy chữa cháy", SECURITY, "night"),
    Picture("Thanh niên xung kích tuần tra ban đêm", SECURITY, "night"),
    Picture("Đoàn viên phân luồng giao thông trước cổng trường", SECURITY, "street"),
    Picture("Tuyên truyền phòng, chống lừa đảo qua mạng", SECURITY, "hall"),
    Picture("Khu dân cư bình yên về đêm", SECURITY, "night"),
    Picture("Đường quê sáng đèn", SECURITY, "fields"),
    Picture("Hội nghị đối thoại giữa lãnh đạo và Nhân dân", POLITICS, "hall"),
    Picture("Buổi “Dân hỏi – cán bộ trả lời” tại tổ dân phố", POLITICS, "hall"),
    Picture("Sinh hoạt chi bộ định kỳ", POLITICS, "hall"),
    Picture("Lễ kết nạp đảng viên mới", POLITICS, "hall"),
    Picture("Bộ phận một cửa thân thiện", POLITICS, "abstract"),
    Picture("Đoàn viên hướng dẫn người dân dùng dịch vụ công trực tuyến", POLITICS, "street"),
    Picture("Hoa sen – biểu tượng của lòng dân", POLITICS, "lotus"),
    Picture("Ngày hội Đại đoàn kết toàn dân tộc", POLITICS, "fields"),
    Picture("Lễ trao bằng khen cho tập thể tiêu biểu", POLITICS, "abstract"),
)

PALETTES = (
    ((255, 214, 165), (253, 252, 220), (76, 146, 90), (196, 40, 44)),
    ((173, 216, 230), (235, 245, 255), (60, 130, 80), (220, 120, 40)),
    ((255, 190, 150), (255, 235, 205), (110, 160, 70), (180, 50, 80)),
    ((200, 220, 255), (250, 250, 255), (40, 110, 100), (230, 160, 30)),
    ((255, 205, 210), (255, 245, 235), (90, 150, 110), (200, 60, 60)),
)


# Soft façade colours of Hà Nội streets: ochre, cream, pale blue, brick, sage.
BUILDING_COLOURS = (
    (233, 196, 106),
    (244, 226, 198),
    (168, 198, 222),
    (214, 140, 110),
    (176, 196, 160),
    (236, 214, 160),
    (200, 186, 210),
)


def _covers_vietnamese(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> bool:
    """A font lacking a glyph draws the same "missing" box for every absent letter."""

    def render(text: str) -> bytes:
        canvas = Image.new("L", (64, 64))
        ImageDraw.Draw(canvas).text((8, 4), text, font=font, fill=255)
        return canvas.tobytes()

    missing = render("\U000f0000")
    return all(render(letter) != missing for letter in VIETNAMESE_PROBE)


@cache
def caption_font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """A font for captions and whether it draws Vietnamese; without one, captions are written unaccented."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            font = ImageFont.truetype(candidate, size=size)
            if _covers_vietnamese(font):
                return font, True
    font = ImageFont.load_default(size=size)
    return font, _covers_vietnamese(font)


def _gradient(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple, start: int, end: int) -> None:
    for y in range(start, end):
        t = (y - start) / max(1, end - start - 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (WIDTH, y)], fill=colour)


def _fields(draw, rng, palette):
    sky, light, green, _accent = palette
    _gradient(draw, sky, light, 0, HEIGHT // 2)
    sun_x = rng.randint(150, WIDTH - 150)
    draw.ellipse([sun_x - 60, 90, sun_x + 60, 210], fill=(255, 236, 150))
    for layer in range(3):
        base = HEIGHT // 2 - 40 + layer * 50
        shade = tuple(max(0, c - 25 * (2 - layer)) for c in green)
        points = [(0, HEIGHT)]
        for x in range(0, WIDTH + 60, 60):
            points.append((x, base + int(30 * math.sin(x / 140 + layer * 2 + rng.random()))))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=shade)
    for row in range(12):
        y = HEIGHT // 2 + 110 + row * 24
        colour = tuple(min(255, c + 30 + row * 3) for c in green)
        draw.line([(0, y), (WIDTH, y + rng.randint(-8, 8))], fill=colour, width=5)
    # A road running into the distance.
    draw.polygon([(WIDTH // 2 - 30, HEIGHT // 2 + 60), (WIDTH // 2 + 30, HEIGHT // 2 + 60), (760, HEIGHT),
                  (440, HEIGHT)], fill=(205, 190, 160))  # fmt: skip


def _street(draw, rng, palette):
    sky, light, green, _accent = palette
    _gradient(draw, sky, light, 0, HEIGHT)
    x = 0
    while x < WIDTH:
        width = rng.randint(90, 170)
        height = rng.randint(220, 470)
        colour = rng.choice(BUILDING_COLOURS)
        top = HEIGHT - 160 - height
        draw.rectangle([x, top, x + width, HEIGHT - 160], fill=colour)
        for wy in range(top + 20, HEIGHT - 180, 42):
            for wx in range(x + 14, x + width - 20, 30):
                draw.rectangle([wx, wy, wx + 16, wy + 22], fill=(250, 245, 225))
        x += width + rng.randint(4, 14)
    draw.rectangle([0, HEIGHT - 160, WIDTH, HEIGHT], fill=(150, 150, 155))
    draw.rectangle([0, HEIGHT - 175, WIDTH, HEIGHT - 160], fill=(210, 205, 195))
    for tx in range(60, WIDTH, 220):
        draw.rectangle([tx - 6, HEIGHT - 300, tx + 6, HEIGHT - 170], fill=(110, 80, 50))
        draw.ellipse([tx - 60, HEIGHT - 400, tx + 60, HEIGHT - 270], fill=green)
    for dash in range(0, WIDTH, 80):
        draw.rectangle([dash, HEIGHT - 85, dash + 44, HEIGHT - 77], fill=(245, 245, 240))


def _night(draw, rng, palette):
    _gradient(draw, (18, 24, 60), (60, 70, 120), 0, HEIGHT)
    for _star in range(70):
        sx, sy = rng.randint(0, WIDTH), rng.randint(0, HEIGHT // 2)
        draw.ellipse([sx, sy, sx + 3, sy + 3], fill=(255, 255, 230))
    draw.ellipse([WIDTH - 220, 70, WIDTH - 130, 160], fill=(250, 245, 210))
    x = 0
    while x < WIDTH:
        width, height = rng.randint(100, 180), rng.randint(200, 420)
        top = HEIGHT - 140 - height
        draw.rectangle([x, top, x + width, HEIGHT - 140], fill=(35, 40, 70))
        for wy in range(top + 20, HEIGHT - 160, 40):
            for wx in range(x + 14, x + width - 20, 30):
                if rng.random() < 0.55:
                    draw.rectangle([wx, wy, wx + 14, wy + 20], fill=(255, 214, 120))
        x += width + 8
    draw.rectangle([0, HEIGHT - 140, WIDTH, HEIGHT], fill=(45, 45, 55))
    for lx in range(100, WIDTH, 260):
        draw.rectangle([lx - 4, HEIGHT - 360, lx + 4, HEIGHT - 140], fill=(90, 90, 100))
        draw.ellipse([lx - 70, HEIGHT - 400, lx + 70, HEIGHT - 300], fill=(90, 80, 60))
        draw.ellipse([lx - 18, HEIGHT - 372, lx + 18, HEIGHT - 340], fill=(255, 230, 150))


def _hall(draw, rng, palette):
    sky, _light, green, accent = palette
    _gradient(draw, (245, 238, 225), (225, 210, 190), 0, HEIGHT)
    draw.rectangle([120, 60, WIDTH - 120, 250], fill=(196, 30, 36))
    draw.rectangle([130, 70, WIDTH - 130, 240], outline=(250, 210, 80), width=4)
    cx = WIDTH // 2
    star = [
        (cx + 44 * math.cos(math.pi / 2 + k * math.pi / 5) * (1 if k % 2 == 0 else 0.4),
         155 - 44 * math.sin(math.pi / 2 + k * math.pi / 5) * (1 if k % 2 == 0 else 0.4))
        for k in range(10)
    ]  # fmt: skip
    draw.polygon(star, fill=(250, 210, 80))
    draw.rectangle([0, 420, WIDTH, HEIGHT], fill=(170, 120, 80))
    for row in range(4):
        y = 470 + row * 80
        for col in range(14):
            x = 40 + col * 82 + (row % 2) * 40
            tone = rng.choice(((40, 40, 40), (60, 45, 35), (30, 30, 35)))
            draw.ellipse([x, y - 30, x + 40, y + 10], fill=tone)
            draw.rounded_rectangle([x - 12, y + 8, x + 52, y + 70], radius=18, fill=rng.choice((accent, green, sky)))
    for vase in (80, WIDTH - 140):
        draw.ellipse([vase, 300, vase + 60, 380], fill=(240, 200, 60))


def _lotus(draw, rng, palette):
    _gradient(draw, (200, 230, 235), (120, 180, 170), 0, HEIGHT)
    for _leaf in range(14):
        lx, ly = rng.randint(-50, WIDTH), rng.randint(HEIGHT // 3, HEIGHT)
        size = rng.randint(90, 170)
        draw.ellipse([lx, ly, lx + size * 1.6, ly + size * 0.8], fill=(50 + rng.randint(0, 40), 130, 70))
    for _flower in range(5):
        fx, fy = rng.randint(150, WIDTH - 150), rng.randint(HEIGHT // 3, HEIGHT - 220)
        draw.line([(fx, fy + 40), (fx + rng.randint(-20, 20), HEIGHT)], fill=(60, 120, 60), width=6)
        for petal in range(7):
            angle = math.pi * (0.15 + 0.7 * petal / 6)
            px, py = fx + 60 * math.cos(angle), fy - 60 * math.sin(angle)
            draw.ellipse([min(fx, px) - 22, min(fy, py) - 22, max(fx, px) + 22, max(fy, py) + 22],
                         fill=(240, 140 + petal * 8, 170))  # fmt: skip
        draw.ellipse([fx - 16, fy - 16, fx + 16, fy + 16], fill=(250, 220, 90))


def _abstract(draw, rng, palette):
    sky, light, green, accent = palette
    _gradient(draw, light, sky, 0, HEIGHT)
    for _shape in range(18):
        colour = rng.choice((sky, green, accent, (250, 200, 80), (120, 170, 220)))
        x, y, r = rng.randint(-100, WIDTH), rng.randint(-100, HEIGHT), rng.randint(40, 220)
        if rng.random() < 0.5:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
        else:
            draw.rounded_rectangle([x, y, x + r * 2, y + r], radius=r // 3, fill=colour)


SCENES = {
    "fields": _fields,
    "street": _street,
    "night": _night,
    "hall": _hall,
    "lotus": _lotus,
    "abstract": _abstract,
}


def _wrap(text: str, font, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


@cache  # the same picture is asked for again by every test and every fresh database in a process
def draw_picture(*, position: int, picture: Picture, seed: int = 2025) -> bytes:
    """One demo picture as JPEG bytes: the scene, softened, with its caption on a dark band."""
    rng = random.Random(f"demo-picture:{seed}:{position}")  # noqa: S311 - decoration, not security
    palette = PALETTES[position % len(PALETTES)]
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    SCENES[picture.scene](draw, rng, palette)
    image = image.filter(ImageFilter.SMOOTH)

    font, vietnamese = caption_font(40)
    small, _ = caption_font(22)
    caption = picture.caption if vietnamese else fold(picture.caption).capitalize()
    label = "Ảnh minh họa" if vietnamese else "Anh minh hoa"
    lines = _wrap(caption, font, WIDTH - 120)
    band_height = 40 + 52 * len(lines)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    overlay_draw = ImageDraw.Draw(overlay)
    overlay_draw.rectangle([0, HEIGHT - band_height, WIDTH, HEIGHT], fill=(10, 20, 30, 165))
    overlay_draw.rounded_rectangle([30, 30, 60 + int(small.getlength(label)), 74], radius=10, fill=(196, 30, 36, 220))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.text((45, 38), label, font=small, fill=(255, 255, 255))
    for number, line in enumerate(lines):
        draw.text((60, HEIGHT - band_height + 20 + number * 52), line, font=font, fill=(255, 255, 255))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=82, optimize=True)
    return output.getvalue()


@dataclass(frozen=True)
class DemoDocument:
    title: str
    filename: str
    content: bytes


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    # A byte-order mark lets spreadsheet programs open the Vietnamese text as UTF-8.
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        "Báo cáo kết quả thực hiện mô hình “Dân vận khéo”",
        "bao-cao-ket-qua-mo-hinh-dan-van-kheo.txt",
        _text(
            [
                "ĐẢNG BỘ PHƯỜNG ...                         ĐẢNG CỘNG SẢN VIỆT NAM",
                "",
                "BÁO CÁO",
                "Kết quả thực hiện mô hình “Dân vận khéo”",
                "",
                "I. ĐẶC ĐIỂM TÌNH HÌNH",
                "Địa bàn có 12 tổ dân phố, 3.450 hộ với 11.200 nhân khẩu.",
                "",
                "II. KẾT QUẢ THỰC HIỆN",
                "1. Công tác lãnh đạo, chỉ đạo: cấp ủy ban hành kế hoạch, phân công đảng viên phụ trách.",
                "2. Kết quả cụ thể: 100% tổ dân phố triển khai; Nhân dân đóng góp 1.250 triệu đồng.",
                "",
                "III. BÀI HỌC KINH NGHIỆM",
                "Phát huy vai trò nêu gương của cán bộ, đảng viên; công khai, dân chủ để Nhân dân tham gia.",
                "",
                "(Tài liệu minh họa cho dữ liệu mẫu.)",
            ]
        ),
    ),
    DemoDocument(
        "Kế hoạch triển khai mô hình năm 2024",
        "ke-hoach-trien-khai-mo-hinh.txt",
        _text(
            [
                "KẾ HOẠCH",
                "Triển khai mô hình năm 2024",
                "",
                "1. Mục đích, yêu cầu: khơi dậy sức dân, phát huy quyền làm chủ của Nhân dân.",
                "2. Nội dung: khảo sát, lấy ý kiến Nhân dân; tổ chức thực hiện; sơ kết, tổng kết.",
                "3. Tiến độ: Quý I khảo sát; Quý II – III triển khai; Quý IV sơ kết, đề nghị khen thưởng.",
                "4. Tổ chức thực hiện: chi bộ lãnh đạo, chính quyền điều hành, Mặt trận và đoàn thể phối hợp.",
                "",
                "(Tài liệu minh họa cho dữ liệu mẫu.)",
            ]
        ),
    ),
    DemoDocument(
        "Bảng tổng hợp kết quả đo đếm được",
        "bang-tong-hop-ket-qua.csv",
        _csv(
            [
                ["Chỉ tiêu", "Năm 2022", "Năm 2023", "Năm 2024", "Đơn vị tính"],
                ["Số hộ tham gia", "180", "245", "312", "hộ"],
                ["Kinh phí Nhân dân đóng góp", "420", "655", "910", "triệu đồng"],
                ["Tỷ lệ hộ hài lòng", "86,5", "92,1", "96,4", "%"],
            ]
        ),
    ),
    DemoDocument(
        "Biên bản hội nghị lấy ý kiến Nhân dân",
        "bien-ban-hoi-nghi-lay-y-kien.txt",
        _text(
            [
                "BIÊN BẢN",
                "Hội nghị lấy ý kiến Nhân dân về phương án triển khai mô hình",
                "",
                "Thời gian: 19 giờ 30, tại Nhà văn hóa tổ dân phố.",
                "Thành phần: đại diện chi bộ, ban công tác Mặt trận, các đoàn thể và 86 đại biểu hộ gia đình.",
                "Kết quả biểu quyết: 84/86 đại biểu tán thành (97,7%).",
                "",
                "(Tài liệu minh họa cho dữ liệu mẫu.)",
            ]
        ),
    ),
    DemoDocument(
        "Quyết định khen thưởng (bản chụp minh họa)",
        "quyet-dinh-khen-thuong.txt",
        _text(
            [
                "ỦY BAN NHÂN DÂN                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "                                      Độc lập – Tự do – Hạnh phúc",
                "",
                "QUYẾT ĐỊNH",
                "Về việc tặng Giấy khen cho tập thể có mô hình “Dân vận khéo” tiêu biểu",
                "",
                "Điều 1. Tặng Giấy khen cho tập thể có thành tích xuất sắc trong phong trào thi đua.",
                "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
                "",
                "(Tài liệu minh họa cho dữ liệu mẫu.)",
            ]
        ),
    ),
)
DECISION_DOCUMENT_POSITION = 4
