"""Compile the project's translation catalogue for tests on a fresh clone.

The .mo file is build output (git-ignored); ``make test`` compiles it first. Running pytest
directly must still show Chinese, so the cms and browser conftests call this once per session.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def _stale_catalogues(locale_dir: Path) -> list[Path]:
    stale = []
    for po in locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def ensure_compiled_messages() -> None:
    """Compile every .po under LOCALE_PATHS whose .mo is missing or older, and nothing else."""
    compiled = False
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        if not _stale_catalogues(locale_dir):
            continue
        # compilemessages also walks the working directory for "locale" folders (the venv's
        # included); from inside the locale folder it finds only LOCALE_PATHS.
        with contextlib.chdir(locale_dir):
            call_command("compilemessages", verbosity=0)
        compiled = True
    if compiled:
        # Catalogues already loaded in this process would hide the new .mo: entering and
        # leaving an override of LOCALE_PATHS makes Django drop its translation caches.
        reload = override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS))
        reload.enable()
        reload.disable()
