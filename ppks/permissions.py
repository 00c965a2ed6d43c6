"""Who may do what with PPKS records (on top of region scoping, which ``visible_to`` applies).

The NIK rule lives here too (``FULL_NIK`` and ``full_nik_allowed``): it covers NIK and No. KK alike,
and every page, file and API that shows either number asks it.
"""

STAFF_ROLES = frozenset({"admin", "dinsos_provinsi", "dinsos_kabupaten"})
REGISTERING_ROLES = STAFF_ROLES | {"pensosmas"}
NIK_ROLES = STAFF_ROLES | {"pensosmas"}
UNIT_OFFICER = "unit_officer"

# Where a full NIK (or No. KK) may appear, and for which roles. Everything else shows it masked
# (``3511********0003``); Kemensos analysts never see a full number anywhere.
FULL_NIK = {
    # Lists, detail pages, the API's reads, notifications: masked for everyone.
    "page": frozenset(),
    # One person's number on an explicit request (a POST), audited and rate-limited. Unit officers
    # may do it only for people referred to a unit that needs the number (``ServiceUnit.needs_full_nik``).
    "reveal": NIK_ROLES | {UNIT_OFFICER},
    # The registration list exported as CSV/XLSX.
    "list_export": STAFF_ROLES,
    # A referral letter (its by-name annex, CSV and XLSX): the sending office and administrators read
    # the original; other roles get a copy with the numbers masked.
    "referral_letter": STAFF_ROLES,
    # Summary reports (rekap) of referred people: masked for everyone.
    "summary_report": frozenset(),
    # The data-subject export of one person (UU 27/2022 Pasal 32).
    "person_export": STAFF_ROLES,
}


def role_of(user) -> str:
    return "admin" if user.is_superuser else (user.role or "")


def full_nik_allowed(user, where: str) -> bool:
    """The one NIK rule: may ``user`` see full NIK and No. KK in ``where`` (a key of ``FULL_NIK``)?"""
    return role_of(user) in FULL_NIK[where]


def can_register(user) -> bool:
    """Pensosmas and Dinas Sosial staff register PPKS in their scope; analysts only read."""
    return role_of(user) in REGISTERING_ROLES


def can_verify(user) -> bool:
    """Dinas Sosial staff (and administrators) verify, reject and refer registrations."""
    return role_of(user) in STAFF_ROLES


def can_reveal_nik(user) -> bool:
    """Roles that work with individual cases may reveal a full NIK (audited); analysts never do."""
    return full_nik_allowed(user, "reveal")


def can_answer_referrals(user) -> bool:
    """Unit officers answer the referrals addressed to their units; Dinas Sosial may record an answer received
    on paper for a referral in its region."""
    return role_of(user) in STAFF_ROLES | {UNIT_OFFICER}


def can_export(user) -> bool:
    return role_of(user) in STAFF_ROLES | {"kemensos_analyst"}


def can_manage_personal_data(user) -> bool:
    """Dinas Sosial staff and administrators answer data-subject requests (export, anonymisation) in their scope."""
    return role_of(user) in STAFF_ROLES


def can_force_anonymise(user) -> bool:
    """Only an administrator may anonymise a person whose registrations are still open."""
    return role_of(user) == "admin"
