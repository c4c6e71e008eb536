"""The protocol's hard limits, in one place (issue 25, item 3): sizes, lengths and counts
that no configuration raises. Everything else derives from these: the payload schemas
(protocol.py), names (names.py), the chat service (chat/service.py), and the browser's
copies, which come from the page or the welcome, or are checked equal to these by
tests/protocol/test_limits.py (static/js/chat/pins.js, chat/store.js, the templates' maxlength).

What an operator tunes within these (connections per user, anchors per client, the
chat's message length, rates, the lobby's window) is configuration: config/defaults.py;
the chat service clamps CHAT_MAX_LENGTH to CHAT_TEXT_MAX.
"""

# -- identifiers and names ------------------------------------------------------------
ID_MAX = 64                 # an id (client, anchor, call, user, message key): [A-Za-z0-9_.-]
NAME_MAX = 40               # a display or slot name, in characters (after cleaning)
NAME_RAW_MAX = 256          # a name as sent, before cleaning
NAME_MAX_MARKS = 4          # combining marks on one base character
QUERY_MAX = 64              # a lobby search

# -- payload sizes (bytes of the JSON as received) -----------------------------------
PAYLOAD_BYTES = 4 * 1024    # any client event not named below
SIGNAL_BYTES = 64 * 1024    # call:signal, call:invite, call:accept (SDP)
CHAT_SEND_BYTES = 64 * 1024  # chat:send: 10,000 characters, even all escaped as \uXXXX
WATCH_BYTES = 16 * 1024     # lobby:watch: WATCH_IDS_MAX ids of up to ID_MAX characters
SDP_MAX = 60_000            # one session description, in characters

# -- ICE candidates (call:signal's hot path checks these without a model) -------------
CANDIDATE_MAX = 1024
SDP_MID_MAX = ID_MAX
SDP_MLINE_INDEX_MAX = 255
USERNAME_FRAGMENT_MAX = 256

# -- counts ---------------------------------------------------------------------------
RESUME_ANCHORS_MAX = 16     # anchors and calls a connect's auth may name to resume
RESUME_CALLS_MAX = 16
RESUME_TOKEN_MAX = 512
CALL_PARTIES_MAX = 16       # parties of one call; config MAX_CALL_PARTIES (default 6) ≤ this
WATCH_IDS_MAX = 200         # users one lobby:watch may pin (config LOBBY_PINS_MAX ≤ this)

# -- chat -----------------------------------------------------------------------------
CHAT_TEXT_MAX = 10_000      # characters; config CHAT_MAX_LENGTH (default 4,000) may only lower it
CHAT_PAGE = 50              # messages in a chat:history page unless `limit` says otherwise
CHAT_PAGE_MAX = 100
CONVERSATIONS_MAX = 200     # entries of chat:conversations
