"""Make a personal API token for a user and print it as the last line (shown once, never stored)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import TOKEN_SCHEME, api_token_create


class Command(BaseCommand):
    help = "Make an API token acting as <username>; prints the token as the last line."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'CRM sync'")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有这个用户 (no user named {username!r})")
        try:
            token, key = api_token_create(user=user, name=name)
        except PermissionDenied as refused:
            raise CommandError(f"{refused} ({username})") from None
        self.stdout.write(
            f"已为用户 (token made for) {user.get_username()}, prefix {token.key_prefix}; "
            f"use it as: Authorization: {TOKEN_SCHEME} <token>"
        )
        self.stdout.write("API token (shown once; store it now):")
        self.stdout.write(key)
