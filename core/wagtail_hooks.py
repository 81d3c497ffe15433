"""The back office's own stylesheet, on every back-office page."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_noop
from wagtail import hooks

# Wagtail 8.0's Chinese catalogue leaves these untranslated (the sidebar's "Shortcuts", the
# empty listing and the breadcrumb of a back-office model's screens): the portal's catalogue
# translates them, and naming them here keeps them there when makemessages runs.
WAGTAIL_UNTRANSLATED = (
    gettext_noop("Shortcuts"),
    gettext_noop('There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'),
    gettext_noop("New: %(model_name)s"),
)


@hooks.register("insert_global_admin_css")
def portal_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))
