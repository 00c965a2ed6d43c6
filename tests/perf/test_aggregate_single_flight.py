"""Single flight for cached aggregates (issue 21): a missing or stale figure is computed by one request per key
while the others wait briefly for it, never for the figure of another scope, and never fail the page.

Each test runs on a local-memory cache and, when a Redis cache is configured, on Redis:
``SIDBS_TEST_REDIS_CACHE_URL`` (e.g. ``redis://127.0.0.1:6379/5``), else the cache database of ``REDIS_URL``.
On Redis the keys carry a prefix of their own and are deleted afterwards (the database is not flushed).
"""

import os
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from accounts.models import User
from config import caching
from config.env import redis_url_with_db
from tests.concurrency import at_once, postgresql_only

REDIS_CACHE_URL = os.environ.get("SIDBS_TEST_REDIS_CACHE_URL") or (
    redis_url_with_db(settings.REDIS_URL, 1) if settings.REDIS_URL else "")
# Users in memory: their scope needs no query (the threads below use no database).
REGENCY = User(username="bondowoso", role="dinsos_kabupaten", region_code="35.11")
OTHER_REGENCY = User(username="situbondo", role="dinsos_kabupaten", region_code="35.12")
DOMAINS = ("programme",)


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, monkeypatch):
    """The cache ``config.caching`` uses, shared by the threads of a test, with the domain versions set (as after
    a write: the figures are stale)."""
    if request.param == "redis":
        if not REDIS_CACHE_URL:
            pytest.skip("butuh SIDBS_TEST_REDIS_CACHE_URL atau REDIS_URL")
        prefix = "sidbs-test-{}".format(uuid.uuid4().hex)
        backend = RedisCache(REDIS_CACHE_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 1}})
    else:
        backend = LocMemCache("single-flight-{}".format(uuid.uuid4().hex), {})
    monkeypatch.setattr(caching, "cache", backend)
    caching._bump(DOMAINS)
    yield backend
    if request.param == "redis":
        client = backend._cache.get_client(write=True)
        for key in client.scan_iter(match="{}:*".format(prefix)):
            client.delete(key)


def figure(user, compute):
    return caching.cached_aggregate("uji-single-flight", user=user, domains=DOMAINS, params=(2026,), compute=compute)


def lock_of(user) -> str:
    return caching._aggregate_key("uji-single-flight", user=user, domains=DOMAINS, params=(2026,)) + ":computing"


def counted(calls: list, value, seconds: float = 0.0):
    def compute():
        calls.append(threading.get_ident())
        time.sleep(seconds)
        return value
    return compute


def in_threads(*calls) -> list:
    """Run ``calls`` in threads released together; what each returned (or raised), in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=10)
        try:
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_cold_requests_compute_the_figure_once(shared_cache):
    calls = []
    compute = counted(calls, {"villages": 7}, seconds=0.5)
    assert in_threads(lambda: figure(REGENCY, compute), lambda: figure(REGENCY, compute)) == [{"villages": 7}] * 2
    assert len(calls) == 1
    assert shared_cache.get(lock_of(REGENCY)) is None  # released
    assert figure(REGENCY, compute) == {"villages": 7}
    assert len(calls) == 1


def test_eight_cold_requests_compute_once_and_other_scopes_compute_their_own(shared_cache):
    """Concurrency 8 right after a write: one computation per scope; each scope gets its own figure."""
    calls = {"35.11": [], "35.12": []}
    computes = {"35.11": counted(calls["35.11"], "figures 35.11", 0.3),
                "35.12": counted(calls["35.12"], "figures 35.12", 0.3)}
    users = [REGENCY, OTHER_REGENCY] * 4
    outcomes = in_threads(*(lambda user=user: figure(user, computes[user.region_code]) for user in users))
    assert outcomes == ["figures {}".format(user.region_code) for user in users]
    assert {code: len(made) for code, made in calls.items()} == {"35.11": 1, "35.12": 1}


def test_the_lock_is_released_when_the_computation_raises(shared_cache):
    def failing():
        raise RuntimeError("basis data terputus")

    with pytest.raises(RuntimeError):
        figure(REGENCY, failing)
    assert shared_cache.get(lock_of(REGENCY)) is None
    calls = []
    started = time.monotonic()
    assert figure(REGENCY, counted(calls, 5)) == 5
    assert time.monotonic() - started < caching.WAIT_SECONDS / 2  # no wait for a lock left behind
    assert len(calls) == 1


def test_a_waiter_whose_leader_fails_computes_at_once(shared_cache):
    """The leader raises while another request waits: the waiter sees the lock gone and computes (no full wait)."""
    def failing():
        time.sleep(0.3)
        raise RuntimeError("basis data terputus")

    calls = []
    started = time.monotonic()
    outcomes = in_threads(lambda: figure(REGENCY, failing),
                          lambda: (time.sleep(0.1), figure(REGENCY, counted(calls, 11)))[1])
    assert sorted(map(repr, outcomes)) == sorted([repr(RuntimeError("basis data terputus")), "11"])
    assert len(calls) == 1
    assert time.monotonic() - started < caching.WAIT_SECONDS


def test_a_waiter_that_times_out_computes_itself(shared_cache, monkeypatch):
    """A lock held by a request that never finishes (a stuck worker): the waiter gives up after WAIT_SECONDS,
    computes and stores the figure, and leaves the other's lock alone."""
    monkeypatch.setattr(caching, "WAIT_SECONDS", 0.3)
    assert shared_cache.add(lock_of(REGENCY), "pekerja-lain", timeout=30)
    calls = []
    started = time.monotonic()
    assert figure(REGENCY, counted(calls, 9)) == 9
    assert 0.3 <= time.monotonic() - started < 2
    assert len(calls) == 1
    assert shared_cache.get(lock_of(REGENCY)) == "pekerja-lain"
    assert figure(REGENCY, counted(calls, 10)) == 9  # stored: the next request reads it
    started = time.monotonic()
    assert figure(OTHER_REGENCY, counted(calls, 12)) == 12  # another scope never waits for this lock
    assert time.monotonic() - started < 0.3


def test_a_new_version_is_computed_again_under_a_new_key(shared_cache):
    calls = []
    assert figure(REGENCY, counted(calls, 1)) == 1
    caching._bump(DOMAINS)
    assert figure(REGENCY, counted(calls, 2)) == 2
    assert len(calls) == 2


def test_a_cache_outage_computes_directly(monkeypatch):
    """With Redis unreachable the figure is computed (no lock, no wait) and the page does not fail."""
    backend = RedisCache("redis://127.0.0.1:1/1", {"OPTIONS": {"socket_connect_timeout": 1}})
    monkeypatch.setattr(caching, "cache", backend)
    calls = []
    assert figure(REGENCY, counted(calls, 3)) == 3
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_programme_dashboard_cold_at_concurrency_computes_the_figures_once(users, monkeypatch):
    """PostgreSQL: four requests for the programme dashboard right after a write, each on its own connection,
    compute the scope's figures once; all show the same figures."""
    postgresql_only()
    from actionplans import selectors
    from reports.demo_data import generate_programme
    from tests.perf.test_query_counts import villages_import

    villages_import(6)
    generate_programme(villages=3, province="35", year=2026)
    calls = []
    original = selectors._programme_figures

    def figures(**kwargs):
        calls.append(kwargs["user"].pk)
        time.sleep(0.3)  # long enough for every request to find the entry missing
        return original(**kwargs)

    monkeypatch.setattr(selectors, "_programme_figures", figures)
    caching.aggregates_changed("programme")
    outcomes = at_once(*(lambda: selectors.programme_dashboard(user=users["province"], year=2026)
                         for _request in range(4)))
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert len(calls) == 1
    assert {outcome["villages"] for outcome in outcomes} == {3}
