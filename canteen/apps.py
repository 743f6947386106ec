from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CanteenConfig(AppConfig):
    name = "canteen"
    verbose_name = _("Canteen")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Neighbour Canteen")
    nav_label = pgettext_lazy("nav", "Canteen")
    nav_icon = "◎"
    nav_url = "canteen:index"
    staff_role = "canteen_staff"
