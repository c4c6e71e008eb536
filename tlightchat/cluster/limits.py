"""Limits shared by every node: the per-user chat rate and the sign-in limiter.

In one process these live in memory (ratelimit.KeyedBuckets, accounts.LoginLimiter);
in a cluster a person's tabs and sign-in attempts may reach any node, so the counts
live in Redis, each check one atomic Lua script on Redis's clock. Same interfaces as
the in-memory ones.
"""
import redis

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


class SharedBuckets:
    """KeyedBuckets' interface (take, prune) over Redis. If Redis cannot be reached
    the check fails open: the store refuses the change anyway (`unavailable`)."""

    def __init__(self, client, limits, prefix="tlc:rate"):
        self.limits = limits
        self.prefix = prefix
        self._take = client.register_script(BUCKET)

    def take(self, key):
        rate, burst = self.limits()
        try:
            return bool(self._take(keys=[f"{self.prefix}:{key}"], args=[rate, burst]))
        except redis.RedisError:
            return True

    def prune(self):
        """Nothing to do: each bucket expires in Redis once it would be full again."""


class SharedLoginLimiter:
    """accounts.LoginLimiter's interface over Redis (per name+address, per address)."""

    def __init__(self, client, per_name, per_address, window, prefix="tlc:login"):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self.prefix = prefix
        self._wait = client.register_script(WAIT)
        self._failed = client.register_script(FAILED)
        self.redis = client

    def _keys(self, username, address):
        return [f"{self.prefix}:{address}:{username}", f"{self.prefix}:{address}"]

    def retry_after(self, username, address):
        ms = self._wait(keys=self._keys(username, address),
                        args=[int(self.window * 1000), self.per_name, self.per_address])
        return float(ms) / 1000

    def failed(self, username, address):
        self._failed(keys=self._keys(username, address), args=[int(self.window * 1000)])

    def succeeded(self, username, address):
        self.redis.delete(self._keys(username, address)[0])
