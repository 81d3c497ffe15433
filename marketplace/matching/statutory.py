"""Statutory first (法定救助优先): which statutory programme applies to a need, and whether the
pushing department confirmed it was exhausted before asking charity.

Medical needs have the policy engine (marketplace.needs.policy): its computation is the
statutory programme, and the need's charity target is already what it leaves. Education,
housing and employment needs look up ``StatutoryProgramme``, the back-office table civil
affairs keeps, at the need's county, else its city, else the province. A need of such a type
pushed without ``statutory_exhausted: true`` is marked "not confirmed exhausted", on its page
and in every recommendation, and loses points there (``scoring.POINTS["statutory"]``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketplace.matching.models import StatutoryProgramme
from marketplace.needs.choices import NeedType
from regions.models import covering_codes


@dataclass(frozen=True)
class StatutoryStatus:
    programme: str  # the programme's name, or "" when the portal knows none
    department: str
    confirmed: bool | None  # the source department's word: True, False, or None (not said)

    @property
    def code(self) -> str:
        """``scoring.POINTS["statutory"]`` key."""
        if not self.programme:
            return "none"
        return "confirmed" if self.confirmed else "unconfirmed"

    @property
    def words(self) -> str:
        if not self.programme:
            return _("No statutory programme is listed for this need type here.")
        if self.confirmed:
            return _("Statutory programme: %(name)s; the source department confirmed it was exhausted.") % {
                "name": self.programme
            }
        return _(
            "Statutory programme: %(name)s; the source department has not confirmed it was exhausted."
        ) % {"name": self.programme}


def programmes_for(needs) -> dict[int, StatutoryProgramme]:
    """The programme of each education, housing or employment need (the nearest region's)."""
    needs = [need for need in needs if need.need_type in StatutoryProgramme.NEED_TYPES]
    if not needs:
        return {}
    codes = {code for need in needs for code in covering_codes(need.region_id)}
    table = {
        (row.region_id, row.need_type): row
        for row in StatutoryProgramme.objects.filter(
            region_id__in=codes, need_type__in={need.need_type for need in needs}
        )
    }
    found = {}
    for need in needs:
        for code in reversed(covering_codes(need.region_id)):  # county first
            row = table.get((code, need.need_type))
            if row is not None:
                found[need.pk] = row
                break
    return found


def statutory_statuses(needs) -> dict[int, StatutoryStatus]:
    """``{need.pk: StatutoryStatus}`` for needs whose statutory programme the portal knows."""
    needs = list(needs)
    rows = programmes_for(needs)
    result = {}
    for need in needs:
        if need.need_type == NeedType.MEDICAL and need.rule_version:
            # The policy engine computed the statutory share: the gap is what it leaves.
            result[need.pk] = StatutoryStatus(
                _("Medical assistance (policy engine)"), _("Medical security"), True
            )
        elif need.pk in rows:
            row = rows[need.pk]
            result[need.pk] = StatutoryStatus(row.name, row.department, need.statutory_exhausted)
    return result


def statutory_part_for(needs) -> dict:
    """``{need.pk: scoring.Part}`` of the statutory part, for needs that have a programme."""
    from marketplace.matching.scoring import POINTS, Part

    return {
        pk: Part("statutory", status.code, POINTS["statutory"][status.code][0])
        for pk, status in statutory_statuses(needs).items()
    }


def statutory_panel(request, need, **state) -> tuple[str, dict]:
    """The need page's statutory panel (``needs.hooks.need_page_panels``)."""
    status = statutory_statuses([need]).get(need.pk)
    return "matching/includes/statutory_panel.html", {"statutory": status}
