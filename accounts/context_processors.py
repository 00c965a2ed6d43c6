"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from accounts.mfa import mfa_eligible
from accounts.navigation import menu_for
from accounts.notifications import unread_count

REGION_LABEL_SESSION_KEY = "region_label"


def user_region_label(request, code: str) -> str:
    """``Kabupaten Bondowoso`` for ``35.11``: the name the header shows for the user's working area.

    Looked up at sign-in and kept in the session beside the code it names, so a page pays no query for it;
    a changed working area is looked up again.
    """
    from reports.selectors import region_label

    session = getattr(request, "session", None)
    stored = session.get(REGION_LABEL_SESSION_KEY) if session is not None else None
    if stored and stored[0] == code:
        return stored[1]
    label = region_label(code)
    if session is not None:
        session[REGION_LABEL_SESSION_KEY] = [code, label]
    return label


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    code = getattr(user, "region_code", "")
    return {"menu": menu_for(user), "mfa_eligible": mfa_eligible(user), "unread_notifications": unread_count(user),
            "user_region_label": SimpleLazyObject(lambda: user_region_label(request, code)) if code else ""}
