"""The privacy gate: from a valid intake record to what the public may see.

Pure but for the region tree (read once per process): the record's identity goes in, the
redacted text and generalized attributes come out, with the reasons a caseworker must look
before anything is published. k-anonymity, which depends on the other published needs, is
decided by the intake service.

Places in the text: the need's published place is decided after the gate (county, or city when
its class is too thin at county level) and may change later (a waiting need published with
its cohort at city level, a re-imported need placed anew). So the text never names a place
below the city, whatever level is chosen: the household's own county and every run of its
address below the city are redacted (``IdentityValues.county``), and a text that still names
any district or county of Hubei is held for review, whose approval refuses it until the
caseworker removes the name (``places_below_city``). See docs/decisions/0001-privacy-gate.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from marketplace.needs.filters import RegionIndex, region_index
from marketplace.needs.intake import IntakeRecord
from privacy.generalize import age_band, household_size_band
from privacy.redaction import IdentityValues, PlaceNames, redact, residual_risk

# Codes stored in Need.hold_reasons; marketplace.needs.services.review.describe_hold_reasons explains them.
HOLD_RESIDUAL_RISK = "residual_risk"
HOLD_THIN_CLASS = "thin_class"

RESIDUAL_PLACE_BELOW_CITY = _(
    "The text names a district or county. A need may be published at city level, where that "
    "would narrow down the household: remove the name."
)


@dataclass(frozen=True)
class PublicDraft:
    title: str
    summary: str
    age_band: str
    sex: str
    household_size_band: str
    hold_reasons: tuple[str, ...]
    hold_details: tuple[str, ...]
    redactions: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Places:
    index: RegionIndex
    below_city: PlaceNames


_places_built: list[_Places] = []


def _places() -> _Places:
    """The names of Hubei's districts and counties below their city (not the four units the
    province administers, which count as cities), rebuilt when the region index is."""
    index = region_index()
    if not _places_built or _places_built[0].index is not index:
        names = [index.names[code] for code in index.county_codes - index.city_codes]
        # 长阳土家族自治县 is also written 长阳县.
        names += [name.split("土家族")[0] + "县" for name in names if "土家族自治县" in name]
        _places_built[:] = [_Places(index=index, below_city=PlaceNames(names))]
    return _places_built[0]


def places_below_city(text: str) -> list[str]:
    """The district and county names of Hubei that ``text`` names, in order, each once."""
    return _places().below_city.find(text)


def identity_of(record: IntakeRecord) -> IdentityValues:
    people = [record.head, *([record.beneficiary] if record.beneficiary else [])]
    index = _places().index
    return IdentityValues(
        names=[person.name for person in people if person.name],
        id_numbers=[person.id_number for person in people if person.id_number],
        phones=[record.phone] if record.phone else [],
        address=record.address,
        county="" if record.county_code in index.city_codes else index.names.get(record.county_code, ""),
    )


def privacy_gate(record: IntakeRecord, *, today: date) -> PublicDraft:
    """Redact the record's free text and generalize its attributes."""
    identity = identity_of(record)
    title = redact(record.title, identity=identity)
    summary = redact(record.description, identity=identity)
    person = record.person_in_need
    reasons = residual_risk(title.text) + residual_risk(summary.text)
    if places_below_city(title.text) or places_below_city(summary.text):
        reasons.append(RESIDUAL_PLACE_BELOW_CITY)
    details: tuple[str, ...] = ()
    if reasons:
        with translation.override("en"):
            # Stored as their English msgids, shown translated in the review queue.
            details = tuple(str(reason) for reason in reasons)
    return PublicDraft(
        title=title.text,
        summary=summary.text,
        age_band=age_band(person.birth_date, today=today) if person.birth_date else "",
        sex=person.sex,
        household_size_band=household_size_band(record.household_size),
        hold_reasons=(HOLD_RESIDUAL_RISK,) if details else (),
        hold_details=tuple(dict.fromkeys(details)),
        redactions=title.hits + summary.hits,
    )
