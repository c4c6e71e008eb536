"""Every inbound Socket.IO packet, bounded and decoded before python-socketio sees it.

python-socketio parses a packet with the plain JSON parser (a packet nested 960 deep
raises RecursionError, a 5,000-digit integer ValueError: a traceback each, and no
answer), waits for binary attachments that may never come (one `45[...]` wedges the
connection for good), and routes a client event to any handler of the same name, so
`42["connect"]` re-runs the connect handler, `42["disconnect"]` the disconnect handler,
and `42["*", "<sid>"]` the catch-all as another socket. So the Engine.IO `message`
handler is replaced by `PacketGuard.on_message`, which:

- decodes the packet itself, with bounds checked before the JSON parser sees it
  (size, nesting depth, length of numbers, ack id);
- hands every event on `/`, whatever its name, straight to the application's catch-all
  handler (the one place that rate-limits, validates and answers), and sends the ack
  itself: no event name ever reaches a life-cycle handler;
- turns a packet that can still be answered (bad JSON, no event name, a second CONNECT,
  an ACK the server never asked for) into a `Malformed` event name, which the
  catch-all counts against the rate limit and refuses with its code (an error ack, or
  an `error` event without an ack id);
- closes the connection on a packet that cannot be answered (binary packets, which the
  protocol has none of; no Socket.IO header; another namespace; events before connect);
- logs one line per offending connection, never a traceback per packet.

CONNECT (first one) and DISCONNECT packets go on to python-socketio unchanged.

python-socketio runs each event in a green thread of its own (`async_handlers`), so a
slow handler does not hold up the connection's other packets. `call:signal` is the one
event that comes in bursts (a dozen candidates within milliseconds) and waits on nothing
but the store: in one process (the store in memory) it runs in the connection's reader,
in arrival order, without a green thread spawned per packet (issue 33.3). A cluster's
deployment names no such event (cluster/__init__.py `inline_events`): its store waits on
Redis, and a reader that waits reads no pongs.
"""
import json
import logging
import math
import re
from collections import OrderedDict

from socketio import packet as sio

from ..protocol import Malformed

log = logging.getLogger(__name__)

MAX_DEPTH = 16          # protocol payloads nest 4 deep at most
# A packet over MAX_PACKET_CHARS is answered `payload-too-large`; Engine.IO reads frames
# (and long-polling POSTs) up to MAX_FRAME_BYTES, so every packet between the two is
# answered, not dropped. Only a frame over MAX_FRAME_BYTES closes the connection (a POST:
# 413, polling.py): a bound on what one read may hold, far above any real packet.
MAX_PACKET_CHARS = 128 * 1024
MAX_FRAME_BYTES = 1024 * 1024
MAX_NUMBER_CHARS = 32   # 2**53 has 16 digits; a float in exponent form a few more
MAX_ACK_DIGITS = 15

_HEAD = re.compile(r"([0-9])(/[^,]*(?:,|$))?([0-9]*)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
_BRACKET = re.compile(r"[\[\]{}]")


class Unanswerable(Exception):
    """The connection is closed: nothing sensible can be answered to this packet."""


def too_deep(text, limit=MAX_DEPTH):
    """True when JSON text nests deeper than `limit` (or its brackets do not balance).
    Each pass of a C regex removes the innermost level, so this costs (depth + 1)
    linear scans, however the text is shaped, and never recurses. Text with at most
    `limit` opening brackets cannot nest deeper (strings included, the count is an upper
    bound): two counts, and the JSON parser finds any that do not balance. That is
    every relayed candidate (4% of the relay's CPU was the full check)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    shape = _STRING.sub("", text)
    for _ in range(limit + 1):
        shape, removed = _INNERMOST.subn("", shape)
        if not removed:
            return bool(_BRACKET.search(shape))
    return True


def _number(kind):
    def parse(text):
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"a number of {len(text)} characters")
        value = kind(text)
        if kind is float and not math.isfinite(value):
            raise ValueError("a number out of range")
        return value
    return parse


def _constant(name):
    raise ValueError(f"{name} is not JSON")


def loads(text, max_chars):
    """JSON text → value, within bounds; raises ValueError naming what is wrong."""
    if len(text) > max_chars:
        raise OverflowError(f"packet is {len(text)} characters; the limit is {max_chars}")
    if too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_int=_number(int), parse_float=_number(float),
                          parse_constant=_constant)
    except RecursionError:  # not reachable after too_deep(), kept as a last bound
        raise ValueError("JSON nested too deep") from None
    except ValueError as err:
        raise ValueError(f"not valid JSON ({str(err)[:80]})") from None


def decode(text, max_chars):
    """A Socket.IO packet → (type, namespace, ack id or None, data or Malformed).
    Raises Unanswerable for what can only be closed."""
    if not isinstance(text, str):
        raise Unanswerable("a binary message (the protocol has none)")
    head = _HEAD.match(text)
    if head is None:
        raise Unanswerable("not a Socket.IO packet")
    kind = int(head[1])
    if kind in (sio.BINARY_EVENT, sio.BINARY_ACK):
        raise Unanswerable("a binary packet (the protocol has none)")
    if kind not in (sio.CONNECT, sio.DISCONNECT, sio.EVENT, sio.ACK):
        raise Unanswerable(f"Socket.IO packet type {kind}")
    namespace = (head[2] or "/").rstrip(",") or "/"
    digits = head[3]
    if len(digits) > MAX_ACK_DIGITS:
        raise Unanswerable("an ack id of more than 15 digits")
    ack_id = int(digits) if digits and kind == sio.EVENT else None
    body = text[head.end():]
    if not body:
        return kind, namespace, ack_id, None
    try:
        return kind, namespace, ack_id, loads(body, max_chars)
    except OverflowError as err:
        return kind, namespace, ack_id, Malformed("payload-too-large", str(err))
    except ValueError as err:
        return kind, namespace, ack_id, Malformed("invalid-payload", f"packet: {err}")


def event_of(data):
    """(event name, args) of a decoded EVENT packet; the name may be Malformed."""
    if isinstance(data, Malformed):
        return data, ()
    if not isinstance(data, list):
        return Malformed("invalid-payload", "an event packet is a JSON array"), ()
    if not data:
        return Malformed("unknown-event", "the event has no name"), ()
    if not isinstance(data[0], str):
        return Malformed("unknown-event", "an event name is a string, "
                         f"not {type(data[0]).__name__}"), ()
    return data[0], tuple(data[1:])


class PacketGuard:
    def __init__(self, server, namespace="/", inline_events=frozenset()):
        self.server = server
        self.namespace = namespace
        self.inline_events = inline_events  # run in the reader, without a green thread
        self.max_chars = min(MAX_PACKET_CHARS, server.eio.max_http_buffer_size)
        self.passed_on = server._handle_eio_message
        self.noted = set()  # Engine.IO sids whose malformed packets were logged once
        self.closed = OrderedDict()  # sids closed here: packets still in flight are dropped
        self._eio_disconnect = server.eio.handlers.get("disconnect")

    def install(self):
        """Replace python-socketio's Engine.IO message handler (the test client calls it
        by attribute, so it goes through the guard too)."""
        self.server._handle_eio_message = self.on_message
        self.server.eio.on("message", self.on_message)
        self.server.eio.on("disconnect", self.on_disconnect)
        return self

    def on_disconnect(self, eio_sid, *args):
        self.noted.discard(eio_sid)
        if self._eio_disconnect is not None:
            return self._eio_disconnect(eio_sid, *args)

    def on_message(self, eio_sid, text):
        if eio_sid in self.closed:
            return
        try:
            self._on_message(eio_sid, text)
        except Unanswerable as err:
            self.close(eio_sid, str(err))
        except Exception as err:  # a fault here must not become a traceback per packet
            if eio_sid not in self.noted:
                self.noted.add(eio_sid)
                log.exception("packet guard failed", extra={"sid": eio_sid})
            self.close(eio_sid, f"the server failed on a packet ({type(err).__name__})")

    def _on_message(self, eio_sid, text):
        kind, namespace, ack_id, data = decode(text, self.max_chars)
        sid = self.server.manager.sid_from_eio_sid(eio_sid, self.namespace)
        connected = sid is not None and self.server.manager.is_connected(sid, self.namespace)
        if kind == sio.DISCONNECT or (kind == sio.CONNECT and not connected):
            if isinstance(data, Malformed):
                raise Unanswerable(f"a {'CONNECT' if kind == sio.CONNECT else 'DISCONNECT'} "
                                   f"packet that does not decode: {data.message}")
            return self.passed_on(eio_sid, text)
        if namespace != self.namespace:
            raise Unanswerable(f"namespace {namespace[:32]!r} is not served")
        if not connected:
            raise Unanswerable("an event before connecting")
        if kind == sio.CONNECT:
            event, args = Malformed("invalid-state", "already connected"), ()
        elif kind == sio.ACK:
            event, args = Malformed("invalid-payload", "an ack the server did not ask for"), ()
        else:
            event, args = event_of(data)
        if isinstance(event, Malformed):
            self.note(eio_sid, event.message)
        self.dispatch(eio_sid, sid, event, args, ack_id)

    def dispatch(self, eio_sid, sid, event, args, ack_id):
        """The application's catch-all for every event, then its ack: python-socketio's
        own routing by event name is never used."""
        handler = self.server.handlers[self.namespace]["*"]
        server = self.server

        def run():
            result = handler(event, sid, *args)
            if ack_id is not None:
                server._send_packet(eio_sid, server.packet_class(
                    sio.ACK, namespace=self.namespace, id=ack_id, data=[result]))

        if not server.async_handlers:
            run()
        elif event not in self.inline_events:
            server.start_background_task(run)
        else:
            try:
                run()
            except Exception:  # as a green thread's would: the connection stays
                if eio_sid not in self.noted:
                    self.noted.add(eio_sid)
                    log.exception("event handler failed", extra={"sid": eio_sid, "event": event})

    def note(self, eio_sid, reason):
        if eio_sid not in self.noted:
            self.noted.add(eio_sid)
            log.warning("malformed packet; answered, and further ones on this connection "
                        "are answered without a log line", extra={"sid": eio_sid,
                                                                  "reason": reason})

    def close(self, eio_sid, reason):
        """Close the Engine.IO connection now, without waiting for a poll to drain it."""
        log.warning("closed a connection", extra={"sid": eio_sid, "reason": reason})
        self.noted.discard(eio_sid)
        self.closed[eio_sid] = True
        while len(self.closed) > 10_000:
            self.closed.popitem(last=False)
        eio = self.server.eio
        socket = eio.sockets.get(eio_sid)
        if socket is None:  # the Flask-SocketIO test client has no Engine.IO socket
            sid = self.server.manager.sid_from_eio_sid(eio_sid, self.namespace)
            if sid is not None:
                self.server.disconnect(sid, namespace=self.namespace)
            return
        socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        eio.sockets.pop(eio_sid, None)


def install(socketio, inline_events=frozenset()):
    """Guard the Flask-SocketIO server's packets (after the catch-all is registered);
    `inline_events` run in the connection's reader (the deployment's choice)."""
    return PacketGuard(socketio.server, inline_events=inline_events).install()
