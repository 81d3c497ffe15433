"""The KPI formulas against figures computed by hand on a constructed world (tests/reports/world.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from reports import kpis
from reports.periods import parse_period
from tests.reports.world import at, build_kpi_world

pytestmark = pytest.mark.django_db


def window(prefix="4201", period="2026-Q3"):
    start, end = parse_period(period).bounds()
    return kpis.Window(prefix=prefix, start=start, end=end, as_of=at("2026-12-01 00:00"))


def values(figures):
    return {key: figure.value for key, figure in figures.items()}


def test_every_figure_matches_the_hand_computed_value():
    build_kpi_world()
    figures = kpis.measure(window())["all"]
    got = values(figures)
    assert got["needs_published"] == 4  # n1..n4; Yichang and June left out
    assert got["claim_rate"] == Decimal("75.0")  # n1, n2, n3 claimed of 4
    assert got["median_days_to_first_claim"] == Decimal("4.0")  # waits 1, 4, 4 days
    assert got["fulfilment_rate"] == Decimal("25.0")  # n1 fulfilled
    assert got["urgent_answered_72h"] == Decimal("50.0")  # n1 in 24 h, n3 in 96 h
    assert got["statutory_coverage_estimate"] == Decimal("800.00")
    assert got["verification_rate"] == Decimal("50.0")  # 2 verified of 4 reported
    assert got["charity_money"] == Decimal("1000.00")  # the 10 service hours are not money
    assert got["service_share"] == Decimal("50.0")  # 1 of 2 verified deliveries is service
    assert got["service_hours"] == Decimal("10.00")
    assert got["claims_made"] == 3
    # c1 delivered 07-20 by 08-01: on time; c2 delivered 08-25 after 08-20: late; c3 not yet due.
    assert got["on_time_delivery"] == Decimal("50.0")
    assert got["expired_with_gap"] == 1
    assert got["expired_gap_money"] == Decimal("600.00")
    assert got["duplicate_alerts"] == 1
    assert got["needs_returned"] == 1
    assert got["feedback_acknowledged"] == Decimal("66.7")  # 2 of 3
    assert got["feedback_median_hours"] == Decimal("4.0")  # (2 + 6) / 2


def test_breakdowns_by_category_type_and_department():
    build_kpi_world()
    groups, _labels = kpis.dimension_groups("categories")
    by_category = kpis.measure(window(), keys=["needs_published", "claim_rate"], groups=groups)
    assert by_category["dibao"]["needs_published"].value == 3  # n1, n2, n4
    assert by_category["dibao"]["claim_rate"].value == Decimal("66.7")
    assert by_category["near_dibao"]["needs_published"].value == 1
    assert by_category["extreme_poverty"]["claim_rate"].value == Decimal("100.0")
    assert by_category["other"]["claim_rate"].value is None  # nothing to divide by, not 0
    groups, _labels = kpis.dimension_groups("need_type")
    by_type = kpis.measure(window(), keys=["claim_rate", "median_days_to_first_claim"], groups=groups)
    assert by_type["medical"]["claim_rate"].value == Decimal("50.0")
    assert by_type["medical"]["median_days_to_first_claim"].value == Decimal("1.0")
    groups, _labels = kpis.dimension_groups("department")
    by_department = kpis.measure(window(), keys=["needs_published", "needs_returned"], groups=groups)
    assert by_department["health"]["needs_published"].value == 1
    assert by_department["health"]["needs_returned"].value == 1
    assert by_department["education"]["needs_returned"].value == 0


def test_breakdowns_by_region_and_month():
    build_kpi_world()
    groups = kpis.region_groups([("420100", "武汉市"), ("420500", "宜昌市")])
    by_region = kpis.measure(window(prefix="42"), keys=["needs_published"], groups=groups)
    assert by_region["420100"]["needs_published"].value == 4
    assert by_region["420500"]["needs_published"].value == 1
    months = [parse_period(m).bounds() for m in ("2026-07", "2026-08", "2026-09")]
    by_month = kpis.measure(
        window(), keys=["needs_published", "claims_made"], groups=kpis.month_groups(months)
    )
    assert [by_month[m]["needs_published"].value for m in ("2026-07", "2026-08", "2026-09")] == [1, 1, 2]
    assert [by_month[m]["claims_made"].value for m in ("2026-07", "2026-08", "2026-09")] == [1, 1, 1]


def test_complaint_figures_say_their_source_is_not_connected_instead_of_zero(monkeypatch):
    def not_landed(prefix, start, end):
        raise kpis.SourceNotLanded("supervision.selectors.ticket_facts")

    monkeypatch.setitem(kpis.SOURCES, "tickets", kpis.Source("tickets", "t", not_landed, "submitted_at"))
    figures = kpis.measure(window(), keys=["tickets_submitted", "satisfaction", "claims_made"])["all"]
    assert figures["tickets_submitted"].landed is False
    assert figures["tickets_submitted"].value is None
    assert figures["satisfaction"].landed is False
    assert figures["claims_made"].landed is True


def test_complaint_formulas():
    assert kpis.complaints_accepted_on_time(on_time=9, judged=12) == Decimal("75.0")
    assert kpis.complaints_closed_on_time(on_time=2, judged=3) == Decimal("66.7")
    assert kpis.satisfaction(satisfied=0, rated=0) is None
    assert kpis.reopen_rate(reopened=1, closed=8) == Decimal("12.5")
    assert kpis.tickets_submitted(tickets=None) == 0


def test_statutory_coverage_is_an_estimate_and_not_charity_money():
    assert kpis.KPIS["statutory_coverage_estimate"].estimate is True
    assert kpis.KPIS["charity_money"].estimate is False
    assert "never added" in kpis.KPIS["statutory_coverage_estimate"].definition


def test_every_figure_has_a_definition():
    for item in kpis.KPIS.values():
        assert len(item.definition) > 40, item.key


def test_scorecards_rank_only_organizations_with_five_claims():
    from tests.factories.claims import ClaimFactory
    from tests.factories.needs import NeedFactory
    from tests.factories.organizations import OrganizationFactory

    many = OrganizationFactory(verified=True, need_types=[])
    few = OrganizationFactory(verified=True, need_types=[])
    for n in range(5):
        need = NeedFactory(
            region="420111", published_at=at("2026-07-01 08:00"), needed_by=at("2026-07-01 08:00").date()
        )
        claim = ClaimFactory(need=need, organization=many)
        claim.__class__.objects.filter(pk=claim.pk).update(created_at=at(f"2026-07-0{n + 2} 08:00"))
    for _n in range(4):
        claim = ClaimFactory(need=NeedFactory(region="420111"), organization=few)
        claim.__class__.objects.filter(pk=claim.pk).update(created_at=at("2026-08-02 08:00"))
    cards = kpis.organization_scorecards(window())
    assert [card.organization_id for card in cards] == [many.pk]
    assert cards[0].claims == 5 and cards[0].due == 5 and cards[0].on_time_share == Decimal("0.0")


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert kpis._in_days(timedelta(days=1) + timedelta(days=4) / 2) == Decimal("3.0")
