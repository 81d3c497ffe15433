"""The marketplace's tables, a module per family; import them from here."""

from marketplace.models.claims import (
    AssistanceRecord,
    Claim,
    ClaimStatus,
    ClaimTransition,
    Delivery,
    DeliveryStatus,
    DuplicateAidAlert,
    Evidence,
    TransferRequest,
    TransferStatus,
)
from marketplace.models.feedback import FeedbackEvent
from marketplace.models.needs import (
    AmountKind,
    Need,
    NeedStatus,
    NeedTransition,
    PolicyOverride,
    SourceSystem,
)
from marketplace.models.organizations import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    OrganizationTransition,
    Volunteer,
)

__all__ = [
    "AmountKind",
    "AssistanceRecord",
    "Claim",
    "ClaimStatus",
    "ClaimTransition",
    "Delivery",
    "DeliveryStatus",
    "DuplicateAidAlert",
    "Evidence",
    "FeedbackEvent",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "Need",
    "NeedStatus",
    "NeedTransition",
    "Organization",
    "OrganizationKind",
    "OrganizationStatus",
    "OrganizationTransition",
    "PolicyOverride",
    "SourceSystem",
    "TransferRequest",
    "TransferStatus",
    "Volunteer",
]
