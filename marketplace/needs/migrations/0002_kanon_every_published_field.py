"""k-anonymity over every published quasi-identifier (issue 11 item 8, docs/decisions/0003).

``generalization_level`` (0 county, 1 city, 2 city without age, sex and household size) becomes
``generalization``, one level per attribute; ``public_class`` is no longer computed by the
database but set at publication, with the categories and the department in it. Needs already
published keep what the public saw of their place, age, sex and household size, and show their
categories as 低收入家庭 and no department: their classes keep the members they had. Needs
waiting for similar needs get the cohort keys of the new classes, so new needs still find them.
"""

from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat

from privacy.generalize import WIDER_AGE_BANDS, WIDER_HOUSEHOLD_SIZE_BANDS

# Old level → new generalization (place, age, sex, size, categories, department).
NODES = {0: "000011", 1: "100011", 2: "121211"}


def generalize_published(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    for level, node in NODES.items():
        shown = (
            [F("age_band"), Value("|"), F("sex"), Value("|"), F("household_size_band")]
            if level < 2
            else [Value("||")]
        )
        Need.objects.filter(generalization_level=level).update(
            generalization=node,
            public_categories=["low_income"],
            public_class=Case(
                When(
                    status__in=["published", "partially_claimed", "claimed", "fulfilled", "closed"],
                    then=Concat(
                        F("public_region"),
                        Value("|"),
                        *shown,
                        Value("|"),
                        F("need_type"),
                        Value("|low_income|"),
                        output_field=models.CharField(),
                    ),
                ),
                default=Value(""),
            ),
        )


def rekey_waiting(apps, schema_editor):
    """Old cohort keys: city|age|sex|size|type and city||||type. New ones: the class at the
    coarsest ordinary and coarsest generalization (marketplace.needs.placement.cohort_keys)."""
    Need = apps.get_model("needs", "Need")
    waiting = list(Need.objects.filter(awaiting_cohort=True).only("cohort_key", "cohort_wide_key"))
    for need in waiting:
        city, age, sex, size, need_type = need.cohort_key.split("|")
        age, size = WIDER_AGE_BANDS.get(age, age), WIDER_HOUSEHOLD_SIZE_BANDS.get(size, size)
        need.cohort_key = "|".join([city, age, sex, size, need_type, "low_income", ""])
        if need.cohort_wide_key:
            need.cohort_wide_key = "|".join([city, "", "", "", need_type, "low_income", ""])
    Need.objects.bulk_update(waiting, ["cohort_key", "cohort_wide_key"], batch_size=1000)
    if schema_editor.connection.vendor == "postgresql":
        # Run the deferred foreign-key checks of the updated rows now: PostgreSQL refuses to
        # alter a table with pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="need", name="need_kanon_class"),
        migrations.RemoveField(model_name="need", name="public_class"),
        migrations.AddField(
            model_name="need",
            name="public_class",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="need",
            name="generalization",
            field=models.CharField(default="000000", max_length=6, verbose_name="generalization"),
        ),
        migrations.AddField(
            model_name="need",
            name="public_categories",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(generalize_published, migrations.RunPython.noop),
        migrations.RunPython(rekey_waiting, migrations.RunPython.noop),
        migrations.RemoveField(model_name="need", name="generalization_level"),
    ]
