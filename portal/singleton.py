"""Settings kept in one row that staff edit in the admin: the community's and each module's."""

import copy
from typing import Self

from django.db import models


class SingletonSettings(models.Model):
    """One row of settings (pk=1), read everywhere with `current()`.

    Subclasses keep their own fields and table; the admin side is
    `portal.admin_singleton.SingletonSettingsAdmin`.
    """

    PK = 1

    class Meta:
        abstract = True

    @classmethod
    def current(cls) -> Self:
        """The row, created with the defaults on first use.

        Read through the shared cache (pages and services read settings on every request): any
        save of the row, or any other change to its app's data, makes the kept copy stale at
        once; an UPDATE made outside the portal shows within CONTENT_CACHE_SECONDS
        (`portal.cache.cached`). Each call returns its own copy, which the caller may change and
        save.
        """
        from portal.cache import cached

        name = f"settings:{cls._meta.label_lower}"
        return copy.copy(cached(name, (cls._meta.app_label,), cls._load))

    @classmethod
    def _load(cls) -> Self:
        obj, _created = cls.objects.get_or_create(pk=cls.PK)
        return obj
