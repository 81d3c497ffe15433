"""Production settings with one extra URL, ``/bench/hello``: the baseline of ``bench_needs_list``.

Served by the same gunicorn, middleware and settings as the needs list, so the ratio of the two
rates measures the list's own work. Static files are looked up without a manifest (the
benchmark does not run ``collectstatic``); that changes nothing the benchmark measures.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES, env

ROOT_URLCONF = "bench.hello_urls"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# ``bench_needs_list.py --list-cache-seconds N`` measures the opt-in answer cache of the list API.
NEED_LIST_CACHE_SECONDS = env.int("BENCH_NEED_LIST_CACHE_SECONDS", default=0)
