"""Settings: Vietnamese defaults, and production refusing to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_language_time_zone_and_formats():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert formats.date_format(timezone.datetime(2024, 3, 5).date(), "SHORT_DATE_FORMAT") == "05/03/2024"
    assert formats.number_format(1234.5, decimal_pos=1, use_l10n=True, force_grouping=True) == "1.234,5"


def test_project_catalogue_is_active():
    assert gettext("Practice models") == "Mô hình"


def run_production_check(**overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(overrides, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_secret(missing):
    values = {
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "mohinh.example.vn",
        "DATABASE_URL": "sqlite:////tmp/production-check.sqlite3",
    }
    values.pop(missing)
    result = run_production_check(**values)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_its_secrets():
    result = run_production_check(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="mohinh.example.vn",
        DATABASE_URL="sqlite:////tmp/production-check.sqlite3",
    )
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgresql():
    import dj_database_url

    config = dj_database_url.parse("postgres://user:secret@db.example.vn:5432/mohinh")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "mohinh"
