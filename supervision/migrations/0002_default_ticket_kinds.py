"""The default ticket kinds and their limits: configurable defaults, not policy (back office)."""

from django.db import migrations

# code, name, description, acceptance days, handling days, department, public, may be urgent
KINDS = [
    ("enquiry", "咨询", "政策、办事流程等咨询", 1, 3, "civil_affairs", True, False),
    ("help", "求助", "本人或家庭遇到困难，请求救助", 1, 7, "civil_affairs", True, True),
    ("referral", "转介", "发现他人可能需要救助（主动发现）", 1, 7, "civil_affairs", True, True),
    ("suggestion", "意见建议", "对社会救助和平台工作的意见建议", 1, 7, "civil_affairs", True, False),
    ("complaint", "投诉", "对办理结果、服务态度等的投诉", 1, 15, "civil_affairs", True, False),
    ("report", "举报", "骗取救助、应保未保、错保、挪用资金等问题线索", 1, 15, "civil_affairs", True, False),
    ("objection", "异议", "对公示名单的异议", 1, 15, "civil_affairs", True, False),
]


def create_kinds(apps, schema_editor):
    TicketKind = apps.get_model("supervision", "TicketKind")
    for position, (code, name, description, accept, handle, department, public, urgent) in enumerate(KINDS):
        TicketKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "acceptance_days": accept,
                "handling_days": handle,
                "default_department": department,
                "public_in_statistics": public,
                "may_be_urgent": urgent,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(create_kinds, migrations.RunPython.noop)]
