"""Messages for other nodes' tabs that the log could not take yet (Redis down or this
node cut off), sent in order once it is back.

Chat is stored in the database and acked before its push to the recipient's other
nodes (a `send` entry in the log, log.py). While the log is down that push used to be
dropped: the message was safe, but an open tab elsewhere saw it only after a reload
(issue 24: 104 of 2,000 in a storm). Now the push waits here, and every later one
queues behind it so a tab never sees them out of order; the clock tick (every 0.25 s)
and each new push try again. Bounded: past LIMIT the oldest is dropped and logged
(a tab still finds it in its history on reconnect).

Each push carries an id, "<this outbox>:<n>" with n counting up: an append whose reply
was lost (Redis stalled after XADD) is kept and appended again, and every node applies
a push only if its n is above the last one it applied from this outbox (log.py), so a
tab never gets it twice. The pushes of one outbox reach the log in order (only the
head is ever tried), so "above the last" is exact.
"""
import logging
import secrets
from collections import deque

from ..errors import Refusal

log = logging.getLogger(__name__)
LIMIT = 10000


class Outbox:
    def __init__(self, replicated):
        self.log = replicated         # ReplicatedStore: send(user_id, event, data, skip)
        self.waiting = deque()
        self.dropped = 0
        self.name = secrets.token_urlsafe(6)  # this process's outbox, in push ids
        self.count = 0

    def send(self, user_id, event, data, skip_client=None):
        """Pass a message for a user's tabs to every node, now or once the log is back."""
        with self.log.lock:
            self.count += 1
            push_id = f"{self.name}:{self.count}"
            self.waiting.append((user_id, event, data, skip_client, push_id))
            if len(self.waiting) > LIMIT:
                self.waiting.popleft()
                self.dropped += 1
                log.warning("cluster outbox full: the oldest waiting push was dropped "
                            "(%d so far)", self.dropped)
            self.flush()

    def flush(self):
        """Send what waits, in order, until the log refuses; True when empty."""
        with self.log.lock:
            while self.waiting:
                try:
                    self.log.send(*self.waiting[0])
                except Refusal:
                    if len(self.waiting) == 1 or len(self.waiting) % 100 == 0:
                        log.warning("cluster log down: %d pushes to other nodes wait",
                                    len(self.waiting))
                    return False
                self.waiting.popleft()
            return True
