"""Faster versions of three library steps on the relay's hot path, same results.

Profiled with py-spy on the relay benchmark (`bench/load.py relay --server tlc`,
eventlet, 300 clients, 25 calls sending ICE candidates), top own time:

- 8.7% eventlet's WebSocket unmasking, `RFC6455WebSocket._apply_mask`: one generator
  step and one 1-byte `bytes` object per payload byte of every frame a client sends.
  gevent-websocket's `Header.mask_payload` is the same loop over a bytearray. Here it is
  one XOR of two integers over the whole frame (int.from_bytes), in C.
- 1.6% + 1.4% python-socketio's packet encoding: the stdlib JSON encoder, and
  `Packet.data_is_binary`, which walks every value of every outgoing packet. The JSON
  module handed to python-socketio and python-engineio (what their `json=` argument
  does) encodes with orjson, and falls back to the stdlib for anything orjson refuses.

Per call, best of 7 (`bench/micro.py`, a 177-byte candidate frame): eventlet unmask
65 → 1.3 µs, gevent-websocket's 16 → 3 µs, a 64 KiB frame 15 ms → 0.14 ms; packet JSON
4.4 → 0.85 µs; the binary check 5.3 → 3.1 µs. The whole server step of one relayed
candidate in-process, CPU time, with protocol.fast_signal_candidate: 208 → 127 µs.

`install(socketio)` puts them in place for the server's async mode (idempotent); the
threading mode keeps its libraries as they are (simple-websocket/wsproto mask in C).
"""
import json as _std_json
import logging

log = logging.getLogger(__name__)

try:  # pragma: no branch - orjson is in requirements.txt; without it, the stdlib
    import orjson
except ImportError:  # pragma: no cover
    orjson = None


# -- WebSocket unmasking (RFC 6455 §5.3) ------------------------------------------------

def xor_mask(data, mask, offset=0):
    """`data` XOR the 4-byte `mask` repeated, the mask starting at byte `offset` % 4
    (a frame read in several pieces continues where the last piece stopped)."""
    length = len(data)
    if not length:
        return b""
    key = bytes(mask)
    k = offset % 4
    if k:
        key = key[k:] + key[:k]
    key = (key * ((length + 3) // 4))[:length]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(
        length, "little")


def eventlet_apply_mask(data, mask, length=None, offset=0):
    """Drop-in for eventlet's RFC6455WebSocket._apply_mask (same arguments, bytes)."""
    if length is not None:
        data = data[:length]
    return xor_mask(data, mask, offset)


def gevent_mask_payload(self, payload):
    """Drop-in for geventwebsocket's Header.mask_payload (first self.length bytes,
    a bytearray)."""
    return bytearray(xor_mask(bytes(payload[:self.length]), self.mask))


LIBRARY = {}  # what install() replaced: (owner, name) -> the library's function


def _replace(owner, name, value):
    LIBRARY.setdefault((owner, name), owner.__dict__.get(name, getattr(owner, name)))
    setattr(owner, name, value)


def install_unmask(async_mode):
    """Replace the unmasking of the WebSocket library that `async_mode` uses."""
    if async_mode == "eventlet":
        from eventlet.websocket import RFC6455WebSocket

        _replace(RFC6455WebSocket, "_apply_mask", staticmethod(eventlet_apply_mask))
        return True
    if async_mode == "gevent":
        from geventwebsocket.websocket import Header

        _replace(Header, "mask_payload", gevent_mask_payload)
        _replace(Header, "unmask_payload", gevent_mask_payload)
        return True
    return False


# -- the JSON module for python-socketio -------------------------------------------------

class FastJSON:
    """A `json` module for python-socketio/engineio: `dumps(obj, **kw)` → str.

    orjson writes compact JSON (what python-socketio asks for with separators=(',', ':'))
    and non-ASCII characters as UTF-8 where the stdlib writes \\uXXXX escapes: the same
    values for any JSON parser. What orjson refuses (an integer past 64 bits, a lone
    surrogate, a type it does not know) and any option it does not share (indent,
    sort_keys, ...) goes to the stdlib, so nothing encodes that did not before. One
    difference: a float NaN or infinity becomes `null` (the stdlib writes `NaN`, which
    no browser's JSON.parse accepts); the server emits none.
    `loads` is python-engineio's own (the stdlib with a bound on integer length);
    inbound Socket.IO packets are decoded by realtime/wire.py, within its bounds."""

    JSONDecodeError = _std_json.JSONDecodeError
    COMPACT = {"separators": (",", ":")}
    # int/float/bool/None keys become strings, as the stdlib does; dataclasses and
    # datetimes are not encoded natively (the stdlib refuses them: so does this)
    OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
               | orjson.OPT_PASSTHROUGH_DATETIME) if orjson else 0

    def __init__(self):
        from engineio import json as engineio_json

        self.loads = engineio_json.loads

    def dumps(self, obj, **kw):
        if orjson is None or (kw and kw != self.COMPACT):
            return _std_json.dumps(obj, **kw)
        try:
            return orjson.dumps(obj, option=self.OPTIONS).decode()
        except TypeError:
            return _std_json.dumps(obj, **kw)


fast_json = FastJSON()


def has_binary(data):
    """python-socketio's Packet.data_is_binary, the same answer without building a list
    and a reduce() per container: stops at the first bytes value."""
    if isinstance(data, (bytes, bytearray)):
        return True
    if isinstance(data, list):
        for item in data:
            if has_binary(item):
                return True
    elif isinstance(data, dict):
        for item in data.values():
            if has_binary(item):
                return True
    return False


def install_packets(server):
    """What python-socketio's `Server(json=...)` does (its packets and Engine.IO's use
    this JSON module), and the faster binary check for its packets."""
    from engineio import packet as eio_packet

    _replace(server.packet_class, "json", fast_json)
    _replace(eio_packet.Packet, "json", fast_json)
    _replace(server.packet_class, "data_is_binary",
             classmethod(lambda cls, data: has_binary(data)))


def install(socketio):
    """The fast paths for this Flask-SocketIO server's async mode."""
    unmask = install_unmask(socketio.async_mode)
    install_packets(socketio.server)
    log.debug("fast paths installed", extra={"unmask": unmask, "json": orjson is not None})
