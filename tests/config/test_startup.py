"""Start-up as an operator sees it: bad settings named, an unreachable database in one line,
production settings that pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x7-Kq2!pZr8vLm4@Tn6wYb0&Hs3eJd9uCf5^Ga1-Vk7oQi2Rt8yPl4Wn6Xz0Ec3Ub",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "HOUSEHOLD_TOKEN_KEYS": "p1:cHJvZHVjdGlvbi10b2tlbi1rZXktZm9yLXRoZS10ZXN0cw",
    "FEEDBACK_SIGNING_KEY": "production-feedback-signing-key-for-the-startup-tests",
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1maWVsZC1rZXktZm9yLXRlc3RzISE=",
    # Several nodes share the cache and the files (core/checks.py warns otherwise).
    "CACHE_URL": "redis://127.0.0.1:6379/2",
    "MEDIA_STORAGE": "s3",
    "S3_BUCKET": "portal-media",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_short_secret_key():
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_the_development_token_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "HOUSEHOLD_TOKEN_KEYS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "HOUSEHOLD_TOKEN_KEYS" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STAFF_SESSION_IDLE_SECONDS", "half an hour"),
        ("LOGIN_FAILURE_LIMIT", "many"),
        ("DJANGO_DEBUG", "perhaps"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("LOG_LEVEL", "LOUD"),
        ("HOUSEHOLD_TOKEN_KEYS", "no-colon-here"),
    ],
)
def test_an_invalid_value_stops_startup_naming_the_variable(variable, value):
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.dev", variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_value_means_the_default():
    result = manage(
        "check", env={"DJANGO_SETTINGS_MODULE": "config.settings.dev", "STAFF_SESSION_IDLE_SECONDS": ""}
    )
    assert result.returncode == 0, result.stderr


def test_an_unreachable_database_is_one_clear_line():
    result = manage(
        "migrate",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/portal",
        },
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# A gunicorn worker once booted (config/gunicorn.py): what its first request would otherwise build.
WORKER_BOOT = """
import gc, importlib.util, django
django.setup()
from django.conf import settings
from django.urls import get_resolver
from config.celery import app
spec = importlib.util.spec_from_file_location("hooks", "config/gunicorn.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)
hooks.post_worker_init(None)
resolver = get_resolver()
print(sorted(resolver._reverse_dict), app.finalized, gc.get_freeze_count() > 100000)
"""


def test_a_booted_worker_has_its_url_lookups_and_its_celery_app_ready_and_frozen():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    done = subprocess.run(
        [sys.executable, "-c", WORKER_BOOT],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['en',", "'zh-hans']", "True", "True"]
