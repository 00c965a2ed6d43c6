"""Request middleware of the project."""

from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultLanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user picked another language with the selector (language cookie).

    The browser's Accept-Language is ignored on purpose: staff on English-language browsers
    should still get the Indonesian interface by default.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI (drf-spectacular-sidecar, served from our own static files) starts with an inline script.
API_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def tile_source(url: str) -> str:
    """The CSP source of a map tile URL template (``https://{s}.tile.example.org/{z}/{x}/{y}.png`` ->
    ``https://*.tile.example.org``); empty when no tiles are configured or the URL is not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return "{}://{}".format(parts.scheme, parts.netloc.replace("{s}", "*"))


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Scripts come only from our own static files (no inline handlers, no CDN); inline style
    attributes are allowed for progress bars. Camera, microphone and location are not used.
    Images may also come from the map tile server when ``SIDBS_MAP_TILE_URL`` names one.
    API answers carry people and are not kept by browsers or proxies (``Cache-Control: no-store``)
    unless the view chose a policy itself (the map's aggregated figures).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = tile_source(getattr(settings, "SIDBS_MAP_TILE_URL", ""))
        extra = (" " + tiles) if tiles else ""
        self.policy = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", "img-src 'self' data:" + extra)
        self.docs_policy = API_DOCS_POLICY.replace("img-src 'self' data:", "img-src 'self' data:" + extra)

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.docs_policy if request.path.startswith("/api/docs") else self.policy
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
