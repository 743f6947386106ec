from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
