"""Spreadsheet imports of needs (表格导入): a caseworker's rows go through intake, as a source
system of their region.

The file itself is read by ``marketplace.needs.spreadsheet`` and uploaded through the admin page
``marketplace.needs.admin.imports``; this module runs its rows through intake, for a preview
(rolled back) or for real.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Department
from accounts.roles import Role
from accounts.scoping import user_may_act
from marketplace.needs.models import NeedTransition, SourceSystem
from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.sources import source_system_create
from regions.models import Region

SPREADSHEET_SOURCE_PREFIX = "表格导入·"


def spreadsheet_source_system(*, user) -> SourceSystem:
    """The source system a user's spreadsheet imports go through, created on first use.

    One per region (the user's scope; the province for an administrator without one), named
    ``表格导入·<region> (<code>)``; its API key is discarded, since nothing pushes with it.
    Raises ``PermissionDenied`` for a user who is not a caseworker there, or when an
    administrator has switched the region's imports off (the system is inactive).
    """
    region = user.region if getattr(user, "region_id", None) else Region.objects.get(code="420000")
    if not user_may_act(user, region_code=region.code, roles=[Role.CASEWORKER]):
        raise PermissionDenied(_("Only caseworkers may import needs."))
    name = f"{SPREADSHEET_SOURCE_PREFIX}{region.name}（{region.code}）"
    system = SourceSystem.objects.filter(name=name).first()
    if system is None:
        try:
            with transaction.atomic():
                system, _key = source_system_create(
                    name=name, department=Department.CIVIL_AFFAIRS, region_code=region.code
                )
        except (ValidationError, IntegrityError):  # created meanwhile by a concurrent first import
            system = SourceSystem.objects.get(name=name)
    if not system.is_active:
        raise PermissionDenied(_("Spreadsheet imports for this region are switched off."))
    return system


@sensitive_variables()
def needs_import(*, user, records: list, dry_run: bool, today=None) -> list:
    """Import spreadsheet rows (intake records) through intake, as ``user``.

    With ``dry_run`` the very same intake runs inside a transaction that is rolled back, so the
    preview validates exactly as the import will (duplicates and versions included) and writes
    nothing. Returns intake's ``RecordResult`` list, one per record, in order; the transitions
    of an import record ``user`` as their actor. Raises ``PermissionDenied`` like
    ``spreadsheet_source_system``.
    """
    system = spreadsheet_source_system(user=user)
    with transaction.atomic():
        before = NeedTransition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        results = needs_intake(source_system=system, records=records, today=today)
        if dry_run:
            transaction.set_rollback(True)
        else:
            codes = [result.need_code for result in results if result.need_code]
            NeedTransition.objects.filter(
                pk__gt=before, source_system=system, actor__isnull=True, need__code__in=codes
            ).update(actor=user)
    return results
