from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``manage.py seed_demo``: the demo data of ``make run``, above every app it fills."""

    name = "demo"
    verbose_name = "Demo data"
