"""Where to send a browser next: only to pages of this site, whatever a form or link asks for."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_url(request, url: str) -> bool:
    """True for a path or URL on this host (and HTTPS when the request is), never another site."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default: str = "") -> str:
    """The ``next`` of the form or query when it stays on this site, else ``default`` (the dashboard)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if is_safe_url(request, candidate):
        return candidate
    return default or reverse("dashboard")


def safe_referer(request) -> str:
    """The page the browser came from, for a "back" link, when it is a page of this site."""
    referer = request.META.get("HTTP_REFERER", "")
    return referer if is_safe_url(request, referer) else ""
