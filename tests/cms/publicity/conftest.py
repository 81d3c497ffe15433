"""Publicity lists live under the notices index (/notices/, made by a migration) or a region's
section below it."""

from __future__ import annotations

import pytest

from cms.models import NoticeIndexPage


@pytest.fixture
def notices_section(db):
    return NoticeIndexPage.objects.live().get()
