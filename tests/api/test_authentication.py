"""Every API endpoint needs a signed-in user: anonymous calls are refused, whatever the method."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

from config.api import ObtainAuthTokenView
from tests.api.openapi import served_schema

pytestmark = pytest.mark.django_db

# Reachable without signing in: the token request itself, and the API description (no data).
PUBLIC_VIEWS = {ObtainAuthTokenView, SpectacularAPIView, SpectacularSwaggerView}


def drf_views(patterns=None):
    """Every DRF view class routed in the project's URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from drf_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield pattern.callback.cls


def test_default_permission_is_authenticated():
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ("rest_framework.permissions.IsAuthenticated",)


def test_no_api_view_opens_itself_to_anonymous_callers():
    views = set(drf_views())
    assert len(views) > 10
    open_views = {view for view in views - PUBLIC_VIEWS if IsAuthenticated not in view.permission_classes}
    assert open_views == set()


def test_every_documented_operation_refuses_anonymous_callers(api_client, regions):
    paths = served_schema()["paths"]
    checked = 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            code = "FM" if "categories" in path else "35.11.01.2001"
            url = re.sub(r"\{code\}", code, re.sub(r"\{id\}", "1", path))
            response = getattr(api_client, method)(url, {}, format="json")
            if path == "/api/v1/auth/token/":
                assert {} in operation["security"]
                assert response.status_code == 400, "no credentials, no token"
                continue
            assert {} not in operation.get("security", []), path
            assert response.status_code in {401, 403}, (method, url, response.status_code)
            assert response.json()["detail"], (method, url)
            checked += 1
    assert checked > 30

