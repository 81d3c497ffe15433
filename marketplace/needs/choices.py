"""The domain's vocabularies (DESIGN §2): codes stored, Chinese shown."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LowIncomeCategory(models.TextChoices):
    """低收入人口类别."""

    EXTREME_POVERTY = "extreme_poverty", _("Person in extreme poverty")
    DIBAO = "dibao", _("Minimum living allowance recipient")
    RELAPSE_MONITORING = "relapse_monitoring", _("Monitored for relapse into poverty")
    NEAR_DIBAO = "near_dibao", _("Member of a near-dibao household")
    RIGID_EXPENDITURE = "rigid_expenditure", _("Member of a household with rigid-expenditure hardship")
    ILLNESS_POVERTY = "illness_poverty", _("Seriously ill patient impoverished by illness")
    OTHER = "other", _("Other person in hardship")


class NeedType(models.TextChoices):
    """救助类型."""

    BASIC_LIVING = "basic_living", _("Basic living")
    MEDICAL = "medical", _("Medical")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    DISASTER = "disaster", _("Disaster relief")
    EMERGENCY = "emergency", _("Emergency and temporary assistance")
    CARE_SERVICE = "care_service", _("Visits and care")
    COUNSELLING = "counselling", _("Counselling and social integration")
    FUNERAL = "funeral", _("Funeral cost relief")
    DISABILITY = "disability", _("Disability support")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")
