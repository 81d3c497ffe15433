"""k-anonymity over every published quasi-identifier (issue 11 item 8, docs/decisions/0003).

``generalization_level`` (0 county, 1 city, 2 city without age, sex and household size) becomes
``generalization``, one level per attribute; ``public_class`` is no longer computed by the
database but set at publication, with the categories and the department in it. Needs already
published keep what the public saw of their place, age, sex and household size, and show their
categories as 低收入家庭 and no department: their classes keep the members they had.
"""

from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat

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
                        F("public_region"), Value("|"), *shown, Value("|"), F("need_type"), Value("|low_income|"),
                        output_field=models.CharField(),
                    ),
                ),
                default=Value(""),
            ),
        )


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
        migrations.RemoveField(model_name="need", name="generalization_level"),
    ]
