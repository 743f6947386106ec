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
