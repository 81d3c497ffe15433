"""Gunicorn settings for the portal: ``gunicorn -c config/gunicorn.py config.wsgi``.

Only hooks here: workers, binding and timeouts stay on the command line (or in
``GUNICORN_CMD_ARGS``), which take precedence over this file anyway.

After a worker has loaded the application, it also loads the URLconf (and with it every view
module), builds the URL resolver's reverse lookups in each language and finalizes the Celery app
(otherwise the first request of every worker, after each ``--max-requests`` recycle too, spends
~0.1 s on them: every page links with ``reverse()``, every claim enqueues a task), and then
freezes the garbage collector's view of everything loaded so far (``gc.freeze()``). The ~240,000
objects of Django, Wagtail and the portal live as long as the worker; left in the collector's
oldest generation, each full collection walks them all (~0.1 s on the development machine, a
stall for every request queued behind it). Frozen, they are never walked again; objects made
while serving requests are collected as usual.
"""

import gc


def post_worker_init(worker):
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from config.celery import app

    # The URLconf imports the views, the API, the admin: loaded once here, not on the first request.
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - evaluated for its side effect
    for code, _name in settings.LANGUAGES:  # reverse() builds its lookups per active language
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - evaluated for its side effect
    app.finalize(auto=True)
    gc.collect()
    gc.freeze()
