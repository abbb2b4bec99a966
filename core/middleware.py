from django.conf import settings
from django.utils import translation


class SessionLanguageMiddleware:
    """Pick the interface language from the user's explicit choice only.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; here
    Simplified Chinese is the default for everyone, and English is shown only after the
    user switches (the choice is kept in the language cookie set by ``set_language``).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response
