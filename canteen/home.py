"""This module's section on the home page (see portal.views.home)."""


def section(request):
    """Context for `canteen/_home_section.html`; None hides the section."""
    return {}
