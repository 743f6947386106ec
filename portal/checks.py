from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Sessions, cached pages and the versions that make them stale live in the cache: with
    several app server processes, each must see the same cache."""
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES:
        return [
            Warning(
                "The cache is local to each process: with more than one app server worker, "
                "a change made through one worker would leave other workers serving stale "
                "pages, and sessions would not be shared.",
                hint="Set REDIS_URL (for example redis://127.0.0.1:6379/1).",
                id="portal.W001",
            )
        ]
    return []
