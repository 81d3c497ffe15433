"""``manage.py check --deploy``: what breaks once the portal runs on more than one machine.

Each web node, worker and beat of a deployment must see the same cache (facet counts, rate
limits, locks, the beat lock) and the same files (evidence, certificates, attachments). With an
in-process cache or uploads on a local disk, a second node silently diverges: these warnings
name the setting to change (docs/deploy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

IN_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)
LOCAL_STORAGES = frozenset({"django.core.files.storage.FileSystemStorage"})


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in IN_PROCESS_CACHES:
        return []
    return [
        Warning(
            "缓存在本进程内 (the default cache is private to each process): facet counts, rate "
            "limits, locks and the beat lock are not shared between web nodes and workers.",
            hint="Set CACHE_URL=redis://host:6379/N (docs/deploy.md).",
            id="portal.W001",
        )
    ]


@register(Tags.files, deploy=True)
def shared_media(app_configs, **kwargs):
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend not in LOCAL_STORAGES:
        return []
    return [
        Warning(
            "上传文件保存在本机磁盘 (uploads are kept on this machine's disk): a certificate or "
            "evidence uploaded through one web node is missing on the others.",
            hint="Set MEDIA_STORAGE=s3 with S3_BUCKET and S3_ENDPOINT_URL, or put MEDIA_ROOT on a "
            "disk every node mounts (docs/deploy.md).",
            id="portal.W002",
        )
    ]
