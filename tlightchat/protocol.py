"""The wire protocol of docs/protocol.md, in code: event names, payload schemas, limits.

`CLIENT_EVENTS` declares each client event once, with its schema; each handler is
registered against that declaration with `@handles(name)` (tlightchat/realtime/
handlers.py, chat_handlers.py), which refuses a name that is not declared or is taken,
and `check_registry()` (run when the app is built) refuses a declared event without a
handler. So the declaration, the handlers and (by tests/protocol/test_protocol_mirror.py) the
document and static/js/protocol.js cannot disagree.

`validate(event, args)` turns the raw Socket.IO arguments of a client event into a
plain dict, or raises Refusal with a code and a message naming what is wrong.
Schemas are strict (no coercion) and closed (unknown fields are refused).

Past 300 lines on purpose: it is the list of the wire contract's payload schemas (one
class per client event, read beside docs/protocol.md) with the registry that binds each
to its handler. The numbers are limits.py's; the server's event names events.py's.
Past 500 since files, safety, call links and knocks came (one section each, at the end):
the next step is a schema module per feature beside its handlers, each adding to
CLIENT_EVENTS (not done yet: it moves every feature's handlers at once).
"""
import json
import re
from typing import Annotated, Literal, Optional

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictBool,
                      StrictInt, StrictStr, ValidationError, model_validator)

from . import events
from . import limits as L
from .errors import Refusal
from .names import clean_name
from .sdp import SdpError, check_sdp

# The version this server speaks (docs/protocol.md, "Versions"); a client states its own in
# the connect `auth` (`protocol`), 1 when it does not, and the server keeps it working.
PROTOCOL_VERSION = 4
# From this version on, a callee is expected to answer the ring's offer itself.
PREPARED_SINCE = 2
# From this version on, a client takes part in calls of more than two ("Group calls").
GROUP_SINCE = 4
MAX_PAYLOAD_BYTES = L.PAYLOAD_BYTES
MAX_SIGNAL_BYTES = L.SIGNAL_BYTES


Id = Annotated[StrictStr, Field(min_length=1, max_length=L.ID_MAX, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[StrictStr, Field(max_length=L.NAME_RAW_MAX), AfterValidator(clean_name)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Empty(Payload):
    pass


class Rename(Payload):
    displayName: Name


class AnchorCreate(Payload):
    name: Optional[Name] = None


class AnchorRef(Payload):
    anchorId: Id


class AnchorRename(Payload):
    anchorId: Id
    name: Name


class AnchorSetOnline(Payload):
    anchorId: Id
    online: StrictBool


class InvitationRef(Payload):
    invitationId: Id


class CallRef(Payload):
    callId: Id


class Description(Payload):
    type: Literal["offer", "answer", "pranswer"]
    sdp: Annotated[StrictStr, Field(max_length=L.SDP_MAX)]


class Candidate(Payload):
    candidate: Annotated[StrictStr, Field(max_length=L.CANDIDATE_MAX)]
    sdpMid: Optional[Annotated[StrictStr, Field(max_length=L.SDP_MID_MAX)]] = None
    sdpMLineIndex: Optional[Annotated[StrictInt, Field(ge=0, le=L.SDP_MLINE_INDEX_MAX)]] = None
    usernameFragment: Optional[Annotated[StrictStr, Field(max_length=L.USERNAME_FRAGMENT_MAX)]] = None


def _names_no_address(description):
    """The offer that travels with a ring is made before any address may be shown: no
    candidate-like attribute, and c=, a=rtcp and o= name the null address (sdp.py reads
    it as browsers do). The caller's candidates follow after call:started. (The answer
    with an accept may carry the callee's: the callee has accepted.)"""
    try:
        check_sdp(description.sdp)
    except SdpError as err:
        raise ValueError(f"names no address (send candidates after call:started): {err}")
    return description


class RingOffer(Description):
    type: Literal["offer"]


class AcceptAnswer(Description):
    type: Literal["answer"]


class Invite(Payload):
    fromAnchorId: Id
    toAnchorId: Id
    # The caller's offer, relayed to the callee with call:ring (docs/protocol.md,
    # "Prepared while it rings"); it names no address (sdp.py).
    offer: Optional[Annotated[RingOffer, AfterValidator(_names_no_address)]] = None


class InviteMany(Payload):
    """Ring several anchors at once from a free anchor ("Group calls"); the handler
    bounds the count by config MAX_CALL_PARTIES - 1."""
    fromAnchorId: Id
    toAnchorIds: Annotated[list[Id], Field(min_length=1, max_length=L.CALL_PARTIES_MAX - 1)]

    @model_validator(mode="after")
    def unique(self):
        if len(set(self.toAnchorIds)) != len(self.toAnchorIds):
            raise ValueError("each anchor may be named once")
        return self


class Accept(Payload):
    invitationId: Id
    # The callee's answer to the ring's offer, made while it rang and sent only now
    # (it carries the callee's addresses); relayed to the caller as call:signal.
    answer: Optional[AcceptAnswer] = None


class Signal(Payload):
    callId: Id
    description: Optional[Description] = None
    candidate: Optional[Candidate] = None
    # The party the signal is for; optional while the call has two parties (the guard
    # checks it is another party of the call: store/guards.py, checked_signal_target).
    to: Optional[Id] = None

    @model_validator(mode="after")
    def exactly_one(self):
        if (self.description is None) == (self.candidate is None):
            raise ValueError("send exactly one of description or candidate")
        return self


class ResumeAnchor(Payload):
    anchorId: Id
    name: Name
    online: StrictBool


class ResumeCall(Payload):
    callId: Id
    anchorId: Id
    peerAnchorId: Id
    initiator: StrictBool


class ConnectAuth(Payload):
    """The Socket.IO `auth` object of a (re)connecting client (all optional)."""
    resume: Optional[Annotated[StrictStr, Field(max_length=L.RESUME_TOKEN_MAX)]] = None
    # True: a closed transport (e.g. a WebSocket close frame) is this client's goodbye,
    # for clients whose disconnect() closes the socket before its DISCONNECT packet.
    leaveOnClose: Optional[StrictBool] = None
    # The tab's short label for the lobby ("Chrome on Linux"); the server adds "tab N".
    device: Optional[Name] = None
    anchors: Annotated[list[ResumeAnchor], Field(max_length=L.RESUME_ANCHORS_MAX)] = []
    calls: Annotated[list[ResumeCall], Field(max_length=L.RESUME_CALLS_MAX)] = []
    # The protocol version the client speaks (docs/protocol.md, "Versions"); absent: 1.
    protocol: Optional[Annotated[StrictInt, Field(ge=1, le=1000)]] = None
    # True: this page was reloaded and its peer connections are gone; on a resume each
    # call's peer is told (call:peer-reloaded) and waits for this side's new offer.
    reloaded: Optional[StrictBool] = None


def validate_auth(auth):
    """The connect-time `auth` object, validated; None when absent."""
    if auth in (None, {}):
        return None
    if not isinstance(auth, dict):
        raise Refusal("invalid-payload", "auth must be a JSON object")
    try:
        return ConnectAuth.model_validate(auth).model_dump(exclude_none=True)
    except ValidationError as err:
        raise Refusal("invalid-payload", "auth: " + _describe(err)) from None


class Media(Payload):
    callId: Id
    flowing: StrictBool
    # The party whose connection this reports; needed in a call of more than two.
    to: Optional[Id] = None


class PeerState(Payload):
    callId: Id
    audio: StrictBool   # the microphone is on and has a track
    video: StrictBool   # the camera (or screen) is on and has a track
    screen: StrictBool = False  # what it sends is its screen (issue 31.4: shown large)


# -- chat (tlightchat/chat/service.py stores; tlightchat/realtime/chat_handlers.py handles) --

MessageId = Annotated[StrictInt, Field(ge=1, le=2**53 - 1)]
# The hard cap; config CHAT_MAX_LENGTH (default 4,000) is what a server accepts.
ChatText = Annotated[StrictStr, Field(max_length=L.CHAT_TEXT_MAX)]


class ChatTarget(Payload):
    """A pair's conversation (`to` / `with`: a user) or a group's (`conversationId`,
    issue 26): exactly one of the two."""
    conversationId: Optional[Id] = None

    @model_validator(mode="after")
    def one_target(self):
        user = getattr(self, "to", None) or getattr(self, "with_", None)
        if (user is None) == (self.conversationId is None):
            name = "to" if "to" in type(self).model_fields else "with"
            raise ValueError(f"send {name} or conversationId, one of them")
        return self


class ChatSend(ChatTarget):
    to: Optional[Id] = None
    clientMsgId: Id
    text: ChatText


class ChatHistory(ChatTarget):
    with_: Optional[Id] = Field(default=None, alias="with")
    before: Optional[MessageId] = None
    after: Optional[MessageId] = None
    limit: Optional[Annotated[StrictInt, Field(ge=1, le=L.CHAT_PAGE_MAX)]] = None

    @model_validator(mode="after")
    def one_cursor(self):
        if self.before is not None and self.after is not None:
            raise ValueError("send before or after, not both")
        return self


class ChatMark(ChatTarget):
    with_: Optional[Id] = Field(default=None, alias="with")
    upTo: MessageId


class LobbyGet(Payload):
    query: Optional[Annotated[StrictStr, Field(max_length=L.QUERY_MAX)]] = None


class LobbyWatch(Payload):
    userIds: Annotated[list[Id], Field(max_length=L.WATCH_IDS_MAX)]


class TrustSet(Payload):
    peerUserId: Id
    code: Annotated[StrictStr, Field(pattern=r"^[0-9]{4}( [0-9]{4}){3}$")]  # "1234 5678 9012 3456"
    verified: StrictBool


# -- files in a call (realtime/file_handlers.py; docs/protocol.md, "Files") --

def _file_name(name):
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise ValueError("must not contain control characters")
    return name


FileName = Annotated[StrictStr, Field(min_length=1, max_length=255),
                     AfterValidator(_file_name)]
FileId = Annotated[StrictStr, Field(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9_-]+$")]
# The hard cap of a size on the wire; config MAX_FILE_BYTES (2 GiB) is what a server accepts.
FileSize = Annotated[StrictInt, Field(ge=0, le=2**53 - 1)]


class FileOffer(Payload):
    callId: Id
    to: Optional[Id] = None
    name: FileName
    size: FileSize


class FileSent(FileOffer):
    fileId: FileId


# Client → server events and their payload schema (None: the event takes no payload).
CLIENT_EVENTS = {
    "me:rename": Rename,
    "me:state": None,
    "ice:servers": None,
    "lobby:get": LobbyGet,
    "lobby:watch": LobbyWatch,
    "anchor:create": AnchorCreate,
    "anchor:rename": AnchorRename,
    "anchor:set-online": AnchorSetOnline,
    "anchor:remove": AnchorRef,
    "call:invite": Invite,
    "call:invite-many": InviteMany,
    "call:cancel": InvitationRef,
    "call:accept": Accept,
    "call:decline": InvitationRef,
    "call:signal": Signal,
    "call:media": Media,
    "call:peer-state": PeerState,
    "call:hangup": CallRef,
    "trust:set": TrustSet,
    "trust:list": None,
    # chat
    "chat:send": ChatSend,
    "chat:history": ChatHistory,
    "chat:conversations": None,
    "chat:delivered": ChatMark,
    "chat:read": ChatMark,
    # files in a call
    "file:offer": FileOffer,
    "file:sent": FileSent,
}

OPTIONAL_PAYLOAD = {"lobby:get", "anchor:create"}  # every field optional: may be absent
MAX_CHAT_SEND_BYTES = L.CHAT_SEND_BYTES
MAX_WATCH_BYTES = L.WATCH_BYTES
SIZE_LIMITS = {"call:signal": MAX_SIGNAL_BYTES, "call:invite": MAX_SIGNAL_BYTES,
               "call:accept": MAX_SIGNAL_BYTES, "chat:send": MAX_CHAT_SEND_BYTES,
               "lobby:watch": MAX_WATCH_BYTES}

# Server → client events: declared in events.py (each name a constant), listed here too
# for the mirror test and older imports.
SERVER_EVENTS = events.SERVER_EVENTS


class Malformed(str):
    """Stands in for the event name of a packet that can be answered but not run:
    the application's event handler counts it like any event, and
    protocol.validate refuses it with this code and message."""

    def __new__(cls, code, message):
        self = super().__new__(cls, "?")
        self.code, self.message = code, message
        return self


# Client event → handler(hub, clientId, payload) -> ack fields; filled by @handles.
HANDLERS = {}


def handles(event):
    """Register the handler of a declared client event (exactly one per event)."""
    def register(fn):
        if event not in CLIENT_EVENTS:
            raise LookupError(f"{event!r} is not declared in CLIENT_EVENTS")
        if event in HANDLERS:
            raise ValueError(f"{event!r} already has a handler: {HANDLERS[event].__name__}")
        HANDLERS[event] = fn
        return fn
    return register


def check_registry():
    """Every declared client event has its handler (call once the handlers are imported)."""
    missing = sorted(set(CLIENT_EVENTS) - set(HANDLERS))
    if missing:
        raise LookupError(f"client events without a handler: {missing}")


def _describe(err):
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{where}: {message}"


_ID_TEXT = re.compile(r"[A-Za-z0-9_.-]{1,%d}" % L.ID_MAX)  # Id, for fullmatch
_CANDIDATE_FIELDS = (("candidate", str, L.CANDIDATE_MAX), ("sdpMid", str, L.SDP_MID_MAX),
                     ("sdpMLineIndex", int, L.SDP_MLINE_INDEX_MAX),
                     ("usernameFragment", str, L.USERNAME_FRAGMENT_MAX))
_CANDIDATE_KEYS = frozenset(key for key, _, _ in _CANDIDATE_FIELDS)
# What a candidate signal within those bounds can weigh as JSON (each character
# escaped as a surrogate pair, 12 bytes): far under the signal limit, so the fast
# path below needs no size check.
assert 12 * (L.ID_MAX + L.CANDIDATE_MAX + L.SDP_MID_MAX + L.USERNAME_FRAGMENT_MAX) + 200 \
    < MAX_SIGNAL_BYTES


def fast_signal_candidate(raw):
    """`call:signal` with an ICE candidate, the hottest event (a few dozen per call):
    the payload Signal would return, built without a model, or None for anything
    that is not plainly valid by Signal's own bounds (then Signal decides, and words
    the refusal). It accepts only exact types and known keys, so it never accepts what
    Signal refuses (tests/realtime/test_fastpath.py checks both on random and edge payloads).
    13.5 → 3.4 µs per event, size check included (bench/micro.py)."""
    if len(raw) != 2:
        return None
    call_id, candidate = raw.get("callId"), raw.get("candidate")
    if type(call_id) is not str or type(candidate) is not dict or \
            _ID_TEXT.fullmatch(call_id) is None or type(candidate.get("candidate")) is not str:
        return None
    out = {}
    for key, kind, bound in _CANDIDATE_FIELDS:
        value = candidate.get(key)
        if value is None:
            continue
        if type(value) is not kind or (len(value) if kind is str else value) > bound or \
                (kind is int and value < 0):
            return None
        out[key] = value
    if len(out) != len(candidate) and any(  # an unknown key, or a known one as null
            k not in _CANDIDATE_KEYS or v is not None for k, v in candidate.items()
            if k not in out):
        return None
    return {"callId": call_id, "candidate": out}


def validate(event, args):
    """Return the validated payload as a dict (empty for no-payload events)."""
    if isinstance(event, Malformed):  # a packet that did not decode (realtime/wire.py)
        raise Refusal(event.code, event.message)
    if not isinstance(event, str) or event not in CLIENT_EVENTS:
        shown = event if isinstance(event, str) else type(event).__name__
        raise Refusal("unknown-event", "unknown event %(event)s", event=repr(shown[:64]))
    schema = CLIENT_EVENTS[event]
    if len(args) > 1:
        raise Refusal("invalid-payload", "send one payload object")
    raw = args[0] if args else None
    if raw is None and event in OPTIONAL_PAYLOAD:
        raw = {}
    if schema is None:
        if raw not in (None, {}):
            raise Refusal("invalid-payload", "%(event)s takes no payload", event=event)
        return {}
    if not isinstance(raw, dict):
        raise Refusal("invalid-payload", "payload must be a JSON object")
    if event == "call:signal":
        fast = fast_signal_candidate(raw)
        if fast is not None:
            return fast
    try:
        size = len(json.dumps(raw, separators=(",", ":"), allow_nan=False))
    except (TypeError, ValueError):
        raise Refusal("invalid-payload", "payload is not plain JSON") from None
    limit = SIZE_LIMITS.get(event, MAX_PAYLOAD_BYTES)
    if size > limit:
        raise Refusal("payload-too-large", "payload is %(size)s bytes; the limit is %(limit)s",
                      size=size, limit=limit)
    try:
        model = schema.model_validate(raw)
    except ValidationError as err:
        raise Refusal("invalid-payload", _describe(err)) from None
    return model.model_dump(exclude_none=True, by_alias=True)


def ok(**result):
    return {"ok": True, **result}


def fail(code, message, **extra):
    """An error ack; `extra` carries documented extras such as retryAfterMs."""
    return {"ok": False, "error": {"code": code, "message": message, **extra}}



# -- Safety (issue 35, docs/protocol.md "Safety"; handlers: tlightchat/safety/handlers.py)
class SafetyPeer(Payload):
    userId: Id


class SafetySet(Payload):
    ringPolicy: Optional[Literal["everyone", "chatted", "verified", "nobody"]] = None
    chatPolicy: Optional[Literal["everyone", "verified", "nobody"]] = None
    dndMinutes: Optional[Annotated[StrictInt, Field(ge=0, le=24 * 60)]] = None
    invisible: Optional[StrictBool] = None


class SafetyReport(Payload):
    userId: Id
    reason: Optional[Annotated[StrictStr, Field(max_length=500)]] = None
    messageIds: Optional[Annotated[list[Annotated[StrictInt, Field(ge=1)]],
                                   Field(max_length=20)]] = None


CLIENT_EVENTS.update({
    "safety:report": SafetyReport,
    "safety:block": SafetyPeer,
    "safety:unblock": SafetyPeer,
    "safety:get": None,
    "safety:set": SafetySet,
    "safety:dismiss-warning": None,  # the operators' warning was read (safety:warned)
})

# -- call links (issue 27: tlightchat/reach/; docs/protocol.md, "Call links and push") --

LINK_TOKEN_MAX = 64  # a token is 32 characters (reach/links.py); longer is refused unread


class LinkCreate(Payload):
    anchorId: Id
    lasting: Optional[StrictBool] = None  # true: until revoked, instead of CALL_LINK_TTL


class LinkOpen(Payload):
    token: Annotated[StrictStr, Field(max_length=LINK_TOKEN_MAX)]


CLIENT_EVENTS.update({"link:create": LinkCreate, "link:open": LinkOpen})


# -- knocking on a running call (issue 27: reach/knock*.py; "Knocking on a running call") --

class KnockLink(Payload):
    anchorId: Id


class KnockAsk(Payload):
    token: Annotated[StrictStr, Field(max_length=LINK_TOKEN_MAX)]
    fromAnchorId: Id


class KnockAnswer(Payload):
    knockId: Id
    admit: StrictBool


class KnockCancel(Payload):
    knockId: Id


CLIENT_EVENTS.update({"knock:link": KnockLink, "knock:ask": KnockAsk, "knock:answer": KnockAnswer,
                      "knock:cancel": KnockCancel})


# -- the page is going (issue 31.7; docs/protocol.md, "Leaving") --------------------------
CLIENT_EVENTS.update({"client:leaving": None})  # handler: realtime/handlers.py
