from django.conf import settings
from django.utils.functional import SimpleLazyObject

from cms.views import SECTIONS, section_is_live


def _sections(request):
    return [
        {
            "key": section.key,
            "path": section.path,
            "title": section.title,
            "summary": section.summary,
            "live": section_is_live(section),
            # aria-current="page" on the section's own address; highlighted on its sub-pages too
            "current": request.path == section.path,
            "active": request.path.startswith(section.path),
        }
        for section in SECTIONS
    ]


def portal(request):
    """Values every public template shows: the portal's name, the hotline, the text size, and the
    sections of the site (worked out only when a template uses them)."""
    return {
        "portal_name": settings.PORTAL_NAME,
        "service_hotline": settings.SERVICE_HOTLINE,
        "large_text": request.COOKIES.get("text_size") == "large",
        "portal_sections": SimpleLazyObject(lambda: _sections(request)),
    }
