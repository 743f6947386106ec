from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")
    # A module of the portal (portal.modules).
    portal_module = True
    section_title = _("Events")
    nav_label = pgettext_lazy("nav", "Events")
    nav_icon = "♪"
    nav_url = "events:index"
    staff_role = "events_staff"
