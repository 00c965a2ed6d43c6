"""The navigation menu each role sees, built from the page table in ``accounts.access``."""

from django.urls import NoReverseMatch, reverse

from accounts.access import PAGES, role_of


def menu_for(user) -> list[dict[str, str]]:
    """Menu entries (label and URL) for the pages ``user``'s role may open and is offered in the menu."""
    if not user.is_authenticated:
        return []
    role = role_of(user)
    items = []
    for page in PAGES:
        if not page.in_menu_for(role):
            continue
        try:
            url = reverse(page.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": page.label, "url": url, "url_name": page.url_name})
    return items
