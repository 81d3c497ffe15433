"""The privacy gate: from a valid intake record to what the public may see.

Pure: the record's identity goes in, the redacted text and generalized attributes come out,
with the reasons a caseworker must look before anything is published. k-anonymity, which
depends on the other published needs, is decided by the intake service.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation

from marketplace.intake import IntakeRecord
from privacy.generalize import age_band, household_size_band
from privacy.redaction import IdentityValues, redact, residual_risk

# Codes stored in Need.hold_reasons; marketplace.services.review.describe_hold_reasons explains them.
HOLD_RESIDUAL_RISK = "residual_risk"
HOLD_THIN_CLASS = "thin_class"


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


def identity_of(record: IntakeRecord) -> IdentityValues:
    people = [record.head, *([record.beneficiary] if record.beneficiary else [])]
    return IdentityValues(
        names=[person.name for person in people if person.name],
        id_numbers=[person.id_number for person in people if person.id_number],
        phones=[record.phone] if record.phone else [],
        address=record.address,
    )


def privacy_gate(record: IntakeRecord, *, today: date) -> PublicDraft:
    """Redact the record's free text and generalize its attributes."""
    identity = identity_of(record)
    title = redact(record.title, identity=identity)
    summary = redact(record.description, identity=identity)
    person = record.person_in_need
    reasons = residual_risk(title.text) + residual_risk(summary.text)
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
