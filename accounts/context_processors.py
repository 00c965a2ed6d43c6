"""Template context shared by every page."""

from accounts.mfa import mfa_eligible
from accounts.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"menu": menu_for(user), "mfa_eligible": mfa_eligible(user)}
