"""The lobby at first paint (issue 33.1): /call carries the first view of the lobby.

Before, /call came with an empty list and static/js/views/lobby.js filled it when the
socket's first `lobby:snapshot` arrived, ~1.7-2x the page's first paint. Now the page
is rendered with that snapshot's rows already in it:

- `first_view(ctx, identity, user)` is the snapshot a new tab of `user` would be sent
  if its socket connected now: the page's client is added to a copy of the state with
  the store's own reducer (the action `connect` dispatches), and the view is chosen by
  `LobbyViews.preview`, the function that builds every snapshot (realtime/lobby.py):
  the same window, blocks both ways, invisible users and the user's own tabs; nothing
  is kept. None when that socket would be refused (realtime/server.py's on_connect,
  lifecycle.py's connect): the server stopping, a new guest over its address's limit,
  a suspended or banned user.
- `lobby_rows(snapshot, me_id, lang)` is what lobby.js's render() makes of it with no
  line of this tab yet (so every Call button is disabled, as until the first line is
  free): the rows, the count, the note and the empty state, in lobby.js's words
  (static/i18n/<lang>.json) and DOM shape (templates/_lobby_rows.html, `data-key` as
  views/dom.js's keyed() sets it), so lobby.js reuses the rows when the snapshot comes.

A first visit gets rows too (issue 33.1, round 2): its guest (made by this request, in
its cookie) is stored only when its socket connects, under the per-address limit, and
rendering stores nothing and counts nothing: the page shows what that socket's first
snapshot will (the guest itself, no blocks, no other tab, not an account), when the
limit would still let it in (`Identity.would_admit_new_guest`, which counts nothing),
and the empty state when the socket would be refused.
"""
import json
import os
import unicodedata
from functools import lru_cache

from babel import Locale
from flask import current_app
from sqlalchemy import inspect

from ..errors import Refusal
from ..names import lookalike_table
from ..protocol import PROTOCOL_VERSION
from ..store import actions as A
from ..store.reducers import root_reducer
from .initial import initial_of

PAGE_CLIENT = "~page"  # the page's client in the copied state (real ids never hold "~")
# lobby.js's nameKey and skeleton strip these (views/lobby.js, safety/lookalike.js)
_NAME_GAPS = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_LOOK_GAPS = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
# ICU's root order of the punctuation an id holds (localeCompare: before digits, letters)
_PUNCT = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def is_stored(user):
    """A user read from the database (not a guest this request made, stored later)."""
    return user is not None and inspect(user).has_identity


def first_view(ctx, identity, user):
    """The snapshot a new tab of `user` would get now, or None (see above). A guest
    this request made costs no query: it has no sanction and no blocks yet (a visit
    without a cookie is free to repeat, so it must stay cheap); only the invisible
    are hidden from it. A stored user's blocks are read before the store's lock."""
    if ctx.draining:
        return None
    if is_stored(user):
        try:
            ctx.safety.check_connect(user.id)
        except Refusal:
            return None
        hidden = ctx.lobby.hidden_for(user.id)
    elif identity.would_admit_new_guest():
        hidden = ctx.lobby.always_hidden - {user.id}
    else:
        return None
    with ctx.store.lock:
        live = ctx.store.get_state()
        state = root_reducer(live, A.client_connected(
            PAGE_CLIENT, user.id, user.display_name, ctx.now(), "", ctx.node.name,
            PROTOCOL_VERSION, account=user.is_account))
        return ctx.lobby.preview(state, PAGE_CLIENT, ctx.lobby.newest_first(live), hidden)


# -- the words -----------------------------------------------------------------------
@lru_cache(maxsize=None)
def _catalog(folder, lang):
    with open(os.path.join(folder, "i18n", f"{lang}.json"), encoding="utf-8") as f:
        return json.load(f)


class Words:
    """static/js/i18n.js's t() on the page's catalog, in Python."""

    def __init__(self, lang):
        self.catalog = _catalog(current_app.static_folder, lang)
        self.locale = Locale.parse(lang)

    def __call__(self, key, plural=0, **values):
        """`plural`: what picks a plural form (i18n.js: `count`): a number, or text as
        lobby.js passes some, which Intl.PluralRules reads as a number ("12") or NaN
        ("1,200": "other")."""
        text = self.catalog.get(key)
        if isinstance(text, dict):
            if isinstance(plural, str):
                plural = int(plural) if plural.isdigit() else None
            form = "other" if plural is None else self.locale.plural_form(plural)
            text = text.get(form, text.get("other"))
        if not isinstance(text, str):
            return key
        for name, value in values.items():
            text = text.replace("{%s}" % name, str(value))
        return text


# -- lobby.js's helpers ----------------------------------------------------------------
def _fold(text):
    return text.lower().replace("ß", "ss").replace("ς", "σ")


def _name_key(name):
    text = _fold(unicodedata.normalize("NFKC", name))
    return "".join(ch for ch in text if not ch.isspace() and ch not in _NAME_GAPS)


def _skeleton(name):
    table = _table()
    text = _fold(unicodedata.normalize("NFKC", name))
    return "".join(table.get(ch, ch) for ch in text if not ch.isspace() and ch not in _LOOK_GAPS)


@lru_cache(maxsize=1)
def _table():
    return lookalike_table()


def name_keys(name):
    """views/lobby.js's nameKeys: as the name reads, and as it looks."""
    return (_name_key(name), "look:" + _skeleton(name))


def collate(text):
    """A sort key near localeCompare's (ICU root): case and accents second."""
    base = unicodedata.normalize("NFKD", text)
    primary = tuple((0, _PUNCT.find(ch)) if ch in _PUNCT else (1, ch.casefold())
                    for ch in base if not unicodedata.combining(ch))
    return primary, tuple(ch.isupper() for ch in base), text


def _number(n):
    return f"{n:,}"  # lobby.js formats its numbers in English


# -- the rows --------------------------------------------------------------------------
def lobby_rows(snapshot, me_id, lang):
    """What lobby.js's render() shows of `snapshot` for user `me_id` in a tab with no
    line yet: {"users": [row], "count", "count_title", "note", "empty", "invite"}."""
    t = Words(lang)
    users, clients, anchors = snapshot["users"], snapshot["clients"], snapshot["anchors"]
    ordered = sorted(users.values(), key=lambda u: (u["id"] != me_id, collate(u["displayName"])))
    same = {}
    for user in users.values():
        for key in name_keys(user["displayName"]):
            same[key] = same.get(key, 0) + 1
    by_user = {}
    for anchor in anchors.values():
        client = clients.get(anchor["clientId"])
        if client:
            by_user.setdefault(client["userId"], []).append(anchor)
    tabs = {}
    for client in clients.values():
        tabs[client["userId"]] = tabs.get(client["userId"], 0) + 1
    rows = []
    for user in ordered:
        kind = user.get("account")
        kind = None if not isinstance(kind, bool) else "account" if kind else "guest"
        tagged = bool(user.get("tag")) and any(same[k] > 1 for k in name_keys(user["displayName"]))
        mine = sorted(by_user.get(user["id"], ()),
                      key=lambda a: (collate(a["clientId"]), collate(a["name"])))
        rows.append({
            "id": user["id"], "name": user["displayName"], "is_me": user["id"] == me_id,
            "avatar": initial_of(user["displayName"]),
            "tag": f"#{user['tag']}" if tagged else "", "kind": kind,
            "anchors": [_anchor(a, clients, tabs, user, me_id, t) for a in mine]})
    others = sum(1 for u in users if u != me_id)
    in_view = len(users)
    online = in_view if snapshot["complete"] and not snapshot["query"] \
        else max(snapshot["online"], in_view)
    note = t("lobby.window", _number(online), inView=_number(in_view), count=_number(online)) \
        if online > in_view else ""
    empty_hidden = others > 0 or online > in_view
    return {"users": rows, "count": _number(online),
            "count_title": t("lobby.count", online, text=_number(online)),
            "note": note, "empty_hidden": empty_hidden, "t": t}


def _anchor(anchor, clients, tabs, user, me_id, t):
    client = clients[anchor["clientId"]]
    label = anchor["name"]
    if tabs[client["userId"]] >= 2:
        label += f" · {client['device'] + ', ' if client.get('device') else ''}tab {client['tab']}"
    if client["userId"] == me_id:  # never this tab's own: it has none yet
        label += t("lobby.otherTab")
    status = t("anchor.inCallConnected") if anchor["status"] == "in-call" and anchor["connected"] \
        else t({"offline": "anchor.offline", "online": "anchor.free", "ringing": "anchor.ringing",
                "in-call": "anchor.inCall"}[anchor["status"]])
    away = bool(client.get("away"))
    offline = anchor["status"] == "offline"
    return {"id": anchor["id"], "status": anchor["status"], "away": away,
            "connected": bool(anchor["connected"]), "label": label,
            "status_text": t("lobby.away", status=status) if away else status,
            "call_hidden": offline,
            "call_title": t("lobby.awayTitle") if away else t("lobby.cannotCallTitle"),
            "add_title": t("group.addToCallTitle", name=user["displayName"]),
            "select_hidden": offline or away,
            "select_label": t("group.select", name=f"{user['displayName']} · {anchor['name']}")}
