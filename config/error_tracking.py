"""Error tracking through the Sentry SDK (Sentry, GlitchTip and other Sentry-protocol servers), off by default.

``SENTRY_DSN`` turns it on for web processes and Celery workers. Events carry the request id and
the user's primary key, never names, e-mail, cookies, request bodies or local variables, and
every string in an event is NIK-masked before it leaves the process.
"""

from config.log_filters import mask_niks


def scrub(value):
    """Mask NIKs in every string of an event or breadcrumb, however deeply nested."""
    if isinstance(value, str):
        return mask_niks(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def before_send(event, hint):
    from config.request_context import request_id_var, user_id_var

    event = scrub(event)
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("cookies", "data", "query_string"):
            request.pop(field, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items()
                              if name.lower() not in {"cookie", "authorization", "x-csrftoken"}}
    if request_id_var.get():
        event.setdefault("tags", {})["request_id"] = request_id_var.get()
    user_id = user_id_var.get()
    event["user"] = {"id": str(user_id)} if user_id is not None else {}
    return event


def before_breadcrumb(crumb, hint):
    return scrub(crumb)


def init_error_tracking(*, dsn: str, environment: str, release: str = "", traces_sample_rate: float = 0.0,
                        transport=None) -> bool:
    """Start the SDK when a DSN is configured; return whether it was started."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        # send_default_pii stays at its default (off): no user names, e-mail, IP addresses or cookies.
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": traces_sample_rate,
        "before_send": before_send,
        "before_breadcrumb": before_breadcrumb,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True
