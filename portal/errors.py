"""Error pages in the portal's own look and the person's language (400, 403, 404, 500, CSRF).

Each says in plain words what happened and offers a way back. The 500 page is rendered without
the navigation or the user: whatever broke (the database, the cache) must not break it again.
"""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from portal.context_processors import wants_large_text
from portal.models import Community

logger = logging.getLogger(__name__)


def _page(request, template, status, title, text, *, show_login=False):
    ctx = {"error_title": title, "error_text": text, "show_login": show_login}
    return render(request, template, ctx, status=status)


def bad_request(request, exception=None, *, message=None):
    """The 400 page; `message` says what was wrong when the portal knows (a date out of range)."""
    default = _(
        "Part of the address or the form was not valid (for example a date that does not "
        "exist). Nothing was changed. Go back and try again."
    )
    text = f"{message} {_('Nothing was changed.')}" if message else default
    return _page(request, "400.html", 400, _("We could not understand that request"), text)


def permission_denied(request, exception=None):
    logged_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    text = (
        _("Your account cannot open this page. If you think it should, ask the community office.")
        if logged_in
        else _("Please log in first: this page is only for residents and staff with an account.")
    )
    return _page(
        request, "403.html", 403, _("You cannot open this page"), text, show_login=not logged_in
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        "404.html",
        404,
        _("We could not find that page"),
        _("The page may have moved, or the link may be incomplete."),
    )


def csrf_failure(request, reason=""):
    return _page(
        request,
        "403_csrf.html",
        403,
        _("Your form could not be sent"),
        _(
            "The page was open for a long time or cookies are switched off, so the form could "
            "not be checked. Nothing was changed. Go back, reload the page and send it again."
        ),
    )


def server_error(request):
    ctx = {
        "error_title": _("Something went wrong on our side"),
        "error_text": _(
            "Sorry, the portal could not finish this. It has been noted. Please try again in a "
            "few minutes."
        ),
    }
    try:
        ctx["community"] = Community.current()
        ctx["large_text"] = wants_large_text(request)
    except Exception:  # the database or cache may be what failed: show the page without them
        logger.warning("error page rendered without the community's details", exc_info=True)
    return HttpResponseServerError(loader.get_template("500.html").render(ctx))
