"""Reading one intake record: validation into a typed ``IntakeRecord`` or field errors.

Pure: no database. The caller passes the known county codes and the source system's scope.
An ``IntakeRecord`` holds raw identity for the few microseconds the privacy gate needs it; its
``repr`` shows none of it, and nothing here puts a submitted value into an error message.

Every value is bounded before anything is written (``docs/decisions/0008-intake-bounds.md``):
nesting depth, integers with explicit ranges, text lengths and characters (no NUL, no control
characters but line breaks and tabs in the description, no lone surrogates: PostgreSQL and
UTF-8 refuse them), amounts written in ASCII digits with whole fen, dates within a few years.
A record that breaks a bound gets field errors; it never fails its batch.

The request body is read by ``marketplace.needs.batch``; amounts are cleaned by
``marketplace.needs.cleaning``, the rule forms, claims and delivery reports share.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from marketplace.needs.choices import LowIncomeCategory, NeedType, Urgency
from marketplace.needs.cleaning import CENT, MAX_AMOUNT, amount_value
from marketplace.needs.models import AmountKind
from marketplace.needs.policy import MedicalCosts
from privacy.identity import InvalidIdNumber, validate_id_number

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_TEXT = {"title": 200, "description": 5000, "source_ref": 100}
# What ``DELETE /api/v1/intake/needs/<source_ref>/`` can reach as one path segment, whatever a
# client or proxy does to the path: no "/", no "%", no spaces, no "." or ".." segments.
SOURCE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
# ``Need.version`` is a PositiveIntegerField: PostgreSQL's integer.
MAX_VERSION = 2**31 - 1
# A need that is not needed for years is not a need of today; it also never expires.
MAX_NEEDED_BY_YEARS = 5
# A record is an object holding objects holding lists (household.categories): 3 levels. Deeper
# input is refused before it is read, so no reader ever recurses over a hostile structure.
MAX_RECORD_DEPTH = 6
# Control characters (C0, DEL, C1) and lone surrogates: PostgreSQL refuses NUL in text and
# UTF-8 cannot encode a surrogate; the others are invisible and break one-line fields.
FORBIDDEN_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
FORBIDDEN_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # \t and \n allowed
SERVICE_NEED_TYPES = frozenset({NeedType.CARE_SERVICE, NeedType.COUNSELLING})
# The amounts of the ``medical`` object (``policy.MedicalCosts``): 住院政策范围内个人自付, 政策范围外,
# 门诊慢特病政策范围内个人自付, 本年度已获医疗救助, 城乡居民医保个人缴费.
MEDICAL_AMOUNTS = (
    "in_scope_self_pay",
    "out_of_scope",
    "outpatient_chronic_self_pay",
    "already_assisted_this_year",
    "insurance_premium",
)


# Every spelling of a person's sex that source systems send: the portal's words, Chinese, and the
# codes of GB/T 2261.1 (1 male, 2 female, 0 unknown, 9 unstated). Unknown and unstated count as
# not given (the ID number's own sex, if any, stands). Integers arrive as JSON numbers too.
SEX_SPELLINGS = {
    "male": "male",
    "female": "female",
    "男": "male",
    "女": "female",
    "男性": "male",
    "女性": "female",
    "1": "male",
    "2": "female",
    "0": "",
    "9": "",
    "未知": "",
    "未说明": "",
}


@dataclass(frozen=True)
class Person:
    name: str = field(repr=False)
    id_number: str = field(repr=False)
    birth_date: date | None = field(repr=False)
    sex: str = field(repr=False)


@dataclass(frozen=True)
class IntakeRecord:
    """A valid record. Identity fields are excluded from ``repr`` so a log line cannot leak."""

    source_ref: str
    version: int | None
    county_code: str
    head: Person
    phone: str = field(repr=False)
    address: str = field(repr=False)
    household_size: int = field(repr=False)
    categories: tuple[str, ...]
    # The person in need's own categories; ``None`` when the source sent none (the household's
    # then stand in, and the policy computation says so).
    beneficiary_categories: tuple[str, ...] | None
    beneficiary: Person | None = field(repr=False)
    need_type: str
    title: str = field(repr=False)
    description: str = field(repr=False)
    amount_kind: str
    requested_amount: Decimal
    unit: str
    medical: MedicalCosts | None
    urgency: str
    needed_by: date
    department: str
    # Did the pushing department confirm the statutory programme was exhausted? None: not said.
    statutory_exhausted: bool | None = None

    @property
    def person_in_need(self) -> Person:
        return self.beneficiary or self.head


class RecordErrors(Exception):
    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__("invalid record")
        self.errors = dict(errors)


@cache
def _codes(choices) -> frozenset[str]:
    return frozenset(choices.values)


def record_too_deep(raw: Any, *, limit: int = MAX_RECORD_DEPTH) -> str | None:
    """The top-level key under which ``raw`` nests more than ``limit`` containers (the record
    itself counts as one), ``"non_field_errors"`` when elsewhere, or ``None`` when it does not.

    Iterative, so a hostile structure cannot exhaust the stack; stops at the first excess.
    """
    stack: list[tuple[Any, int, str]] = [(raw, 1, "non_field_errors")]
    while stack:
        value, depth, top = stack.pop()
        if depth > limit:
            return top
        if isinstance(value, Mapping):
            for key, child in value.items():
                if isinstance(child, (Mapping, list)):
                    stack.append((child, depth + 1, key if depth == 1 and isinstance(key, str) else top))
        elif isinstance(value, list):
            stack.extend((child, depth + 1, top) for child in value if isinstance(child, (Mapping, list)))
    return None


class _Reader:
    """Collects field errors while reading a record; never echoes the submitted values."""

    def __init__(self, raw: Mapping[str, Any]):
        self.raw = raw
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message) -> None:
        self.errors.setdefault(path, []).append(str(message))

    def text(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int = 200,
        multiline: bool = False,
    ) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(path, _("This field is required."))
            return ""
        if not isinstance(value, str):
            self.error(path, _("Must be text."))
            return ""
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if (FORBIDDEN_IN_TEXT if multiline else FORBIDDEN_IN_LINE).search(value):
            self.error(
                path,
                _(
                    "Remove the control characters (only line breaks and tabs are allowed) and any "
                    "invalid characters (lone UTF-16 surrogates)."
                )
                if multiline
                else _(
                    "Write it on one line: remove control characters, line breaks, tabs and invalid "
                    "characters (lone UTF-16 surrogates)."
                ),
            )
            return ""
        value = value.strip()
        if required and not value:
            self.error(path, _("This field is required."))
        if len(value) > max_length:
            self.error(path, _("At most %(n)d characters.") % {"n": max_length})
        return value

    def choice(self, data: Mapping, key: str, path: str, choices, *, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            self.error(path, _("This field is required."))
            return ""
        # A list or an object is unhashable: test the type before the set lookup.
        if not isinstance(value, str) or value not in _codes(choices):
            self.error(path, _("Unknown code; use one of: %(codes)s.") % {"codes": ", ".join(choices.values)})
            return ""
        return value

    def money(
        self, value: Any, path: str, *, required: bool = True, positive: bool = False
    ) -> Decimal | None:
        """An amount of money, hours or goods: whole fen (0.01), 0 or more (``positive``: 0.01
        or more), at most ``MAX_AMOUNT``; text in ASCII digits only."""
        if value is None or value == "":
            if required:
                self.error(path, _("This field is required."))
            return None
        amount = amount_value(value)
        if amount is None:
            self.error(path, _("Must be a number written with the digits 0-9, such as 1200.50."))
            return None
        if positive and amount < CENT:
            self.error(path, _("Must be at least 0.01: a need of nothing can never be claimed."))
            return None
        if amount < 0:
            self.error(path, _("Must not be negative."))
            return None
        if amount != amount.quantize(CENT):
            self.error(path, _("At most two decimals (whole fen)."))
            return None
        if amount > MAX_AMOUNT:
            self.error(path, _("Too large: at most %(max)s.") % {"max": MAX_AMOUNT})
            return None
        return amount.quantize(CENT)

    def date(self, value: Any, path: str, *, required: bool = True) -> date | None:
        if value is None or value == "":
            if required:
                self.error(path, _("This field is required."))
            return None
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            # A well-formed but impossible date (2025-02-30) gets the same error as a malformed one.
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value)
        self.error(path, _("Must be a date written YYYY-MM-DD."))
        return None

    def person(self, data: Any, path: str, *, today: date, head: bool) -> Person | None:
        if not isinstance(data, Mapping):
            self.error(path, _("Must be an object."))
            return None
        name = self.text(data, "name", f"{path}.name", max_length=50)
        raw_id = data.get("id_number")
        id_info = None
        id_number = ""
        if raw_id in (None, ""):
            if head:
                self.error(f"{path}.id_number", _("This field is required."))
        elif not isinstance(raw_id, str):
            self.error(f"{path}.id_number", _("Must be text."))
        else:
            try:
                id_info = validate_id_number(raw_id, today=today)
                id_number = raw_id
            except InvalidIdNumber as exc:
                self.error(f"{path}.id_number", exc.message)
        birth_date = id_info.birth_date if id_info else None
        sex = id_info.sex if id_info else ""
        if not head:
            given_birth = self.date(data.get("birth_date"), f"{path}.birth_date", required=False)
            if given_birth and given_birth > today:
                self.error(f"{path}.birth_date", _("Must not be in the future."))
            birth_date = given_birth or birth_date
            given_sex = data.get("sex")
            if given_sex not in (None, ""):
                spelled = SEX_SPELLINGS.get(str(given_sex).strip().lower())
                if spelled is None:
                    self.error(
                        f"{path}.sex",
                        _(
                            "Use male or female, 男 or 女, or a GB/T 2261.1 code: "
                            "1 male, 2 female, 0 or 9 unknown."
                        ),
                    )
                elif spelled:
                    sex = spelled
        return Person(name=name, id_number=id_number, birth_date=birth_date, sex=sex)


def source_ref_may_exist(source_ref: str) -> bool:
    """Whether a stored need may have this ``source_ref``: intake refuses any other now, and
    never stored control characters or lone surrogates (needs made before the character set was
    narrowed may hold other refs, so those are still looked up)."""
    return len(source_ref) <= MAX_TEXT["source_ref"] and not FORBIDDEN_IN_LINE.search(source_ref)


def latest_needed_by(today: date) -> date:
    """The latest ``needed_by`` intake accepts: ``MAX_NEEDED_BY_YEARS`` years from ``today``."""
    try:
        return today.replace(year=today.year + MAX_NEEDED_BY_YEARS)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year + MAX_NEEDED_BY_YEARS, day=28)


def parse_record(
    raw: Any,
    *,
    county_codes: frozenset[str],
    scope_prefix: str,
    today: date,
) -> IntakeRecord:
    """Validate one record; raise ``RecordErrors`` with messages per field path when invalid."""
    if not isinstance(raw, Mapping):
        raise RecordErrors({"non_field_errors": [str(_("Each record must be a JSON object."))]})
    too_deep = record_too_deep(raw)
    if too_deep is not None:
        message = _("Nested too deeply: a record holds objects and lists at most %(n)d levels deep.")
        raise RecordErrors({too_deep: [str(message % {"n": MAX_RECORD_DEPTH})]})
    read = _Reader(raw)

    source_ref = read.text(raw, "source_ref", "source_ref", max_length=MAX_TEXT["source_ref"])
    if source_ref and (not SOURCE_REF.fullmatch(source_ref) or ".." in source_ref):
        read.error(
            "source_ref",
            _(
                "Use only the letters A-Z and a-z, the digits 0-9 and . _ : - (starting with a "
                "letter or digit, without “..”), so that the need can be withdrawn by its URL."
            ),
        )
    version = raw.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_VERSION
    ):
        read.error("version", _("Must be a whole number from 0 to %(max)d.") % {"max": MAX_VERSION})
        version = None

    county_code = ""
    region_code = raw.get("region_code")
    if (
        not isinstance(region_code, str)
        or not region_code.isascii()
        or not region_code.isdigit()
        or len(region_code) not in (6, 9, 12)
    ):
        read.error(
            "region_code", _("Must be a GB/T 2260 code of 6 digits (or 9 or 12 digits under a county).")
        )
    elif region_code[:6] not in county_codes:
        read.error("region_code", _("Not a county of Hubei province."))
    elif not region_code.startswith(scope_prefix):
        read.error("region_code", _("Outside the region this source system may push needs for."))
    else:
        county_code = region_code[:6]

    household = raw.get("household")
    head = phone = address = None
    size = 0
    categories: tuple[str, ...] = ()
    if not isinstance(household, Mapping):
        read.error("household", _("This field is required."))
    else:
        head = read.person(household, "household", today=today, head=True)
        phone = read.text(household, "phone", "household.phone", required=False, max_length=30)
        address = read.text(household, "address", "household.address", required=False, max_length=200)
        size = household.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 30:
            read.error("household.size", _("Must be a whole number from 1 to 30."))
            size = 0
        raw_categories = household.get("categories")
        if not isinstance(raw_categories, list) or not raw_categories:
            read.error("household.categories", _("List at least one low-income category."))
        elif not all(isinstance(code, str) and code in _codes(LowIncomeCategory) for code in raw_categories):
            read.error(
                "household.categories",
                _("Unknown code; use one of: %(codes)s.") % {"codes": ", ".join(LowIncomeCategory.values)},
            )
        else:
            categories = tuple(dict.fromkeys(raw_categories))

    beneficiary_categories = None
    raw_person_categories = raw.get("beneficiary_categories")
    if raw_person_categories is not None:
        if not isinstance(raw_person_categories, list) or not raw_person_categories:
            read.error(
                "beneficiary_categories",
                _("List at least one low-income category, or leave the field out to use the household's."),
            )
        elif not all(
            isinstance(code, str) and code in _codes(LowIncomeCategory) for code in raw_person_categories
        ):
            read.error(
                "beneficiary_categories",
                _("Unknown code; use one of: %(codes)s.") % {"codes": ", ".join(LowIncomeCategory.values)},
            )
        elif categories and not set(raw_person_categories) <= set(categories):
            # The household's categories are what is published: a person's category outside
            # them would be a fact about the household nobody generalized.
            read.error(
                "beneficiary_categories",
                _("A person's categories must be among the household's (household.categories)."),
            )
        else:
            beneficiary_categories = tuple(dict.fromkeys(raw_person_categories))

    beneficiary = None
    if raw.get("beneficiary") not in (None, {}):
        beneficiary = read.person(raw["beneficiary"], "beneficiary", today=today, head=False)

    need_type = read.choice(raw, "need_type", "need_type", NeedType)
    title = read.text(raw, "title", "title", max_length=MAX_TEXT["title"])
    description = read.text(
        raw, "description", "description", required=False, max_length=MAX_TEXT["description"], multiline=True
    )

    amount_kind, unit, requested = AmountKind.MONEY, "", None
    requested_raw = raw.get("requested_amount")
    if isinstance(requested_raw, Mapping):
        if "hours" in requested_raw:
            amount_kind, unit = AmountKind.HOURS, "小时"
            requested = read.money(requested_raw.get("hours"), "requested_amount.hours", positive=True)
            if need_type and need_type not in SERVICE_NEED_TYPES:
                read.error("requested_amount", _("Hours are for service needs (care_service, counselling)."))
        else:
            amount_kind = AmountKind.GOODS
            requested = read.money(requested_raw.get("quantity"), "requested_amount.quantity", positive=True)
            unit = read.text(requested_raw, "unit", "requested_amount.unit", max_length=20)
    else:
        requested = read.money(requested_raw, "requested_amount", positive=True)

    medical = None
    if raw.get("medical") not in (None, {}):
        med = raw["medical"]
        if not isinstance(med, Mapping):
            read.error("medical", _("Must be an object."))
        else:
            # The inpatient self-pay may be left out only when the need is about outpatient
            # costs or the premium; every amount left out counts as 0.
            amounts = {
                key: read.money(
                    med.get(key, 0 if key != "in_scope_self_pay" else None),
                    f"medical.{key}",
                    required=key == "in_scope_self_pay"
                    and med.get("outpatient_chronic_self_pay") in (None, "")
                    and med.get("insurance_premium") in (None, ""),
                )
                for key in MEDICAL_AMOUNTS
            }
            if need_type and need_type != NeedType.MEDICAL:
                read.error("medical", _("Medical costs belong to medical needs only."))
            elif amount_kind != AmountKind.MONEY:
                read.error("medical", _("A medical need with costs asks for money."))
            elif not read.errors.keys() & {f"medical.{key}" for key in MEDICAL_AMOUNTS}:
                medical = MedicalCosts(**{key: value or Decimal(0) for key, value in amounts.items()})

    urgency = read.choice(raw, "urgency", "urgency", Urgency, default=Urgency.NORMAL)
    needed_by = read.date(raw.get("needed_by"), "needed_by")
    if needed_by and needed_by < today:
        read.error("needed_by", _("Must not be in the past."))
    elif needed_by and needed_by > latest_needed_by(today):
        read.error(
            "needed_by",
            _("Must be within %(years)d years from today (at the latest %(date)s).")
            % {"years": MAX_NEEDED_BY_YEARS, "date": latest_needed_by(today).isoformat()},
        )
    department = read.choice(raw, "department", "department", Department)
    statutory_exhausted = raw.get("statutory_exhausted")
    if statutory_exhausted is not None and not isinstance(statutory_exhausted, bool):
        read.error("statutory_exhausted", _("Must be true, false or left out."))
        statutory_exhausted = None

    if read.errors:
        raise RecordErrors(read.errors)
    return IntakeRecord(
        source_ref=source_ref,
        version=version,
        county_code=county_code,
        head=head,
        phone=phone,
        address=address,
        household_size=size,
        categories=categories,
        beneficiary_categories=beneficiary_categories,
        beneficiary=beneficiary,
        need_type=need_type,
        title=title,
        description=description,
        amount_kind=amount_kind,
        requested_amount=requested,
        unit=unit,
        medical=medical,
        urgency=urgency,
        needed_by=needed_by,
        department=department,
        statutory_exhausted=statutory_exhausted,
    )
