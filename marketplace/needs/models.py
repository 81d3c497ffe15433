"""Needs, where they come from (source systems, policy overrides), and the feedback outbox to
the monitoring platform (written in the same transaction as the change it reports).

Nothing in these tables identifies a person: a need carries the household's keyed token, the
redacted public text and generalized attributes, never a name, an ID number, a phone or an
address (DESIGN §3, privacy architecture).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from marketplace.needs.choices import NeedType, Urgency
from marketplace.needs.hooks import needs_changed


class SourceSystem(models.Model):
    """来源系统: a government system that pushes needs through the intake API."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region scope"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The system may push needs only for regions inside this one."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    webhook_url = models.URLField(
        _("feedback webhook URL"), blank=True, help_text=_("Where the portal sends feedback events.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NeedStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    PARTIALLY_CLAIMED = "partially_claimed", _("Partially claimed")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# Needs a source system can no longer revise (it sends a new ``source_ref`` instead).
CLOSED_STATUSES = frozenset(
    {NeedStatus.REJECTED, NeedStatus.WITHDRAWN, NeedStatus.EXPIRED, NeedStatus.FULFILLED, NeedStatus.CLOSED}
)
# Needs the public can see and charities can act on.
OPEN_FOR_CLAIMS = frozenset({NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED})
PUBLIC_STATUSES = frozenset(
    {
        NeedStatus.PUBLISHED,
        NeedStatus.PARTIALLY_CLAIMED,
        NeedStatus.CLAIMED,
        NeedStatus.FULFILLED,
        NeedStatus.CLOSED,
    }
)
# Needs whose status follows the claimed sum (published → partially_claimed → claimed).
CLAIM_DRIVEN_STATUSES = frozenset({NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED, NeedStatus.CLAIMED})
# Needs with a gap left; claims already made on a partially claimed need stand and may still
# be delivered, only the open remainder closes.
EXPIRABLE_STATUSES = (NeedStatus.PENDING_REVIEW, NeedStatus.PUBLISHED, NeedStatus.PARTIALLY_CLAIMED)


class AmountKind(models.TextChoices):
    MONEY = "money", _("Money (CNY)")
    GOODS = "goods", _("Goods")
    HOURS = "hours", _("Service hours")


# Critical first, then urgent, then normal; and what is still open for claims. Index keys below
# and the public list's sorts (marketplace.needs.filters) use these same expressions.
NEED_URGENCY_RANK = Case(
    When(urgency="critical", then=Value(0)),
    When(urgency="urgent", then=Value(1)),
    default=Value(2),
    output_field=models.IntegerField(),
)
NEED_REMAINING = F("target_amount") - F("claimed_amount")
_PUBLIC = Q(status__in=sorted(status.value for status in PUBLIC_STATUSES))
NEWEST = (F("published_at").desc(), F("id").desc())
# GB/T 2260 prefix of the county-level units the province administers directly (仙桃, 潜江, 天门,
# 神农架): no city above them, so each counts as its own city.
DIRECT_UNITS_PREFIX = "4290"


def _public_index(*expressions, name: str) -> models.Index:
    """A partial index over the needs the public may see."""
    return models.Index(*expressions, condition=_PUBLIC, name=name)


class Need(models.Model):
    """救助需求: one assistance need of one household, as the public may see it.

    ``title`` and ``summary`` are the redacted texts; the location, age, sex and household
    size are generalized until the published class has at least k members.
    """

    code = models.CharField(_("public code"), max_length=12, unique=True, editable=False)
    source_system = models.ForeignKey(
        SourceSystem, verbose_name=_("source system"), on_delete=models.PROTECT, related_name="needs"
    )
    source_ref = models.CharField(_("source reference"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=0)
    record_digest = models.CharField(max_length=64, editable=False)
    household_token = models.CharField(_("household token"), max_length=64, db_index=True)

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    public_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("published location"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county, or its city when the county alone would single the household out."),
    )
    # The generalization the public sees (marketplace.needs.placement): one digit per attribute,
    # place, age, sex, household size, categories, department; "000000" is as specific as can be.
    generalization = models.CharField(_("generalization"), max_length=6, default="000000")
    age_band = models.CharField(_("age band"), max_length=16, blank=True)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    household_size_band = models.CharField(_("household size"), max_length=16, blank=True)

    need_type = models.CharField(_("need type"), max_length=20, choices=NeedType.choices)
    categories = models.JSONField(_("low-income categories"), default=list)
    # The categories as the public sees them: the exact ones, or ["low_income"] (低收入家庭).
    public_categories = models.JSONField(default=list, blank=True, editable=False)
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    needed_by = models.DateField(_("needed by"))

    title = models.CharField(_("public title"), max_length=200)
    summary = models.TextField(_("public summary"), blank=True)

    amount_kind = models.CharField(
        _("kind of help"), max_length=10, choices=AmountKind.choices, default=AmountKind.MONEY
    )
    requested_amount = models.DecimalField(_("requested"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target_amount = models.DecimalField(
        _("charity target"),
        max_digits=12,
        decimal_places=2,
        help_text=_("What charity may give: the gap statutory aid leaves, or the requested amount."),
    )
    claimed_amount = models.DecimalField(
        _("claimed"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Sum of the active and completed claims; never above the target."),
    )
    verified_amount = models.DecimalField(
        _("verified as delivered"), max_digits=12, decimal_places=2, default=0
    )
    statutory_coverage = models.DecimalField(
        _("statutory coverage"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Statutory first (issue 16): whether the pushing department confirmed the statutory
    # programme for this need (education, housing, employment aid…) was exhausted; None when
    # it did not say (intake's optional ``statutory_exhausted``).
    statutory_exhausted = models.BooleanField(_("statutory aid confirmed exhausted"), null=True, blank=True)
    rule_version = models.CharField(_("policy rule version"), max_length=100, blank=True)
    policy = models.JSONField(_("policy computation"), default=dict, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.PENDING_REVIEW
    )
    hold_reasons = models.JSONField(
        _("held because"), default=list, blank=True, help_text=_("Codes and details, never identity.")
    )
    awaiting_cohort = models.BooleanField(
        _("awaiting similar needs"),
        default=False,
        help_text=_("Held until enough similar needs share its published attributes (k-anonymity)."),
    )
    # While a need awaits its cohort: the classes it may be published in (marketplace.needs.placement),
    # so that intake loads only the waiting needs a batch can complete. Meaningless otherwise.
    cohort_key = models.CharField(max_length=80, blank=True, editable=False)
    cohort_wide_key = models.CharField(max_length=80, blank=True, editable=False)
    # The k-anonymity class the public sees once published (marketplace.needs.placement.Attributes.key,
    # joined by "|"): every published quasi-identifier, as generalized. Set at publication.
    public_class = models.CharField(max_length=255, blank=True, editable=False)
    # The city-level unit the need is published in, kept by the database so that the list's city
    # filter is one indexed equality, not an IN list of the city's ~15 regions walked in date
    # order: the public region's code with its county digits zeroed (GB/T 2260), or the region
    # itself for the units the province administers directly (4290xx), which count as cities
    # (regions.models). tests/needs/test_filters.py checks it against the region tree.
    public_city = models.GeneratedField(
        expression=Case(
            When(Exact(Left("public_region", 4), Value(DIRECT_UNITS_PREFIX)), then=F("public_region")),
            default=Concat(Left("public_region", 4), Value("00")),
        ),
        output_field=models.CharField(max_length=6),
        db_persist=True,
    )
    pending_revision = models.JSONField(
        _("change awaiting review"),
        null=True,
        blank=True,
        help_text=_("A newer version from the source system, held because the need is already claimed."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_ref"], name="need_unique_source_ref"),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="need_requested_non_negative"),
            models.CheckConstraint(condition=Q(target_amount__gte=0), name="need_target_non_negative"),
            # The last line of defence against double allocation, behind the row lock.
            models.CheckConstraint(
                condition=Q(claimed_amount__gte=0) & Q(claimed_amount__lte=F("target_amount")),
                name="need_claims_within_target",
            ),
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="need_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="need_public_recent"),
            # The public list: each filter + sort it serves (measured in bench/bench_needs_list.py).
            _public_index(*NEWEST, name="need_public_newest"),
            _public_index("need_type", *NEWEST, name="need_public_type_new"),
            _public_index("public_city", "need_type", *NEWEST, name="need_public_city_type_new"),
            _public_index("public_region", *NEWEST, name="need_public_region_new"),
            _public_index("public_region", "needed_by", "id", name="need_public_region_due"),
            _public_index("public_region", NEED_URGENCY_RANK, *NEWEST, name="need_public_region_urg"),
            _public_index(
                "public_region", NEED_REMAINING.desc(), F("id").desc(), name="need_public_region_gap"
            ),
            _public_index("needed_by", "id", name="need_public_deadline"),
            _public_index(NEED_URGENCY_RANK, *NEWEST, name="need_public_urgency"),
            _public_index(NEED_REMAINING.desc(), F("id").desc(), name="need_public_gap"),
            models.Index(
                fields=["public_region", "need_type", "urgency", "status"],
                condition=_PUBLIC,
                name="need_public_facets",
            ),
            models.Index(
                fields=["region", "need_type"],
                condition=Q(awaiting_cohort=True),
                name="need_awaiting_cohort",
            ),
            # Matching's candidates (marketplace.matching.scoring): open needs by type and city,
            # covering every column the score reads, so one offer's ranking is an index-only scan.
            models.Index(
                fields=["need_type", "public_city"],
                include=[
                    "id",
                    "public_region",
                    "amount_kind",
                    "unit",
                    "urgency",
                    "published_at",
                    "target_amount",
                    "claimed_amount",
                    "public_categories",
                    "household_token",
                ],
                condition=Q(status__in=["partially_claimed", "published"]),
                name="need_open_matching",
            ),
            # The same open needs by type, urgency and publication: a province-wide offer reads
            # only its most urgent, longest-waiting candidates first (scoring.ranked_rows).
            models.Index(
                fields=["need_type", "urgency", "published_at"],
                include=[
                    "id",
                    "public_region",
                    "public_city",
                    "amount_kind",
                    "unit",
                    "target_amount",
                    "claimed_amount",
                    "public_categories",
                    "household_token",
                ],
                condition=Q(status__in=["partially_claimed", "published"]),
                name="need_open_by_urgency",
            ),
            models.Index(fields=["cohort_key"], condition=Q(awaiting_cohort=True), name="need_cohort_key"),
            models.Index(
                fields=["cohort_wide_key"], condition=Q(awaiting_cohort=True), name="need_cohort_wide_key"
            ),
            # The evaluation reports read the needs published in a period (reports.kpis).
            models.Index(fields=["published_at"], name="need_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Whatever changed, upper apps (search) re-read what the public sees of it after commit.
        needs_changed.call(need_ids=[self.pk])

    @property
    def remaining_amount(self):
        """What is still open for claims."""
        return self.target_amount - self.claimed_amount


class NeedTransition(models.Model):
    """One status change of a need: who, when, from, to, why."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=NeedStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=NeedStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_system = models.ForeignKey(
        SourceSystem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("need transition")
        verbose_name_plural = _("need transitions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.from_status or '—'} → {self.to_status}"


class PolicyOverride(models.Model):
    """地方提标: a city's or county's higher medical-assistance ratios, premium subsidies
    (参保资助) or annual cap.

    Never below the provincial floor: the back-office form refuses it.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("document"), max_length=200, help_text=_("The local document that sets it."))
    inpatient_ratios = models.JSONField(
        _("inpatient ratios"),
        default=dict,
        blank=True,
        help_text=_('Per category, e.g. {"dibao": "0.80"}.'),
    )
    outpatient_chronic_ratio = models.DecimalField(
        _("chronic outpatient ratio"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    annual_cap = models.DecimalField(
        _("annual cap (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    premium_ratios = models.JSONField(
        _("insurance premium subsidy ratios"),
        default=dict,
        blank=True,
        help_text=_('Per category, e.g. {"dibao": "1.00"}.'),
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        verbose_name = _("regional policy override")
        verbose_name_plural = _("regional policy overrides")
        ordering = ["region_id", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.label}"


class FeedbackEvent(models.Model):
    KINDS = (
        "claim",
        "claim_released",
        "delivery",
        "verification",
        "expiry",
        "transfer",
        "fulfilled",
        "situation_change",
        "long_waiting",
    )

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_system = models.ForeignKey(
        "needs.SourceSystem", on_delete=models.PROTECT, related_name="feedback_events"
    )
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="feedback_events")
    kind = models.CharField(max_length=30)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True),
                name="feedback_undelivered",
            ),
            models.Index(fields=["source_system", "id"], name="feedback_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class ImportPreview(models.Model):
    """A spreadsheet a caseworker previewed, kept until they confirm it (表格导入预览).

    The file holds names and ID numbers, so it is stored only encrypted with
    ``FIELD_ENCRYPTION_KEYS``, only for its uploader, and only until it is imported or
    ``IMPORT_PREVIEW_MINUTES`` pass (``services.import_previews``).
    """

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("spreadsheet preview")
        verbose_name_plural = _("spreadsheet previews")

    def __str__(self) -> str:
        return f"import preview {self.reference}"
