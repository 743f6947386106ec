from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from portal.lib.params import MAX_ID, BadParameter, contains_nul


class LanguageMiddleware:
    """Chinese unless the visitor chose otherwise: the language switch sets a cookie and, for a
    logged-in resident, remembers the choice on the account (so it follows them to a new phone).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: the portal
    speaks Chinese first, and an English-speaking phone still starts in the community's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        user = getattr(request, "user", None)
        if chosen not in supported and user is not None and user.is_authenticated:
            chosen = user.language
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP).

    The portal runs no script of its own and writes no inline style, so the policy allows only
    our own files; a view that needs another policy sets the header itself and keeps it. With
    DEBUG on, Django's technical error pages (inline styles and script) are left without one.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class HostileInputMiddleware:
    """A 400 page, never a 500, for input no one types by hand.

    Refuses a NUL byte anywhere in the path, the query string or the posted fields (PostgreSQL
    cannot store or compare it and raises), absurdly long parameters, and numbers in the query
    string too big for any id (the admin's filters would hand them to the database); and turns
    the `BadParameter` raised by `portal.lib.params` in a view into the same page with its
    message. Comes after LanguageMiddleware so the page speaks the visitor's language.
    """

    # A query-string value longer than this is no filter, code or search anyone types.
    MAX_QUERY_VALUE = 1000
    # A posted field longer than this (a long announcement is ~5,000 characters) is refused whole.
    MAX_POST_VALUE = 50_000

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if contains_nul(request.path):
            return bad_request_page(request, BadParameter().message)
        posted = request.POST if request.method == "POST" else QueryDict()
        problem = (
            self._check(request.GET, self.MAX_QUERY_VALUE)
            or self._check(posted, self.MAX_POST_VALUE)
            or self._check_numbers(request.GET)
        )
        if problem is not None:
            return bad_request_page(request, problem.message)
        return self.get_response(request)

    @staticmethod
    def _check(data, limit):
        for key, values in data.lists():
            if contains_nul(key) or any(contains_nul(v) for v in values):
                return BadParameter(_("The text contains a character that is not allowed."))
            if len(key) > limit or any(len(v) > limit for v in values):
                return BadParameter(
                    _("The text is too long (at most %(max)s characters).") % {"max": limit}
                )
        return None

    @staticmethod
    def _check_numbers(data):
        for _key, values in data.lists():
            for value in values:
                digits = value.removeprefix("-")
                huge = len(digits) > 18 and digits.isascii() and digits.isdigit()
                if huge and int(digits) > MAX_ID:
                    return BadParameter(_("That number is too large."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return bad_request_page(request, exception.message)
        return None


def bad_request_page(request, message=None):
    """The portal's 400 page: what was wrong, in the visitor's language, and a way back."""
    from portal.errors import bad_request

    return bad_request(request, message=message)
