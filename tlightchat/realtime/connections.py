"""Which socket serves which client, and every write to a socket.

The store knows clients, never sockets: a client keeps its id across a dropped
transport (resume) and a server restart (restore), and in a cluster another process
may serve it. This layer holds the process-local half: socket id ↔ client id, the
per-socket rate-limit bucket, and `emit`, the one place that writes to Socket.IO: it
refuses (LookupError) an event name that tlightchat/events.py does not declare.

Writing to a socket whose pong is overdue makes Engine.IO close it on the spot and run
our disconnect handler inside that write, i.e. inside whatever dispatch is delivering.
That departure must wait (`in_write` + `defer`), or after a stall one dead socket's
departure writes to the next dead one, one stack frame deeper each time (measured: a
RecursionError and a 17.7 s stall at 10,000 clients).
"""
import threading
from collections import OrderedDict

from .. import events
from ..ratelimit import TokenBucket
from ..worker import SerialWorker

CLOSED_KEPT = 1024  # closed sockets remembered for a late event (a few bytes each)


class Connections:
    def __init__(self, socketio, rate, clock):
        self.socketio = socketio
        self.rate = rate            # (per second, burst) for each socket's bucket
        self.clock = clock          # a callable, read on each use (tests swap it)
        self.clients = {}           # sid -> clientId
        self.sids = {}              # clientId -> sid of the socket serving it now
        self.buckets = {}           # sid -> TokenBucket
        self.leave_on_close = set() # sids whose closed transport is a goodbye
        self.sessions = {}          # sid -> (user id, account session digest or None)
        self.protocols = {}         # sid -> the protocol version its client stated (auth)
        self.closed = OrderedDict() # sid -> clientId: the last CLOSED_KEPT sockets closed
                                    # while serving their client (closed_client)
        self.last_closed = {}       # clientId -> its entry in `closed` (one per client)
        self._local = threading.local()  # per thread or greenlet: inside emit()?
        self._later = SerialWorker(socketio.start_background_task,
                                   lambda batch: [fn() for fn in batch],
                                   name="deferred disconnects")

    # -- binding -----------------------------------------------------------------------
    def bind(self, sid, client_id, leave_on_close=False, session=(None, None), protocol=1):
        """This socket serves this client now (a resumed client's old socket, which may
        not have noticed its drop, no longer does). `session`: (user id, the account
        session's digest), for sids_of_sessions."""
        self._forget_closed(client_id)  # a resume: an older socket's late events are stale
        old = self.sids.get(client_id)
        if old is not None and old != sid:
            self.clients.pop(old, None)
            self.buckets.pop(old, None)
            self.leave_on_close.discard(old)
            self.sessions.pop(old, None)
            self.protocols.pop(old, None)
        self.sessions[sid] = session
        self.clients[sid] = client_id
        self.protocols[sid] = protocol
        self.sids[client_id] = sid
        self.buckets[sid] = TokenBucket(*self.rate, self.clock)
        if leave_on_close:
            self.leave_on_close.add(sid)

    def release(self, client_id):
        """No socket serves this client until the next bind."""
        sid = self.sids.get(client_id)
        if sid is not None:
            self.unbind(sid)

    def leaves_on_close(self, sid):
        return sid in self.leave_on_close

    def unbind(self, sid):
        """Forget a closed socket; the client id it served if it still served it."""
        client_id = self.clients.pop(sid, None)
        self.buckets.pop(sid, None)
        self.sessions.pop(sid, None)
        self.leave_on_close.discard(sid)
        self.protocols.pop(sid, None)
        if client_id is None or self.sids.get(client_id) != sid:
            return None
        del self.sids[client_id]
        self._forget_closed(client_id)  # only the socket that served it last counts
        self.closed[sid] = client_id
        self.last_closed[client_id] = sid
        if len(self.closed) > CLOSED_KEPT:
            old_sid, old_client = self.closed.popitem(last=False)
            if self.last_closed.get(old_client) == old_sid:
                del self.last_closed[old_client]
        return client_id

    def _forget_closed(self, client_id):
        self.closed.pop(self.last_closed.pop(client_id, None), None)

    def closed_client(self, sid):
        """The client a closed socket served, once (an event it sent before its close but
        handled after it: each event runs in its own green thread), while no socket here
        serves that client again; None otherwise."""
        client_id = self.closed.pop(sid, None)
        if client_id is not None and self.last_closed.get(client_id) == sid:
            del self.last_closed[client_id]
        return client_id if client_id is not None and client_id not in self.sids else None

    def sids_of_sessions(self, user_id, sessions):
        """This process's sockets of `user_id` opened by these account sessions
        (digests), or by any session of it when `sessions` is "*". A socket without a
        digest (opened as a guest before the account existed) matches any: ending a
        session of the account must not leave it connected as the account."""
        return [sid for sid, (user, digest) in list(self.sessions.items())
                if user == user_id and (digest is None or sessions == "*"
                                        or digest in sessions)]

    def protocol_of(self, client_id):
        """The protocol version the socket serving this client stated (1 if none here)."""
        return self.protocols.get(self.sids.get(client_id), 1)

    def client_of(self, sid):
        return self.clients.get(sid)

    def sid_of(self, client_id):
        """The socket serving this client here now, or None."""
        return self.sids.get(client_id)

    def all_sids(self):
        return list(self.clients)

    def take(self, sid):
        """One packet from this socket against its rate limit: False when over it."""
        bucket = self.buckets.get(sid)
        return bucket is not None and bucket.take()

    # -- writing -----------------------------------------------------------------------
    def emit(self, event, data, to):
        """Every write to sockets goes through here (`to`: a sid or a list of sids), by
        a declared name only."""
        events.check(event)
        local = self._local
        local.depth = getattr(local, "depth", 0) + 1
        try:
            self.socketio.emit(event, data, to=to)
        finally:
            local.depth -= 1

    def send(self, client_id, event, data):
        """To the socket serving this client; False when none does (it is away)."""
        sid = self.sids.get(client_id)
        if sid is None:
            return False
        self.emit(event, data, to=sid)
        return True

    def send_many(self, client_ids, event, data):
        """One message to these clients' sockets, encoded once; away clients miss it."""
        sids = [sid for sid in map(self.sids.get, client_ids) if sid is not None]
        if sids:
            self.emit(event, data, to=sids)

    def in_write(self):
        return getattr(self._local, "depth", 0) > 0

    def defer(self, fn):
        """Run fn later, after the current write, in order with other deferred work."""
        self._later.submit(fn)
