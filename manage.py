#!/usr/bin/env python
"""Django's command-line utility, with start-up errors reported as one clear line."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now to report a bad variable
    except ImproperlyConfigured as exc:
        sys.exit(f"配置错误 (configuration error): {exc}")
    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        sys.exit(f"无法连接数据库 (database unreachable), check DATABASE_URL: {first_line}")


if __name__ == "__main__":
    main()
