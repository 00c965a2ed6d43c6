"""Template context shared by every page."""

from accounts.mfa import mfa_eligible
from accounts.navigation import menu_for
from accounts.notifications import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"menu": menu_for(user), "mfa_eligible": mfa_eligible(user), "unread_notifications": unread_count(user)}
