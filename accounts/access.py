"""Who may open which page: the one table that both the views' access checks and the menu read.

``PAGES`` lists the pages of the main menu and the pages near them that some roles may not open.
Each names the roles that may open it (``roles``; ``None``: every signed-in user) and, for a menu
entry, the roles that see it in the menu (``menu_roles``; default: all who may open it). A menu
audience is always a subset of the roles that may open the page (checked at import), so a menu
never offers a page that answers 403. Views call ``require_page``; ``menu_for`` in
``accounts.navigation`` builds the menu from the same rows.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User

ADMIN = frozenset({"admin"})
NATIONAL = frozenset({"admin", "kemensos_analyst"})
DINSOS = frozenset({"dinsos_provinsi", "dinsos_kabupaten"})
# Dinas Sosial staff and administrators: verify registrations, resolve duplicates.
VERIFIERS = ADMIN | DINSOS
# Roles that read their region's figures: reports, programme dashboard, map.
REPORTING = NATIONAL | DINSOS
# Roles with a region or villages to work in.
FIELD = REPORTING | {"pensosmas"}
UNIT_OFFICER = "unit_officer"


@dataclass(frozen=True)
class Page:
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in user
    label: str = ""  # a menu entry when set
    menu_roles: frozenset[str] | None = None  # None: everyone who may open it

    def __post_init__(self):
        if self.menu_roles is not None and self.roles is not None and not self.menu_roles <= self.roles:
            raise ValueError("{}: menu_roles must be a subset of roles".format(self.url_name))

    def opens_for(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def in_menu_for(self, role: str) -> bool:
        if not self.label or not self.opens_for(role):
            return False
        return self.menu_roles is None or role in self.menu_roles


# In menu order; pages without a label are checked but not offered in the menu.
PAGES = (
    Page("dashboard", label=_("Beranda")),
    Page("villages:browse", label=_("Wilayah & Desa"), menu_roles=FIELD),
    Page("ppks:list", label=_("PPKS"), menu_roles=FIELD),
    Page("ppks:verification-queue", VERIFIERS, label=_("Verifikasi")),
    Page("ppks:duplicates", VERIFIERS),
    Page("dimensions:list", label=_("Asesmen"), menu_roles=FIELD),
    Page("actionplans:list", label=_("Rencana Aksi"), menu_roles=FIELD),
    Page("actionplans:dashboard", label=_("Dasbor Program"), menu_roles=REPORTING),
    Page("ppks:referral-list", REPORTING | {UNIT_OFFICER}, label=_("Rujukan")),
    Page("maps:map", label=_("Peta & Grafik"), menu_roles=REPORTING),
    Page("reports:list", REPORTING, label=_("Laporan")),
    Page("api-docs", label=_("API"), menu_roles=NATIONAL),
    Page("audit:list", ADMIN, label=_("Log Audit")),
)
PAGE_BY_NAME = {page.url_name: page for page in PAGES}

def role_of(user) -> str:
    """The user's role key; superusers count as administrators, a user without a role has ``""``."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return "admin" if user.is_superuser else (user.role or "")


def may_open(user, url_name: str) -> bool:
    """True when ``user`` may open the page ``url_name`` (a page missing from the table is open to all)."""
    page = PAGE_BY_NAME.get(url_name)
    return page is None or page.opens_for(role_of(user))


def require_page(user, url_name: str) -> None:
    """Raise PermissionDenied (shown as the Indonesian 403 page) unless ``user`` may open ``url_name``."""
    if may_open(user, url_name):
        return
    page = PAGE_BY_NAME[url_name]
    names = ", ".join(str(label) for role, label in User.Role.choices if role in page.roles)
    label = page.label or gettext("ini")
    raise PermissionDenied(gettext("Halaman {page} hanya untuk: {roles}.").format(page=label, roles=names))
