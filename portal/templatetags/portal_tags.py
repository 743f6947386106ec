"""Template filters every module shares."""

from django import template

from portal.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(value):
    """`{{ amount|yuan }}`: amounts the way the portal shows them everywhere (¥1,234.50)."""
    if value is None or value == "":
        return format_yuan(0)
    return format_yuan(value)
