"""A caseworker's review of held needs (人工审核): approve, then the k-anonymity ladder, or reject.

Intake holds a need for review when its redacted text may still identify someone
(``residual_risk``) or when too few similar needs exist to publish it anonymously
(``thin_class``). The caseworker edits the public title and summary, then approves or rejects.

Approving never bypasses k-anonymity: the need is placed on the same ladder intake uses, under
the same city row lock, and waits for similar needs (``awaiting_cohort``) when no level reaches
k; intake then publishes it together with the needs that complete its class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.permissions import is_need_caseworker
from marketplace.needs.filters import region_index
from marketplace.needs.gate import (
    HOLD_RESIDUAL_RISK,
    HOLD_THIN_CLASS,
    RESIDUAL_PLACE_BELOW_CITY,
    places_below_city,
)
from marketplace.needs.intake import MAX_TEXT
from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.placement import CASEWORKER_APPROVED, WIDE
from marketplace.needs.services.kanon import (
    load_placement,
    need_attributes,
    publication_note,
    publish_at,
    publish_waiting,
    wait_for_cohort,
)
from marketplace.needs.services.status import NeedTransitionRefused, apply_status
from privacy.redaction import Kind, detect, normalize_text, residual_risk
from regions.models import Region

MAX_REASON = 1000

# What ``privacy.redaction.detect`` found, in words a caseworker understands.
IDENTIFIER_KINDS = {
    Kind.ID_NUMBER: gettext_lazy("an ID number"),
    Kind.MOBILE: gettext_lazy("a mobile phone number"),
    Kind.LANDLINE: gettext_lazy("a landline phone number"),
    Kind.BANK_CARD: gettext_lazy("a bank card number"),
    Kind.EMAIL: gettext_lazy("an e-mail address"),
    Kind.QQ: gettext_lazy("a QQ number"),
    Kind.WECHAT: gettext_lazy("a WeChat ID"),
    Kind.LICENCE_PLATE: gettext_lazy("a licence plate"),
    Kind.ADDRESS: gettext_lazy("a street address"),
    Kind.DATE: gettext_lazy("an exact date"),
}
PHONE_KINDS = (Kind.MOBILE, Kind.LANDLINE)
# The internal notes' fields, named as their forms label them (给经办人员的备注, 驳回理由).
NOTE_FIELD = pgettext_lazy("a field kept on record", "note")
REASON_FIELD = pgettext_lazy("a field kept on record", "reason")


@dataclass(frozen=True)
class ReviewOutcome:
    """What an approval did: published at ``level`` with ``cohort`` other needs, or waiting."""

    need: Need
    published: bool
    level: tuple[int, ...] | None = None  # the generalization (marketplace.needs.placement.Node)
    cohort: list[str] = field(default_factory=list)  # codes of the waiting needs published with it
    warnings: list[str] = field(default_factory=list)  # residual-risk heuristics, for information


def identifier_messages(text: str, *, stored_in: str = "", contact_hint: bool = False) -> list[str]:
    """One message per identifier ``detect`` finds in ``text``; empty when the text is clean.

    ``stored_in`` is set for an internal note kept on record (a claim's note, a rejection
    reason): the field's name as its form labels it (``NOTE_FIELD``, ``REASON_FIELD``), so the
    message names the field the person typed into. ``contact_hint`` adds, for a phone number,
    that no number belongs there, not even the claimant's own organization's, and where the
    caseworker finds it instead (charities put their contact number in their claim notes).
    """
    normalized = normalize_text(text)
    messages = []
    for hit in detect(normalized):
        values = {
            "what": IDENTIFIER_KINDS.get(hit.kind, gettext_lazy("an identifier")),
            "found": normalized[hit.start : hit.end],
            "field": stored_in,
        }
        if stored_in and contact_hint and hit.kind in PHONE_KINDS:
            message = _(
                "The %(field)s contains %(what)s (“%(found)s”). Remove it: the %(field)s is kept on "
                "record and holds no phone number, not even your organization's; the caseworker "
                "already sees the contact details your organization registered."
            )
        elif stored_in:
            message = _(
                "The %(field)s contains %(what)s (“%(found)s”). Remove it: nothing that identifies "
                "a person may be stored."
            )
        else:
            message = _("The text still contains %(what)s (“%(found)s”). Remove it before approving.")
        messages.append(message % values)
    return messages


def place_messages(text: str) -> list[str]:
    """One message per district or county ``text`` names; empty when it names none.

    A need may be published at city level (and moved there later), so its text never names a
    place below the city (see ``marketplace.needs.gate``).
    """
    return [
        _(
            "The text names the district or county “%(place)s”. A need may be published at city "
            "level, where that would narrow down the household: remove it before approving."
        )
        % {"place": place}
        for place in places_below_city(text)
    ]


def residual_warnings(*texts: str) -> list[str]:
    """The residual-risk heuristics for ``texts``, translated, without repeats."""
    reasons = [str(reason) for text in texts for reason in residual_risk(text)]
    if any(places_below_city(text) for text in texts):
        reasons.append(str(RESIDUAL_PLACE_BELOW_CITY))
    return list(dict.fromkeys(reasons))


def describe_hold_reasons(hold_reasons: Iterable[dict]) -> list[dict]:
    """Why a need is held, in the user's language: ``[{"label": ..., "details": [...]}]``.

    ``Need.hold_reasons`` stores codes and English msgids (``detail``), translated here.
    """
    labels = {
        HOLD_RESIDUAL_RISK: _("The text may still identify someone"),
        HOLD_THIN_CLASS: _("Waiting for similar needs before it can be published (k-anonymity)"),
    }
    described: dict[str, list[str]] = {}
    for reason in hold_reasons:
        code, detail = reason.get("code") or "", reason.get("detail") or ""
        details = described.setdefault(labels.get(code, code), [])
        if detail and _(detail) not in details:
            details.append(_(detail))
    return [{"label": label, "details": details} for label, details in described.items() if label]


def _check_may_review(actor, need: Need) -> None:
    if not is_need_caseworker(actor, need):
        raise PermissionDenied(_("You may not review needs of this region."))


def _clean_text(value: str) -> str:
    # The published text is the NFKC form, as the privacy gate publishes it.
    return normalize_text(value or "").strip()


@transaction.atomic
def need_review_approve(*, need: Need, actor, title: str, summary: str) -> ReviewOutcome:
    """Save the caseworker's public texts and publish the need, or let it wait for its cohort.

    The texts must hold nothing ``privacy.redaction.detect`` finds and name no district or
    county (``place_messages``); the other residual-risk heuristics are returned as warnings
    only, since the caseworker has judged the text.
    Publication follows the k-anonymity ladder: the first level whose class reaches k, together
    with the waiting needs of that class. When no level does, the need stays in review with
    ``awaiting_cohort`` and is published automatically once enough similar needs arrive.

    Raises ``PermissionDenied`` outside the actor's caseworker scope, ``ValidationError``
    (per field: ``title``, ``summary``) for an empty title, a detected identifier or a district
    or county name, and ``NeedTransitionRefused`` when the need is no longer pending review.
    """
    title, summary = _clean_text(title), _clean_text(summary)
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("This field is required.")]
    elif len(title) > MAX_TEXT["title"]:
        errors["title"] = [_("At most %(n)d characters.") % {"n": MAX_TEXT["title"]}]
    for name, text in (("title", title), ("summary", summary)):
        found = identifier_messages(text) + place_messages(text)
        if found:
            errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)

    county_cities = region_index().county_cities
    _check_may_review(actor, need)
    city = county_cities[need.region_id]
    # The city lock first, as intake takes it: approvals and intake batches of one city place
    # needs one after the other, so two of them cannot both see a class one short of k.
    list(Region.objects.select_for_update().filter(code=city).values_list("code"))
    locked = Need.objects.select_for_update().get(pk=need.pk)
    _check_may_review(actor, locked)
    if locked.status != NeedStatus.PENDING_REVIEW:
        raise NeedTransitionRefused(locked.status, NeedStatus.PUBLISHED)
    counties = [county for county, its_city in county_cities.items() if its_city == city]
    # Lock the waiting needs that may be published with this one.
    list(
        Need.objects.select_for_update()
        .filter(awaiting_cohort=True, region_id__in=counties, status=NeedStatus.PENDING_REVIEW)
        .values_list("pk")
    )

    locked.title, locked.summary = title, summary
    warnings = residual_warnings(title, summary)
    # Approved: it may be published, or wait for its class, at the coarsest level too
    # (see max_level_for).
    attributes = need_attributes(locked, county_cities)
    placement = load_placement([(attributes, WIDE)], county_cities)
    placed = placement.place(locked.code, locked, attributes, max_level=WIDE)
    if placed is None:
        wait_for_cohort(locked, attributes, max_level=WIDE)
        locked.hold_reasons = [{"code": HOLD_THIN_CLASS, "detail": CASEWORKER_APPROVED}]
        locked.save()
        # Status stays pending review; the row records who approved the text and why it waits.
        NeedTransition.objects.create(
            need=locked,
            from_status=NeedStatus.PENDING_REVIEW,
            to_status=NeedStatus.PENDING_REVIEW,
            actor=actor,
            note=_("Approved by a caseworker; waiting for similar needs (k-anonymity)."),
        )
        return ReviewOutcome(need=locked, published=False, warnings=warnings)

    level, cohort = placed
    publish_at(locked, level, county_cities)
    transition = apply_status(
        locked,
        NeedStatus.PUBLISHED,
        actor=actor,
        note=_("Approved by a caseworker.") + " " + publication_note(level),
    )
    locked.save()
    transition.save()
    note = (
        publication_note(level)
        + " "
        + _("Published with need %(code)s, whose approval completed the class.") % {"code": locked.code}
    )
    transitions = []
    for other in cohort:
        publish_at(other, level, county_cities)
        transitions.append(apply_status(other, NeedStatus.PUBLISHED, actor=actor, note=note))
    # As intake does: one UPDATE for the cohort and one INSERT for its transitions, not two per need.
    publish_waiting(cohort)
    NeedTransition.objects.bulk_create(transitions)
    codes = [other.code for other in cohort]
    return ReviewOutcome(need=locked, published=True, level=level, cohort=codes, warnings=warnings)


@transaction.atomic
def need_review_reject(*, need: Need, actor, reason: str) -> Need:
    """Reject a held need; ``reason`` becomes the transition's note.

    The reason is stored, so it must not identify anyone: it is checked like a public text.
    Raises ``PermissionDenied`` outside the actor's caseworker scope, ``ValidationError``
    (``reason``) for an empty reason or one holding a detected identifier, and
    ``NeedTransitionRefused`` when the need is no longer pending review.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for rejecting this need.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": MAX_REASON}]})
    found = identifier_messages(reason, stored_in=REASON_FIELD)
    if found:
        raise ValidationError({"reason": found})
    _check_may_review(actor, need)
    locked = Need.objects.select_for_update().get(pk=need.pk)
    _check_may_review(actor, locked)
    if locked.status != NeedStatus.PENDING_REVIEW:
        raise NeedTransitionRefused(locked.status, NeedStatus.REJECTED)
    transition = apply_status(locked, NeedStatus.REJECTED, actor=actor, note=reason)
    locked.save()
    transition.save()
    return locked
