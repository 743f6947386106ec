from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Classes")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Neighbour Classroom")
    nav_label = pgettext_lazy("nav", "Classes")
    nav_icon = "✎"
    nav_url = "classes:index"
    staff_role = "classes_staff"
