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


@register.simple_tag(takes_context=True)
def account_page_description(context):
    """The meta description of an account page (portal.descriptions), by its URL name."""
    from portal.descriptions import ACCOUNT_PAGES

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return ACCOUNT_PAGES.get(getattr(match, "url_name", None), "")
