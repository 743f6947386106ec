from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Volunteers")
    nav_label = pgettext_lazy("nav", "Volunteer")
    nav_icon = "★"
    nav_url = "volunteers:index"
    staff_role = "volunteer_coordinator"
