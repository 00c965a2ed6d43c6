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
A missing or stale figure is computed by one request at a time per key (single flight, a lock taken
with ``cache.add``); concurrent requests for the same key wait briefly for its result.

Figures kept in tables rather than in the cache (the map figures of ``maps``) listen to
``aggregates_committed``, sent with the domains once the write has committed.
"""

import hashlib
import logging
import time
import uuid
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
        # ``add``, not ``set``: of concurrent first requests the first token wins and all of them build the same
        # key (with ``set`` each could key its figure by its own token, and every one of them compute it).
        for key, token in missing.items():
            cache.add(key, token, timeout=None)
        stored = cache.get_many(list(missing))
        found.update({key: stored.get(key, token) for key, token in missing.items()})
    return [str(found[key]) for key in keys]


def _aggregate_key(name: str, *, user, domains: tuple[str, ...], params=()) -> str:
    """The cache key of a figure: its name, the user's scope, ``params`` and the versions of ``domains``."""
    versions = _versions(domains)
    digest = hashlib.sha256(repr((tuple(params), versions)).encode()).hexdigest()[:32]
    return "{}:{}:{}:{}".format(KEY_PREFIX, name, scope_of(user).cache_key, digest)


def cached_aggregate(name: str, *, user, domains: Iterable[str], compute: Callable[[], object], params=()) -> object:
    """``compute()``, cached per scope of ``user``, ``params`` and the versions of ``domains``.

    ``params`` (a sequence of simple values, e.g. the year or the filters) must hold everything
    besides the scope that changes the result. A missing or stale entry is computed once at a time
    (``_compute_once``), not by every request that finds it missing.
    """
    domains = tuple(domains)
    unknown = set(domains) - DOMAINS
    if unknown:
        raise ValueError("domain agregat tidak dikenal: {}".format(", ".join(sorted(unknown))))
    try:
        key = _aggregate_key(name, user=user, domains=domains, params=params)
        cached = cache.get(key)
    except Exception:
        logger.exception("cache agregat tidak dapat dibaca: %s", name)
        return compute()
    if cached is not None:
        return cached[0]
    return _compute_once(key, compute)


# Single flight for a missing entry: the first request takes a lock on the entry's key (for at most
# LOCK_SECONDS, so a killed worker cannot block the figure longer) and computes; the others poll the cache
# every POLL_SECONDS for the entry, for at most WAIT_SECONDS, and compute it themselves when it has not
# appeared by then (or the lock went away without it: the first computation failed).
LOCK_SECONDS = 30
# Long enough for the slowest figure (a national one at 1M registrations takes well under a second), short of
# the lock and of gunicorn's 60 s timeout: waiting costs a worker, computing again would cost the database too.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


def _store(key: str, value) -> None:
    try:
        cache.set(key, (value,), timeout=settings.SIDBS_AGGREGATE_CACHE_SECONDS)
    except Exception:
        logger.exception("cache agregat tidak dapat ditulis: %s", key)


def _wait_for(key: str, lock: str) -> tuple | None:
    """The entry ``key`` once another request has stored it, or None after ``WAIT_SECONDS`` or once ``lock``
    is gone without it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        time.sleep(POLL_SECONDS)
        found = cache.get_many([key, lock])
        if key in found:
            return found[key]
        if lock not in found or time.monotonic() >= deadline:
            return None


def _compute_once(key: str, compute: Callable[[], object]) -> object:
    """``compute()`` for the missing entry ``key``, stored in the cache; while another request computes the same
    key, wait for its result instead (single flight). The key holds the scope, parameters and domain versions,
    so the awaited entry is exactly the figure asked for. A cache outage only costs the wait: the figure is
    then computed here."""
    lock, token = key + ":computing", uuid.uuid4().hex
    try:
        leader = cache.add(lock, token, timeout=LOCK_SECONDS)
        found = cache.get(key) if leader else _wait_for(key, lock)  # a leader may have just finished
    except Exception:
        logger.exception("kunci agregat tidak dapat dipakai: %s", key)
        leader, found = False, None
    if found is not None:
        if leader:
            _release(lock, token)
        return found[0]
    try:
        value = compute()
        _store(key, value)
    finally:
        if leader:
            _release(lock, token)
    return value


def _release(lock: str, token: str) -> None:
    """Drop ``lock`` if this request still holds it (it may have expired and been taken by another)."""
    try:
        if cache.get(lock) == token:
            cache.delete(lock)
    except Exception:
        logger.exception("kunci agregat tidak dapat dilepas: %s", lock)


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
