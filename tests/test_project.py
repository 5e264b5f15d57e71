"""Project health: system checks, migrations in step with the models, a complete catalogue."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "site" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_system_checks_pass(db):
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_migrations_match_the_models(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_vietnamese_catalogue_is_complete_and_compiled(domain):
    catalogue = polib.pofile(str(CATALOGUE.with_name(f"{domain}.po")))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    compiled = polib.mofile(str(CATALOGUE.with_name(f"{domain}.mo")))
    assert {e.msgid for e in compiled} >= {e.msgid for e in catalogue.translated_entries()}


@pytest.mark.parametrize("path", ["README.md", ".env.example", "requirements.txt", "requirements-dev.txt"])
def test_project_files_exist(path):
    assert (ROOT / path).is_file()
