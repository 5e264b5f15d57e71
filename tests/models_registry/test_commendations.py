"""Commendation decisions: the award services, the admin screens, the certificate and the timeline.

The reviewer of Quận Cầu Giấy (unit_tree.cau_giay) commends the published models of the district
and of every unit below it; the ward officer of Dịch Vọng commends nothing. Every refusal is
asserted in Vietnamese, and with nothing saved: no commendation row, no log entry, no document.
"""

import datetime
import io
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.models import ModelLogEntry

import pytest
import zxingcpp
from PIL import Image as PILImage
from pypdf import PdfReader

from models_registry.certificates import certificate_pdf
from models_registry.factories import CommendationFactory, PracticeModelFactory, UnitMembershipFactory, UserFactory
from models_registry.models import Commendation, CommendationForm, RecognitionLevel, UnitMembership
from models_registry.services import commendations as services
from models_registry.services.demo import EDITORS, OFFICERS, REVIEWERS, ensure_groups
from search.models import SearchEntry

Document = get_document_model()
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DECISION = {
    "form": CommendationForm.DIPLOMA_OF_MERIT,
    "level": RecognitionLevel.DISTRICT,
    "decision_number": "245/QĐ-UBND",
    "decision_date": datetime.date(2024, 12, 20),
    "issuing_body": "Ủy ban nhân dân quận Cầu Giấy",
    "title": "Mô hình Dân vận khéo tiêu biểu năm 2024",
}


@pytest.fixture
def reviewer(users):
    users.reviewer.groups.add(ensure_groups()[REVIEWERS])
    return users.reviewer


@pytest.fixture
def officer(users):
    users.officer.groups.add(ensure_groups()[OFFICERS])
    return users.officer


@pytest.fixture
def models(unit_tree, dvk, cb4t):
    """Published models in Cầu Giấy's subtree and in Đống Đa, and a draft in Dịch Vọng."""
    return {
        "dich_vong": PracticeModelFactory(title="Ngõ phố xanh - sạch - đẹp", unit=unit_tree.dich_vong, movement=dvk),
        "cell": PracticeModelFactory(title="Chi bộ tự quản an toàn", unit=unit_tree.cell, movement=cb4t),
        "women": PracticeModelFactory(title="Phụ nữ giúp nhau làm kinh tế", unit=unit_tree.women, movement=dvk),
        "district": PracticeModelFactory(title="Quận Cầu Giấy dân vận khéo", unit=unit_tree.cau_giay, movement=dvk),
        "dong_da": PracticeModelFactory(title="Tổ an ninh Ô Chợ Dừa", unit=unit_tree.o_cho_dua, movement=dvk),
        "draft": PracticeModelFactory(title="Bản nháp Dịch Vọng", unit=unit_tree.dich_vong, movement=dvk, live=False),
    }


def award_logs():
    return ModelLogEntry.objects.filter(action=services.AWARD_ACTION)


def messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def assert_nothing_saved(documents_before: int = 0):
    assert Commendation.objects.count() == 0
    assert not award_logs().exists()
    assert Document.objects.count() == documents_before


# ---------------------------------------------------------------------------------------------
# The services


def test_award_one_model_records_the_decision_logs_it_and_reaches_the_search_index(reviewer, models):
    commendation = services.award_commendation(user=reviewer, practice_model=models["dich_vong"], **DECISION)

    assert commendation.pk and commendation.practice_model == models["dich_vong"]
    assert (commendation.decision_number, commendation.issuing_body) == (
        "245/QĐ-UBND",
        "Ủy ban nhân dân quận Cầu Giấy",
    )
    entries = award_logs()
    assert {entry.content_type.model for entry in entries} == {"commendation", "practicemodel"}
    assert all(entry.user_id == reviewer.pk for entry in entries)
    assert entries.get(content_type__model="practicemodel").data["decision_number"] == "245/QĐ-UBND"
    # The database search index knows the model is now commended with a diploma of merit.
    assert " bang-khen " in SearchEntry.objects.get(pk=models["dich_vong"].pk).forms


def test_award_a_nomination_list_records_one_row_per_model_sharing_the_decision(reviewer, models):
    chosen = [models["dich_vong"], models["cell"], models["women"], models["district"]]

    created = services.award_commendations(user=reviewer, practice_models=chosen, **DECISION)

    assert [c.practice_model_id for c in created] == [m.pk for m in chosen]
    rows = Commendation.objects.all()
    assert rows.count() == 4
    assert set(rows.values_list("decision_number", "decision_date", "issuing_body", "form", "level")) == {
        ("245/QĐ-UBND", datetime.date(2024, 12, 20), "Ủy ban nhân dân quận Cầu Giấy", "bang-khen", "quan-huyen")
    }
    assert award_logs().count() == 8  # one on each commendation, one in each model's history
    assert SearchEntry.objects.filter(pk__in=[m.pk for m in chosen], forms__contains=" bang-khen ").count() == 4


def test_a_list_naming_an_unpublished_model_is_refused_whole(reviewer, models):
    chosen = [models["dich_vong"], models["draft"], models["cell"]]

    with pytest.raises(ValidationError) as refused:
        services.award_commendations(user=reviewer, practice_models=chosen, **DECISION)

    assert messages_of(refused.value) == [
        "Dòng 2: mô hình “Bản nháp Dịch Vọng” chưa được công bố: chỉ mô hình đã công bố mới được khen thưởng."
    ]
    assert_nothing_saved()
    assert SearchEntry.objects.get(pk=models["dich_vong"].pk).forms.strip() == ""


def test_a_decision_dated_in_the_future_is_refused(reviewer, models):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        services.award_commendations(
            user=reviewer,
            practice_models=[models["dich_vong"], models["cell"]],
            **{**DECISION, "decision_date": tomorrow},
        )

    today = timezone.localdate().strftime("%d/%m/%Y")
    assert messages_of(refused.value) == [
        f"Ngày quyết định {tomorrow:%d/%m/%Y} là ngày trong tương lai: hãy nhập ngày ký quyết định, "
        f"muộn nhất là hôm nay ({today})."
    ]
    assert_nothing_saved()


def test_today_is_not_the_future(reviewer, models):
    commendation = services.award_commendation(
        user=reviewer, practice_model=models["dich_vong"], **{**DECISION, "decision_date": timezone.localdate()}
    )
    assert commendation.decision_date == timezone.localdate()


@pytest.mark.parametrize(
    ("number", "body"),
    [
        ("245/QĐ-UBND", "Ủy ban nhân dân quận Cầu Giấy"),
        ("245/qđ-ubnd", "ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY"),  # case
        ("  245/QĐ-UBND ", "Ủy  ban nhân dân   quận Cầu Giấy"),  # spaces
        (unicodedata.normalize("NFD", "245/QĐ-UBND"), unicodedata.normalize("NFD", "Ủy ban nhân dân quận Cầu Giấy")),
    ],
    ids=["same", "case", "spaces", "decomposed-unicode"],
)
def test_a_number_the_body_used_that_year_for_another_decision_is_refused(reviewer, models, number, body):
    services.award_commendation(user=reviewer, practice_model=models["dich_vong"], **DECISION)
    before = Commendation.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.award_commendations(
            user=reviewer,
            practice_models=[models["cell"], models["women"]],
            **{
                **DECISION,
                "decision_number": number,
                "issuing_body": body,
                "decision_date": datetime.date(2024, 3, 1),
            },
        )

    assert messages_of(refused.value) == [
        "Ủy ban nhân dân quận Cầu Giấy đã dùng số 245/QĐ-UBND trong năm 2024 cho quyết định ngày 20/12/2024: "
        "một số không thể dùng cho hai quyết định khác nhau. Hãy kiểm tra lại số hoặc ngày quyết định."
    ]
    assert Commendation.objects.count() == before
    assert award_logs().count() == 2  # the first decision's only


def test_the_same_number_is_free_in_another_year_or_for_another_body(reviewer, models):
    services.award_commendation(user=reviewer, practice_model=models["dich_vong"], **DECISION)

    next_year = services.award_commendation(
        user=reviewer, practice_model=models["cell"], **{**DECISION, "decision_date": datetime.date(2025, 1, 5)}
    )
    other_body = services.award_commendation(
        user=reviewer,
        practice_model=models["women"],
        **{**DECISION, "issuing_body": "Ban Dân vận Quận ủy Cầu Giấy", "decision_date": datetime.date(2024, 6, 1)},
    )

    assert next_year.pk and other_body.pk
    assert Commendation.objects.count() == 3


def test_more_models_join_a_decision_on_record_which_lends_them_its_scan(reviewer, models):
    scan = Document.objects.create(title="QĐ 245", file=ContentFile(PDF_BYTES, name="qd-245.pdf"))
    services.award_commendation(user=reviewer, practice_model=models["dich_vong"], decision_document=scan, **DECISION)

    # The same decision typed a little differently: the same decision all the same.
    later = services.award_commendation(
        user=reviewer,
        practice_model=models["cell"],
        **{**DECISION, "decision_number": "245/qđ-ubnd", "issuing_body": "ủy ban nhân dân quận cầu giấy"},
    )

    assert later.decision_document_id == scan.pk
    assert Commendation.objects.filter(decision_document=scan).count() == 2


def test_a_model_is_commended_once_by_a_decision(reviewer, models):
    services.award_commendation(user=reviewer, practice_model=models["dich_vong"], **DECISION)

    with pytest.raises(ValidationError) as refused:
        services.award_commendations(user=reviewer, practice_models=[models["cell"], models["dich_vong"]], **DECISION)

    assert messages_of(refused.value) == [
        "Dòng 2: mô hình “Ngõ phố xanh - sạch - đẹp” đã được khen thưởng theo Quyết định số 245/QĐ-UBND ngày 20/12/2024."
    ]
    assert Commendation.objects.count() == 1


def test_a_model_listed_twice_is_refused(reviewer, models):
    with pytest.raises(ValidationError) as refused:
        services.award_commendations(
            user=reviewer, practice_models=[models["cell"], models["dich_vong"], models["cell"]], **DECISION
        )

    assert messages_of(refused.value) == ["Dòng 3: mô hình “Chi bộ tự quản an toàn” đã có trong danh sách, ở dòng 1."]
    assert_nothing_saved()


def test_a_reviewer_commends_only_the_models_of_their_units(reviewer, models):
    with pytest.raises(ValidationError) as refused:
        services.award_commendations(user=reviewer, practice_models=[models["cell"], models["dong_da"]], **DECISION)

    assert messages_of(refused.value) == [
        "Dòng 2: mô hình “Tổ an ninh Ô Chợ Dừa” thuộc đơn vị không do bạn phụ trách: bạn không thể khen thưởng mô hình này."
    ]
    assert_nothing_saved()


def test_every_refused_row_is_listed_at_once(reviewer, models):
    with pytest.raises(ValidationError) as refused:
        services.award_commendations(
            user=reviewer, practice_models=[models["draft"], models["cell"], models["dong_da"]], **DECISION
        )

    assert [message.split(":")[0] for message in messages_of(refused.value)] == ["Dòng 1", "Dòng 3"]
    assert_nothing_saved()


def test_a_draft_outside_the_reviewers_units_is_named_by_its_number_not_its_title(reviewer, unit_tree, dvk):
    secret = PracticeModelFactory(title="Nháp bí mật Đống Đa", unit=unit_tree.o_cho_dua, movement=dvk, live=False)

    with pytest.raises(ValidationError) as refused:
        services.award_commendation(user=reviewer, practice_model=secret, **DECISION)

    (message,) = messages_of(refused.value)
    assert "Nháp bí mật" not in message
    assert message.startswith(f"Mô hình số {secret.pk} thuộc đơn vị không do bạn phụ trách")


def test_without_the_right_to_commend_nothing_is_recorded(officer, models):
    with pytest.raises(PermissionDenied) as refused:
        services.award_commendation(user=officer, practice_model=models["dich_vong"], **DECISION)

    assert str(refused.value) == "Bạn không có quyền ghi nhận khen thưởng."
    assert_nothing_saved()


def test_a_city_editor_commends_any_published_model(models, unit_tree):
    editor = UserFactory(username="bientap")
    editor.groups.add(ensure_groups()[EDITORS])

    created = services.award_commendations(
        user=editor, practice_models=[models["dong_da"], models["dich_vong"]], **DECISION
    )

    assert len(created) == 2


def test_a_reviewer_of_the_city_commends_the_whole_tree(models, unit_tree):
    city_reviewer = UserFactory(username="duyet_thanhpho")
    city_reviewer.groups.add(ensure_groups()[REVIEWERS])
    UnitMembershipFactory(user=city_reviewer, unit=unit_tree.city, role=UnitMembership.Role.REVIEWER)

    created = services.award_commendations(
        user=city_reviewer, practice_models=[models["dong_da"], models["district"]], **DECISION
    )

    assert len(created) == 2


def test_an_uploaded_scan_is_saved_with_the_rows_and_not_at_all_when_they_are_refused(reviewer, models):
    refused_scan = Document(title="QĐ 245", file=ContentFile(PDF_BYTES, name="qd-245-refused.pdf"))
    with pytest.raises(ValidationError):
        services.award_commendations(
            user=reviewer, practice_models=[models["draft"]], decision_document=refused_scan, **DECISION
        )
    assert_nothing_saved()

    scan = Document(title="QĐ 245", file=ContentFile(PDF_BYTES, name="qd-245.pdf"))
    created = services.award_commendations(
        user=reviewer, practice_models=[models["dich_vong"], models["cell"]], decision_document=scan, **DECISION
    )

    assert scan.pk and scan.uploaded_by_user == reviewer
    assert {c.decision_document_id for c in created} == {scan.pk}
    assert Document.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The admin: the nomination list screen


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


BULK_URL = "commendation_tools:bulk_award"


def bulk_data(models: list, **overrides) -> dict:
    data = {
        "practice_models": [str(m.pk) for m in models],
        "form": DECISION["form"],
        "level": DECISION["level"],
        "title": DECISION["title"],
        "decision_number": DECISION["decision_number"],
        "decision_date": "20/12/2024",
        "issuing_body": DECISION["issuing_body"],
    }
    data.update(overrides)
    return data


def test_the_checklist_lists_the_published_models_of_the_reviewers_units(reviewer_client, models):
    response = reviewer_client.get(reverse(BULK_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Khen thưởng theo danh sách" in html
    for key in ("dich_vong", "cell", "women", "district"):
        assert models[key].title in html
    assert models["draft"].title not in html
    assert models["dong_da"].title not in html


def test_the_checklist_filters_by_movement_year_unit_and_words(reviewer_client, models, unit_tree, cb4t):
    response = reviewer_client.get(reverse(BULK_URL), {"movement": cb4t.pk})
    assert [m.pk for m in response.context["listed_models"]] == [models["cell"].pk]

    response = reviewer_client.get(reverse(BULK_URL), {"unit": unit_tree.dich_vong.pk})
    assert {m.pk for m in response.context["listed_models"]} == {models["dich_vong"].pk, models["cell"].pk}

    response = reviewer_client.get(reverse(BULK_URL), {"q": "phu nu"})
    assert [m.pk for m in response.context["listed_models"]] == [models["women"].pk]

    response = reviewer_client.get(reverse(BULK_URL), {"year": "2022"})
    assert response.context["listed_models"] == []


def test_review_then_confirm_with_the_scan_records_the_whole_list(reviewer_client, models, reviewer):
    chosen = [models["dich_vong"], models["cell"], models["women"]]

    review = reviewer_client.post(reverse(BULK_URL), {**bulk_data(chosen), "action": "review"})
    assert review.status_code == 200
    assert Commendation.objects.count() == 0  # reviewing saves nothing
    html = review.content.decode()
    assert "Xem lại và xác nhận" in html and "Xác nhận: khen thưởng 3 mô hình" in html
    assert [m.pk for m in review.context["practice_models"]] == [m.pk for m in chosen]

    scan = SimpleUploadedFile("quyet-dinh-245.pdf", PDF_BYTES, content_type="application/pdf")
    confirm = reviewer_client.post(
        reverse(BULK_URL), {**bulk_data(chosen), "action": "confirm", "decision_file": scan}, follow=True
    )

    assert confirm.status_code == 200
    assert "Đã ghi Quyết định 245/QĐ-UBND: 3 mô hình được khen thưởng." in confirm.content.decode()
    document = Document.objects.get()
    assert document.title == "Quyết định 245/QĐ-UBND" and document.uploaded_by_user == reviewer
    assert set(Commendation.objects.values_list("practice_model_id", "decision_document_id")) == {
        (m.pk, document.pk) for m in chosen
    }


def test_a_forged_list_naming_an_unpublished_model_is_refused_with_the_row_named(reviewer_client, models):
    chosen = [models["dich_vong"], models["draft"]]
    scan = SimpleUploadedFile("quyet-dinh-245.pdf", PDF_BYTES, content_type="application/pdf")

    response = reviewer_client.post(
        reverse(BULK_URL), {**bulk_data(chosen), "action": "confirm", "decision_file": scan}
    )

    assert response.status_code == 400
    assert (
        "Dòng 2: mô hình “Bản nháp Dịch Vọng” chưa được công bố: chỉ mô hình đã công bố mới được khen thưởng."
        in response.content.decode()
    )
    assert_nothing_saved()


def test_the_screen_refuses_a_future_date_and_a_duplicate_number_before_the_confirmation(reviewer_client, models):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = reviewer_client.post(
        reverse(BULK_URL), {**bulk_data([models["cell"]]), "decision_date": f"{tomorrow:%d/%m/%Y}", "action": "review"}
    )
    assert response.status_code == 400
    assert "là ngày trong tương lai" in response.content.decode()
    # The ticked model stays ticked.
    assert [m.pk for m in response.context["selected_models"]] == [models["cell"].pk]

    CommendationFactory(
        practice_model=models["women"],
        decision_number="245/QĐ-UBND",
        decision_date=datetime.date(2024, 5, 5),
        issuing_body="Ủy ban nhân dân quận Cầu Giấy",
    )
    response = reviewer_client.post(reverse(BULK_URL), {**bulk_data([models["cell"]]), "action": "review"})
    assert response.status_code == 400
    assert "đã dùng số 245/QĐ-UBND trong năm 2024 cho quyết định ngày 05/05/2024" in response.content.decode()
    assert Commendation.objects.count() == 1


def test_a_bad_date_and_a_fake_scan_are_refused_in_vietnamese(reviewer_client, models):
    response = reviewer_client.post(
        reverse(BULK_URL), {**bulk_data([models["cell"]]), "decision_date": "31/02/2024", "action": "review"}
    )
    assert response.status_code == 400
    assert "Hãy nhập ngày theo dạng dd/mm/yyyy, ví dụ 15/12/2023." in response.content.decode()

    fake = SimpleUploadedFile(
        "quyet-dinh.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = reviewer_client.post(
        reverse(BULK_URL), {**bulk_data([models["cell"]]), "action": "confirm", "decision_file": fake}
    )
    assert response.status_code == 400
    assert "Tệp này không phải là tệp .pdf thật" in response.content.decode()
    assert_nothing_saved()


def test_officers_have_no_nomination_screen(client, officer):
    client.force_login(officer)
    # Wagtail answers a refused admin screen by sending the user back to the dashboard.
    response = client.get(reverse(BULK_URL))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert client.post(reverse(BULK_URL), {"action": "confirm"}).status_code == 302
    assert "commend-list" not in client.get(reverse("wagtailadmin_home")).content.decode()


# ---------------------------------------------------------------------------------------------
# The admin: one commendation at a time goes through the same checks


def single_data(practice_model, **overrides) -> dict:
    data = bulk_data([], **overrides)
    data.pop("practice_models")
    data["practice_model"] = str(practice_model.pk)
    data["decision_document"] = ""
    data.update(overrides)
    return data


def test_the_single_record_form_refuses_a_future_date(reviewer_client, models):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = reviewer_client.post(
        reverse("wagtailsnippets_models_registry_commendation:add"),
        single_data(models["cell"], decision_date=f"{tomorrow:%d/%m/%Y}"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "là ngày trong tương lai" in response.content.decode()
    assert_nothing_saved()


def test_the_single_record_form_refuses_a_duplicate_number_and_an_unpublished_model(reviewer_client, models):
    CommendationFactory(
        practice_model=models["women"],
        decision_number="245/QĐ-UBND",
        decision_date=datetime.date(2024, 5, 5),
        issuing_body="Ủy ban nhân dân quận Cầu Giấy",
    )
    add_url = reverse("wagtailsnippets_models_registry_commendation:add")

    response = reviewer_client.post(add_url, single_data(models["cell"], decision_number="245/qđ-ubnd"))
    assert response.status_code == 200  # the form again, with the error
    assert "đã dùng số 245/QĐ-UBND trong năm 2024" in response.content.decode()

    response = reviewer_client.post(add_url, single_data(models["draft"]))
    assert response.status_code == 200  # the form again, with the error
    assert "Hãy chọn một mô hình đã công bố của đơn vị do bạn phụ trách." in response.content.decode()
    assert Commendation.objects.count() == 1


def test_the_single_record_form_saves_a_valid_commendation(reviewer_client, models):
    response = reviewer_client.post(
        reverse("wagtailsnippets_models_registry_commendation:add"),
        single_data(models["cell"], decision_number=" 12/QĐ-UBND ", issuing_body="Ủy ban  nhân dân quận Cầu Giấy"),
    )
    assert response.status_code == 302
    commendation = Commendation.objects.get()
    assert (commendation.decision_number, commendation.issuing_body) == ("12/QĐ-UBND", "Ủy ban nhân dân quận Cầu Giấy")

    # Editing it (a typo in the title) is checked without finding it a duplicate of itself.
    response = reviewer_client.post(
        reverse("wagtailsnippets_models_registry_commendation:edit", args=[commendation.pk]),
        single_data(models["cell"], decision_number="12/QĐ-UBND", title="Mô hình tiêu biểu"),
    )
    assert response.status_code == 302
    commendation.refresh_from_db()
    assert commendation.title == "Mô hình tiêu biểu"


def test_reviewers_see_only_the_commendations_of_their_units(reviewer_client, models):
    ours = CommendationFactory(practice_model=models["cell"])
    theirs = CommendationFactory(practice_model=models["dong_da"])

    listing = reviewer_client.get(reverse("wagtailsnippets_models_registry_commendation:list"))
    assert [c.pk for c in listing.context["object_list"]] == [ours.pk]
    assert "Khen thưởng theo danh sách" in listing.content.decode()
    edit = reviewer_client.get(reverse("wagtailsnippets_models_registry_commendation:edit", args=[theirs.pk]))
    assert edit.status_code == 404


# ---------------------------------------------------------------------------------------------
# The certificate


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    return unicodedata.normalize("NFC", page.extract_text())


def qr_payloads(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    payloads = []
    for image in page.images:
        picture = PILImage.open(io.BytesIO(image.data)).convert("L")
        payloads.extend(result.text for result in zxingcpp.read_barcodes(picture))
    return payloads


@pytest.fixture
def commendation(models):
    return CommendationFactory(
        practice_model=models["dich_vong"],
        form=CommendationForm.DIPLOMA_OF_MERIT,
        level=RecognitionLevel.CITY,
        title="Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2024",
        decision_number="1234/QĐ-UBND",
        decision_date=datetime.date(2024, 12, 5),
        issuing_body="Ủy ban nhân dân thành phố Hà Nội",
    )


def test_the_certificate_prints_the_decision_in_vietnamese_and_its_qr_code_leads_to_the_model(commendation):
    url = commendation.practice_model.get_full_url()
    pdf = certificate_pdf(commendation=commendation, public_url=url)

    text = pdf_text(pdf)
    for expected in (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "GIẤY CHỨNG NHẬN",
        "Bằng khen – cấp thành phố, tỉnh",
        "Chứng nhận mô hình",
        "Ngõ phố xanh - sạch - đẹp",
        "của Phường Dịch Vọng",
        "Phong trào “Dân vận khéo”, năm 2023",
        "được công nhận: Mô hình Dân vận khéo tiêu biểu cấp thành phố năm 2024",
        "theo Quyết định số 1234/QĐ-UBND ngày 05/12/2024 của Ủy ban nhân dân thành phố Hà Nội.",
        "Quét mã để xem mô hình",
    ):
        assert expected in " ".join(text.split()), expected
    assert url == "http://localhost/dan-van-kheo/ngo-pho-xanh-sach-dep/"
    assert qr_payloads(pdf) == [url]


def test_a_long_title_and_markup_characters_stay_text_on_one_page(models, unit_tree, dvk):
    model = PracticeModelFactory(
        title=("Vận động Nhân dân <hiến đất> & mở rộng đường ngõ, xây dựng nông thôn mới kiểu mẫu " * 3)[:250],
        unit=unit_tree.dich_vong,
        movement=dvk,
    )
    commendation = CommendationFactory(practice_model=model, title="Danh hiệu " * 25)
    url = model.get_full_url()

    pdf = certificate_pdf(commendation=commendation, public_url=url)

    assert "<hiến đất> & mở rộng" in " ".join(pdf_text(pdf).split())
    assert qr_payloads(pdf) == [url]


def test_the_public_downloads_the_certificate_of_a_published_model_only(client, commendation, models):
    response = client.get(reverse("honour_board:certificate", args=[commendation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="giay-chung-nhan-ngo-pho-xanh-sach-dep-')
    assert "GIẤY CHỨNG NHẬN" in pdf_text(response.content)
    assert response["Cache-Control"] == "public, max-age=3600" and response["X-Robots-Tag"] == "noindex"

    hidden = CommendationFactory(practice_model=models["draft"])
    assert client.get(reverse("honour_board:certificate", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("honour_board:certificate", args=[999999])).status_code == 404


def test_the_admin_certificate_is_for_the_reviewers_units(reviewer_client, models):
    draft_commendation = CommendationFactory(practice_model=models["draft"])
    other_unit = CommendationFactory(practice_model=models["dong_da"])

    response = reviewer_client.get(reverse("commendation_tools:certificate", args=[draft_commendation.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert reviewer_client.get(reverse("commendation_tools:certificate", args=[other_unit.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# The timeline on the model's page


def test_the_model_page_shows_the_timeline_oldest_first_with_certificates(client, models):
    model = models["dich_vong"]
    later = CommendationFactory(
        practice_model=model, decision_number="9/QĐ-UBND", decision_date=datetime.date(2024, 3, 2)
    )
    earlier = CommendationFactory(
        practice_model=model, decision_number="7/QĐ-UBND", decision_date=datetime.date(2023, 1, 9)
    )

    html = client.get(model.url).content.decode()

    assert html.index("09/01/2023") < html.index("02/03/2024")
    assert "Quyết định số 7/QĐ-UBND" in html
    for commendation in (earlier, later):
        assert reverse("honour_board:certificate", args=[commendation.pk]) in html
    assert reverse("honour_board:index") in html


def test_the_models_history_shows_the_award_in_vietnamese(client, users, reviewer, models):
    services.award_commendations(user=reviewer, practice_models=[models["dich_vong"], models["cell"]], **DECISION)
    client.force_login(users.admin)

    html = client.get(
        reverse("wagtailsnippets_models_registry_practicemodel:history_results", args=[models["dich_vong"].pk])
    ).content.decode()

    assert "Khen thưởng theo Quyết định số 245/QĐ-UBND ngày 20/12/2024 của Ủy ban nhân dân quận Cầu Giấy" in html
