"""Limits shared by every node: the per-user chat rate, the sign-in limiter and the
per-address windows (registrations, new guests).

In one process these live in memory (ratelimit.KeyedBuckets, ratelimit.LoginLimiter);
in a cluster a person's tabs and sign-in attempts may reach any node, so the counts
live in Redis, each check one atomic Lua script on Redis's clock. Same interfaces as
the in-memory ones.
"""
import hashlib
import secrets
import time

import redis

from ..ratelimit import KeyedBuckets, LoginLimiter

RETRY_S = 1.0  # after a failed call, the local buckets answer alone this long

# A token bucket in a hash {tokens, ms}; KEYS[1]; ARGV: rate/s, burst. 1 = allowed.
BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens, ms = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + (now - ms) * rate / 1000)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ms', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
"""

# Sliding window of failures in a sorted set; KEYS: the keys; ARGV: window ms, limits...
# Returns the ms to wait (0 = allowed now).
WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, wait = tonumber(ARGV[1]), 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[i + 1])
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
return wait
"""

FAILED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, now .. '-' .. t[2] .. '-' .. math.random(1000000))
  redis.call('PEXPIRE', key, ARGV[1])
end
return 1
"""


# Check and count in one step; KEYS[1]; ARGV: window ms, limit, a unique member.
# Returns the ms to wait (0 = allowed and counted now).
TRY_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""

# Take back the newest event of KEYS[1] (ARGV[1]: window ms, unused).
UNHIT = """
redis.call('ZPOPMAX', KEYS[1])
return 1
"""


def _digest(text):
    """A fixed-length, separator-free key part for anything a client chose."""
    return hashlib.sha256(str(text).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SharedBuckets:
    """KeyedBuckets' interface (take, prune) over Redis. While Redis cannot be reached
    each node falls back to its own in-memory buckets (the limit then holds per node)."""

    def __init__(self, client, limits, prefix="tlc:rate"):
        self.limits = limits
        self.prefix = prefix
        self._take = client.register_script(BUCKET)
        self.local = KeyedBuckets(limits)
        self.failed_at = None         # time.monotonic() of the last failed call

    def take(self, key):
        rate, burst = self.limits()
        if self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_S:
            return self.local.take(key)  # known down: no event waits on Redis
        try:
            allowed = bool(self._take(keys=[f"{self.prefix}:{_digest(key)}"], args=[rate, burst]))
        except redis.RedisError:
            self.failed_at = time.monotonic()
            return self.local.take(key)
        self.failed_at = None
        return allowed

    def prune(self):
        """Each bucket expires in Redis once it would be full again; the fallback's
        buckets are pruned as in one process."""
        self.local.prune()


class SharedLoginLimiter:
    """ratelimit.LoginLimiter's interface over Redis (per name+address, per address)."""

    def __init__(self, client, per_name, per_address, window, prefix="tlc:login"):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self.prefix = prefix
        self._wait = client.register_script(WAIT)
        self._failed = client.register_script(FAILED)
        self.redis = client
        self.local = LoginLimiter(per_name, per_address, window)  # while Redis is down

    def _keys(self, username, address):
        return [f"{self.prefix}:n:{_digest(address)}:{_digest(username)}",
                f"{self.prefix}:a:{_digest(address)}"]

    def retry_after(self, username, address):
        try:
            ms = self._wait(keys=self._keys(username, address),
                            args=[int(self.window * 1000), self.per_name, self.per_address])
        except redis.RedisError:
            return self.local.retry_after(username, address)
        return float(ms) / 1000

    def failed(self, username, address):
        self.local.failed(username, address)
        try:
            self._failed(keys=self._keys(username, address), args=[int(self.window * 1000)])
        except redis.RedisError:
            pass

    def succeeded(self, username, address):
        self.local.succeeded(username, address)
        try:
            self.redis.delete(self._keys(username, address)[0])
        except redis.RedisError:
            pass


class SharedWindow:
    """ratelimit.WindowLimiter's interface over Redis (registrations, new guests per
    address): every node counts in one sorted set per key, and `try_hit` checks and
    counts in one script (TRY_HIT), so parallel first connects on any nodes cannot all
    pass. While Redis cannot be reached each node counts alone (in memory), and after a
    failed call it does not ask Redis again for RETRY_S (a new guest's connect must not
    wait out a timeout each time, like SharedBuckets)."""

    def __init__(self, client, limit, window, prefix, clock=time.monotonic):
        from ..ratelimit import WindowLimiter

        self.window, self.prefix, self.clock = window, prefix, clock
        self.local = WindowLimiter(limit, window)  # while Redis is down
        self.limit = limit
        self._wait = client.register_script(WAIT)
        self._hit = client.register_script(FAILED)
        self._try = client.register_script(TRY_HIT)
        self._unhit = client.register_script(UNHIT)
        self.failed_at = None  # self.clock() of the last failed call

    @property
    def limit(self):
        return self._limit

    @limit.setter
    def limit(self, limit):
        """One limit, shared and local: the count in memory while Redis cannot be
        reached holds to the same number (before, a changed limit reached only the
        shared count, and a Redis timeout let guests in by the old one)."""
        self._limit = self.local.limit = limit

    def _key(self, key):
        return f"{self.prefix}:{_digest(key)}"

    def _redis(self, script, key, *args):
        """Run a script on this key; None (and Redis is skipped for RETRY_S) if down."""
        if self.failed_at is not None and self.clock() - self.failed_at < RETRY_S:
            return None  # known down: no connect waits on Redis
        try:
            result = script(keys=[self._key(key)], args=[int(self.window * 1000), *args])
        except redis.RedisError:
            self.failed_at = self.clock()
            return None
        self.failed_at = None
        return result

    def retry_after(self, key):
        ms = self._redis(self._wait, key, self.limit)
        return self.local.retry_after(key) if ms is None else float(ms) / 1000

    def hit(self, key):
        self.local.hit(key)
        self._redis(self._hit, key)

    def try_hit(self, key):
        """WindowLimiter.try_hit on every node's count: 0 when counted, else seconds."""
        ms = self._redis(self._try, key, self.limit, secrets.token_hex(8))
        if ms is None:
            return self.local.try_hit(key)
        if not ms:
            self.local.hit(key)  # the fallback knows it too, should Redis go
        return float(ms) / 1000

    def unhit(self, key):
        self.local.unhit(key)
        self._redis(self._unhit, key)
