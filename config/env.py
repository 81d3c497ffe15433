"""Environment reading that names the variable when its value is wrong.

django-environ raises a bare ``ValueError`` for a value it cannot cast; at start-up that
reads as a stack trace with no hint of which variable to fix. Every setting goes through
this ``Env`` so a bad value stops start-up with one line naming the variable.
"""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
SUPPORTED_DATABASE_ENGINES = frozenset({"django.db.backends.postgresql", "django.db.backends.sqlite3"})


class Env(environ.Env):
    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        if default is not self.NOTSET and self.ENVIRON.get(var) == "":
            # An empty value (as left in a copy of .env.example) means "not set".
            return self.parse_value(default, cast) if parse_default and default is not None else default
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # noqa: BLE001 - any cast failure is a bad value
            raise ImproperlyConfigured(
                f"环境变量 {var} 的值无效 (invalid value for environment variable {var}): {exc}"
            ) from None

    def bool(self, var, default=environ.Env.NOTSET):
        """A strict boolean: a typo such as ``DJANGO_DEBUG=ture`` is an error, not ``False``."""
        value = self.str(var, default="" if default is not self.NOTSET else self.NOTSET)
        if value == "":
            return default
        lowered = value.strip().lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"环境变量 {var} 的值无效 (invalid value for environment variable {var}): "
            f"{value!r}, expected true or false"
        )

    def db_url(self, var=environ.Env.DEFAULT_DATABASE_ENV, default=environ.Env.NOTSET, engine=None):
        try:
            config = super().db_url(var, default=default, engine=engine)
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # noqa: BLE001 - an unparsable URL is a bad value
            raise ImproperlyConfigured(
                f"环境变量 {var} 的值无效 (invalid value for environment variable {var}): {exc}"
            ) from None
        if config.get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
            raise ImproperlyConfigured(
                f"环境变量 {var} 的值无效 (invalid value for environment variable {var}): "
                "use postgres://user:password@host:port/name or sqlite:///path"
            )
        return config

    def choice(self, var: str, choices: tuple[str, ...], default: str) -> str:
        value = self.str(var, default=default)
        if value not in choices:
            raise ImproperlyConfigured(
                f"环境变量 {var} 的值无效 (invalid value for environment variable {var}): "
                f"{value!r}, expected one of {', '.join(choices)}"
            )
        return value
