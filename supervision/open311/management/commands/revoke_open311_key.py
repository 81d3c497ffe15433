"""Stop an Open311 client's API key at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from supervision.open311.keys import open311_key_revoke
from supervision.open311.models import Open311Key


class Command(BaseCommand):
    help = "Revoke the Open311 API key of a client (it stops working at once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Name given to create_open311_key")

    def handle(self, *args, name, **options):
        try:
            record = open311_key_revoke(name=name)
        except Open311Key.DoesNotExist:
            raise CommandError(f"No Open311 key is named “{name}”.") from None
        self.stdout.write(
            f"已停用 Open311 密钥 (revoked Open311 key) “{record.name}” ({record.key_prefix}…)."
        )
