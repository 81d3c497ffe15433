"""Create one group per role; staff roles may open the Wagtail back office."""

from django.db import migrations

ROLES = [
    "volunteer",
    "charity_member",
    "charity_admin",
    "caseworker",
    "department_handler",
    "hotline_operator",
    "supervisor",
    "administrator",
]
STAFF_ROLES = {"caseworker", "department_handler", "hotline_operator", "supervisor", "administrator"}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name in STAFF_ROLES:
            group.permissions.add(access_admin)


def remove_roles(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailadmin", "0003_admin_managed"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
