"""The Celery app. Tasks are found in each app's ``tasks.py``; schedules live in beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Its result is read (by /healthz?worker=1), unlike every other task's.
@app.task(name="portal.ping", ignore_result=False)
def ping() -> str:
    """Answer ``pong``: ``/healthz?worker=1`` sends it to prove a worker is consuming."""
    return "pong"
