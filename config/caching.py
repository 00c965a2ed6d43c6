"""Cached aggregates for the dashboards, shared by every user with the same region scope.

A figure is cached under its name, the user's scope key (``RegionScope.cache_key``: all
Dinas Sosial staff of one kabupaten share an entry, never one per user), its parameters and
the version tokens of the data domains it reads. Invalidation is by version: a service whose
write changes what a dashboard counts calls ``aggregates_changed(domain)``, which gives the
domain a new token, so every figure reading that domain is recomputed on its next read (in
any scope). ``SIDBS_AGGREGATE_CACHE_SECONDS`` (default 300) bounds how long a figure may stay
stale after a write that bypasses the services (Django admin, raw SQL, the COPY demo
generator). Domains:

- ``ppks``: registrations (create, update, delete, status changes, imports, referral batches);
- ``regions``: region codes and village programme profiles and lokus years;
- ``assessments``: validated assessments (the vulnerability mapping);
- ``programme``: action plans, activities, stages, stimulus tranches and spending.

The cache is Django's default cache: Redis database 1 when ``REDIS_URL`` is set, local memory
otherwise (config/env.py). A cache outage only costs speed: the figure is computed directly.

Figures kept in tables rather than in the cache (the map figures of ``maps``) listen to
``aggregates_committed``, sent with the domains once the write has committed.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.dispatch import Signal

from accounts.scoping import scope_of

logger = logging.getLogger(__name__)

DOMAINS = frozenset({"ppks", "regions", "assessments", "programme"})
KEY_PREFIX = "aggregate"
# Sent with ``domains=`` after a transaction that called ``aggregates_changed`` has committed.
aggregates_committed = Signal()


def _version_key(domain: str) -> str:
    return "{}:version:{}".format(KEY_PREFIX, domain)


def _bump(domains: tuple[str, ...]) -> None:
    token = time.time_ns()
    try:
        cache.set_many({_version_key(domain): token for domain in domains}, timeout=None)
    except Exception:  # the cache is an optimisation; a write must not fail because it is down
        logger.exception("versi agregat tidak dapat diperbarui: %s", domains)


def aggregates_changed(*domains: str) -> None:
    """Mark the cached figures reading ``domains`` stale (now, and again when the transaction commits).

    The second bump, on commit, drops figures a concurrent request computed from the old rows
    while the write was still uncommitted.
    """
    unknown = set(domains) - DOMAINS
    if unknown:
        raise ValueError("domain agregat tidak dikenal: {}".format(", ".join(sorted(unknown))))
    _bump(domains)
    transaction.on_commit(lambda: _committed(domains))


def _committed(domains: tuple[str, ...]) -> None:
    """Bump the versions again and tell ``aggregates_committed`` listeners (robustly) which domains changed."""
    _bump(domains)
    for _receiver, response in aggregates_committed.send_robust(sender=None, domains=domains):
        if isinstance(response, Exception):  # a listener must not fail the write that already committed
            logger.error("pendengar aggregates_committed gagal: %r", response)


def _versions(domains: Iterable[str]) -> list[str]:
    keys = [_version_key(domain) for domain in sorted(domains)]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return [str(found[key]) for key in keys]


def cached_aggregate(name: str, *, user, domains: Iterable[str], compute: Callable[[], object], params=()) -> object:
    """``compute()``, cached per scope of ``user``, ``params`` and the versions of ``domains``.

    ``params`` (a sequence of simple values, e.g. the year or the filters) must hold everything
    besides the scope that changes the result.
    """
    domains = tuple(domains)
    unknown = set(domains) - DOMAINS
    if unknown:
        raise ValueError("domain agregat tidak dikenal: {}".format(", ".join(sorted(unknown))))
    try:
        versions = _versions(domains)
        digest = hashlib.sha256(repr((tuple(params), versions)).encode()).hexdigest()[:32]
        key = "{}:{}:{}:{}".format(KEY_PREFIX, name, scope_of(user).cache_key, digest)
        cached = cache.get(key)
    except Exception:
        logger.exception("cache agregat tidak dapat dibaca: %s", name)
        return compute()
    if cached is not None:
        return cached[0]
    value = compute()
    try:
        cache.set(key, (value,), timeout=settings.SIDBS_AGGREGATE_CACHE_SECONDS)
    except Exception:
        logger.exception("cache agregat tidak dapat ditulis: %s", name)
    return value


def cache_get_quietly(key: str, default=None):
    """``cache.get``, or ``default`` while the cache is down (for values that only make a page nicer)."""
    try:
        return cache.get(key, default)
    except Exception:
        logger.warning("cache tidak dapat dibaca: %s", key, exc_info=True)
        return default


def cache_set_quietly(key: str, value, timeout: int) -> None:
    """``cache.set`` that only logs while the cache is down."""
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache tidak dapat ditulis: %s", key, exc_info=True)


def cache_delete_quietly(key: str) -> None:
    """``cache.delete`` that only logs while the cache is down."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("cache tidak dapat dihapus: %s", key, exc_info=True)


class CountedPaginator(Paginator):
    """A Paginator given its row count (e.g. a cached aggregate) instead of counting the rows itself."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count
