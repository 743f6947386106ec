import functools

from django.conf import settings

from portal.models import Community
from portal.modules import navigation, section_titles

LARGE_TEXT_COOKIE = "portal_large_text"


def wants_large_text(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.large_text
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def portal(request):
    """The community, the text size and the languages, for base.html."""
    return {
        "community": Community.current(),
        "large_text": wants_large_text(request),
        "portal_languages": settings.LANGUAGES,
        # Called by the template only where it is shown (base.html's header), from the cache.
        "unread_notices": functools.partial(_unread_notices, request),
        "section_title": section_title(request),
        # The modules' links in the main navigation, read only where the nav is rendered anew.
        "nav_modules": navigation,
    }


def section_title(request) -> str:
    """The module a page belongs to, for its title (not on the module's own front page)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name == "index":
        return ""
    # The modules' names (portal.modules): "活动报名 · 邻里节 · 社区活动 · 公园路社区".
    return section_titles().get(match.namespace, "")


def _unread_notices(request) -> int:
    from portal.notices import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
