"""A token bucket: `rate` events per second sustained, bursts up to `burst`."""
import time


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
