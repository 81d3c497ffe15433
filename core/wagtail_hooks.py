"""The back office's own stylesheet, on every back-office page."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_noop
from wagtail import hooks

# Wagtail 8.0's Chinese catalogue leaves the sidebar's "Shortcuts" untranslated: the portal's
# catalogue translates it, and naming it here keeps it there when makemessages runs.
WAGTAIL_UNTRANSLATED = (gettext_noop("Shortcuts"),)


@hooks.register("insert_global_admin_css")
def portal_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))
