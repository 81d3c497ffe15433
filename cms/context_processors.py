from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from cms.views import SECTIONS


def _sections(request):
    return [
        {
            "key": section.key,
            "path": section.path,
            "title": section.title,
            "summary": section.summary,
            # aria-current="page" on the section's own address; highlighted on its sub-pages too
            "current": request.path == section.path,
            "active": request.path.startswith(section.path),
        }
        for section in SECTIONS
    ]


# The navigation as rendered, per language and per section the page is in: it shows nothing else
# (``includes/nav.html``), so each variant is rendered once per process (a few dozen at most)
# rather than on every page. Not kept with DEBUG on, so that an edited template shows at once.
_rendered_nav: dict[tuple, str] = {}


def _nav(request) -> SafeString:
    sections = _sections(request)
    key = (translation.get_language(), tuple((section["current"], section["active"]) for section in sections))
    html = _rendered_nav.get(key)
    if html is None:
        html = render_to_string("includes/nav.html", {"portal_sections": sections})
        if not settings.DEBUG:
            _rendered_nav[key] = html
    return mark_safe(html)  # noqa: S308 - rendered (and escaped) by our own template


def portal(request):
    """Values every public template shows: the portal's name, the hotline, the text size, the
    sections of the site and the navigation (worked out only when a template uses them)."""
    return {
        "portal_name": settings.PORTAL_NAME,
        "service_hotline": settings.SERVICE_HOTLINE,
        "large_text": request.COOKIES.get("text_size") == "large",
        "portal_sections": SimpleLazyObject(lambda: _sections(request)),
        "portal_nav": SimpleLazyObject(lambda: _nav(request)),
    }
