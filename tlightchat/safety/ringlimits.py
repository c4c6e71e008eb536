"""Ring limits: rings per caller per minute, and unanswered rings to one person in a row.

Both are sliding windows (ratelimit.WindowLimiter, or cluster/limits.SharedWindow on a
cluster, so every node counts the same rings). "In a row" ends when the callee answers:
the pair's count is taken back then. Every ring attempt counts, whatever became of it
(offline, busy, blocked): a count that skipped refused rings would tell a blocked caller
apart from one ringing someone offline.
"""
from ..errors import Refusal


class RingLimits:
    def __init__(self, per_caller, in_a_row):
        self.per_caller = per_caller  # key: caller user id; window 60 s
        self.in_a_row = in_a_row      # key: "caller>callee"

    def take(self, caller, callee):
        wait = self.per_caller.try_hit(caller)
        if wait:
            raise Refusal("rate-limited", "too many rings; wait a moment",
                          retry_after_ms=int(wait * 1000) + 1)
        wait = self.in_a_row.try_hit(f"{caller}>{callee}")
        if wait:
            self.per_caller.unhit(caller)  # not rung: it does not count
            raise Refusal("rate-limited", "this person did not answer your last rings; "
                          "try again later", retry_after_ms=int(wait * 1000) + 1)

    def answered(self, caller, callee):
        for _ in range(self.in_a_row.limit):
            self.in_a_row.unhit(f"{caller}>{callee}")
