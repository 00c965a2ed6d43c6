"""PPKS models: the registry (categories, people, registrations, history, imports) and the referral loop
(receiving units, referral letters, referrals and the services given)."""

from ppks.models.bulk import BulkAction
from ppks.models.referrals import Referral, ReferralBatch, ReferralEvent, ServiceRecord, ServiceUnit
from ppks.models.registry import (
    Category,
    CategoryDirectorate,
    CategoryQuerySet,
    Directorate,
    DuplicateCandidate,
    ImportJob,
    Person,
    PersonHistory,
    PersonMerge,
    Registration,
    RegistrationEvent,
    Sex,
    _import_upload_path,
    age_on,
)

__all__ = [
    "BulkAction",
    "Category",
    "CategoryDirectorate",
    "CategoryQuerySet",
    "Directorate",
    "DuplicateCandidate",
    "ImportJob",
    "Person",
    "PersonHistory",
    "PersonMerge",
    "Referral",
    "ReferralBatch",
    "ReferralEvent",
    "Registration",
    "RegistrationEvent",
    "ServiceRecord",
    "ServiceUnit",
    "Sex",
    "_import_upload_path",
    "age_on",
]
