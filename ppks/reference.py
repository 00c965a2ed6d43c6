"""Reference data every PPKS list reads: the categories and directorates, held in process memory.

26 categories and 3 directorates change a few times a year (an administrator edits them), yet each
list request queried both for its filter choices and joined both into every row it showed. They are
kept here per process and reloaded when their version token changes: one token in Django's cache,
renewed by every write to a category, a directorate or a routing (signals below, also on commit).
A page pays one cache read instead of two queries and two joins. Without the cache (or with the
token gone, e.g. after a flush) the data are simply reloaded. ``SIDBS_AGGREGATE_CACHE_SECONDS``
bounds how long a process keeps them without a token to compare (a cache outage).

Names are kept as stored; ``CategoryRef.label`` translates at the moment a page shows it.
"""

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext

from config.caching import cache_get_quietly, cache_set_quietly
from ppks.models import Category, CategoryDirectorate, Directorate

VERSION_KEY = "reference:version:ppks"


@dataclass(frozen=True)
class CategoryRef:
    pk: int
    code: str
    name: str
    order_no: int
    current: bool

    @property
    def label(self) -> str:
        """The name in the active language (the English catalogue translates the 26 official names)."""
        return gettext(self.name)

    def __str__(self) -> str:
        return "{} ({})".format(self.label, self.code)


@dataclass(frozen=True)
class DirectorateRef:
    pk: int
    code: str
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Reference:
    version: str
    loaded_at: float
    categories: dict[int, CategoryRef]
    directorates: dict[int, DirectorateRef]
    category_codes: dict[str, int] = field(default_factory=dict)
    directorate_codes: dict[str, int] = field(default_factory=dict)

    def current_categories(self) -> list[CategoryRef]:
        """Categories offered for new data and in filters (not legacy, active), in the official order."""
        return [category for category in self.categories.values() if category.current]


_lock = threading.Lock()
_memory: dict[str, Reference] = {}


def _load(version: str) -> Reference:
    categories = {
        row["pk"]: CategoryRef(pk=row["pk"], code=row["code"], name=row["name"], order_no=row["order_no"],
                               current=row["active"] and not row["is_legacy"])
        for row in Category.objects.order_by("order_no", "code").values(
            "pk", "code", "name", "order_no", "active", "is_legacy")
    }
    directorates = {row["pk"]: DirectorateRef(**row)
                    for row in Directorate.objects.order_by("code").values("pk", "code", "name")}
    return Reference(
        version=version, loaded_at=time.monotonic(), categories=categories, directorates=directorates,
        category_codes={category.code: pk for pk, category in categories.items()},
        directorate_codes={directorate.code: pk for pk, directorate in directorates.items()},
    )


def reference() -> Reference:
    """The categories and directorates, from this process's memory while their version is unchanged."""
    version = cache_get_quietly(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        cache_set_quietly(VERSION_KEY, version, timeout=None)
    held = _memory.get("ppks")
    fresh_enough = held is not None and time.monotonic() - held.loaded_at < settings.SIDBS_AGGREGATE_CACHE_SECONDS
    if held is not None and held.version == str(version) and fresh_enough:
        return held
    loaded = _load(str(version))
    with _lock:
        _memory["ppks"] = loaded
    return loaded


def reference_changed(**_kwargs) -> None:
    """Drop the held data here and in every other process (now, and again once the write has committed)."""

    def renew() -> None:
        _memory.pop("ppks", None)
        cache_set_quietly(VERSION_KEY, str(time.time_ns()), timeout=None)

    renew()
    transaction.on_commit(renew)


def category_choices() -> list[tuple[str, str]]:
    """(code, "label (code)") of the current categories, for filter forms."""
    return [(category.code, str(category)) for category in reference().current_categories()]


def directorate_choices() -> list[tuple[str, str]]:
    return [(directorate.code, directorate.name) for directorate in reference().directorates.values()]


for _model in (Category, Directorate, CategoryDirectorate):
    post_save.connect(reference_changed, sender=_model, dispatch_uid="ppks-reference-save-{}".format(_model.__name__))
    post_delete.connect(reference_changed, sender=_model,
                        dispatch_uid="ppks-reference-delete-{}".format(_model.__name__))
