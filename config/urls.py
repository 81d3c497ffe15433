from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import health

# Swagger UI from the portal's own static files (SPECTACULAR_SETTINGS). The split view serves
# its start-up script as a file of its own (?script=), so the page needs no inline script; its
# stylesheet draws icons from data: URLs, which only this page's policy allows.
api_docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
)

api_v1 = [
    path("regions/", include("regions.urls")),
    path("", include("marketplace.api_urls")),
    path("account/", include("accounts.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("", include("marketplace.urls")),
    path("account/", include("accounts.urls")),
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
