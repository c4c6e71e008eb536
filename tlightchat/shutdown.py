"""A graceful stop: what SIGTERM does (app.py installs it), within STOP_TIMEOUT seconds.

Before, SIGTERM killed the process 11-38 ms after the signal: of 200 chat sends in flight
across 20 restarts, 41 were committed but never acked and 159 were dropped (only the
browser's outbox saved them). Now, in order:

1. stop taking work: readiness answers 503, new Socket.IO connections are refused with
   `unavailable`, client events arriving from now on are answered `unavailable` with
   `retryAfterMs` (the browser keeps them and sends them again after the restart), and
   the listening socket is closed (`stop_accepting`, from app.py) so a proxy moves on;
2. finish what is in flight: every event being handled returns, which means every chat
   send waiting in the group commit is committed and its ack written;
3. write the call log entries still waiting out their delay;
4. tell every client `session:closing {reason, message, reconnectInMs}`: the browser
   shows the message, keeps its calls (media flows peer to peer) and reconnects, and
   the restarted server restores them from the claims it sends (docs/protocol.md);
5. wait until no client event arrived for QUIET seconds (a send that crossed the notice
   is still answered) and every socket's queue is written out (a polling client's next
   GET), then exit 0. Whatever is not done by the deadline is left: the exit is never later.
"""
import logging
import time

from . import events as E
from .errors import N_

log = logging.getLogger(__name__)
QUIET = 0.5  # seconds without a client event after the notice: the clients have stopped


class GracefulStop:
    def __init__(self, ctx, hub, writer, call_log, socketio, timeout, exit):
        self.ctx = ctx                    # realtime/context.py: draining, node, sockets
        self.hub = hub                    # realtime/hub.py: the events in flight
        self.writer = writer
        self.call_log = call_log
        self.socketio = socketio
        self.timeout = timeout
        self.exit = exit                  # exit(code): ends the process
        self.stop_accepting = lambda: None  # set by the entry point that owns the listener
        self.started = None
        self.done = socketio.server.eio.create_event()

    def begin(self, reason="restart"):
        """Start the stop in a background task (safe to call from a signal handler);
        a second call while stopping does nothing."""
        if self.started is None:
            self.started = time.monotonic()
            self.ctx.draining = N_("The server is restarting; this page reconnects by "
                                   "itself and your calls continue.")
            self.socketio.start_background_task(self.run, reason)

    def run(self, reason):
        deadline = self.started + self.timeout
        steps = {}
        try:
            self.stop_accepting()
        except Exception:
            log.exception("closing the listener failed")
        steps["events"] = self._wait(lambda: self.hub.in_flight == 0 and self.writer.worker.idle(),
                                     deadline - 2.0)
        self.call_log.delay = 0
        steps["call log"] = self._wait(self.call_log.worker.idle, deadline - 1.5)
        self.ctx.node.leave()  # in a cluster: its clients resume on another node
        sids = self.ctx.connections.all_sids()
        if sids:
            self.ctx.connections.emit(E.SESSION_CLOSING, {
                "reason": reason, "message": self.ctx.draining, "reconnectInMs": 1000},
                to=sids)
        # Clients that sent before the notice reached them are still answered: wait for
        # QUIET seconds without a client event, then for every queue to be written out.
        steps["quiet"] = self._wait(
            lambda: time.monotonic() - self.hub.last_event_at >= QUIET, deadline - 0.5)
        steps["sockets"] = self._wait(self._written_out, deadline - 0.3)
        self.socketio.sleep(0.1)  # a socket's writer may hold the frame it took last
        log.info("stopped: %s in %.2f s, %d clients told",
                 ", ".join(f"{k} {'done' if v else 'cut short'}" for k, v in steps.items()),
                 time.monotonic() - self.started, len(sids))
        for handler in logging.getLogger().handlers:
            handler.flush()
        self.done.set()
        self.exit(0)

    def wait(self):
        """Block until the stop has run (for an entry point whose server returned)."""
        self.done.wait()

    def _written_out(self):
        """Every WebSocket's queue is written out. A long-polling socket is written only
        by its next GET, which cannot reach this process any more (the listener is
        closed; behind a proxy it goes to another node): one with a GET waiting took its
        queue at once, and one without never will, so waiting for it only delayed the
        exit to the deadline (a cluster node: 9.8 s, as news of its clients moving to the
        other nodes kept arriving for them)."""
        sockets = getattr(self.socketio.server.eio, "sockets", {})
        return all(s.queue.qsize() == 0 for s in list(sockets.values())
                   if not s.closed and s.upgraded)

    def _wait(self, done, until):
        while not done():
            if time.monotonic() >= until:
                return False
            self.socketio.sleep(0.02)
        return True
