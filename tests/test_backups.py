"""Backups: `manage.py backup` writes one archive; `manage.py restore` puts it back into an empty site.

The round trip restores into a fresh database in another process (a new SQLite file, and on the
PostgreSQL run also a new PostgreSQL database), the way an operator restores onto a new server:
migrate, restore, then every model, revision, image, document and file is there and the public
page of a model answers.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import translation

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision, WorkflowState

import pytest
from PIL import Image as PILImage

from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import (
    Commendation,
    ImportJob,
    PracticeModel,
    PracticeModelAttachment,
    PracticeModelImage,
    private_import_storage,
)
from ops.services import backups

ROOT = Path(__file__).resolve().parent.parent
Image = get_image_model()
Document = get_document_model()
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SOURCE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
TARGETS = ["sqlite"] + (["postgresql"] if SOURCE_DATABASE_URL.startswith("postgres") else [])


def png_bytes(colour="red") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 90), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of this test's own (its private folder is the sibling "-private")."""
    settings.MEDIA_ROOT = str(tmp_path / "site-media")
    return Path(settings.MEDIA_ROOT)


def build_site(users, unit_tree):
    """A small site: published and draft models with revisions, an image with a rendition, a
    document, a commendation with its scanned decision, a model under review and a private upload."""
    image = Image.objects.create(title="Ảnh ra quân", file=ContentFile(png_bytes(), name="ra-quan.png"))
    rendition = image.get_rendition("fill-60x60")
    document = Document.objects.create(title="Báo cáo", file=ContentFile(PDF_BYTES, name="bao-cao.pdf"))
    scan = Document.objects.create(title="QĐ 245", file=ContentFile(PDF_BYTES, name="qd-245.pdf"))
    published = PracticeModelFactory(
        title="Tuyến phố văn minh Dịch Vọng",
        unit=unit_tree.dich_vong,
        gallery_images=[PracticeModelImage(image=image, caption="Ra quân")],
        attachments=[PracticeModelAttachment(document=document, title="Báo cáo tổng kết")],
    )
    draft = PracticeModelFactory(title="Chợ dân sinh sạch", unit=unit_tree.dich_vong, live=False)
    draft.title = "Chợ dân sinh sạch, an toàn"
    draft.save_revision(user=users.officer)
    under_review = PracticeModelFactory(title="Khu dân cư không rác", unit=unit_tree.dich_vong, live=False)
    under_review.save_revision(user=users.officer)
    under_review.get_workflow().start(under_review, users.officer)
    CommendationFactory(practice_model=published, decision_number="245/QĐ-UBND", decision_document=scan)
    job = ImportJob.objects.create(
        user=users.officer, file=ContentFile(b"title\nA\n", name="mo-hinh.csv"), original_filename="mo-hinh.csv"
    )
    return {
        "published_url": published.url,
        "published_title": published.title,
        "counts": {
            "practice_models": PracticeModel.objects.count(),
            "live": PracticeModel.objects.filter(live=True).count(),
            "revisions": Revision.objects.count(),
            "images": Image.objects.count(),
            "documents": Document.objects.count(),
            "commendations": Commendation.objects.count(),
            "workflow_states": WorkflowState.objects.count(),
            "import_jobs": ImportJob.objects.count(),
        },
        "revisions": sorted(Revision.objects.values_list("pk", "object_id", "content_type_id")),
        "files": sorted(
            [image.file.name, rendition.file.name, document.file.name, scan.file.name, f"private:{job.file.name}"]
        ),
        "draft_title": "Chợ dân sinh sạch, an toàn",
    }


CHECK_SCRIPT = """
import json, sys
import django
django.setup()
from pathlib import Path
from django.conf import settings
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision, WorkflowState
from models_registry.models import Commendation, ImportJob, PracticeModel, private_import_storage
from search.models import SearchEntry

Image, Document = get_image_model(), get_document_model()
media, private = Path(settings.MEDIA_ROOT), Path(private_import_storage().location)
files = [i.file.name for i in Image.objects.all()] + [d.file.name for d in Document.objects.all()]
files += [r.file.name for image in Image.objects.all() for r in image.renditions.all()]
files += ["private:" + job.file.name for job in ImportJob.objects.all()]
present = sorted(name for name in files if (private / name[8:] if name.startswith("private:") else media / name).is_file())
draft = PracticeModel.objects.get(title="Chợ dân sinh sạch")
response = Client().get(sys.argv[1])
print(json.dumps({
    "counts": {
        "practice_models": PracticeModel.objects.count(),
        "live": PracticeModel.objects.filter(live=True).count(),
        "revisions": Revision.objects.count(),
        "images": Image.objects.count(),
        "documents": Document.objects.count(),
        "commendations": Commendation.objects.count(),
        "workflow_states": WorkflowState.objects.count(),
        "import_jobs": ImportJob.objects.count(),
    },
    "revisions": sorted(Revision.objects.values_list("pk", "object_id", "content_type_id")),
    "revision_objects_resolve": all(r.content_object is not None for r in Revision.objects.all()),
    "files": present,
    "draft_title": draft.latest_revision.as_object().title,
    "under_review": PracticeModel.objects.get(title="Khu dân cư không rác").workflow_in_progress,
    "indexed": SearchEntry.objects.count(),
    "status": response.status_code,
    "page": response.content.decode(),
}))
"""


def run(args, env, check=True):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def target_database(request, tmp_path):
    """The DATABASE_URL of a new, empty database of the kind asked for; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = SOURCE_DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("target_database", TARGETS, indirect=True)
def test_backup_restores_into_an_empty_site(users, unit_tree, tmp_path, target_database):
    # The process's own media folder: the import files' storage was fixed beside it at start-up.
    expected = build_site(users, unit_tree)
    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    with translation.override("vi"):
        call_command("backup", output=archive, stdout=out)
    assert "Đã sao lưu" in out.getvalue()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[:2] == ["manifest.json", "database.jsonl"]
    assert manifest["format"] == "mohinh-backup"
    assert manifest["database_vendor"] in {"sqlite", "postgresql"}
    assert manifest["counts"]["models_registry.practicemodel"] == expected["counts"]["practice_models"]
    assert manifest["counts"]["wagtailcore.revision"] == expected["counts"]["revisions"]
    archived = {name.split("/", 1)[1] for name in names if name.startswith("media/")}
    archived |= {"private:" + name.split("/", 1)[1] for name in names if name.startswith("media-private/")}
    assert set(expected["files"]) <= archived
    assert manifest["media"] == {
        "media": sum(name.startswith("media/") for name in names),
        "media-private": sum(name.startswith("media-private/") for name in names),
    }
    assert "search.searchentry" not in manifest["counts"]  # derived: rebuilt after a restore

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "ELASTICSEARCH_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=target_database,
        TEST_MEDIA_ROOT=str(tmp_path / "restored-media"),
    )
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env)
    restored = run([sys.executable, "manage.py", "restore", str(archive)], env)
    assert "Đã khôi phục bản sao lưu" in restored.stdout
    checked = json.loads(run([sys.executable, "-c", CHECK_SCRIPT, expected["published_url"]], env).stdout)

    assert checked["counts"] == expected["counts"]
    assert [tuple(row) for row in checked["revisions"]] == expected["revisions"]
    assert checked["revision_objects_resolve"]
    assert checked["files"] == expected["files"]
    assert checked["draft_title"] == expected["draft_title"]
    assert checked["under_review"]
    assert checked["indexed"] == expected["counts"]["live"]
    assert checked["status"] == 200
    assert expected["published_title"] in checked["page"]

    # A second restore finds the site full and leaves it alone.
    again = run([sys.executable, "manage.py", "restore", str(archive)], env, check=False)
    assert again.returncode != 0
    assert "--force" in again.stderr


def make_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def restore_error(archive: Path, *args) -> str:
    with translation.override("vi"), pytest.raises(CommandError) as excinfo:
        call_command("restore", str(archive), *args, stdout=io.StringIO())
    return str(excinfo.value)


def test_restore_refuses_a_site_with_content_unless_forced(users, media, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    assert "--force" in restore_error(archive)


def test_restore_refuses_what_is_not_a_backup(db, media, tmp_path):
    text = tmp_path / "notes.tar.gz"
    text.write_text("không phải tệp nén")
    assert "Không đọc được" in restore_error(text)
    assert "không tồn tại" in restore_error(tmp_path / "missing.tar.gz")
    no_manifest = make_archive(tmp_path / "other.tar.gz", {"readme.txt": b"hello"})
    assert "manifest.json" in restore_error(no_manifest)
    foreign = make_archive(tmp_path / "foreign.tar.gz", {"manifest.json": json.dumps({"format": "x"}).encode()})
    assert "không phải bản sao lưu" in restore_error(foreign)


def test_restore_refuses_another_schema_before_touching_anything(users, media, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        dump = tar.extractfile("database.jsonl").read()
    manifest["migrations"]["models_registry"].append("9999_from_the_future")
    forged = make_archive(
        tmp_path / "future.tar.gz", {"manifest.json": json.dumps(manifest).encode(), "database.jsonl": dump}
    )
    message = restore_error(forged, "--force")
    assert "models_registry" in message
    assert users.admin.__class__.objects.filter(pk=users.admin.pk).exists()


def test_restore_refuses_entries_outside_the_media_folders(db, media, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json").read()
        dump = tar.extractfile("database.jsonl").read()
    evil = make_archive(
        tmp_path / "evil.tar.gz",
        {"manifest.json": manifest, "database.jsonl": dump, "media/../../escaped.txt": b"x"},
    )
    assert "escaped.txt" in restore_error(evil)
    assert not (tmp_path / "escaped.txt").exists()
    assert not [path for path in media.iterdir() if path.name.startswith(".restore-")]


def test_backup_keeps_the_newest_archives_and_stays_out_of_media(db, media, settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    for _ in range(3):
        call_command("backup", "--keep", "2", stdout=io.StringIO())
    archives = sorted((tmp_path / "backups").glob("mohinh-backup-*.tar.gz"))
    assert len(archives) == 2
    assert not list((tmp_path / "backups").glob("*.partial"))
    with translation.override("vi"), pytest.raises(CommandError, match="thư mục media"):
        call_command("backup", output=media / "inside.tar.gz", stdout=io.StringIO())


def test_private_uploads_folder_is_beside_media(media):
    assert backups.media_roots()["media-private"] == Path(private_import_storage().location)
    assert Path(private_import_storage().location).name == "site-media-private"
