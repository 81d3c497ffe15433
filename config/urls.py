from csp.decorators import csp_update
from django.conf import settings
from django.db import transaction
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import urls as account_urls
from config import api, health
from marketplace.claims import urls as claim_urls
from marketplace.delivery import urls as delivery_urls
from marketplace.matching import urls as matching_urls
from marketplace.needs import urls as need_urls
from marketplace.organizations import urls as organization_urls
from search import urls as search_urls

# Swagger UI from the portal's own static files (SPECTACULAR_SETTINGS). The split view serves
# its start-up script as a file of its own (?script=), so the page needs no inline script; its
# stylesheet draws icons from data: URLs, which only this page's policy allows.
api_docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
)

# Each app's API patterns under their own namespace (``needs-api:list``, ``claims-api:renew``…).
api_v1 = [
    path("regions/", include("regions.urls")),
    path("", include((need_urls.api_urlpatterns, "needs-api"))),
    path("", include((organization_urls.api_urlpatterns, "organizations-api"))),
    path("", include((claim_urls.api_urlpatterns, "claims-api"))),
    path("", include((delivery_urls.api_urlpatterns, "delivery-api"))),
    path("", include((matching_urls.api_urlpatterns, "matching-api"))),
    path("account/", include((account_urls.api_urlpatterns, "account-api"))),
    path("", include((search_urls.api_urlpatterns, "search-api"))),
    # Last: any other address under /api/v1/ answers the API's JSON 404, not the site's page.
    # Only paths ending in "/": without it, Django first redirects to the address with the slash.
    re_path(r"^(?P<address>[\s\S]*)/$", api.not_found, name="api-not-found"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Every live public page of the tree (notices, publicity lists while in their period …).
    path("sitemap.xml", sitemap, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    # The schema only reads (the region codes): no transaction (on SQLite, an IMMEDIATE one would
    # take the write lock for every client that generates its code from it).
    path("api/schema/", transaction.non_atomic_requests(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("", include(need_urls)),
    path("", include(organization_urls)),
    path("", include(claim_urls)),
    path("", include(delivery_urls)),
    path("", include(matching_urls)),
    path("account/", include(account_urls)),
    path("", include("reports.urls")),
    path("", include("supervision.urls")),
    path("open311/v2/", include("supervision.open311.urls")),
    path("", include("supervision.stats.urls")),
    path("", include(search_urls)),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    from config import media

    urlpatterns += staticfiles_urlpatterns()
    # Uploaded media, except private/ (certificates, delivery evidence): those are served only
    # by their permission-checked views, in development as in production.
    urlpatterns += media.urlpatterns

# Wagtail serves every other path from the page tree: last.
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
