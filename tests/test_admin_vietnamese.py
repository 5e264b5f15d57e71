"""Every admin screen the roles use reads in Vietnamese: no text left in Wagtail's English.

Each screen is fetched as the administrator; its visible text (text nodes outside script, style
and template, plus the title, aria-label and placeholder attributes) is compared with the English
msgids of Wagtail's own catalogues. A text equal to one of them is a string that neither Wagtail's
Vietnamese catalogue nor the project's (site/locale, fragments wagtail_*.po) translates.
"""

import io
import json
from html.parser import HTMLParser
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

import wagtail
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import polib
import pytest
from PIL import Image as PILImage

from models_registry.factories import CommendationFactory, PracticeModelFactory

WAGTAIL_CATALOGUES = [
    "locale",
    "admin/locale",
    "snippets/locale",
    "images/locale",
    "documents/locale",
    "users/locale",
    "sites/locale",
    "locales/locale",
    "contrib/settings/locale",
    "contrib/redirects/locale",
    "search/locale",
    "embeds/locale",
]

# English msgids that are also what a Vietnamese screen shows, with the reason.
ALLOWED = {
    "Wagtail": "product name",
    "Wagtail admin": "never shown as is: the Vietnamese catalogue translates it",
    "Email": "the word used in Vietnamese too",
    "URL": "the word used in Vietnamese too",
    "ID": "the abbreviation used in Vietnamese too",
    "API": "technical abbreviation",
    "CSV": "file format",
    "XLSX": "file format",
    "None": "Python's None printed by Wagtail in the side-panel toggle's hidden counter, not the msgid (which "
    "Wagtail's catalogue translates as 'Không có')",
}

# Attributes Wagtail hard-codes in English, out of reach of any catalogue: (tag, id, attribute, value).
# None left: site/templates/wagtailadmin/shared/headers/_actions.html translates the one there was.
HARD_CODED: set[tuple[str, str, str, str]] = set()

VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder")
HIDDEN_ELEMENTS = {"script", "style", "template"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip


def english_msgids() -> set[str]:
    root = Path(wagtail.__file__).resolve().parent
    msgids = set()
    for catalogue in WAGTAIL_CATALOGUES:
        path = root / catalogue / "en" / "LC_MESSAGES" / "django.po"
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            for text in (entry.msgid, entry.msgid_plural):
                text = " ".join((text or "").split())
                if len(text) >= 3 and any(c.isalpha() for c in text) and text not in ALLOWED:
                    msgids.add(text)
    return msgids


class VisibleText(HTMLParser):
    """Collects the normalised visible texts of an HTML document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth += 1
            return
        if self.hidden_depth:
            return
        element_id = dict(attrs).get("id")
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and (tag, element_id, name, value) not in HARD_CODED:
                self.add(value)

    def handle_startendtag(self, tag, attrs):
        if tag not in HIDDEN_ELEMENTS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.add(data)

    def add(self, text):
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def snippet(model_name, view, *args):
    return reverse(f"wagtailsnippets_models_registry_{model_name}:{view}", args=args)


@pytest.fixture
def admin_content(db, users, unit_tree, dvk):
    """Enough content that the listings show rows, the history has entries and the choosers have items."""
    model = PracticeModelFactory(unit=unit_tree.dich_vong, movement=dvk)
    PracticeModelFactory(unit=unit_tree.o_cho_dua, movement=dvk, live=False)
    CommendationFactory(practice_model=model)
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "white").save(buffer, "PNG")
    get_image_model().objects.create(
        title="Ảnh buổi ra quân", file=ImageFile(io.BytesIO(buffer.getvalue()), name="ra-quan.png")
    )
    get_document_model().objects.create(
        title="Báo cáo tổng kết", file=ContentFile(b"%PDF-1.4 bao cao", name="bao-cao.pdf")
    )
    return model


@pytest.fixture
def screens(home_page, dvk, admin_content):
    model = admin_content
    return {
        "bảng điều khiển": reverse("wagtailadmin_home"),
        "trình duyệt trang (trang chủ)": reverse("wagtailadmin_explore", args=[home_page.pk]),
        "sửa trang phong trào": reverse("wagtailadmin_pages:edit", args=[dvk.pk]),
        "danh sách mô hình": snippet("practicemodel", "list"),
        "thêm mô hình": snippet("practicemodel", "add"),
        "sửa mô hình": snippet("practicemodel", "edit", model.pk),
        "lịch sử mô hình": snippet("practicemodel", "history", model.pk),
        "danh sách đơn vị": snippet("unit", "list"),
        "danh sách khen thưởng": snippet("commendation", "list"),
        "thư viện ảnh": reverse("wagtailimages:index"),
        "trình chọn ảnh": reverse("wagtailimages_chooser:choose"),
        "thư viện tài liệu": reverse("wagtaildocs:index"),
        "trình chọn tài liệu": reverse("wagtaildocs_chooser:choose"),
        "người dùng": reverse("wagtailusers_users:index"),
        "quy trình duyệt": reverse("wagtailadmin_workflows:index"),
        "lịch sử trang web": reverse("wagtailadmin_reports:site_history"),
        "từ đồng nghĩa, viết tắt": reverse("wagtailsnippets_search_synonym:list"),
        "thêm từ đồng nghĩa": reverse("wagtailsnippets_search_synonym:add"),
        "tài khoản": reverse("wagtailadmin_account"),
    }


def screen_html(response) -> str:
    if response["Content-Type"].startswith("application/json"):  # the choosers answer a modal's JSON
        return response.json()["html"]
    return response.content.decode()


def walk(client, user, screens: dict[str, str], broken: dict, untranslated: dict) -> None:
    """GET every screen as `user`, noting those that fail and the English Wagtail strings they show."""
    english = english_msgids()
    client.force_login(user)
    for screen, url in screens.items():
        response = client.get(url)
        if response.status_code != 200:
            broken[f"{user.username}: {screen}"] = f"{url} → HTTP {response.status_code}"
            continue
        found = sorted({text for text in visible_texts(screen_html(response)) if text in english})
        if found:
            untranslated[f"{user.username}: {screen} ({url})"] = found


def assert_all_vietnamese(broken: dict, untranslated: dict) -> None:
    assert not broken, f"Screens that did not render: {broken}"
    assert not untranslated, "English Wagtail strings on admin screens:\n" + "\n".join(
        f"  {screen} → {strings}" for screen, strings in untranslated.items()
    )


def test_admin_screens_render_in_vietnamese(client, users, screens):
    broken, untranslated = {}, {}
    walk(client, users.admin, screens, broken, untranslated)
    assert_all_vietnamese(broken, untranslated)


def test_login_screen_is_in_vietnamese(db):
    english = english_msgids()
    response = Client().get(reverse("wagtailadmin_login"))
    assert response.status_code == 200
    found = sorted({text for text in visible_texts(response.content.decode()) if text in english})
    assert not found, f"English Wagtail strings on the login screen: {found}"


def test_the_project_catalogue_wins_over_wagtails():
    with translation.override("vi"):
        assert translation.gettext("Save draft") == "Lưu nháp"
        assert translation.gettext("Dashboard") == "Bảng điều khiển"  # Wagtail's own: "Trang tổng quan"
        assert translation.gettext("Site history") == "Lịch sử trang web"
        assert translation.ngettext("Delete 1 page", "Delete %(counter)s pages", 3) % {"counter": 3} == "Xóa 3 trang"
        assert translation.ngettext("%(count)s image", "%(count)s images", 1) % {"count": 1} == "1 ảnh"


@pytest.fixture
def role_screens(users, unit_tree, dvk, admin_content):
    """The screens a unit officer, a district reviewer and a city editor use, with a model in review."""
    from models_registry.factories import UserFactory
    from models_registry.models import UnitMembership
    from models_registry.services.demo import EDITORS, OFFICERS, REVIEWERS, ensure_groups

    groups = ensure_groups()
    users.officer.groups.add(groups[OFFICERS])
    users.reviewer.groups.add(groups[REVIEWERS])
    assert UnitMembership.objects.filter(user=users.reviewer, unit=unit_tree.cau_giay).exists()
    in_review = PracticeModelFactory(
        title="Mô hình đang chờ duyệt", unit=unit_tree.dich_vong, movement=dvk, live=False
    )
    in_review.save_revision(user=users.officer)
    in_review.get_workflow().start(in_review, users.officer)
    common = {
        "bảng điều khiển": reverse("wagtailadmin_home"),
        "danh sách mô hình": snippet("practicemodel", "list"),
        "lịch sử mô hình": snippet("practicemodel", "history", in_review.pk),
        "lịch sử quy trình": snippet("practicemodel", "workflow_history", in_review.pk),
        "sửa mô hình đang duyệt": snippet("practicemodel", "edit", in_review.pk),
        "trình chọn ảnh": reverse("wagtailimages_chooser:choose"),
        "trình chọn tài liệu": reverse("wagtaildocs_chooser:choose"),
        "tài khoản": reverse("wagtailadmin_account"),
    }
    editor = UserFactory(username="bientap_vi")
    editor.groups.add(groups[EDITORS])
    return {
        users.officer: {**common, "thêm mô hình": snippet("practicemodel", "add")},
        users.reviewer: common,
        editor: {
            **common,
            "thêm mô hình": snippet("practicemodel", "add"),
            "danh sách đơn vị": snippet("unit", "list"),
            "thành viên đơn vị": snippet("unitmembership", "list"),
            "danh sách khen thưởng": snippet("commendation", "list"),
            "thêm khen thưởng": snippet("commendation", "add"),
            "thư viện ảnh": reverse("wagtailimages:index"),
            "thư viện tài liệu": reverse("wagtaildocs:index"),
        },
    }


def test_officer_reviewer_and_editor_screens_render_in_vietnamese(client, role_screens):
    broken, untranslated = {}, {}
    for user, screens in role_screens.items():
        walk(client, user, screens, broken, untranslated)
    assert_all_vietnamese(broken, untranslated)


def test_the_admins_javascript_strings_are_in_vietnamese(client, users):
    client.force_login(users.admin)
    catalogue = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    for vietnamese in ("Thu gọn tất cả", "Chèn một khối", "Ẩn/hiện thanh bên", "Đang tự động lưu…"):
        # The catalogue is JSON inside JavaScript, written with \\u escapes.
        assert json.dumps(vietnamese)[1:-1] in catalogue


def test_ages_read_in_vietnamese():
    import datetime

    from django.utils import timezone
    from django.utils.timesince import timesince

    with translation.override("vi"):
        assert (
            timesince(timezone.now() - datetime.timedelta(days=3, minutes=1)) == "3\xa0ngày"
        )  # Django keeps a no-break space
