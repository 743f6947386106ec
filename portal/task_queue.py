"""The database task queue (django-tasks-db) as the portal installs it: named in our language.

Its own module: `portal/apps.py` must hold one AppConfig only, or Django would not pick
PortalConfig (and its signals) for the `portal` app.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TaskQueueConfig(TasksAppConfig):
    """The database task queue (django-tasks-db), named in the admin's language."""

    verbose_name = _("Task queue")


# The package's own model names: it ships no Chinese catalogue, so ours translates them.
PACKAGE_STRINGS = (_("Task Result"), _("Task Results"))
