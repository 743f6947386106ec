from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _new_code_new_cache(sender, **kwargs):
    """A deploy runs `migrate`: what was cached was rendered by the old code (templates, labels),
    so make all of it stale. Connected for the portal's own post_migrate only: once per run."""
    from portal.cache import NAMESPACES, changed

    changed(*NAMESPACES)


def _is_last_to_migrate(app_config) -> bool:
    """Whether this app's post_migrate is the run's last: Django sends it to every app with
    models, in INSTALLED_APPS order (of the apps a test case makes available)."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    return bool(with_models) and app_config is with_models[-1]


def _sync_roles(sender, app_config, using="default", apps=None, **kwargs):
    """Once per `migrate` or `flush`, after the last app's post_migrate: every app's permissions
    exist by then (syncing after each app cost a transactional test ~1,600 queries a flush)."""
    if not _is_last_to_migrate(app_config):
        return
    from django.contrib.auth.management import create_permissions

    from portal.roles import sync_role_permissions

    # portal.ready() runs before auth's, so this receiver runs before auth creates the last
    # app's permissions (the others' are made by now): create them first (idempotent).
    create_permissions(app_config, verbosity=0, using=using, **({"apps": apps} if apps else {}))
    sync_role_permissions()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Community")

    def ready(self):
        # Permissions of every app are created by post_migrate; sync the groups after the last.
        post_migrate.connect(_sync_roles, dispatch_uid="portal_sync_roles")
        post_migrate.connect(
            _new_code_new_cache, sender=self, dispatch_uid="portal_new_code_new_cache"
        )

        # A staff role group is what makes an account staff, from whichever side it changes.
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, pre_delete

        from portal import roles
        from portal.models import User

        m2m_changed.connect(
            roles.on_groups_changed, sender=User.groups.through, dispatch_uid="portal_staff"
        )
        pre_delete.connect(roles.on_group_deleting, sender=Group, dispatch_uid="portal_staff")
        post_delete.connect(roles.on_group_deleted, sender=Group, dispatch_uid="portal_staff")

        from portal import checks  # noqa: F401  (registers the deploy checks)
        from portal.lib.images import limit_pillow

        limit_pillow()
        from portal.cache import connect_signals

        connect_signals()
