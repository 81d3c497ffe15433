"""Supply meets need (供需对接, seed 四(六)): what organizations and volunteers can give, the
charity projects the public pledges to, the allocation proposals a caseworker turns into claim
invitations, the statutory programmes that come first, and the record of needs left waiting.

Nothing here identifies a person: offers and projects belong to organizations, a pledge names
its signed-in member only to the organization and the pledger, and an allocation line names a
need by its row, never its household.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.needs.choices import NeedType


class OfferKind(models.TextChoices):
    FUNDS = "funds", _("Funds (CNY)")
    GOODS = "goods", _("Goods")
    HOURS = "hours", _("Service hours")
    JOBS = "jobs", _("Job places")
    TRAINING = "training", _("Training places")


# What an offer can fill: the need's kind of help (marketplace.needs.models.AmountKind). Job and
# training places (seed 四(二)4) go to employment needs only, one place a need, whatever its unit.
AMOUNT_KIND_OF = {OfferKind.FUNDS: "money", OfferKind.GOODS: "goods", OfferKind.HOURS: "hours"}
PLACE_KINDS = (OfferKind.JOBS, OfferKind.TRAINING)


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer status", "Open")
    CLOSED = "closed", pgettext_lazy("offer status", "Closed")


class Offer(models.Model):
    """资源供给: what a verified organization can give, to which needs, where and when."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind of offer"), max_length=10, choices=OfferKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For goods: 件, 箱, 套…"))
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        help_text=_("CNY for funds, the number of units, hours or places otherwise."),
    )
    allocated = models.DecimalField(_("allocated"), max_digits=12, decimal_places=2, default=0)
    need_types = models.JSONField(_("need types served"), default=list)
    categories = models.JSONField(
        _("low-income categories served"), default=list, blank=True, help_text=_("Empty: every category.")
    )
    region_prefixes = models.JSONField(_("regions served"), default=list)
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"))
    max_per_need = models.DecimalField(
        _("most per need"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_per_household = models.DecimalField(
        _("most per household"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    project = models.OneToOneField(
        "matching.CharityProject",
        verbose_name=_("charity project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offer",
        help_text=_("The project whose balance this offer is."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="offer_quantity_non_negative"),
            # Behind the row lock of invitation_accept: never more given than offered.
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("quantity")), name="offer_allocated_within"
            ),
            models.CheckConstraint(
                condition=Q(available_until__gte=F("available_from")), name="offer_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="offer_open_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining(self):
        return self.quantity - self.allocated


class VolunteerAvailability(models.Model):
    """志愿者可服务时间: a volunteer's free hours, skills and regions."""

    volunteer = models.OneToOneField(
        "organizations.Volunteer", verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+"
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    need_types = models.JSONField(_("services offered"), default=list)
    region_prefixes = models.JSONField(_("regions served"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("volunteer availability")
        verbose_name_plural = _("volunteer availability")

    def __str__(self) -> str:
        return f"{self.volunteer_id}: {self.hours_per_week} h/week"


class StatutoryProgramme(models.Model):
    """法定救助项目: the statutory programme that applies before charity, per region and need type.

    Medical needs have the policy engine (marketplace.needs.policy); this table names the
    education, housing and employment programmes, kept by the civil affairs department.
    """

    NEED_TYPES = (NeedType.EDUCATION, NeedType.HOUSING, NeedType.EMPLOYMENT)

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    need_type = models.CharField(
        _("need type"),
        max_length=20,
        choices=[(code, NeedType(code).label) for code in NEED_TYPES],
    )
    name = models.CharField(_("programme"), max_length=120)
    department = models.CharField(_("responsible department"), max_length=60)
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("statutory programme")
        verbose_name_plural = _("statutory programmes")
        ordering = ["region_id", "need_type"]
        constraints = [
            models.UniqueConstraint(fields=["region", "need_type"], name="statutory_one_per_region_type")
        ]

    def __str__(self) -> str:
        return self.name


class AllocationProposal(models.Model):
    """分配建议: one run of the solver for a region, kept so its lines can become invitations."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("computed"), auto_now_add=True)
    objective = models.FloatField(_("urgency-weighted gap covered"), default=0)
    greedy_objective = models.FloatField(_("greedy baseline"), default=0)
    solver = models.CharField(max_length=60, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("allocation proposal")
        verbose_name_plural = _("allocation proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.created_at:%Y-%m-%d %H:%M}"


class LineStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed")


# What a line may become, and from where (one table, one service: services.allocation).
LINE_TRANSITIONS = {
    LineStatus.PROPOSED: {LineStatus.INVITED, LineStatus.LAPSED},
    LineStatus.INVITED: {LineStatus.ACCEPTED, LineStatus.DECLINED, LineStatus.LAPSED},
    LineStatus.ACCEPTED: set(),
    LineStatus.DECLINED: set(),
    LineStatus.LAPSED: set(),
}


class AllocationLine(models.Model):
    """One line of a proposal: this much of this offer to this need; an invitation once chosen."""

    proposal = models.ForeignKey(AllocationProposal, on_delete=models.CASCADE, related_name="lines")
    # Who gives: an organization's offer, or a volunteer's hours (their stated availability).
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    volunteer = models.ForeignKey(
        "organizations.Volunteer",
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, help_text=_("In the need's units.")
    )
    offer_units = models.DecimalField(
        _("offer units"),
        max_digits=12,
        decimal_places=2,
        help_text=_("What it takes of the offer (one place…)."),
    )
    weight = models.FloatField(_("urgency weight"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PROPOSED
    )
    claim = models.ForeignKey(
        "claims.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["proposal_id", "-weight", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_line_positive"),
            # One open invitation per offer and need: a second would double what the offer promises.
            models.UniqueConstraint(
                fields=["offer", "need"], condition=Q(status="invited"), name="allocation_one_invitation"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "need"],
                condition=Q(status="invited"),
                name="allocation_one_volunteer_invitation",
            ),
            models.CheckConstraint(
                condition=Q(offer__isnull=False, volunteer__isnull=True)
                | Q(offer__isnull=True, volunteer__isnull=False),
                name="allocation_line_one_giver",
            ),
        ]
        indexes = [models.Index(fields=["offer", "status"], name="allocation_offer_status")]

    def __str__(self) -> str:
        return f"{self.offer_id or f'v{self.volunteer_id}'} → {self.need_id}: {self.amount}"


class WaitingAlert(models.Model):
    """久未认领提醒: a need left open without a claim, alerted once per period."""

    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="+")
    period = models.PositiveIntegerField(help_text="Days waiting // the urgency's threshold.")
    days_waiting = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-need alert")
        verbose_name_plural = _("waiting-need alerts")
        constraints = [
            models.UniqueConstraint(fields=["need", "period"], name="waiting_alert_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} period {self.period}"


class ProjectStatus(models.TextChoices):
    OPEN = "open", _("Open for pledges")
    CLOSED = "closed", _("Closed")


class CharityProject(models.Model):
    """慈善项目: a fund an organization opens for a need type and region, with a target and period.

    The portal records pledges and the organization's reports of what arrived; it processes no
    payment. What arrived and is not yet allocated is the project's offer.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    need_type = models.CharField(_("need type"), max_length=20, choices=NeedType.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.DecimalField(_("target (CNY)"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    pledged = models.DecimalField(_("pledged"), max_digits=12, decimal_places=2, default=0)
    raised = models.DecimalField(_("raised"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("charity project")
        verbose_name_plural = _("charity projects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="project_target_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="project_period_ordered"),
            # What arrived is part of what was pledged; the page shows both from these columns.
            models.CheckConstraint(
                condition=Q(raised__gte=0) & Q(raised__lte=F("pledged")), name="project_raised_within_pledged"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PledgeStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    FULFILLED = "fulfilled", _("Received")
    LAPSED = "lapsed", _("Not received")


class Pledge(models.Model):
    """认捐: a signed-in member of the public promises an amount; the organization reports receipt."""

    project = models.ForeignKey(CharityProject, on_delete=models.PROTECT, related_name="pledges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    anonymous = models.BooleanField(_("anonymous to the public"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.PLEDGED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_positive")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount}"
