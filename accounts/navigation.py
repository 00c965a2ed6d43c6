"""The navigation menu each role sees. Apps register their entries here as they are built."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in role

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


STAFF_ROLES = frozenset({"admin", "kemensos_analyst", "dinsos_provinsi", "dinsos_kabupaten"})
FIELD_ROLES = STAFF_ROLES | {"pensosmas"}

MENU = (
    MenuItem(_("Beranda"), "dashboard"),
    MenuItem(_("Wilayah & Desa"), "villages:browse", FIELD_ROLES),
    MenuItem(_("PPKS"), "ppks:list", FIELD_ROLES),
    MenuItem(_("Verifikasi"), "ppks:verification-queue", STAFF_ROLES),
    MenuItem(_("Asesmen"), "dimensions:list", FIELD_ROLES),
    MenuItem(_("Rencana Aksi"), "actionplans:list", FIELD_ROLES),
    MenuItem(_("Dasbor Program"), "actionplans:dashboard", STAFF_ROLES),
    MenuItem(_("Rujukan"), "ppks:referral-list", STAFF_ROLES | {"unit_officer"}),
    MenuItem(_("Peta & Grafik"), "maps:map", STAFF_ROLES),
    MenuItem(_("Laporan"), "reports:list", STAFF_ROLES),
    MenuItem(_("API"), "api-docs", frozenset({"admin", "kemensos_analyst"})),
    MenuItem(_("Log Audit"), "audit:list", frozenset({"admin"})),
)


def menu_for(user) -> list[dict[str, str]]:
    """Menu entries (label and URL) for ``user``'s role; entries of apps not built yet are skipped."""
    if not user.is_authenticated:
        return []
    role = "admin" if user.is_superuser else user.role
    items = []
    for item in MENU:
        if item.roles is not None and role not in item.roles:
            continue
        url = item.url()
        if url is not None:
            items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items
