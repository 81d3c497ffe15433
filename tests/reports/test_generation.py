"""Background generation: idempotent requests, a worker killed mid-render, the shell command,
schedules, the verification page, logged downloads and who sees which report."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from privacy.models import SensitiveRead
from reports import services
from reports.models import Frequency, Report, ReportSchedule, ReportStatus
from reports.tasks import build_report
from tests.factories.accounts import UserFactory
from tests.reports.world import build_kpi_world

pytestmark = pytest.mark.django_db

PARAMS = {"scope_code": "420100", "period_code": "2026-Q3"}


class WorkerKilled(BaseException):
    """What a worker killed mid-task looks like from inside: nothing after it runs."""


@pytest.fixture
def world():
    return build_kpi_world()


@pytest.fixture
def supervisor():
    return UserFactory(supervisor=True)  # Wuhan


def request_and_run(django_capture_on_commit_callbacks, **params) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(**{**PARAMS, **params})
    report.refresh_from_db()
    return report


def test_the_same_request_on_unchanged_data_returns_the_existing_report(
    world, supervisor, django_capture_on_commit_callbacks
):
    first = request_and_run(django_capture_on_commit_callbacks, user=supervisor)
    assert first.status == ReportStatus.DONE and first.progress == 100
    assert first.checksum == hashlib.sha256(first.file.read()).hexdigest()
    second = request_and_run(django_capture_on_commit_callbacks, user=supervisor)
    assert second.status == ReportStatus.SAME_AS and second.same_as == first
    assert Report.objects.filter(status=ReportStatus.DONE).count() == 1


def test_a_worker_killed_mid_render_retries_into_one_report(world, monkeypatch):
    report = services.report_request(**PARAMS)
    real_render = services.render_pdf
    calls = []

    def killed_once(html):
        calls.append(1)
        if len(calls) == 1:
            raise WorkerKilled
        return real_render(html)

    monkeypatch.setattr(services, "render_pdf", killed_once)
    with pytest.raises(WorkerKilled):
        build_report.run(report.pk)  # the worker dies: the message was never acknowledged
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.snapshot_sha256
    build_report.run(report.pk)  # the broker redelivers it
    build_report.run(report.pk)  # and once more, for good measure: nothing happens
    assert len(calls) == 2
    done = Report.objects.get(params_key="420100|2026-Q3")
    assert done.pk == report.pk and done.status == ReportStatus.DONE and done.file


def test_two_builds_of_the_same_data_at_once_end_on_one_report(world, monkeypatch):
    first = services.report_request(**PARAMS)
    second = services.report_request(**PARAMS)
    # The first claims the data and is still rendering when the second computes the same data.
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.RUNNING)
    services.report_build(report_id=first.pk)
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.RUNNING)
    result = services.report_build(report_id=second.pk)
    assert result.pk == first.pk
    second.refresh_from_db()
    assert second.status == ReportStatus.SAME_AS


def test_generate_report_prints_the_path_and_sha256_last(world, tmp_path, capsys):
    output = tmp_path / "report.pdf"
    call_command("generate_report", "--scope", "420100", "--period", "2026-Q3", "--output", str(output))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"{output} {hashlib.sha256(output.read_bytes()).hexdigest()}"
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("scope", "period", "says"),
    [("999999", "2026-Q3", "不在湖北省行政区划中"), ("420100", "2026-Q9", "无法识别期间")],
)
def test_generate_report_refuses_a_bad_scope_or_period_in_one_line(scope, period, says, tmp_path):
    with pytest.raises(CommandError, match=says) as error:
        call_command(
            "generate_report", "--scope", scope, "--period", period, "--output", str(tmp_path / "x.pdf")
        )
    assert "\n" not in str(error.value)
    assert not Report.objects.exists()


def test_schedules_request_the_last_complete_period_once(django_capture_on_commit_callbacks, monkeypatch):
    built = []
    monkeypatch.setattr(services, "_enqueue", built.append)
    ReportSchedule.objects.create(region_id="420500", frequency=Frequency.QUARTERLY)
    ReportSchedule.objects.create(region_id="420100", frequency=Frequency.MONTHLY)
    ReportSchedule.objects.create(region_id="420600", frequency=Frequency.MONTHLY, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.schedules_run(today=date(2026, 10, 2)) == 2
        assert services.schedules_run(today=date(2026, 10, 3)) == 0
    periods = set(Report.objects.values_list("scope_code", "period_code"))
    assert periods == {("420500", "2026-Q3"), ("420100", "2026-09")}
    assert len(built) == 2
    assert services.last_complete_period(Frequency.QUARTERLY, date(2026, 1, 15)).code == "2025-Q4"
    assert services.last_complete_period(Frequency.MONTHLY, date(2026, 1, 15)).code == "2025-12"


def test_the_verification_page_shows_the_metadata_and_nothing_inside(
    world, client, django_capture_on_commit_callbacks
):
    report = request_and_run(
        django_capture_on_commit_callbacks, user=UserFactory(supervisor=True, username="sup1")
    )
    page = client.get(reverse("report-verify", args=[report.public_id])).content.decode()
    for shown in ("武汉市", "2026年第3季度", "sup1", report.checksum, report.snapshot_sha256):
        assert shown in page
    assert "认领率" not in page and "75.0" not in page
    assert client.get(reverse("report-verify", args=["not-a-report"])).status_code == 404
    assert client.get(f"/reports/verify/{report.pk}/").status_code == 404  # the row number is no id


def test_every_download_is_logged(world, client, django_capture_on_commit_callbacks):
    supervisor = UserFactory(supervisor=True)
    report = request_and_run(django_capture_on_commit_callbacks, user=supervisor)
    client.force_login(supervisor)
    for name, content_type in (("pdf", "application/pdf"), ("xlsx", "spreadsheetml"), ("csv", "text/csv")):
        response = client.get(reverse(f"reports_admin:{name}", args=[report.pk]))
        assert response.status_code == 200 and content_type in response["Content-Type"]
    preview = client.get(reverse("reports_admin:preview", args=[report.pk])).content.decode()
    assert "社会救助绩效评价报告" in preview
    reads = SensitiveRead.objects.filter(user=supervisor, kind="report")
    assert sorted(reads.values_list("reference", flat=True)) == sorted(
        f"{report.public_id} {what}" for what in ("pdf", "xlsx", "csv", "preview")
    )


def test_the_back_office_page_shows_progress_while_generating(client, supervisor, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda report_id: None)
    client.force_login(supervisor)
    response = client.post(reverse("reports_admin:index"), {"scope": "420100", "period": "2026-Q3"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports_admin:detail", args=[report.pk]
    )
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=40)
    page = client.get(reverse("reports_admin:detail", args=[report.pk])).content.decode()
    assert "40%" in page and 'http-equiv="refresh"' in page
    assert client.get(reverse("reports_admin:progress", args=[report.pk])).json()["progress"] == 40


def test_a_bad_request_says_what_to_fix(client, supervisor):
    client.force_login(supervisor)
    page = client.post(
        reverse("reports_admin:index"), {"scope": "420100", "period": "2026-13"}
    ).content.decode()
    assert "月份 13 不存在" in page
    page = client.post(
        reverse("reports_admin:index"), {"scope": "420500", "period": "2026-Q3"}
    ).content.decode()
    assert "只能申请本地区" in page
    assert not Report.objects.exists()
