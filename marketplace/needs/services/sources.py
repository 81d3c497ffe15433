"""Source systems and their API keys. A key is shown once; only its SHA-256 is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Department
from core.keys import key_hash, new_key
from marketplace.needs.models import SourceSystem
from regions.models import Region

KEY_SCHEME = "Api-Key"


@transaction.atomic
def source_system_create(
    *, name: str, department: str, region_code: str, webhook_url: str = ""
) -> tuple[SourceSystem, str]:
    """Create a source system; return it with its API key, which is not stored and not shown again.

    Raises ``ValidationError`` for a taken name, an unknown department or region.
    """
    errors = {}
    if department not in Department.values:
        errors["department"] = _("Unknown department.")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors["region"] = _("Unknown region code.")
    if SourceSystem.objects.filter(name=name).exists():
        errors["name"] = _("A source system with this name exists.")
    if errors:
        raise ValidationError(errors)
    prefix, key = new_key()
    system = SourceSystem(
        name=name,
        department=department,
        region=region,
        webhook_url=webhook_url,
        key_prefix=prefix,
        key_hash=key_hash(key),
    )
    system.full_clean()
    system.save()
    return system, key


@transaction.atomic
def source_system_rotate_key(*, source_system: SourceSystem) -> str:
    """Give the system a new key; the old one stops working at once. Returns the new key."""
    prefix, key = new_key()
    source_system.key_prefix, source_system.key_hash = prefix, key_hash(key)
    source_system.save(update_fields=["key_prefix", "key_hash"])
    return key


def source_system_for_key(key: str) -> SourceSystem | None:
    """The active source system holding ``key``, or ``None``."""
    return (
        SourceSystem.objects.select_related("region")
        .filter(key_hash=key_hash(key.strip()), is_active=True)
        .first()
    )
