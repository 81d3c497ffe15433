"""Create a source system and print its API key as the last line (shown once, never stored)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from marketplace.needs.services.sources import source_system_create


class Command(BaseCommand):
    help = "Create a source system that may push needs; prints its API key as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Name of the system, e.g. 洪山区民政救助系统")
        parser.add_argument("--department", required=True, help="Department code, e.g. civil_affairs")
        parser.add_argument("--region", required=True, help="GB/T 2260 code of its region scope, e.g. 420111")
        parser.add_argument("--webhook-url", default="", help="Where feedback events are sent (optional)")

    def handle(self, *args, name, department, region, webhook_url, **options):
        try:
            system, key = source_system_create(
                name=name, department=department, region_code=region, webhook_url=webhook_url
            )
        except ValidationError as invalid:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in invalid.message_dict.items()
            )
            raise CommandError(problems) from None
        self.stdout.write(
            f"已创建来源系统 (created source system) “{system.name}”, scope {system.region_id}."
        )
        self.stdout.write("API key (shown once; store it now):")
        self.stdout.write(key)
