"""Demo deliveries for `make run`: reported, verified and disputed, on the demo claims.

Runs after the demo claims exist (it finds active claims at runtime, those in the demo
caseworker's county first) and goes through the real services, so the verified ones become
assistance records and may fulfil their needs. Running it again adds nothing.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.permissions import is_claim_holder
from accounts.roles import Role
from accounts.selectors import caseworkers_for
from marketplace.claims.models import Claim, ClaimStatus
from marketplace.delivery.models import Delivery
from marketplace.delivery.services.reports import delivery_report
from marketplace.delivery.services.verification import delivery_dispute, delivery_verify
from marketplace.organizations.models import OrganizationStatus

DEMO_MARK = "【演示】"
DEMO_COUNTY = "420111"  # where the demo caseworker works (accounts.demo)
# What happens to each demo claim, in order: (what to report, what the caseworker does).
PLAN = [
    ("full", "verify"),
    ("full", "verify"),
    ("half", "verify"),
    ("full", "dispute"),
    ("full", None),
    ("half", None),
]
DESCRIPTIONS = {
    "verify": "已将物资送达并由经办人陪同入户核对，附签收单照片。",
    "dispute": "已转账，附转账回单。",
    None: "已按约定送达，附现场照片和签收单。",
}


def _receipt_png(number: int) -> bytes:
    image = Image.new("RGB", (480, 320), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 463, 303), outline=(40, 60, 90), width=3)
    draw.text((36, 40), f"DEMO RECEIPT No. {number:04d}", fill=(20, 30, 50))
    for row in range(5):
        draw.line((36, 100 + row * 36, 440, 100 + row * 36), fill=(180, 185, 195), width=1)
    draw.ellipse((340, 200, 430, 290), outline=(180, 40, 40), width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _demo_claims() -> list[Claim]:
    claims = (
        Claim.objects.filter(
            status=ClaimStatus.ACTIVE,
            organization__status=OrganizationStatus.VERIFIED,
            deliveries__isnull=True,
        )
        .select_related("need", "organization", "volunteer", "claimant")
        .annotate(
            home=Case(
                When(need__region_id=DEMO_COUNTY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("home", "pk")
    )
    chosen = []
    for claim in claims[:50]:
        if is_claim_holder(claim.claimant, claim):
            chosen.append(claim)
        if len(chosen) == len(PLAN):
            break
    return chosen


def _verifier(claim: Claim) -> User | None:
    caseworkers = caseworkers_for(claim.need.region_id)
    if caseworkers:
        return caseworkers[0]
    return (
        User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


def seed_demo_deliveries() -> Counter[str]:
    """Report, verify and dispute a few deliveries on demo claims; idempotent.

    Returns how many deliveries ended in each status (counting existing demo deliveries when
    they were seeded before).
    """
    existing = Delivery.objects.filter(description__startswith=DEMO_MARK)
    if existing.exists():
        return Counter(existing.values_list("status", flat=True))
    outcomes: Counter[str] = Counter()
    today = timezone.localdate()
    for number, (claim, (size, decision)) in enumerate(zip(_demo_claims(), PLAN, strict=False), start=1):
        amount = claim.amount if size == "full" else (claim.amount / 2).quantize(Decimal("0.01"))
        files = [SimpleUploadedFile(f"receipt-{number}.png", _receipt_png(number), content_type="image/png")]
        with transaction.atomic():
            delivery = delivery_report(
                claim=claim,
                actor=claim.claimant,
                amount=amount,
                delivered_on=max(today, timezone.localdate(claim.created_at)),
                description=DEMO_MARK + DESCRIPTIONS[decision],
                files=files,
            )
            verifier = _verifier(claim) if decision else None
            if decision == "verify" and verifier:
                delivery = delivery_verify(
                    delivery=delivery, actor=verifier, note="电话回访，受助家庭确认已收到。"
                )
            elif decision == "dispute" and verifier:
                delivery = delivery_dispute(
                    delivery=delivery, actor=verifier, note="回单上的金额与申报不一致，请核对后重新上报。"
                )
        outcomes[delivery.status] += 1
    return outcomes
