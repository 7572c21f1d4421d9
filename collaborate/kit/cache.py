"""Redis as the cache, where a cache that cannot be reached is no cache: a read misses, a write
is dropped, and the page is computed as if nothing had been kept. Nothing Collaborate keeps in
the cache is the only copy of anything (figures are in PostgreSQL, marks and counters are
hints), so a Redis outage slows pages down instead of failing them. /readyz still reports
Redis as down (collaborate.health talks to it directly)."""

import logging
import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A failure is logged at most this often (seconds) per process, not at every request.
LOG_EVERY = 30


class _Missing(Exception):
    """The cache was not reached: the caller's default stands."""


class _ReusedClient(RedisCacheClient):
    """Django's client makes a new redis-py client for every operation, and redis-py builds a
    table of some 200 response handlers for each: a millisecond of a dashboard's view went on
    it. One client per connection pool serves every operation (a redis-py client is safe to
    share: each command borrows a connection from the pool)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if (client := clients.get(id(pool))) is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    _logged_at = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient

    def _forgiving(self, operation, default, *args, **kwargs):
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            now = time.monotonic()
            if now - ForgivingRedisCache._logged_at > LOG_EVERY:
                ForgivingRedisCache._logged_at = now
                logger.warning("Cache unavailable, carrying on without it: %s", error)
            if isinstance(default, _Missing):
                raise ValueError("Not in the cache (the cache is unavailable).") from error
            return default

    def add(self, key, value, timeout=None, version=None):
        # Not added: a caller that needs the key there falls back as for a key already taken.
        return self._forgiving("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._forgiving("get", default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._forgiving("set", None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._forgiving("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._forgiving("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._forgiving("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._forgiving("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: Django's contract is a ValueError.
        return self._forgiving("incr", _Missing(), key, delta, version)

    def set_many(self, data, timeout=None, version=None):
        return self._forgiving("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._forgiving("delete_many", None, keys, version)

    def clear(self):
        return self._forgiving("clear", False)


def version_of(key):
    """A counter naming the current state of something pages cache what they render about:
    what they cache is keyed on it, and version_bump(key) leaves it all behind at once."""
    return cache.get_or_set(key, 1, timeout=None)


def versions_of(version_keys, found=None):
    """The current version of each of `version_keys`, in one round trip to the cache (none
    when `found`, a get_many that asked for them, is given)."""
    found = cache.get_many(version_keys) if found is None else found
    return tuple(found.get(k) or version_of(k) for k in version_keys)


def versioned_get(key, version_keys):
    """(what versioned_set kept under `key`, if it was made at the current version of each of
    `version_keys`, else None; those versions), in one round trip to the cache."""
    found = cache.get_many([*version_keys, key])
    versions = versions_of(version_keys, found)
    kept = found.get(key)
    if kept is not None and kept[0] == versions:
        return kept[1], versions
    return None, versions


def versioned_set(key, value, versions, timeout):
    """Keep `value` under `key` as made at `versions` (from versioned_get)."""
    cache.set(key, (versions, value), timeout=timeout)


def versioned(key, version_keys, timeout, make):
    """What `make()` returns, kept under `key` while each of `version_keys` stays at the version
    it was made at: made again (and kept) when one has moved on."""
    kept, versions = versioned_get(key, version_keys)
    if kept is None:
        kept = make()
        versioned_set(key, kept, versions, timeout)
    return kept


def version_bump(key):
    """Move `key`'s counter on (after the change it stands for has committed)."""
    if not cache.add(key, 2, timeout=None):
        try:
            cache.incr(key)
        except ValueError:  # evicted between the two calls
            cache.set(key, 1, timeout=None)
