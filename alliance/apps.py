from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Party-building alliance")
    nav_label = pgettext_lazy("nav", "Alliance")
    nav_icon = "❖"
    nav_url = "alliance:board"
    staff_role = "alliance_staff"
