"""The hub: one client event's way through the server, and nothing else.

    event ─→ rate limit ─→ validate (protocol.py) ─→ handler ─→ ack ─→ log

A handler (handlers.py, chat_handlers.py, trust_handlers.py) gets the `Context`
(context.py) built by create_app, the acting client and the validated payload; it
dispatches to the store and returns the ack's fields. What the change produced reaches
the sockets through delivery.py. A socket's life (connect, resume, disconnect, grace) is
lifecycle.py; what a cluster node adds is cluster/ (behind cluster/node.py's interface).
"""
import logging
import time

from .. import events as E
from ..errors import Refusal
from ..faults import is_storage_fault
from ..protocol import HANDLERS, ok, validate
from . import chat_handlers, file_handlers, handlers, trust_handlers  # noqa: F401  (handlers register)
from .eventlog import EventLog

log = logging.getLogger(__name__)
RESTART_RETRY_MS = 2000
# Sent just before a socket closes, so possibly handled after its close (each event runs
# in its own green thread): still taken, for the client that socket served (issue 31.7).
AFTER_CLOSE = frozenset({"client:leaving"})


class Hub:
    def __init__(self, ctx, socketio, faults=None, metrics=None):
        self.ctx = ctx                # what handlers get (context.py)
        self.connections = ctx.connections
        self.faults = faults          # StorageFaults: storage errors → `unavailable`
        self.metrics = metrics        # Metrics or None
        self.in_flight = 0            # client events being handled right now
        self.last_event_at = 0.0      # time.monotonic() of the newest client event
        self.event_log = EventLog(ctx.config["LOG_SUMMARY_INTERVAL"],
                                  spawn=socketio.start_background_task, sleep=socketio.sleep)

    # -- one client event --------------------------------------------------------------
    def handle(self, sid, event, args):
        started = time.perf_counter()
        client_id = self.connections.client_of(sid)
        late = client_id is None and event in AFTER_CLOSE
        if late:  # at most once per closed socket: no rate limit to keep
            client_id = self.connections.closed_client(sid)
        shown = event[:64] if isinstance(event, str) else "?"
        payload = {}
        self.in_flight += 1
        self.last_event_at = time.monotonic()
        try:
            if client_id is None:
                raise Refusal("invalid-state", "not connected; reconnect and retry")
            if not late and not self.connections.take(sid):
                raise Refusal("rate-limited", "too many messages; slow down")
            if self.ctx.draining:
                raise Refusal("unavailable", self.ctx.draining, retry_after_ms=RESTART_RETRY_MS)
            payload = validate(event, args)
            result = ok(**HANDLERS[event](self.ctx, client_id, payload))
            self._log(shown, client_id, payload, started, result)
            return result
        except Refusal as err:
            error = err.as_dict()
        except Exception as err:
            if self.faults is not None and is_storage_fault(err):
                error = self.faults.refusal(err).as_dict()  # logged once per interval
            else:
                log.exception("handler failed", extra={"event": shown, "client": client_id})
                error = Refusal("internal", "the server failed to handle this; it has been "
                                "logged, please retry").as_dict()
        finally:
            self.in_flight -= 1
        self.connections.emit(E.ERROR, {"event": shown, "error": error}, to=sid)
        result = {"ok": False, "error": error}
        self._log(shown, client_id, payload, started, result)
        return result

    def _log(self, event, client_id, payload, started, result):
        """One DEBUG line per client event (ids and outcome, never message bodies) and
        its counts in the summary written at INFO once per interval."""
        seconds = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.event_handled(event, result, seconds)
        extra = {"event": event, "client": client_id, "ok": result["ok"],
                 "ms": round(seconds * 1000, 2)}
        for key, field in (("callId", "call"), ("anchorId", "anchor"),
                           ("invitationId", "invitation")):
            if key in payload:
                extra[field] = payload[key]
        if not result["ok"]:
            extra["code"] = result["error"]["code"]
        # Each event at DEBUG; at INFO, a summary per interval (eventlog.py).
        self.event_log.record(event, client_id, result, extra)

    def close(self):
        """Write out the last summary (tests that build several apps)."""
        self.event_log.close()
