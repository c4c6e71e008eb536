"""Server → client event names, declared once (docs/protocol.md; issue 25, item 3).

Every emission names its event through these constants, and the one place that writes
to sockets (realtime/connections.py, `Connections.emit`) refuses a name not in
`SERVER_EVENTS`. tests/protocol/test_server_events.py reads tlightchat/ and fails on an emission
whose literal name is not declared here; tests/protocol/test_protocol_mirror.py keeps this list,
static/js/protocol.js and the document equal. `protocol.SERVER_EVENTS` is this list.
"""

SESSION_WELCOME = "session:welcome"
SESSION_CLOSING = "session:closing"
LOBBY_SNAPSHOT = "lobby:snapshot"
LOBBY_CLIENT_JOINED = "lobby:client-joined"
LOBBY_CLIENT_LEFT = "lobby:client-left"
LOBBY_USER = "lobby:user"
LOBBY_CLIENT = "lobby:client"
LOBBY_ANCHOR = "lobby:anchor"
LOBBY_ANCHOR_REMOVED = "lobby:anchor-removed"
LOBBY_COUNT = "lobby:count"
CALL_RING = "call:ring"
CALL_INVITE_ENDED = "call:invite-ended"
CALL_STARTED = "call:started"
CALL_SIGNAL = "call:signal"          # also a client event (relayed to the peer)
CALL_STATE = "call:state"
CALL_ENDED = "call:ended"
CALL_PEER_STATE = "call:peer-state"  # also a client event (relayed to the peer)
CALL_PEER_RELOADED = "call:peer-reloaded"
CALL_PARTY_JOINED = "call:party-joined"  # group calls: a newcomer joined (docs/protocol.md)
CALL_PARTY_LEFT = "call:party-left"      # group calls: a party left, the call goes on
ERROR = "error"
CHAT_MESSAGE = "chat:message"
CHAT_RECEIPT = "chat:receipt"
CHAT_UNREAD = "chat:unread"
KNOCK_ASKED = "knock:asked"   # someone asks to join a running call (docs/protocol.md)
KNOCK_ENDED = "knock:ended"   # ... and how that ended, for the parties and the knocker
SAFETY_WARNED = "safety:warned"  # an operator warned this user (issue 35, "Safety")
SAFETY_WARNING_DISMISSED = "safety:warning-dismissed"  # ... and they read it, in one of their tabs

SERVER_EVENTS = (
    SESSION_WELCOME, SESSION_CLOSING, LOBBY_SNAPSHOT, LOBBY_CLIENT_JOINED, LOBBY_CLIENT_LEFT,
    LOBBY_USER, LOBBY_CLIENT, LOBBY_ANCHOR, LOBBY_ANCHOR_REMOVED, LOBBY_COUNT,
    CALL_RING, CALL_INVITE_ENDED, CALL_STARTED, CALL_SIGNAL, CALL_STATE, CALL_ENDED,
    CALL_PEER_STATE, CALL_PEER_RELOADED, CALL_PARTY_JOINED, CALL_PARTY_LEFT, ERROR,
    CHAT_MESSAGE, CHAT_RECEIPT, CHAT_UNREAD, KNOCK_ASKED, KNOCK_ENDED, SAFETY_WARNED,
    SAFETY_WARNING_DISMISSED,
)
DECLARED = frozenset(SERVER_EVENTS)


def check(event):
    """The name, if declared; LookupError for one no client was told about."""
    if event not in DECLARED:
        raise LookupError(f"{event!r} is not a declared server event (tlightchat/events.py)")
    return event
