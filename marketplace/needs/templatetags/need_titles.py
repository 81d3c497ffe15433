"""``{{ need|public_title }}``: the title the public reads of a need, on the staff's and the
members' pages (``marketplace.needs.serializers.public_title``), never its stored draft."""

from django import template

from marketplace.needs.serializers import public_title as _public_title

register = template.Library()


@register.filter
def public_title(need) -> str:
    return _public_title(need)
