"""Intake: records pushed by a source system pass the privacy gate and become needs.

Records succeed or fail one by one: an invalid record is answered with its field errors and
nothing of it is stored; the valid ones of a batch are written together in one transaction.
Raw identity lives only in local variables here (``sensitive_variables`` keeps them out of
error reports) and leaves as the household token and redacted text.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from core.bulk import insert_new
from marketplace.needs.choices import NeedType
from marketplace.needs.filters import region_index
from marketplace.needs.gate import HOLD_RESIDUAL_RISK, HOLD_THIN_CLASS, PublicDraft, privacy_gate
from marketplace.needs.hooks import needs_changed, needs_received
from marketplace.needs.intake import MAX_TEXT, SOURCE_REF, IntakeRecord, RecordErrors, parse_record
from marketplace.needs.keys import record_digest, token_for
from marketplace.needs.models import (
    CLOSED_STATUSES,
    PUBLIC_STATUSES,
    Need,
    NeedStatus,
    NeedTransition,
    PolicyOverride,
    SourceSystem,
)
from marketplace.needs.placement import FINEST, DisplayKey, max_level_for, node_from_string, node_string
from marketplace.needs.policy import RegionalOverride, assess_medical
from marketplace.needs.services.kanon import (
    load_placement,
    need_attributes,
    need_published_key,
    publication_note,
    publish_at,
    publish_waiting,
    wait_for_cohort,
)
from marketplace.needs.services.status import apply_status
from regions.models import Region, code_prefix

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the hotline


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    HELD = "held"
    REJECTED = "rejected"


@dataclass
class RecordResult:
    source_ref: str
    status: str
    need_code: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""

    def as_dict(self) -> dict:
        body: dict = {"source_ref": self.source_ref, "status": self.status, "need_code": self.need_code}
        if self.errors:
            body["errors"] = self.errors
        if self.note:
            body["note"] = self.note
        return body


def new_need_code() -> str:
    """A public code that reveals neither order nor volume: ``N`` and 9 random characters."""
    return "N" + "".join(CODE_ALPHABET[byte % 32] for byte in secrets.token_bytes(9))


def _overrides(today: date) -> list[RegionalOverride]:
    return [
        RegionalOverride(
            id=f"{row.region_id}-{row.pk}",
            label=row.label,
            region_code=row.region_id,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            inpatient_ratios={key: Decimal(value) for key, value in row.inpatient_ratios.items()},
            outpatient_chronic_ratio=row.outpatient_chronic_ratio,
            annual_cap=row.annual_cap,
            premium_ratios={key: Decimal(value) for key, value in row.premium_ratios.items()},
        )
        for row in PolicyOverride.objects.filter(effective_from__lte=today)
    ]


@dataclass
class _Accepted:
    """A valid record on its way to the database, identity already reduced to a token."""

    index: int
    record: IntakeRecord
    token: str
    digest: str
    existing: Need | None
    draft: PublicDraft | None = None
    need: Need | None = None
    was_published: DisplayKey | None = None


@sensitive_variables()
def needs_intake(
    *, source_system: SourceSystem, records: Sequence, today: date | None = None
) -> list[RecordResult]:
    """Take a batch of raw records from ``source_system``; return one result per record, in order.

    Never raises for a bad record: its result is ``rejected`` with field errors. Retries the
    batch once when a concurrent batch of the same source inserted the same ``source_ref``.
    """
    today = today or timezone.localdate()
    for attempt in (1, 2):
        try:
            return _intake_batch(source_system=source_system, records=records, today=today)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@sensitive_variables()
def _intake_batch(*, source_system: SourceSystem, records: Sequence, today: date) -> list[RecordResult]:
    county_cities = region_index().county_cities
    scope_prefix = code_prefix(source_system.region_id)
    results: list[RecordResult] = []
    accepted: list[_Accepted] = []
    seen_refs: set[str] = set()
    for index, raw in enumerate(records):
        source_ref = _echoed_ref(raw)
        try:
            record = parse_record(
                raw, county_codes=county_cities.keys(), scope_prefix=scope_prefix, today=today
            )
        except RecordErrors as invalid:
            results.append(RecordResult(source_ref, Outcome.REJECTED, errors=invalid.errors))
            continue
        if record.source_ref in seen_refs:
            results.append(
                RecordResult(
                    source_ref,
                    Outcome.REJECTED,
                    errors={"source_ref": [_("This source_ref appears twice in one request.")]},
                )
            )
            continue
        seen_refs.add(record.source_ref)
        results.append(RecordResult(record.source_ref, Outcome.REJECTED))  # replaced below
        accepted.append(
            _Accepted(
                index=index,
                record=record,
                token=token_for(record.head.id_number),
                digest=record_digest(raw),
                existing=None,
            )
        )

    with transaction.atomic():
        existing = {
            need.source_ref: need
            for need in Need.objects.filter(
                source_system=source_system, source_ref__in=[item.record.source_ref for item in accepted]
            )
        }
        work: list[_Accepted] = []
        for item in accepted:
            item.existing = existing.get(item.record.source_ref)
            verdict = _compare(item)
            if verdict is not None:
                results[item.index] = verdict
                continue
            item.draft = privacy_gate(item.record, today=today)
            if len(item.draft.title) > MAX_TEXT["title"]:
                # Each hidden detail becomes a longer mark: the database column would refuse it.
                results[item.index] = RecordResult(
                    item.record.source_ref,
                    Outcome.REJECTED,
                    errors={
                        "title": [
                            _("Too long once personal details are hidden: at most %(n)d characters.")
                            % {"n": MAX_TEXT["title"]}
                        ]
                    },
                )
                continue
            work.append(item)
        if work:
            _write(
                work, results=results, source_system=source_system, today=today, county_cities=county_cities
            )
    return results


def _echoed_ref(raw) -> str:
    """The ``source_ref`` a result repeats: only one intake would accept, so the answer never
    carries back what cannot be encoded (a lone surrogate) or shown (control characters)."""
    source_ref = raw.get("source_ref") if isinstance(raw, dict) else None
    if not isinstance(source_ref, str):
        return ""
    source_ref = source_ref.strip()
    if len(source_ref) > MAX_TEXT["source_ref"] or not SOURCE_REF.fullmatch(source_ref):
        return ""
    return source_ref


def _compare(item: _Accepted) -> RecordResult | None:
    """The answer for a record that need not be written, or ``None`` to write it."""
    need, record = item.existing, item.record
    if need is None:
        return None
    if need.record_digest == item.digest or (need.pending_revision or {}).get("digest") == item.digest:
        return RecordResult(record.source_ref, Outcome.UNCHANGED, need.code)
    if need.status in CLOSED_STATUSES:
        return RecordResult(
            record.source_ref,
            Outcome.REJECTED,
            need.code,
            errors={
                "source_ref": [
                    _("This need is closed (%(status)s); send a new source_ref.")
                    % {"status": NeedStatus(need.status).label}
                ]
            },
        )
    latest_version = max(need.version, (need.pending_revision or {}).get("version", 0))
    if record.version is not None:
        if record.version < latest_version:
            return RecordResult(
                record.source_ref, Outcome.UNCHANGED, need.code, note=_("An older version was ignored.")
            )
        if record.version == latest_version:
            return RecordResult(
                record.source_ref,
                Outcome.REJECTED,
                need.code,
                errors={
                    "version": [
                        _("Same version with different content: increase the version to change a need.")
                    ]
                },
            )
    return None


def _policy_fields(record: IntakeRecord, *, today: date, overrides: list[RegionalOverride]) -> dict:
    if record.need_type != NeedType.MEDICAL or record.medical is None:
        return {
            "target_amount": record.requested_amount,
            "statutory_coverage": None,
            "rule_version": "",
            "policy": {},
        }
    # 特困 and 因病致贫 are a person's, not the household's: the person's own categories decide,
    # and the household's stand in (said in the explanation) only where the source has none.
    own = record.beneficiary_categories is not None
    assessment = assess_medical(
        categories=record.beneficiary_categories if own else record.categories,
        categories_from="person" if own else "household",
        costs=record.medical,
        region_code=record.county_code,
        on=today,
        overrides=overrides,
    )
    policy = assessment.as_dict()
    policy["explanation"] = assessment.explanation()
    return {
        # Charity gives what is asked, but never what statutory aid already covers.
        "target_amount": min(record.requested_amount, assessment.charity_gap),
        "statutory_coverage": assessment.statutory_coverage,
        "rule_version": assessment.rule_version,
        "policy": policy,
    }


def _write(
    work: list[_Accepted],
    *,
    results: list[RecordResult],
    source_system: SourceSystem,
    today: date,
    county_cities: dict[str, str],
) -> None:
    overrides = _overrides(today)
    to_create: list[Need] = []
    to_update: dict[int, Need] = {}
    for item in work:
        _prepare(item, source_system=source_system, today=today, overrides=overrides)
        if item.existing is None:
            to_create.append(item.need)
        else:
            to_update[item.existing.pk] = item.existing
        if item.need is None:
            results[item.index] = RecordResult(
                item.record.source_ref,
                Outcome.HELD,
                item.existing.code,
                note=_("Claimed already: the change awaits review."),
            )
    placing = [item for item in work if item.need is not None and not item.draft.hold_reasons]

    # Lock the cities: concurrent batches in the same city place needs one after the other,
    # so two of them cannot both see a class one short of k. Everything above runs unlocked.
    cities = {county_cities[item.record.county_code] for item in work}
    list(
        Region.objects.select_for_update()
        .filter(code__in=sorted(cities))
        .order_by("code")
        .values_list("code")
    )
    placement = load_placement(
        ((need_attributes(item.need, county_cities), max_level_for(item.need.urgency)) for item in placing),
        county_cities,
    )
    transitions: list[NeedTransition] = []
    cohort_published: dict[int, Need] = {}
    held_in_batch: dict[str, tuple[int, str]] = {}
    for item in work:
        need, record = item.need, item.record
        if need is None:
            continue
        was_new = item.existing is None
        if item.was_published is not None and not item.draft.hold_reasons:
            node = node_from_string(need.generalization)
            if need_attributes(need, county_cities).key(node) == item.was_published:
                # A new version that shows the public the same values (another amount, a new
                # text) keeps its place: re-placing it could move it to a finer class and leave
                # the members of its old one fewer than k.
                publish_at(need, node, county_cities)
                results[item.index] = RecordResult(record.source_ref, Outcome.UPDATED, need.code)
                continue
        if item.was_published is not None:
            placement.remove_published(item.was_published)
        placement.discard_waiting(need.code)
        if item.draft.hold_reasons:
            need.public_region_id = record.county_code
            need.generalization = node_string(FINEST)
            need.public_class, need.public_categories = "", []
            need.awaiting_cohort = False
            need.hold_reasons = [
                {"code": HOLD_RESIDUAL_RISK, "detail": detail} for detail in item.draft.hold_details
            ]
            transitions += _move(
                need,
                NeedStatus.PENDING_REVIEW,
                source_system,
                _("Held for review: the text may still identify someone."),
                was_new,
            )
            results[item.index] = RecordResult(record.source_ref, Outcome.HELD, need.code)
            continue
        attributes, max_level = need_attributes(need, county_cities), max_level_for(need.urgency)
        placed = placement.place(need.code, need, attributes, max_level=max_level)
        if placed is None:
            wait_for_cohort(need, attributes, max_level=max_level)
            need.hold_reasons = [{"code": HOLD_THIN_CLASS, "detail": ""}]
            transitions += _move(
                need,
                NeedStatus.PENDING_REVIEW,
                source_system,
                _("Waiting for similar needs (k-anonymity)."),
                was_new,
            )
            results[item.index] = RecordResult(record.source_ref, Outcome.HELD, need.code)
            held_in_batch[need.code] = (item.index, Outcome.CREATED if was_new else Outcome.UPDATED)
            continue
        node, cohort = placed
        note = publication_note(node)
        publish_at(need, node, county_cities)
        transitions += _move(need, NeedStatus.PUBLISHED, source_system, note, was_new)
        for other in cohort:
            publish_at(other, node, county_cities)
            transitions.append(
                apply_status(other, NeedStatus.PUBLISHED, source_system=source_system, note=note)
            )
            if other.pk is not None:
                cohort_published[other.pk] = other
            if other.code in held_in_batch:
                # Held earlier in this batch, published now with its cohort: say what it is.
                index, outcome = held_in_batch.pop(other.code)
                results[index].status = outcome
        results[item.index] = RecordResult(
            record.source_ref, Outcome.CREATED if was_new else Outcome.UPDATED, need.code
        )

    insert_new(to_create)
    if to_update:
        Need.objects.bulk_update(list(to_update.values()), fields=UPDATE_FIELDS)
    publish_waiting(cohort_published.values())
    for transition in transitions:
        transition.need_id = transition.need.pk
    insert_new(transitions)
    needs_received.call(
        needs=[item.need for item in work if item.need is not None and item.need.pk], today=today
    )
    changed = {item.need.pk for item in work if item.need is not None and item.need.pk}
    needs_changed.call(need_ids=sorted(changed | {need.pk for need in to_update.values()}))


def _prepare(
    item: _Accepted, *, source_system: SourceSystem, today: date, overrides: list[RegionalOverride]
) -> None:
    """Set ``item.need`` to the need with the record's new values, all but where and whether it
    is published; or, for a need charities already claimed, keep the change for the caseworker
    (``item.need`` stays ``None``)."""
    record, draft, need = item.record, item.draft, item.existing
    if need is None:
        need = Need(
            code=new_need_code(),
            source_system=source_system,
            source_ref=record.source_ref,
            status=NeedStatus.PENDING_REVIEW,
        )
    elif need.claimed_amount > 0:
        need.pending_revision = _revision(item, today=today, overrides=overrides)
        return
    elif need.status in PUBLIC_STATUSES:
        item.was_published = need_published_key(need)  # before the new values replace it
    item.need = need
    need.version = record.version if record.version is not None else need.version
    need.record_digest = item.digest
    need.household_token = item.token
    need.region_id = record.county_code
    need.need_type = record.need_type
    need.categories = list(record.categories)
    need.department = record.department
    need.urgency = record.urgency
    need.needed_by = record.needed_by
    need.statutory_exhausted = record.statutory_exhausted
    need.title = draft.title
    need.summary = draft.summary
    need.age_band = draft.age_band
    need.sex = draft.sex
    need.household_size_band = draft.household_size_band
    need.amount_kind = record.amount_kind
    need.requested_amount = record.requested_amount
    need.unit = record.unit
    for name, value in _policy_fields(record, today=today, overrides=overrides).items():
        setattr(need, name, value)


UPDATE_FIELDS = [
    "version", "record_digest", "household_token", "region", "public_region", "generalization",
    "age_band", "sex", "household_size_band", "need_type", "categories", "department", "urgency",
    "needed_by", "title", "summary", "amount_kind", "requested_amount", "unit", "target_amount",
    "statutory_coverage", "rule_version", "policy", "status", "hold_reasons", "awaiting_cohort",
    "cohort_key", "cohort_wide_key", "public_class", "public_categories", "published_at", "updated_at",
    "pending_revision", "statutory_exhausted",
]  # fmt: skip


def _revision(item: _Accepted, *, today: date, overrides: list[RegionalOverride]) -> dict:
    """A change to a claimed need, already through the privacy gate, for the caseworker."""
    record, draft = item.record, item.draft
    policy = _policy_fields(record, today=today, overrides=overrides)
    return {
        "version": record.version if record.version is not None else item.existing.version,
        "digest": item.digest,
        "title": draft.title,
        "summary": draft.summary,
        "hold_details": list(draft.hold_details),
        "urgency": record.urgency,
        "needed_by": record.needed_by.isoformat(),
        "requested_amount": str(record.requested_amount),
        "target_amount": str(policy["target_amount"]),
        "received_at": timezone.now().isoformat(),
    }


def _move(
    need: Need, to_status: str, source_system: SourceSystem, note: str, was_new: bool
) -> list[NeedTransition]:
    """The transition rows for an intake move; a new need starts from no status."""
    if was_new:
        need.status = to_status
        if to_status == NeedStatus.PUBLISHED:
            need.published_at = timezone.now()
            need.awaiting_cohort = False
            need.hold_reasons = []
        return [
            NeedTransition(
                need=need, from_status="", to_status=to_status, source_system=source_system, note=note
            )
        ]
    if need.status == to_status:
        if to_status == NeedStatus.PUBLISHED:
            need.awaiting_cohort = False
            need.hold_reasons = []
        return []
    return [apply_status(need, to_status, source_system=source_system, note=note)]
