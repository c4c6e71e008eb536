"""What a display or slot name may be: visible, readable, not a pile of marks.

A name is refused when
- it holds a control, format, private-use or unassigned character (category C*);
- it holds a filler that draws nothing although Unicode calls it a letter or a symbol
  (HANGUL FILLER U+3164 and its half-width and jamo forms, BRAILLE PATTERN BLANK
  U+2800): it is only ever used to look blank or to pad a copy of someone's name;
- it has no visible character at all (only spaces, marks and fillers);
- one base character carries more than MAX_MARKS combining marks (the "Zalgo" pile
  that draws over the neighbouring lines; real scripts need at most three or four).

Two people may still choose the same name, and one may copy another's to pass for them.
So every user record on the wire carries a `tag`: four characters derived from the user
id (a hash: stable for the user, not choosable by them, unrelated to the
id's own characters). The lobby shows it after a name whenever another person in view
has a name that reads the same (static/js/views/lobby.js), so a copy is told apart.

`public_user` is the one shape of a person on the wire, {id, displayName} and what the
audience is told besides: the lobby's users their `tag` (store/selectors.py), a chat
conversation's peer whether it is an `account` (chat/messages.py).
"""
import base64
import hashlib
import unicodedata
from functools import lru_cache

from .limits import NAME_MAX as MAX_LENGTH, NAME_MAX_MARKS as MAX_MARKS

FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch):
    category = unicodedata.category(ch)
    return ch.isspace() or category[0] in "ZM" or ch in FILLERS


def clean_name(value):
    """The name as stored (NFC, trimmed), or ValueError saying what is wrong."""
    value = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise ValueError("must not contain control characters")
    if not 1 <= len(value) <= MAX_LENGTH:
        raise ValueError(f"must be 1 to {MAX_LENGTH} characters")
    if any(ch in FILLERS for ch in value):
        raise ValueError("must not contain blank fillers (U+3164, U+2800, ...)")
    if all(_invisible(ch) for ch in value):
        raise ValueError("must contain a visible character")
    marks = 0
    for ch in value:
        marks = marks + 1 if unicodedata.category(ch)[0] == "M" else 0
        if marks > MAX_MARKS:
            raise ValueError(f"at most {MAX_MARKS} combining marks per character")
    return value


@lru_cache(maxsize=65536)
def name_tag(user_id):
    """Four characters (A-Z, 2-7) that tell apart people with the same name."""
    digest = hashlib.blake2s(user_id.encode(), digest_size=5, person=b"tlc-tag").digest()
    return base64.b32encode(digest).decode()[:4]


def public_user(user_id, display_name, **told):
    """A person as others see it: {id, displayName, **told} (see above)."""
    return {"id": user_id, "displayName": display_name, **told}
