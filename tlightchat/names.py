"""What a display or slot name may be: visible, readable, not a pile of marks.

A name is refused when
- it holds a control, format, private-use or unassigned character (category C*);
- it holds a filler that draws nothing although Unicode calls it a letter or a symbol
  (HANGUL FILLER U+3164 and its half-width and jamo forms, BRAILLE PATTERN BLANK
  U+2800): it is only ever used to look blank or to pad a copy of someone's name;
- it has no visible character at all (only spaces, marks and fillers);
- one base character carries more than MAX_MARKS combining marks (the "Zalgo" pile
  that draws over the neighbouring lines; real scripts need at most three or four);
- it is mostly marks: more than MAX_MARKS combining marks in all and more than two per
  visible character over the whole name (a fully vocalised Arabic or Hebrew name has
  about one per letter).

Two people may still choose the same name, and one may copy another's to pass for them.
Lookalikes (issue 35): `skeleton` folds a name by Unicode's confusables (TR39 data,
through the `confusable_homoglyphs` package): every character that is listed as looking
like another becomes the lowest code point of its group ("Аnn" with a Cyrillic А, "Ann",
"ΑNN" fold alike). `lookalike_table()` is the part of that folding whose result is a
plain ASCII letter or digit; static/js/safety/lookalike.js carries it (tests/web/
test_lookalike.py keeps the two equal), so the lobby marks a lookalike as it marks a
copy. So every user record on the wire carries a `tag`: four characters derived from the user
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
    marks = total = 0
    for ch in value:
        marks = marks + 1 if unicodedata.category(ch)[0] == "M" else 0
        total += marks > 0
        if marks > MAX_MARKS:
            raise ValueError(f"at most {MAX_MARKS} combining marks per character")
    if total > max(MAX_MARKS, 2 * sum(not _invisible(ch) for ch in value)):
        raise ValueError("must not be mostly combining marks")
    return value


@lru_cache(maxsize=1)
def _groups():
    """Each character of the confusables data → the lowest code point of its group
    (the groups: characters joined by any listed likeness or by case, one character
    each)."""
    from confusable_homoglyphs.confusables import confusables_data

    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(x, y):
        a, b = find(x), find(y)
        if a != b:
            parent[max(a, b, key=ord)] = min(a, b, key=ord)

    for ch, likes in confusables_data.items():
        for like in likes:
            if len(ch) == 1 and len(like["c"]) == 1:
                join(ch, like["c"])
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":  # case is no disguise: "I" is "l" is "1"
        join(ch, ch.lower())  # (other scripts' cases would chain unlike groups together)
    return {ch: find(ch) for ch in parent if find(ch) != ch}


def skeleton(name):
    """The name as it looks: NFKC, case-folded, each character as its group's first,
    without spaces or invisible format characters."""
    groups = _groups()
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(groups.get(ch, ch) for ch in text
                   if not ch.isspace() and unicodedata.category(ch) != "Cf")


def lookalike_table():
    """{character: ASCII letter or digit} of skeleton's folding, for the browser:
    characters that NFKC leaves alone (the browser applies NFKC itself), in the BMP."""
    return {ch: to for ch, to in sorted(_groups().items())
            if ord(ch) <= 0xFFFF and unicodedata.normalize("NFKC", ch) == ch
            and to.isascii() and to.isalnum()}


@lru_cache(maxsize=65536)
def name_tag(user_id):
    """Four characters (A-Z, 2-7) that tell apart people with the same name."""
    digest = hashlib.blake2s(user_id.encode(), digest_size=5, person=b"tlc-tag").digest()
    return base64.b32encode(digest).decode()[:4]


def public_user(user_id, display_name, **told):
    """A person as others see it: {id, displayName, **told} (see above)."""
    return {"id": user_id, "displayName": display_name, **told}
