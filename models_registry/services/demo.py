"""Loading the demo data: Hà Nội's units, pictures, documents, demo users and thousands of models.

Deterministic (everything comes from the seed) and idempotent (units are keyed by code, models by
their "DEMO-000001" code, pictures and documents by title, users by username): running it again
with the same arguments creates and changes nothing; a larger `models` only adds what is missing.

Models are written with bulk inserts, not one `publish_practice_model` call each, so 100,000 load in
minutes: the rows are what Wagtail would have written (a revision per model, `latest_revision`,
`live_revision`, publication dates, the folded search column).
"""

import datetime
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Revision
from wagtail.utils.file import hash_filelike

from movements.models import Field, HomePage, MovementPage

from ..demo import data, images, stories
from ..models import (
    Commendation,
    PracticeModel,
    PracticeModelAttachment,
    PracticeModelImage,
    PracticeModelResult,
    Unit,
    UnitMembership,
)
from ..signals import practice_models_bulk_changed
from .bulk import update_rows
from .practice_models import SlugPool

# One documented password for every demo account (README, `manage.py print_demo_logins`).
DEMO_PASSWORD = "demo-2025!"  # noqa: S105 - a published demo password, never used in production
IMAGE_COLLECTION = "Ảnh minh họa"
DOCUMENT_COLLECTION = "Tài liệu minh họa"
EXTERNAL_ID_PREFIX = "DEMO-"
BATCH_SIZE = 1000

EDITORS = "Biên tập viên thành phố"
REVIEWERS = "Người duyệt"
OFFICERS = "Cán bộ đơn vị"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str | None
    unit_code: str | None = None
    role: str | None = None
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("quantri", "Quản trị", "Hệ thống", None, superuser=True),
    DemoUser("bientap", "Thu Hà", "Nguyễn", EDITORS),
    DemoUser("duyet_thanhpho", "Quang Minh", "Trần", REVIEWERS, "HN", UnitMembership.Role.REVIEWER),
    DemoUser("duyet_caugiay", "Thị Hồng", "Lê", REVIEWERS, "HN-CG", UnitMembership.Role.REVIEWER),
    DemoUser("canbo_dichvong", "Đức Anh", "Phạm", OFFICERS, "HN-CG-DV", UnitMembership.Role.OFFICER),
    DemoUser("canbo_phunu", "Thị Lan", "Vũ", OFFICERS, "HN-CG-PN", UnitMembership.Role.OFFICER),
)

# Django permissions per group, as (app_label, codename); None means every permission of the app.
MEDIA_PERMISSIONS = {
    EDITORS: ("add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"),
    REVIEWERS: ("add_image", "choose_image", "add_document", "choose_document"),
    OFFICERS: ("add_image", "choose_image", "add_document", "choose_document"),
}
GROUP_PERMISSIONS: dict[str, tuple[tuple[str, str | None], ...]] = {
    EDITORS: (("wagtailadmin", "access_admin"), ("models_registry", None), ("movements", None), ("search", None)),
    REVIEWERS: (
        ("wagtailadmin", "access_admin"),
        ("models_registry", "add_practicemodel"),
        ("models_registry", "change_practicemodel"),
        ("models_registry", "view_practicemodel"),
        ("models_registry", "add_commendation"),
        ("models_registry", "change_commendation"),
        ("models_registry", "view_commendation"),
        ("models_registry", "view_unit"),
    ),
    OFFICERS: (
        ("wagtailadmin", "access_admin"),
        ("models_registry", "add_practicemodel"),
        ("models_registry", "change_practicemodel"),
        ("models_registry", "view_practicemodel"),
        ("models_registry", "lock_practicemodel"),
        ("models_registry", "unlock_practicemodel"),
        ("models_registry", "view_unit"),
    ),
}
# City editors also edit the site's pages (the movements' introductions).
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    units_created: int = 0
    images_created: int = 0
    documents_created: int = 0
    users_created: int = 0
    models_created: int = 0
    commendations_created: int = 0
    revisions_created: int = 0
    models_total: int = 0
    seconds: float = 0.0


def _noop(stage: str, advance: int, total: int) -> None:
    return None


def load_demo_data(*, models: int = 2000, seed: int = 2025, progress: Progress | None = None) -> DemoResult:
    """Load `models` demo practice models for `seed`, with their units, media and users; never duplicates."""
    from emulation.demo import load_emulation_demo  # the emulation cycle builds on the registry

    from .. import open_data  # open_data reads the exports, which read the services

    started = time.monotonic()
    report = progress or _noop
    result = DemoResult()
    # One open-data regeneration at the end, not one per committed batch of models.
    with open_data.refresh_deferred():
        units = ensure_units(progress=report, result=result)
        context = ensure_media(seed=seed, progress=report, result=result)
        ensure_users(units=units, result=result)
        load_practice_models(models=models, seed=seed, units=units, context=context, progress=report, result=result)
        load_emulation_demo(seed=seed)
    result.models_total = PracticeModel.objects.count()
    result.seconds = time.monotonic() - started
    return result


@transaction.atomic
def ensure_units(*, progress: Progress = _noop, result: DemoResult | None = None) -> dict[str, Unit]:
    """Create the missing units of Hà Nội's tree, parents first; existing codes are left as they are."""
    plan = data.unit_plan()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=[spec.code for spec in plan])}
    missing = [spec for spec in plan if spec.code not in units]
    stage = _("Units")
    progress(stage, 0, len(missing))
    for spec in missing:
        unit = Unit(code=spec.code, name=spec.name, kind=spec.kind, description=spec.description)
        # treebeard keeps the parent's child count in step on the in-memory parent, so the
        # parents held in `units` stay valid without a refresh per insert.
        if spec.parent_code is None:
            units[spec.code] = Unit.add_root(instance=unit)
        else:
            units[spec.code] = units[spec.parent_code].add_child(instance=unit)
        progress(stage, 1, len(missing))
    if result is not None:
        result.units_created = len(missing)
    return units


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


@transaction.atomic
def ensure_media(*, seed: int, progress: Progress = _noop, result: DemoResult | None = None) -> stories.DemoContext:
    """Draw the missing demo pictures and write the missing documents; both are found again by title."""
    image_model = get_image_model()
    document_model = get_document_model()
    image_collection = _collection(IMAGE_COLLECTION)
    document_collection = _collection(DOCUMENT_COLLECTION)

    existing_images = dict(
        image_model.objects.filter(collection=image_collection).values_list("title", "id").order_by("id")
    )
    image_ids = []
    stage = _("Pictures")
    missing = sum(1 for picture in images.PICTURES if picture.caption not in existing_images)
    progress(stage, 0, missing)
    for position, picture in enumerate(images.PICTURES):
        if picture.caption in existing_images:
            image_ids.append(existing_images[picture.caption])
            continue
        content = images.draw_picture(position=position, picture=picture, seed=seed)
        image = image_model(
            title=picture.caption,
            collection=image_collection,
            file=ImageFile(io.BytesIO(content), name=f"anh-minh-hoa-{position + 1:02d}.jpg"),
            file_size=len(content),
            file_hash=hash_filelike(io.BytesIO(content)),
        )
        image.save()
        image_ids.append(image.id)
        if result is not None:
            result.images_created += 1
        progress(stage, 1, missing)

    existing_documents = dict(
        document_model.objects.filter(collection=document_collection).values_list("title", "id").order_by("id")
    )
    document_ids = []
    for document in images.DOCUMENTS:
        if document.title in existing_documents:
            document_ids.append(existing_documents[document.title])
            continue
        row = document_model(
            title=document.title,
            collection=document_collection,
            file=SimpleUploadedFile(document.filename, document.content),
            file_size=len(document.content),
            file_hash=hash_filelike(io.BytesIO(document.content)),
        )
        row.save()
        document_ids.append(row.id)
        if result is not None:
            result.documents_created += 1

    return stories.DemoContext(
        units=tuple(data.unit_plan()),
        image_ids=tuple(image_ids),
        image_captions=tuple(picture.caption for picture in images.PICTURES),
        image_themes=tuple(picture.theme for picture in images.PICTURES),
        document_ids=tuple(document_ids),
        document_titles=tuple(document.title for document in images.DOCUMENTS),
        decision_document_position=images.DECISION_DOCUMENT_POSITION,
    )


def _permissions(pairs) -> list[Permission]:
    found = []
    for app_label, codename in pairs:
        queryset = Permission.objects.filter(content_type__app_label=app_label)
        if codename is not None:
            queryset = queryset.filter(codename=codename)
        found.extend(queryset)
    return found


@transaction.atomic
def ensure_groups() -> dict[str, Group]:
    """The three demo groups with their admin, model, media and page permissions (added, never removed)."""
    # Wagtail creates a snippet's publish/lock/unlock permissions after `migrate` only if the admin
    # viewsets were registered by then (a fresh test database never does that): make sure they exist,
    # named as Wagtail names them, so Wagtail's own post_migrate finds them and skips them.
    practice_model_type = ContentType.objects.get_for_model(PracticeModel)
    for action in ("publish", "lock", "unlock"):
        Permission.objects.get_or_create(
            content_type=practice_model_type,
            codename=get_permission_codename(action, PracticeModel._meta),
            defaults={"name": f"Can {action} {PracticeModel._meta.verbose_name_raw}"},
        )
    groups = {}
    root_collection = Collection.get_first_root_node()
    home = HomePage.objects.first()
    for name, pairs in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(pairs))
        for codename in MEDIA_PERMISSIONS[name]:
            app_label = "wagtailimages" if codename.endswith("_image") else "wagtaildocs"
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
            )
        if name == EDITORS and home is not None:
            for codename in EDITOR_PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=Page.objects.get(pk=home.pk),
                    permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
                )
        groups[name] = group
    return groups


@transaction.atomic
def ensure_users(*, units: dict[str, Unit], result: DemoResult | None = None) -> None:
    """One demo account per role, all with `DEMO_PASSWORD`; an existing account is left untouched."""
    groups = ensure_groups()
    user_model = get_user_model()
    for spec in DEMO_USERS:
        user = user_model.objects.filter(username=spec.username).first()
        if user is None:
            user = user_model(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@example.vn",
                is_superuser=spec.superuser,
                is_staff=spec.superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if spec.group:
                user.groups.add(groups[spec.group])
            if result is not None:
                result.users_created += 1
        if spec.unit_code and spec.unit_code in units:
            UnitMembership.objects.get_or_create(user=user, unit=units[spec.unit_code], role=spec.role)


def _draft_time(draft: stories.ModelDraft) -> datetime.datetime:
    if draft.published_at is not None:
        return draft.published_at
    # A draft was last saved some time in its year (index-derived, so it stays deterministic).
    return datetime.datetime(draft.year, 1 + draft.index % 12, 1 + draft.index % 28, 9, 0, tzinfo=datetime.UTC)


def load_practice_models(
    *,
    models: int,
    seed: int,
    units: dict[str, Unit],
    context: stories.DemoContext,
    progress: Progress = _noop,
    result: DemoResult | None = None,
) -> None:
    """Bulk-insert the missing demo models 1..`models`, each with its children, commendations and revision."""
    wanted = [f"{EXTERNAL_ID_PREFIX}{index:06d}" for index in range(1, models + 1)]
    existing = set(
        PracticeModel.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).values_list("external_id", flat=True)
    )
    missing = [index for index, external_id in enumerate(wanted, start=1) if external_id not in existing]
    stage = _("Practice models")
    progress(stage, 0, len(missing))
    if not missing:
        return
    movements = {page.slug: page for page in MovementPage.objects.filter(slug__in=[stories.DVK, stories.CB4T])}
    fields = dict(Field.objects.values_list("slug", "id"))
    content_type = ContentType.objects.get_for_model(PracticeModel)
    slugs = SlugPool()
    ideas: list[tuple[str, str, int, str]] = []  # published drafts: (idea, code, year, unit code)
    for start in range(0, len(missing), BATCH_SIZE):
        batch = missing[start : start + BATCH_SIZE]
        drafts = [stories.generate_model(seed=seed, index=index, context=context) for index in batch]
        ideas += [(d.idea, d.external_id, d.year, d.unit_code) for d in drafts if d.published]
        counts = _insert_batch(
            drafts=drafts,
            units=units,
            movements=movements,
            fields=fields,
            context=context,
            content_type=content_type,
            slugs=slugs,
        )
        if result is not None:
            result.models_created += counts[0]
            result.commendations_created += counts[1]
            result.revisions_created += counts[2]
        progress(stage, len(batch), len(missing))
    link_demo_replications(ideas)


# One in this many later models of the same idea in another district replicates the first one.
REPLICATION_STRIDE = 10


def _district_code(unit_code: str) -> str:
    return "-".join(unit_code.split("-")[:2])


def link_demo_replications(ideas: list[tuple[str, str, int, str]]) -> int:
    """Mark some demo models as replicated from the first published model of the same idea.

    Deterministic: the earliest (year, code) of an idea is the original; every REPLICATION_STRIDE-th
    later model of that idea in another district adopted it. The link is written into the row and
    into its revision, as an editor's save would, so editing the model later keeps it.
    """
    by_idea: dict[str, list[tuple[int, str, str]]] = {}
    for idea, external_id, year, unit_code in ideas:
        by_idea.setdefault(idea, []).append((year, external_id, unit_code))
    links: dict[str, str] = {}
    for models_of_idea in by_idea.values():
        models_of_idea.sort()
        _year, original, original_unit = models_of_idea[0]
        for _year, external_id, unit_code in models_of_idea[1:]:
            number = int(external_id.rsplit("-", 1)[-1])
            if number % REPLICATION_STRIDE == 0 and _district_code(unit_code) != _district_code(original_unit):
                links[external_id] = original
    if not links:
        return 0
    pks = dict(
        PracticeModel.objects.filter(external_id__in={*links, *links.values()}).values_list("external_id", "pk")
    )
    adopters = list(PracticeModel.objects.filter(external_id__in=links).only("pk", "external_id", "latest_revision"))
    revisions = Revision.objects.in_bulk([adopter.latest_revision_id for adopter in adopters])
    for adopter in adopters:
        adopter.replicated_from_id = pks[links[adopter.external_id]]
        revision = revisions.get(adopter.latest_revision_id)
        if revision is not None:
            revision.content["replicated_from"] = adopter.replicated_from_id
    PracticeModel.objects.bulk_update(adopters, ["replicated_from"], batch_size=500)
    Revision.objects.bulk_update(list(revisions.values()), ["content"], batch_size=500)
    practice_models_bulk_changed.send(sender=PracticeModel, ids=[adopter.pk for adopter in adopters])
    return len(adopters)


@transaction.atomic
def _insert_batch(*, drafts, units, movements, fields, context, content_type, slugs) -> tuple[int, int, int]:
    instances = []
    for draft in drafts:
        instance = PracticeModel(
            title=draft.title,
            slug=slugs.take(draft.title),
            external_id=draft.external_id,
            unit=units[draft.unit_code],
            submitted_unit_name=units[draft.unit_code].name,
            movement=movements[draft.movement_slug],
            field_id=fields.get(draft.field_slug) if draft.field_slug else None,
            year=draft.year,
            summary=draft.summary,
            story=draft.story,
            results=draft.results,
            cover_image_id=context.image_ids[draft.cover_image],
            contact_name=draft.contact_name,
            contact_position=draft.contact_position,
            contact_phone=draft.contact_phone,
            contact_email=draft.contact_email,
            recognition_level=draft.recognition_level,
            live=draft.published,
            has_unpublished_changes=not draft.published,
            first_published_at=draft.published_at,
            last_published_at=draft.published_at,
        )
        # bulk_create skips save(), which is what keeps this column in step.
        instance.search_text = instance.build_search_text()
        instances.append(instance)
    PracticeModel.objects.bulk_create(instances)

    results, gallery, attachments, commendations = [], [], [], []
    for draft, instance in zip(drafts, instances, strict=True):
        own_results = [
            PracticeModelResult(practice_model=instance, label=label, value=value, unit_of_measure=uom, sort_order=k)
            for k, (label, value, uom) in enumerate(draft.measured_results)
        ]
        own_gallery = [
            PracticeModelImage(
                practice_model=instance, image_id=context.image_ids[position], caption=caption, sort_order=k
            )
            for k, (position, caption) in enumerate(draft.gallery)
        ]
        own_attachments = [
            PracticeModelAttachment(
                practice_model=instance, document_id=context.document_ids[position], title=title, sort_order=k
            )
            for k, (position, title) in enumerate(draft.attachments)
        ]
        # Held on the instance too, so the revision below serialises the children like Wagtail does.
        instance.measured_results = own_results
        instance.gallery_images = own_gallery
        instance.attachments = own_attachments
        results += own_results
        gallery += own_gallery
        attachments += own_attachments
        for commendation in draft.commendations:
            commendations.append(
                Commendation(
                    practice_model=instance,
                    form=commendation.form,
                    level=commendation.level,
                    title=commendation.title,
                    decision_number=commendation.decision_number,
                    decision_date=commendation.decision_date,
                    issuing_body=commendation.issuing_body,
                    decision_document_id=(
                        context.document_ids[context.decision_document_position]
                        if commendation.with_document
                        else None
                    ),
                )
            )
    PracticeModelResult.objects.bulk_create(results)
    PracticeModelImage.objects.bulk_create(gallery)
    PracticeModelAttachment.objects.bulk_create(attachments)
    Commendation.objects.bulk_create(commendations)

    revisions = [
        Revision(
            content_type_id=content_type.id,
            base_content_type_id=content_type.id,
            object_id=str(instance.pk),
            created_at=_draft_time(draft),
            object_str=instance.title,
            content=instance.serializable_data(),
        )
        for draft, instance in zip(drafts, instances, strict=True)
    ]
    Revision.objects.bulk_create(revisions)
    for draft, instance, revision in zip(drafts, instances, revisions, strict=True):
        instance.latest_revision_id = revision.pk
        instance.live_revision_id = revision.pk if draft.published else None
    update_rows(instances, ["latest_revision", "live_revision"])
    practice_models_bulk_changed.send(
        sender=PracticeModel,
        ids=[instance.pk for instance, draft in zip(instances, drafts, strict=True) if draft.published],
    )
    return len(instances), len(commendations), len(revisions)


def demo_data_present() -> bool:
    """Whether the database already holds units or practice models (`load_demo_data --if-empty` skips then)."""
    return Unit.objects.exists() or PracticeModel.objects.exists()
