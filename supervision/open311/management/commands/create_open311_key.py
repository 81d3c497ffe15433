"""Create an Open311 API key and print it as the last line (shown once, stored only hashed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from supervision.open311.keys import open311_key_create


class Command(BaseCommand):
    help = "Create an API key for an Open311 client; prints the key as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Name of the client, e.g. 武汉市12345热线")

    def handle(self, *args, name, **options):
        try:
            record, key = open311_key_create(name=name)
        except ValidationError as invalid:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in invalid.message_dict.items()
            )
            raise CommandError(problems) from None
        self.stdout.write(
            f"已创建 Open311 密钥 (created Open311 key) “{record.name}”, prefix {record.key_prefix}."
        )
        self.stdout.write("API key (shown once; store it now):")
        self.stdout.write(key)
