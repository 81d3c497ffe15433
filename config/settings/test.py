"""Tests: SQLite unless DATABASE_URL says otherwise, fast hashing, in-memory e-mail."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"  # noqa: S105 - tests only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Lock-out is exercised by its own tests; it would otherwise leak between tests via the cache.
AXES_ENABLED = True
# Counts are read right after writes; the facet cache has its own tests that turn it on.
NEED_FACETS_CACHE_SECONDS = 0
# No background counting threads behind the tests' backs (its own test turns it on).
NEED_FACETS_REFRESH_AHEAD_SECONDS = 0
