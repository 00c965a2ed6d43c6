"""Who may do what with PPKS records (on top of region scoping, which ``visible_to`` applies)."""

STAFF_ROLES = frozenset({"admin", "dinsos_provinsi", "dinsos_kabupaten"})
REGISTERING_ROLES = STAFF_ROLES | {"pensosmas"}
NIK_ROLES = STAFF_ROLES | {"pensosmas"}


def role_of(user) -> str:
    return "admin" if user.is_superuser else (user.role or "")


def can_register(user) -> bool:
    """Pensosmas and Dinas Sosial staff register PPKS in their scope; analysts only read."""
    return role_of(user) in REGISTERING_ROLES


def can_verify(user) -> bool:
    """Dinas Sosial staff (and administrators) verify, reject, refer and close registrations."""
    return role_of(user) in STAFF_ROLES


def can_reveal_nik(user) -> bool:
    """Roles that work with individual cases may reveal a full NIK (audited); analysts never do."""
    return role_of(user) in NIK_ROLES


def can_export(user) -> bool:
    return role_of(user) in STAFF_ROLES | {"kemensos_analyst"}


def can_manage_personal_data(user) -> bool:
    """Dinas Sosial staff and administrators answer data-subject requests (export, anonymisation) in their scope."""
    return role_of(user) in STAFF_ROLES


def can_force_anonymise(user) -> bool:
    """Only an administrator may anonymise a person whose registrations are still open."""
    return role_of(user) == "admin"
