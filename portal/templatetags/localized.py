"""`{{ obj|localized:"title" }}`: the English version of staff-typed content on English pages
(portal.lib.localized). A template builtin (settings.TEMPLATES), so no `{% load %}` is needed."""

from django import template

from portal.lib.localized import localized as _localized

register = template.Library()


@register.filter
def localized(obj, field):
    return _localized(obj, field)
