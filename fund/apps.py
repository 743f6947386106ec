from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = _("Micro-fund")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Micro-fund")
    # Classes staff keep the community micro-fund, as when it was the classroom's.
    staff_role = "classes_staff"
