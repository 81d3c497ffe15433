"""The public page of one need (the list is ``views_browse``). Public needs only, allow-listed fields.

A need's page also carries its claim panel (``views_claims``): the remaining gap, the public
claim history and what the visitor may do.
"""

from __future__ import annotations

from django.http import Http404

from marketplace.models import Need
from marketplace.selectors import need_public_get
from marketplace.views_claims import render_need_detail


def need_detail(request, code: str):
    try:
        need = need_public_get(code=code)
    except Need.DoesNotExist:
        raise Http404 from None
    return render_need_detail(request, need)
