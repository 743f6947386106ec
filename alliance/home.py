"""This module's section on the home page (see portal.views.home)."""


def section(request):
    return {}
