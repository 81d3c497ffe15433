"""What several web nodes must share (issue: beyond one machine): the files, the cache, one beat,
and a database pool mode that says what it cannot do."""

from __future__ import annotations

import boto3
import pytest
from celery.beat import Scheduler
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone
from moto import mock_aws

from config import beat
from config.celery import app as celery_app
from core import checks, db
from marketplace.delivery.services.reports import delivery_report
from tests.config.test_startup import PRODUCTION_ENV, manage
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import jpeg_with_exif, upload
from tests.factories.needs import NeedFactory

BUCKET = "portal-media"
S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "region_name": "us-east-1",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- shared media ---------------------------------------------------------------------------------


@pytest.fixture
def s3(settings, monkeypatch):
    """An S3 endpoint in-process (moto, standing in for object storage in tests only)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = S3_STORAGES
        yield client


@pytest.mark.django_db
def test_evidence_goes_to_the_private_bucket_and_comes_back_only_through_the_portal(s3, client):
    claim = ClaimFactory(need=NeedFactory(target_amount="800.00"))
    photo = jpeg_with_exif()
    delivery = delivery_report(
        claim=claim,
        actor=claim.claimant,
        amount="800.00",
        delivered_on=timezone.localdate(),
        description="送去药品和营养品。",
        files=[upload("门口.jpg", photo, "image/jpeg")],
    )
    [evidence] = delivery.evidence.all()
    assert default_storage.__class__.__name__ == "S3Storage"
    [stored] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == evidence.file.name
    assert stored["Key"].startswith("private/evidence/")
    grants = s3.get_object_acl(Bucket=BUCKET, Key=stored["Key"])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    body = s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
    assert b"Exif" not in body

    client.force_login(claim.claimant)
    response = client.get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200  # streamed by the portal, not a redirect to the bucket
    assert b"".join(response.streaming_content) == body
    client.logout()
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 302  # to the sign-in page


def test_the_storage_setting_reads_the_environment():
    code = (
        "from django.conf import settings; o = settings.STORAGES['default']; "
        "print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['endpoint_url'], "
        "o['OPTIONS']['default_acl'], settings.WAGTAILDOCS_SERVE_METHOD)"
    )
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "portal-media",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "portal-media",
        "http://127.0.0.1:9000",
        "private",
        "serve_view",
    ]
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.dev", "MEDIA_STORAGE": "ftp"})
    assert result.returncode != 0
    assert "MEDIA_STORAGE" in result.stderr


# --- check --deploy -------------------------------------------------------------------------------


def test_deploy_checks_warn_of_an_in_process_cache_and_local_media():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("CACHE_URL", "MEDIA_STORAGE", "S3_BUCKET")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "CACHE_URL" in result.stderr
    assert "portal.W002" in result.stderr
    assert "MEDIA_STORAGE" in result.stderr


def test_the_deploy_checks_pass_with_a_shared_cache_and_object_storage(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    }
    settings.STORAGES = S3_STORAGES
    assert checks.shared_cache(None) == []
    assert checks.shared_media(None) == []


# --- the pool mode --------------------------------------------------------------------------------


def test_transaction_pooling_turns_off_prepared_statements_and_server_side_cursors():
    code = (
        "from django.conf import settings; print(settings.DATABASE_PREPARED_STATEMENTS, "
        "settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'))"
    )
    base = {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://u@127.0.0.1:6432/portal",
    }
    transaction = manage("shell", "-v", "0", "-c", code, env={**base, "DATABASE_POOL_MODE": "transaction"})
    assert transaction.stdout.split() == ["False", "True"], transaction.stderr
    # PgBouncer >= 1.21 with max_prepared_statements keeps them: the operator says so.
    kept = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env={**base, "DATABASE_POOL_MODE": "transaction", "DATABASE_PREPARED_STATEMENTS": "true"},
    )
    assert kept.stdout.split() == ["True", "True"], kept.stderr
    session = manage("shell", "-v", "0", "-c", code, env=base)
    assert session.stdout.split() == ["True", "None"], session.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_statement_is_prepared_when_the_pool_cannot_keep_it(settings):
    from django.db import connection

    assert db.can_prepare(connection)
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert not db.can_prepare(connection)


# --- one beat -------------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """What each scheduler hands to the broker: (scheduler owner, task name)."""
    calls: list[tuple[str, str]] = []

    def record(self, entry, producer=None, advance=True, **kwargs):
        calls.append((self.owner, entry.task))

    monkeypatch.setattr(Scheduler, "apply_async", record)
    return calls


@pytest.fixture
def two_beats(transactional_db, monkeypatch):
    """Two beats of one deployment, each with a ping due every 10 ms (beat commits as it goes,
    and closes connections it finds inside a transaction: a transactional test).

    Its tests are marked ``serialized_rollback`` like the suite's other transactional tests (the
    mark also sorts them after the plain database tests): a plain flush re-runs post_migrate and
    recreates the content types with new ids, and a later ``serialized_rollback`` test's reload
    of the migrated rows then collides with them (duplicate content type)."""
    cache.delete(beat.BEAT_LOCK_KEY)
    monkeypatch.setitem(celery_app.conf, "beat_schedule", {"ping": {"task": "portal.ping", "schedule": 0.01}})
    schedulers = [beat.SingleBeatScheduler(app=celery_app, lazy=False) for _ in range(2)]
    yield schedulers
    for scheduler in schedulers:
        scheduler._finalize.cancel()  # its sync at exit would find the test database gone
    cache.delete(beat.BEAT_LOCK_KEY)


def run(schedulers, rounds=5):
    for _ in range(rounds):
        for scheduler in schedulers:
            scheduler.tick()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_beat_sends_nothing_while_the_first_holds_the_lock(two_beats, sent):
    first, second = two_beats
    run([first, second])
    assert sent
    assert {owner for owner, _ in sent} == {first.owner}
    assert not second.holding


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_beat_takes_over_when_the_first_stops(two_beats, sent):
    first, second = two_beats
    run([first, second], rounds=2)
    first.close()  # a clean stop releases the lock; a crash lets it expire (BEAT_LOCK_SECONDS)
    sent.clear()
    run([second], rounds=3)
    assert sent
    assert {owner for owner, _ in sent} == {second.owner}


@pytest.mark.redis
def test_the_beat_lock_is_shared_through_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": "beat-lock-test",
        }
    }
    from django.core.cache import caches

    caches["default"].delete(beat.BEAT_LOCK_KEY)
    assert beat.hold_beat_lock("node-a:1", seconds=30)
    assert not beat.hold_beat_lock("node-b:1", seconds=30)
    assert beat.hold_beat_lock("node-a:1", seconds=30)  # renewed
    beat.release_beat_lock("node-b:1")  # not its lock: nothing happens
    assert not beat.hold_beat_lock("node-b:1", seconds=30)
    beat.release_beat_lock("node-a:1")
    assert beat.hold_beat_lock("node-b:1", seconds=30)
    beat.release_beat_lock("node-b:1")
