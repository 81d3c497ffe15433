"""Print a source system's feedback signing secret as the last line, for its operators."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from marketplace.needs.models import SourceSystem
from marketplace.needs.services.feedback_dispatch import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    feedback_signing_secret,
)


class Command(BaseCommand):
    help = (
        "Print the secret a source system uses to verify the signatures of feedback webhooks "
        "(HMAC-SHA256 of FEEDBACK_SIGNING_KEY and the system's key prefix) as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="Name of the source system")

    def handle(self, *args, source, **options):
        system = SourceSystem.objects.filter(name=source).first()
        if system is None:
            raise CommandError(f"没有这个来源系统 (no source system named {source!r})")
        self.stdout.write(
            f"来源系统 (source system) “{system.name}”: verify {SIGNATURE_HEADER} = "
            f'sha256=HMAC-SHA256(secret, "<{TIMESTAMP_HEADER}>.<raw body>"). '
            "Rotating the system's API key changes this secret."
        )
        self.stdout.write("Signing secret (keep it secret):")
        self.stdout.write(feedback_signing_secret(system))
