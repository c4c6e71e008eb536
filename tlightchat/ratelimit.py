"""Rate limits: a token bucket (`rate` events per second sustained, bursts up to
`burst`), one per key, a sliding window per key, failed sign-ins per name and per
address, and the key of a client address."""
import ipaddress
import threading
import time
from collections import deque


class TokenBucket:
    def __init__(self, rate, burst, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = float(burst), clock()

    def take(self):
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class KeyedBuckets:
    """One TokenBucket per key (e.g. per user), made on first use and dropped once it
    has refilled: a full bucket is the same as a fresh one, so forgetting it changes no
    verdict, and the table holds only keys active in the last `burst / rate` seconds.
    `limits()` gives (rate, burst) and is read when a bucket is made, so a changed
    setting applies to the next new bucket."""

    def __init__(self, limits, clock=time.monotonic):
        self.limits, self.clock = limits, clock
        self.buckets = {}
        self._pruned = clock()

    def take(self, key):
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(*self.limits(), self.clock)
        return bucket.take()

    def prune(self):
        """Drop the buckets that are full again; cheap to call often (it runs at most
        once per refill time)."""
        now = self.clock()
        rate, burst = self.limits()
        if now - self._pruned < burst / rate:
            return
        self._pruned = now
        for key, bucket in list(self.buckets.items()):
            if bucket.tokens + (now - bucket.stamp) * bucket.rate >= bucket.burst:
                del self.buckets[key]


def address_key(address):
    """The key every per-address limit counts under: an IPv4 address as it is, an IPv6
    address as its /64 (one customer's network: a host picks any of 2^64 addresses in
    it, so counting exact IPv6 addresses limits nothing), an IPv4-mapped IPv6 address as
    its IPv4 one. Anything that does not parse is its own key."""
    text = (address or "?").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class WindowLimiter:
    """At most `limit` events per key within a sliding `window` of seconds, in memory
    (one server process; cluster/limits.py has the shared one). `retry_after(key)` is
    0 while another is allowed; `hit(key)` counts one; `try_hit(key)` does both at once
    (what a limit must use: a check, a pause, then a count lets parallel callers by)."""

    def __init__(self, limit, window, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.events = {}  # key -> deque of times
        self.lock = threading.Lock()
        self._swept = clock()

    def _recent(self, key, now):
        times = self.events.get(key)
        while times and times[0] <= now - self.window:
            times.popleft()
        if times is not None and not times:
            del self.events[key]
            return ()
        return times or ()

    def retry_after(self, key):
        now = self.clock()
        with self.lock:
            times = self._recent(key, now)
            return times[0] + self.window - now if len(times) >= self.limit else 0

    def hit(self, key):
        with self.lock:
            self._count(key, self.clock())

    def _count(self, key, now):
        if now - self._swept >= self.window:  # forget keys quiet for a window
            self._swept = now
            for old in list(self.events):
                self._recent(old, now)
        self._recent(key, now)
        self.events.setdefault(key, deque()).append(now)

    def try_hit(self, key):
        """Check and count in one step (under the lock): 0 when this event is allowed
        and counted now, else the seconds to wait (nothing counted). Parallel callers
        cannot all pass a check that none of them has counted yet."""
        now = self.clock()
        with self.lock:
            times = self._recent(key, now)
            if len(times) >= self.limit:
                return times[0] + self.window - now
            self._count(key, now)
            return 0

    def unhit(self, key):
        """Take back the newest event counted for `key` (a reserved attempt that did not
        happen after all: a taken name, a busy server, another tab came first)."""
        with self.lock:
            times = self.events.get(key)
            if times:
                times.pop()
                if not times:
                    del self.events[key]


class LoginLimiter:
    """Sliding-window count of failed sign-ins, in memory (one server process;
    cluster/limits.py keeps them in Redis, with this one while Redis is down)."""

    def __init__(self, per_name, per_address, window, clock=time.monotonic):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self.clock = clock
        self.failures = {}  # key -> deque of failure times
        self.lock = threading.Lock()

    def _recent(self, key, now):
        times = self.failures.get(key)
        if times is None:
            return ()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self.failures[key]
        return times

    def retry_after(self, username, address):
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        now = self.clock()
        with self.lock:
            waits = [times[0] + self.window - now
                     for key, limit in (((username, address), self.per_name),
                                        ((None, address), self.per_address))
                     if len(times := self._recent(key, now)) >= limit]
        return max(waits, default=0)

    def failed(self, username, address):
        now = self.clock()
        with self.lock:
            for key in ((username, address), (None, address)):
                self.failures.setdefault(key, deque()).append(now)

    def succeeded(self, username, address):
        with self.lock:
            self.failures.pop((username, address), None)
