"""Public pages of needs: the list and one need. Published needs only, allow-listed fields only.

A need's page also carries its claim panel (``views_claims``): the remaining gap, the public
claim history and what the visitor may do.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from marketplace.models import Need
from marketplace.selectors import need_public_get, need_public_list
from marketplace.serializers import PublicNeedSerializer
from marketplace.views_claims import render_need_detail

PAGE_SIZE = 20


def need_list(request):
    page = Paginator(need_public_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    needs = PublicNeedSerializer(page.object_list, many=True).data
    return render(request, "marketplace/need_list.html", {"page": page, "needs": needs})


def need_detail(request, code: str):
    try:
        need = need_public_get(code=code)
    except Need.DoesNotExist:
        raise Http404 from None
    return render_need_detail(request, need)
