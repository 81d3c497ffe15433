from django.conf import settings


def portal(request):
    """Values every public template shows: the portal's name, the hotline, the text size."""
    return {
        "portal_name": settings.PORTAL_NAME,
        "service_hotline": settings.SERVICE_HOTLINE,
        "large_text": request.COOKIES.get("text_size") == "large",
    }
