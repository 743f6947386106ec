from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from portal.roles import sync_role_permissions

    sync_role_permissions()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Community")

    def ready(self):
        # Permissions of every app are created by post_migrate; sync the groups after each.
        post_migrate.connect(_sync_roles, dispatch_uid="portal_sync_roles")
