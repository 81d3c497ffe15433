"""The medical-assistance policy engine (医疗救助政策计算).

Pure functions over plain values: no database, no models. The rules of 鄂民政发〔2024〕21号
section 四(二)1 are data (a versioned :class:`RuleSet`); cities and counties may raise them
with a :class:`RegionalOverride`; :func:`assess_medical` turns a person's low-income
categories and medical costs (and the basic medical insurance premium they owe) into an
:class:`Assessment` that says how much statutory medical assistance covers, what remains for
charity (慈善帮扶), and which rules produced the figures. :func:`explain` and
:func:`breakdown` read a stored assessment back to a person, in the active language.

Amounts are ``Decimal`` CNY quantized to 0.01 with ``ROUND_HALF_UP``; ratios are ``Decimal``
fractions in ``0..1`` (``Decimal("0.70")`` is 70 %). Effective periods include both ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_amount
from marketplace.needs.choices import LowIncomeCategory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal("1")

# Declaration order of the vocabulary; it also breaks ties between categories whose ratios
# are equal (e.g. relapse_monitoring and near_dibao both at 60 %), so the deciding category
# is deterministic.
CATEGORY_ORDER: tuple[str, ...] = tuple(LowIncomeCategory.values)

# The Chinese names the explanation uses, as the policy text words them (低保对象, not the UI's
# longer label); in another language the explanation uses LowIncomeCategory's labels.
CATEGORY_NAMES_ZH: Mapping[str, str] = MappingProxyType(
    {
        LowIncomeCategory.EXTREME_POVERTY: "特困人员",
        LowIncomeCategory.DIBAO: "低保对象",
        LowIncomeCategory.RELAPSE_MONITORING: "防止返贫监测对象",
        LowIncomeCategory.NEAR_DIBAO: "低保边缘家庭成员",
        LowIncomeCategory.RIGID_EXPENDITURE: "刚性支出困难家庭成员",
        LowIncomeCategory.ILLNESS_POVERTY: "因病致贫重病患者",
        LowIncomeCategory.OTHER: "其他困难人员",
    }
)


class NoRuleSet(LookupError):
    """No rule set is in force on the requested day."""


class BelowProvincialFloor(ValueError):
    """A regional override sets a ratio below the provincial floor (only raising is allowed)."""


class ConflictingOverrides(ValueError):
    """Two overrides for the same region take effect on the same day, so neither can win."""


# --- small helpers ---------------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    """Quantize an amount to cents, half up (the rounding used on assistance vouchers)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(ratio: Decimal) -> str:
    """``Decimal("0.70")`` → ``"70%"``, ``Decimal("0.755")`` → ``"75.5%"``."""
    value = (ratio * 100).quantize(CENT, rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}%"


def region_prefix(code: str) -> str:
    """The prefix every region inside ``code`` starts with: ``420100`` → ``4201``.

    The same rule as ``regions.models.code_prefix``, repeated here because importing that
    module loads Django models, and this engine must stay importable without the app registry.
    """
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def _check_region_code(code: str) -> None:
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        raise ValueError(_("A region code has six digits (GB/T 2260), got %(code)s.") % {"code": code})


def _check_category(code: str) -> None:
    if code not in CATEGORY_ORDER:
        raise ValueError(_("Unknown low-income category: %(code)s.") % {"code": code})


def _check_decimal(name: str, value: object) -> None:
    # Floats are refused outright: 0.7 is not 70 % in binary, and money must be exact.
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal, got {value!r}")


def _check_ratio(ratio: Decimal) -> None:
    if not ZERO <= ratio <= ONE:
        raise ValueError(_("A ratio must be between 0 and 1, got %(ratio)s.") % {"ratio": ratio})


def _in_force(effective_from: date, effective_to: date | None, day: date) -> bool:
    return effective_from <= day and (effective_to is None or day <= effective_to)


def _frozen_ratios(name: str, ratios: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    for category, ratio in ratios.items():
        _check_category(category)
        _check_decimal(f"{name}[{category}]", ratio)
    # Plain str keys (not the enum members) so lookups and as_dict() are predictable.
    return MappingProxyType({str(category): ratio for category, ratio in ratios.items()})


# --- rules as data ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """One version of the provincial medical-assistance rules (省级医疗救助政策).

    The ratios are floors (不低于): the province's minimum, which regional overrides may
    raise. ``inpatient_ratios`` names every category, with an explicit 0 where the seed sets
    no ratio (it names no medical-assistance ratio for 刚性支出困难家庭成员 and 其他困难人员).
    ``outpatient_categories`` are the medical assistance recipients (医疗救助对象) whose
    chronic/special-disease outpatient self-pay (门诊慢特病) is covered at
    ``outpatient_chronic_ratio``. ``premium_ratios`` is the share of the individual premium of
    城乡居民基本医疗保险 that assistance pays (参保资助); a category it does not name gets none.
    ``document`` names the document people read (a lazy msgid); ``source`` cites its clause.

    Raises ``ValueError`` for an unknown category, a missing one, a ratio outside ``0..1`` or
    an empty period, and ``TypeError`` for a ratio that is not a ``Decimal``.
    """

    id: str
    title: str | Promise  # a lazy msgid: shown in the back office
    source: str
    document: str | Promise = ""
    effective_from: date
    effective_to: date | None = None
    inpatient_ratios: Mapping[str, Decimal] = field(hash=False)
    outpatient_chronic_ratio: Decimal
    outpatient_categories: frozenset[str]
    premium_ratios: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    province_code: str = "420000"

    def __post_init__(self) -> None:
        ratios = _frozen_ratios("inpatient_ratios", self.inpatient_ratios)
        missing = set(CATEGORY_ORDER) - set(ratios)
        if missing:
            raise ValueError(f"rule set {self.id} has no inpatient ratio for {sorted(missing)}")
        premium_ratios = _frozen_ratios("premium_ratios", self.premium_ratios)
        for ratio in [*ratios.values(), *premium_ratios.values()]:
            _check_ratio(ratio)
        _check_decimal("outpatient_chronic_ratio", self.outpatient_chronic_ratio)
        _check_ratio(self.outpatient_chronic_ratio)
        for category in self.outpatient_categories:
            _check_category(category)
        _check_region_code(self.province_code)
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"rule set {self.id} ends before it starts")
        object.__setattr__(self, "inpatient_ratios", ratios)
        object.__setattr__(self, "premium_ratios", premium_ratios)
        object.__setattr__(self, "outpatient_categories", frozenset(map(str, self.outpatient_categories)))

    def in_force(self, day: date) -> bool:
        """True when this rule set applies on ``day`` (both ends of the period included)."""
        return _in_force(self.effective_from, self.effective_to, day)


HUBEI_2024 = RuleSet(
    id="hubei-2024-21",
    title=_("Hubei medical assistance ratios for low-income people (2024)"),
    source="鄂民政发〔2024〕21号 四(二)1",
    document=_(
        "Implementation opinions on strengthening the dynamic monitoring of low-income people and "
        "tiered, classified social assistance (鄂民政发〔2024〕21号), section 四(二)1"
    ),
    # The date the opinions were issued (印发 2024-09-09, dated 2024-09-06); the document
    # states no expiry, so the rule set stays open until a successor is added.
    effective_from=date(2024, 9, 6),
    inpatient_ratios={
        LowIncomeCategory.EXTREME_POVERTY: Decimal("1.00"),
        LowIncomeCategory.DIBAO: Decimal("0.70"),
        LowIncomeCategory.RELAPSE_MONITORING: Decimal("0.60"),
        LowIncomeCategory.NEAR_DIBAO: Decimal("0.60"),
        LowIncomeCategory.ILLNESS_POVERTY: Decimal("0.50"),
        # The seed names no medical-assistance ratio for these two categories.
        LowIncomeCategory.RIGID_EXPENDITURE: Decimal("0.00"),
        LowIncomeCategory.OTHER: Decimal("0.00"),
    },
    # 参保资助: 特困人员 in full (全额资助), 低保对象 at least 90 % of the individual premium
    # (不低于个人缴费标准90%的定额资助); the seed names no premium subsidy for the others.
    premium_ratios={
        LowIncomeCategory.EXTREME_POVERTY: Decimal("1.00"),
        LowIncomeCategory.DIBAO: Decimal("0.90"),
    },
    outpatient_chronic_ratio=Decimal("0.50"),
    outpatient_categories=frozenset(
        {
            LowIncomeCategory.EXTREME_POVERTY,
            LowIncomeCategory.DIBAO,
            LowIncomeCategory.RELAPSE_MONITORING,
            LowIncomeCategory.NEAR_DIBAO,
            LowIncomeCategory.ILLNESS_POVERTY,
        }
    ),
)

RULE_SETS: tuple[RuleSet, ...] = (HUBEI_2024,)


def rule_set_for(day: date, *, rule_sets: Sequence[RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set in force on ``day``; if periods overlap, the one that started last wins.

    Raises ``NoRuleSet`` (a ``LookupError``) when none is in force, e.g. before 2024-09-06.
    """
    in_force = [rule_set for rule_set in rule_sets if rule_set.in_force(day)]
    if not in_force:
        raise NoRuleSet(_("No medical assistance rules are in force on %(day)s.") % {"day": day.isoformat()})
    return max(in_force, key=lambda rule_set: rule_set.effective_from)


@dataclass(frozen=True, kw_only=True)
class RegionalOverride:
    """A city's or county's own medical-assistance rules (市县医疗救助实施细则).

    Applies to every region under ``region_code``'s prefix (``420100`` covers ``4201xx``).
    Each field left empty (``None``, or a category absent from ``inpatient_ratios``) falls
    back to the next less specific override, then to the province. ``premium_ratios`` are the
    shares of the individual premium that local 参保资助 pays, per category, as
    ``RuleSet.premium_ratios`` (a category it does not name falls back the same way; the
    province names only 特困 and 低保). ``annual_cap`` is the
    annual assistance limit per person (年度救助限额, CNY). ``id`` appears in rule version
    strings (``hubei-2024-21+420100-2025``), ``label`` in citations.

    Construction checks only the shape (codes, types); the values are checked against a rule
    set by :func:`validate_override`. Raises ``ValueError`` for a malformed region code, an
    unknown category, an empty or ``+``-containing id or an empty period, ``TypeError`` for a
    non-``Decimal`` ratio or cap.
    """

    id: str
    label: str
    region_code: str
    effective_from: date
    effective_to: date | None = None
    inpatient_ratios: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    outpatient_chronic_ratio: Decimal | None = None
    annual_cap: Decimal | None = None
    premium_ratios: Mapping[str, Decimal] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.id or "+" in self.id:
            raise ValueError(f"override id must be non-empty and free of '+', got {self.id!r}")
        _check_region_code(self.region_code)
        object.__setattr__(
            self, "inpatient_ratios", _frozen_ratios("inpatient_ratios", self.inpatient_ratios)
        )
        object.__setattr__(self, "premium_ratios", _frozen_ratios("premium_ratios", self.premium_ratios))
        if self.outpatient_chronic_ratio is not None:
            _check_decimal("outpatient_chronic_ratio", self.outpatient_chronic_ratio)
        if self.annual_cap is not None:
            _check_decimal("annual_cap", self.annual_cap)
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"override {self.id} ends before it starts")

    @property
    def prefix(self) -> str:
        return region_prefix(self.region_code)

    def covers(self, region_code: str) -> bool:
        """True when ``region_code`` lies inside (or is) this override's region."""
        return region_code.startswith(self.prefix)

    def in_force(self, day: date) -> bool:
        """True when this override applies on ``day`` (both ends of the period included)."""
        return _in_force(self.effective_from, self.effective_to, day)


def validate_override(override: RegionalOverride, rule_set: RuleSet) -> None:
    """Check an override against the provincial rules: it may raise ratios, never lower them.

    Raises ``BelowProvincialFloor`` (a ``ValueError``) naming the category and the floor when
    a ratio is below the provincial one; ``ValueError`` for a ratio outside ``0..1``, a
    negative annual cap, or a region that is the province itself or lies outside it.
    """
    province_prefix = region_prefix(rule_set.province_code)
    if not override.region_code.startswith(province_prefix) or override.prefix == province_prefix:
        raise ValueError(
            _("An override applies to a city or county of province %(province)s, not to %(code)s.")
            % {"province": rule_set.province_code, "code": override.region_code}
        )
    for category, ratio in override.inpatient_ratios.items():
        _check_ratio(ratio)
        floor = rule_set.inpatient_ratios[category]
        if ratio < floor:
            raise BelowProvincialFloor(
                _(
                    "The inpatient ratio for %(label)s (%(category)s) is %(ratio)s, "
                    "below the provincial floor of %(floor)s (%(source)s)."
                )
                % {
                    "label": LowIncomeCategory(category).label,
                    "category": category,
                    "ratio": percent(ratio),
                    "floor": percent(floor),
                    "source": rule_set.source,
                }
            )
    if override.outpatient_chronic_ratio is not None:
        ratio = override.outpatient_chronic_ratio
        _check_ratio(ratio)
        if ratio < rule_set.outpatient_chronic_ratio:
            raise BelowProvincialFloor(
                _(
                    "The chronic-disease outpatient ratio is %(ratio)s, "
                    "below the provincial floor of %(floor)s (%(source)s)."
                )
                % {
                    "ratio": percent(ratio),
                    "floor": percent(rule_set.outpatient_chronic_ratio),
                    "source": rule_set.source,
                }
            )
    for category, ratio in override.premium_ratios.items():
        _check_ratio(ratio)
        floor = rule_set.premium_ratios.get(category, ZERO)
        if ratio < floor:
            raise BelowProvincialFloor(
                _(
                    "The insurance premium subsidy for %(label)s (%(category)s) is %(ratio)s, "
                    "below the provincial floor of %(floor)s (%(source)s)."
                )
                % {
                    "label": LowIncomeCategory(category).label,
                    "category": category,
                    "ratio": percent(ratio),
                    "floor": percent(floor),
                    "source": rule_set.source,
                }
            )
    if override.annual_cap is not None and override.annual_cap < 0:
        raise ValueError(
            _("An annual assistance cap cannot be negative, got %(cap)s.") % {"cap": override.annual_cap}
        )


# --- the assessment --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MedicalCosts:
    """One person's medical costs for an assessment (CNY).

    ``in_scope_self_pay``: inpatient policy-scope self-pay (住院政策范围内个人自付), i.e. what
    remains of in-scope costs after basic medical insurance and critical-illness insurance.
    ``out_of_scope``: costs outside the policy scope (政策范围外), which statutory medical
    assistance does not cover. ``outpatient_chronic_self_pay``: chronic/special-disease
    outpatient policy-scope self-pay (门诊慢特病). ``already_assisted_this_year``: medical
    assistance already paid to the person this year, which uses up the annual cap.
    ``insurance_premium``: the person's own premium of 城乡居民基本医疗保险 for the year
    (个人缴费), which 参保资助 pays in part or in full; the annual cap does not limit it.

    Amounts are quantized to cents. Raises ``ValueError`` for a negative amount and
    ``TypeError`` for an amount that is not a ``Decimal`` or ``int`` (floats are refused).
    """

    in_scope_self_pay: Decimal
    out_of_scope: Decimal
    outpatient_chronic_self_pay: Decimal = ZERO
    already_assisted_this_year: Decimal = ZERO
    insurance_premium: Decimal = ZERO

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool):
                value = Decimal(value)
            _check_decimal(f.name, value)
            if value < 0:
                raise ValueError(
                    _("%(field)s cannot be negative, got %(amount)s.") % {"field": f.name, "amount": value}
                )
            object.__setattr__(self, f.name, money(value))

    @property
    def total(self) -> Decimal:
        """Every cost of the need: in scope, out of scope, chronic outpatient and the premium."""
        return (
            self.in_scope_self_pay
            + self.out_of_scope
            + self.outpatient_chronic_self_pay
            + self.insurance_premium
        )


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """What statutory medical assistance covers for one person, and what is left for charity.

    ``rule_version`` cites exactly the rules that produced the figures: the rule set id,
    followed by ``+<override id>`` for each regional override in force for the region,
    least specific first (``hubei-2024-21+420100-2025+420111-2025``). ``inpatient_ratio_from``
    and ``outpatient_ratio_from`` name the rule set or override that supplied each ratio.
    ``charity_gap`` is the charity-eligible gap (可由慈善帮扶的缺口): everything statutory
    assistance leaves unpaid, i.e. the out-of-scope costs plus the uncovered self-pay and
    premium; today it equals ``residual``, kept apart so that other statutory payments can be
    deducted later without changing what callers read.

    The parts add up: ``statutory_coverage = inpatient_coverage + outpatient_coverage −
    cap_reduction + premium_subsidy`` (the cap limits the medical costs, not the premium).
    ``categories_from`` is ``"person"`` when ``categories`` are the person's own, or
    ``"household"`` when the source had no per-person data and the household's were used.
    """

    rule_set_id: str
    rule_version: str
    source: str
    region_code: str
    on: date
    categories: tuple[str, ...]
    costs: MedicalCosts
    inpatient_ratio: Decimal
    inpatient_ratio_from: str
    outpatient_ratio: Decimal
    outpatient_ratio_from: str | None
    deciding_category: str | None
    categories_from: str = "person"
    premium_ratio: Decimal = ZERO
    premium_ratio_from: str | None = None
    annual_cap: Decimal | None
    cap_applied: bool
    inpatient_coverage: Decimal = ZERO
    outpatient_coverage: Decimal = ZERO
    cap_reduction: Decimal = ZERO
    premium_subsidy: Decimal = ZERO
    total_costs: Decimal
    statutory_coverage: Decimal
    residual: Decimal
    charity_gap: Decimal

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: Decimals and dates as strings, tuples as lists."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal | date):
                return str(value)
            if isinstance(value, tuple):
                return [plain(item) for item in value]
            if isinstance(value, MedicalCosts):
                return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
            return value

        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}

    def explanation(self) -> str:
        """The Chinese sentence stored with the figures, citing the rules used (:func:`explain`).

        e.g. "按鄂民政发〔2024〕21号 四(二)1，低保对象住院政策范围内自付费用救助比例不低于70%，
        法定救助约覆盖 7,000.00 元，尚余 5,000.00 元可由慈善帮扶。"
        """
        with translation.override("zh-hans"):
            return explain(self.as_dict())


# --- reading a stored assessment back ------------------------------------------------------


def _category_name(code: str) -> str:
    if (translation.get_language() or "").startswith("zh"):
        return CATEGORY_NAMES_ZH[code]
    return str(LowIncomeCategory(code).label)


def _ratio_words(stored: Mapping[str, Any], ratio: Decimal, ratio_from: str | None) -> str:
    # A provincial ratio below 100 % is a floor (不低于); an override's ratio, or 100 %, is the
    # exact ratio applied.
    if ratio_from == stored.get("rule_set_id") and ratio < ONE:
        return gettext("at no less than %(ratio)s") % {"ratio": percent(ratio)}
    return gettext("at %(ratio)s") % {"ratio": percent(ratio)}


def _stored_amount(stored: Mapping[str, Any], key: str) -> Decimal:
    costs = stored.get("costs") or {}
    value = stored.get(key, costs.get(key))
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _sets_no_ratio(stored: Mapping[str, Any], ratio: Decimal, ratio_from: str | None) -> bool:
    """The rule set names no ratio (0) and no override gave one."""
    return ratio == 0 and ratio_from in (None, stored.get("rule_set_id"))


def explain(stored: Mapping[str, Any]) -> str:
    """One sentence a person can read out, in the active language, from ``Assessment.as_dict()``.

    It cites the rules, says which ratios applied (不低于 where the province's floor applied),
    whether the person's own categories or the household's were used, and what is left for
    charity. Returns ``stored["explanation"]`` (or ``""``) for a dict that is no assessment.
    """
    if "deciding_category" not in stored or "statutory_coverage" not in stored:
        return str(stored.get("explanation", ""))
    parts = [gettext("Under %(source)s") % {"source": stored.get("source", "")}]
    deciding = stored["deciding_category"]
    if deciding is None:
        parts.append(gettext("no low-income category is recognised, so no medical assistance ratio applies"))
    else:
        name = _category_name(deciding)
        ratio, ratio_from = Decimal(str(stored["inpatient_ratio"])), stored.get("inpatient_ratio_from")
        if _sets_no_ratio(stored, ratio, ratio_from):
            parts.append(
                gettext("the document sets no medical assistance ratio for %(category)s") % {"category": name}
            )
        else:
            parts.append(
                gettext("%(category)s: inpatient policy-scope self-pay is covered %(ratio)s")
                % {"category": name, "ratio": _ratio_words(stored, ratio, ratio_from)}
            )
    if stored.get("categories_from") == "household":
        parts.append(
            gettext(
                "the source system gave no categories of the person in need, so the household's were used"
            )
        )
    if _stored_amount(stored, "outpatient_chronic_self_pay") > 0:
        ratio_from = stored.get("outpatient_ratio_from")
        if ratio_from is None:
            parts.append(
                gettext("chronic and special-disease outpatient costs are outside their medical assistance")
            )
        else:
            words = _ratio_words(stored, Decimal(str(stored["outpatient_ratio"])), ratio_from)
            parts.append(
                gettext("chronic and special-disease outpatient policy-scope self-pay is covered %(ratio)s")
                % {"ratio": words}
            )
    if _stored_amount(stored, "insurance_premium") > 0:
        ratio_from = stored.get("premium_ratio_from")
        if ratio_from is None:
            parts.append(gettext("the document sets no insurance premium subsidy for these categories"))
        else:
            words = _ratio_words(stored, Decimal(str(stored["premium_ratio"])), ratio_from)
            parts.append(
                gettext("the individual premium of basic medical insurance is subsidised %(ratio)s")
                % {"ratio": words}
            )
    if stored.get("cap_applied") and stored.get("annual_cap") is not None:
        parts.append(
            gettext("limited by the annual assistance cap of %(cap)s")
            % {"cap": format_amount(stored["annual_cap"])}
        )
    coverage = format_amount(stored["statutory_coverage"])
    if _stored_amount(stored, "charity_gap") == 0:
        parts.append(
            gettext("statutory assistance is estimated at %(coverage)s, and nothing is left for charity.")
            % {"coverage": coverage}
        )
    else:
        parts.append(
            gettext("statutory assistance is estimated at %(coverage)s, and %(gap)s is left for charity.")
            % {"coverage": coverage, "gap": format_amount(stored["charity_gap"])}
        )
    return pgettext("joins the parts of a policy explanation", ", ").join(parts)


def citation(stored: Mapping[str, Any], *, local_rules: bool = False) -> str:
    """The documents behind a stored assessment, the province's by its name (in the active
    language), then each regional override's label; ``local_rules`` stands for overrides that
    are not named. Falls back to the stored ``source`` for a rule set without a name."""
    rule_set = next((r for r in RULE_SETS if r.id == stored.get("rule_set_id")), None)
    source = str(stored.get("source", ""))
    if rule_set is None or not rule_set.document:
        return source
    document = str(rule_set.document)
    if local_rules:
        return gettext("%(document)s, and the local rules") % {"document": document}
    local = source.removeprefix(rule_set.source).lstrip("、")
    return "、".join([document, local]) if local else document


@dataclass(frozen=True)
class CostLine:
    """One line of the breakdown: a kind of cost, what it amounts to, and what the rules cover."""

    label: str
    amount: Decimal
    rule: str
    covered: Decimal


def breakdown(stored: Mapping[str, Any]) -> list[CostLine]:
    """The costs of a stored assessment line by line, in the active language, so that the
    figures add up for a reader: each line's amount and its estimated statutory share, the
    annual cap's reduction as a line of its own (the lines' ``covered`` sum to the stored
    ``statutory_coverage``). Lines of no amount are left out; a dict that
    is no assessment gives ``[]``."""
    if "costs" not in stored or "statutory_coverage" not in stored:
        return []
    lines: list[CostLine] = []
    deciding = stored.get("deciding_category")
    in_scope = _stored_amount(stored, "in_scope_self_pay")
    if in_scope > 0:
        ratio, ratio_from = Decimal(str(stored["inpatient_ratio"])), stored.get("inpatient_ratio_from")
        rule = (
            gettext("no ratio set")
            if deciding is None or _sets_no_ratio(stored, ratio, ratio_from)
            else _ratio_words(stored, ratio, ratio_from)
        )
        lines.append(
            CostLine(
                gettext("Inpatient costs within the policy scope, self-paid"),
                in_scope,
                rule,
                money(in_scope * ratio),
            )
        )
    outpatient = _stored_amount(stored, "outpatient_chronic_self_pay")
    if outpatient > 0:
        ratio_from = stored.get("outpatient_ratio_from")
        ratio = Decimal(str(stored.get("outpatient_ratio", "0")))
        lines.append(
            CostLine(
                gettext("Chronic and special-disease outpatient costs within the policy scope, self-paid"),
                outpatient,
                gettext("not covered") if ratio_from is None else _ratio_words(stored, ratio, ratio_from),
                money(outpatient * ratio),
            )
        )
    out_of_scope = _stored_amount(stored, "out_of_scope")
    if out_of_scope > 0:
        lines.append(
            CostLine(
                gettext("Costs outside the policy scope"),
                out_of_scope,
                gettext("not covered by medical assistance"),
                ZERO,
            )
        )
    premium = _stored_amount(stored, "insurance_premium")
    if premium > 0:
        ratio_from = stored.get("premium_ratio_from")
        ratio = Decimal(str(stored.get("premium_ratio", "0")))
        lines.append(
            CostLine(
                gettext("Individual premium of basic medical insurance"),
                premium,
                gettext("no subsidy set") if ratio_from is None else _ratio_words(stored, ratio, ratio_from),
                money(premium * ratio),
            )
        )
    # Whatever the lines cover beyond the stored coverage is what the annual cap took away
    # (computed, not read, so that figures stored before the cap had a line of their own add up).
    reduction = sum((line.covered for line in lines), ZERO) - _stored_amount(stored, "statutory_coverage")
    if reduction > 0:
        lines.append(
            CostLine(
                gettext("Annual assistance cap (%(cap)s, less aid already paid this year)")
                % {"cap": format_amount(stored.get("annual_cap"))},
                ZERO,
                gettext("reduces the estimate"),
                -reduction,
            )
        )
    return lines


def _applicable_overrides(
    overrides: Iterable[RegionalOverride], *, region_code: str, on: date
) -> list[RegionalOverride]:
    """Overrides covering ``region_code`` on ``on``, most specific (then most recent) first.

    Raises ``ConflictingOverrides`` when two of them have the same region and start date.
    """
    applicable = [o for o in overrides if o.covers(region_code) and o.in_force(on)]
    applicable.sort(key=lambda o: (len(o.prefix), o.effective_from), reverse=True)
    for more, less in pairwise(applicable):
        if more.prefix == less.prefix and more.effective_from == less.effective_from:
            raise ConflictingOverrides(
                f"overrides {less.id} and {more.id} both cover {more.region_code} from {more.effective_from}"
            )
    return applicable


def assess_medical(
    *,
    categories: Iterable[str],
    costs: MedicalCosts,
    region_code: str,
    on: date,
    overrides: Iterable[RegionalOverride] = (),
    rule_sets: Sequence[RuleSet] = RULE_SETS,
    categories_from: str = "person",
) -> Assessment:
    """Compute statutory medical assistance and the charity gap for one person (就高原则).

    Uses the rule set in force ``on`` and the overrides covering ``region_code`` in force
    ``on``; per field the most specific override wins (county over city), then the province.
    Each of the person's categories gets its ratio and the highest applies; ties go to the
    category listed first in ``LowIncomeCategory``. Coverage is
    ``in_scope_self_pay × inpatient ratio + outpatient_chronic_self_pay × outpatient ratio``
    (the outpatient part only for ``outpatient_categories``), each part rounded to cents,
    limited by the annual cap minus ``already_assisted_this_year`` when a cap applies; plus
    ``insurance_premium × premium ratio`` (参保资助, outside the cap). ``categories`` are the
    person's own; pass ``categories_from="household"`` when they are the household's because
    the source had none per person (the explanation says so). Empty ``categories`` are
    allowed and give no coverage.

    Raises ``ValueError`` for an unknown category, a ``categories_from`` other than
    ``"person"`` or ``"household"``, or a malformed region code or one outside the rule set's
    province; ``NoRuleSet`` when no rule set is in force ``on``;
    ``BelowProvincialFloor`` or ``ValueError`` when an applicable override fails
    :func:`validate_override`; ``ConflictingOverrides`` when two overrides for the same region
    start on the same day.
    """
    if categories_from not in ("person", "household"):
        raise ValueError(f"categories_from is 'person' or 'household', got {categories_from!r}")
    codes = set(categories)
    for code in codes:
        _check_category(code)
    person = tuple(str(c) for c in CATEGORY_ORDER if c in codes)
    _check_region_code(region_code)
    rule_set = rule_set_for(on, rule_sets=rule_sets)
    if not region_code.startswith(region_prefix(rule_set.province_code)):
        raise ValueError(
            _("Region %(code)s is outside province %(province)s.")
            % {"code": region_code, "province": rule_set.province_code}
        )
    applicable = _applicable_overrides(overrides, region_code=region_code, on=on)
    for override in applicable:
        validate_override(override, rule_set)

    # 就高: the highest ratio across the person's categories. Strict ">" keeps the earliest
    # category on ties, because `person` follows the vocabulary's order.
    inpatient_ratio, inpatient_from, deciding = ZERO, rule_set.id, None
    for category in person:
        ratio, ratio_from = rule_set.inpatient_ratios[category], rule_set.id
        for override in applicable:
            if category in override.inpatient_ratios:
                ratio, ratio_from = override.inpatient_ratios[category], override.id
                break
        if deciding is None or ratio > inpatient_ratio:
            inpatient_ratio, inpatient_from, deciding = ratio, ratio_from, category

    outpatient_ratio, outpatient_from = ZERO, None
    if rule_set.outpatient_categories.intersection(person):
        outpatient_ratio, outpatient_from = rule_set.outpatient_chronic_ratio, rule_set.id
        for override in applicable:
            if override.outpatient_chronic_ratio is not None:
                outpatient_ratio, outpatient_from = override.outpatient_chronic_ratio, override.id
                break

    # 参保资助 (seed 四(二)1: 特困 in full, 低保 at least 90 %); 就高 like the inpatient ratio,
    # and per category the most specific override that names it, as for the inpatient ratio.
    premium_ratio, premium_from = ZERO, None
    for category in person:
        ratio, ratio_from = rule_set.premium_ratios.get(category, ZERO), rule_set.id
        for override in applicable:
            if category in override.premium_ratios:
                ratio, ratio_from = override.premium_ratios[category], override.id
                break
        if ratio > premium_ratio:
            premium_ratio, premium_from = ratio, ratio_from

    annual_cap = next((money(o.annual_cap) for o in applicable if o.annual_cap is not None), None)

    inpatient_coverage = money(costs.in_scope_self_pay * inpatient_ratio)
    outpatient_coverage = money(costs.outpatient_chronic_self_pay * outpatient_ratio)
    coverage = inpatient_coverage + outpatient_coverage
    cap_applied, cap_reduction = False, ZERO
    if annual_cap is not None:
        room = max(ZERO, annual_cap - costs.already_assisted_this_year)
        if coverage > room:
            coverage, cap_reduction, cap_applied = room, coverage - room, True
    # The annual cap limits assistance with medical costs (年度救助限额), not the premium subsidy.
    premium_subsidy = money(costs.insurance_premium * premium_ratio)
    coverage += premium_subsidy

    total = costs.total
    residual = total - coverage
    ordered = list(reversed(applicable))  # least specific first, as a citation reads
    return Assessment(
        rule_set_id=rule_set.id,
        rule_version="+".join([rule_set.id, *(o.id for o in ordered)]),
        source="、".join([rule_set.source, *(o.label for o in ordered)]),
        region_code=region_code,
        on=on,
        categories=person,
        costs=costs,
        inpatient_ratio=inpatient_ratio,
        inpatient_ratio_from=inpatient_from,
        outpatient_ratio=outpatient_ratio,
        outpatient_ratio_from=outpatient_from,
        deciding_category=deciding,
        categories_from=categories_from,
        premium_ratio=premium_ratio,
        premium_ratio_from=premium_from,
        annual_cap=annual_cap,
        cap_applied=cap_applied,
        inpatient_coverage=inpatient_coverage,
        outpatient_coverage=outpatient_coverage,
        cap_reduction=cap_reduction,
        premium_subsidy=premium_subsidy,
        total_costs=total,
        statutory_coverage=coverage,
        residual=residual,
        charity_gap=residual,
    )
