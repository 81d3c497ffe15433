"""Production: every secret from the environment, HTTPS everywhere.

Passes ``manage.py check --deploy --fail-level WARNING`` given the variables documented in
``.env.example``.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "环境变量 DJANGO_SECRET_KEY 太短 (DJANGO_SECRET_KEY must be at least 50 random characters)"
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Required: the development default key must never make real households' tokens.
if FIELD_ENCRYPTION_KEYS == FIELD_ENCRYPTION_KEYS_DEV:  # noqa: F405
    raise ImproperlyConfigured(
        "环境变量 FIELD_ENCRYPTION_KEYS 未设置 (set FIELD_ENCRYPTION_KEYS: production needs its own keys)"
    )
if FEEDBACK_SIGNING_KEY == FEEDBACK_SIGNING_KEY_DEV:  # noqa: F405
    raise ImproperlyConfigured(
        "环境变量 FEEDBACK_SIGNING_KEY 未设置 (set FEEDBACK_SIGNING_KEY: production needs its own key)"
    )
if HOUSEHOLD_TOKEN_KEYS == HOUSEHOLD_TOKEN_KEYS_DEV:  # noqa: F405
    raise ImproperlyConfigured(
        "环境变量 HOUSEHOLD_TOKEN_KEYS 未设置 (set HOUSEHOLD_TOKEN_KEYS: production needs its own keys)"
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
)
