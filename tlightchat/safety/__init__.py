"""Safe in an open lobby (issue 35): blocks, who may ring or write to me, do not disturb,
ring limits. The server decides; the browser only shows (docs/protocol.md, "Safety").

    data.py        the rows (blocks, each user's rules), read on every decision
    rules.py       the pure policy decisions
    ringlimits.py  rings per minute and unanswered rings in a row
    operators.py   reports, warn / suspend / ban, the operators' log
    handlers.py    the `safety:*` client events
    web.py         its part of /me (tlightchat/web/admin.py: /admin)

`Safety` is what the realtime layer calls, one line each at its hooks:
`check_ring` before a `call:invite` is dispatched, `ring_answered` after an accept,
`check_chat` before a `chat:send` is stored, `hidden_for` when a lobby view is built,
`filter_history` on a `chat:history` page. A refused ring is answered exactly as a ring
to an offline anchor (`unavailable`, the guard's sentence), a refused chat exactly as one
to an unknown id (`not-found`): neither tells the caller that a rule or a block refused it.
"""
import secrets

from ..errors import Refusal
from ..events import SAFETY_WARNED as WARNED, SAFETY_WARNING_DISMISSED as WARNING_READ
from ..store.selectors import rings_into
from . import rules
from .data import SafetyData
from .operators import REASON_MAX, Operators
from .ringlimits import RingLimits

# Not a browser event: what one node tells the others through the cluster's outbox
# (cluster/member.py passes it to `refresh_here`): rebuild this user's lobby views.
REFRESH = "internal:safety-refresh"
OFFLINE = ("unavailable", "that line is not taking calls")  # store/guards.py's own words
UNKNOWN = ("not-found", "to: there is no such user")  # chat/writes.py's own words
LINK_GRANT_S = 60  # after link:open, the visitor's page calls the slot at once
SANCTIONED = ("no-session", "This identity was suspended or banned by the operators of "
              "this site.")


class Safety:
    def __init__(self, db, config, deployment):
        self.data = SafetyData(db)
        self.config = config
        per_minute = int(config.get("RING_RATE_PER_MINUTE", 20))
        in_a_row = int(config.get("RING_UNANSWERED_MAX", 3))
        row_window = float(config.get("RING_UNANSWERED_WINDOW", 600))
        make = deployment.window_limiter  # here, or shared by a cluster's nodes
        self.limits = RingLimits(make(per_minute, 60, "rings"),
                                 make(in_a_row, row_window, "rings-row"))
        self.reports = make(int(config.get("REPORTS_PER_HOUR", 10)), 3600, "reports")
        self.operators = Operators(db, lambda: self.ctx.now())
        self.ctx = self.chat = self.end_sessions = None
        self.link_grants = {}  # (visitor, maker) -> until (ctx.now()): opened a call link

    def attach(self, ctx, chat):
        """The realtime context (store, lobby, node) and the chat service, once built."""
        self.ctx, self.chat = ctx, chat
        ctx.safety = self
        self.invisible = ctx.lobby.always_hidden = self.data.invisible_users()  # kept in place
        ctx.lobby.hidden_for = lambda uid: self.data.hidden_for(uid) | (self.invisible - {uid})

    # -- policies ----------------------------------------------------------------------
    def ring_policy(self, user_id):
        chosen = self.data.settings(user_id)["ringPolicy"]
        return rules.policy_or_default(chosen, self.config.get("SAFETY_RING_DEFAULT"),
                                       rules.RING_POLICIES)

    def chat_policy(self, user_id):
        return self._chat_policy(self.data.settings(user_id)["chatPolicy"])

    def _chat_policy(self, chosen):
        """A chat policy from the user's setting (None: the configured default)."""
        return rules.policy_or_default(chosen, self.config.get("SAFETY_CHAT_DEFAULT"),
                                       rules.CHAT_POLICIES)

    def state(self, user_id):
        settings = self.data.settings(user_id)
        dnd = settings["dndUntil"]
        now = self.ctx.now()
        return {"blocked": self.data.blocked(user_id),
                "ringPolicy": self.ring_policy(user_id),
                "chatPolicy": self.chat_policy(user_id),
                "dndUntil": int(dnd * 1000) if dnd and dnd > now else None,
                "invisible": settings["invisible"]}

    # -- hooks -------------------------------------------------------------------------
    def check_connect(self, user_id):
        """Before a socket is bound (realtime/lifecycle.py): none while suspended or banned."""
        if self.operators.sanction_of(user_id) is not None:
            raise Refusal(*SANCTIONED)

    def report(self, reporter, target, reason, message_ids, online):
        wait = self.reports.try_hit(reporter)
        if wait:
            raise Refusal("rate-limited", "too many reports; wait a while",
                          retry_after_ms=int(wait * 1000) + 1)
        return self.operators.report(reporter, target, reason, message_ids, online)

    def act(self, operator, target, action, minutes=None, report_id=None, reason=""):
        """An operator's action (/admin); a suspension or ban ends the user's sessions
        now, on every node: each tab's socket is closed by the server (a Socket.IO
        client does not reconnect after that), and any later connect is refused
        (`check_connect`), as is the cookie on any page (web.py). A warning (`reason`:
        the operator's words to the user) is stored until the user dismisses it: shown
        on their open tabs at once (`safety:warned`, every node) and at each page load
        meanwhile (web.py, templates/_safety_warning.html)."""
        from ..sessions import ALL

        reason = (reason or "").strip()[:REASON_MAX]
        if self.operators.act(operator, target, action, minutes, report_id, detail=reason):
            self.end_sessions(target, ALL)
        if action == "warn" and target:
            self.data.set_settings(target, warning=reason, warned_at=self.ctx.now())
            self.ctx.send_to_user(target, WARNED, self.data.warning(target))

    def dismiss_warning(self, user_id):
        """Read: no longer shown at page loads, and taken off the user's other open tabs
        (every node)."""
        self.data.set_settings(user_id, warning=None, warned_at=None)
        self.ctx.send_to_user(user_id, WARNING_READ, {})

    def check_ring(self, state, caller_client, to_anchor, from_anchor=None, also=(),
                   would_ring=None, invited=False):
        """Before `call:invite` is dispatched (realtime/handlers.py); the callee's user id,
        or None when the guard will word the refusal. A block between the callee and
        anyone already in the caller's call (parties and rings into it) or `also` (the
        others rung with it by call:invite-many) refuses it too: they would get each
        other's media. A ring during do not disturb is kept as a missed call only if
        `would_ring()` (the store's guard would have let it ring). `invited`: the callee
        asked for this very ring (a knock admitted): their "who may ring me" is not asked;
        blocks, do not disturb, invisible and ring limits still hold."""
        anchor = state["anchors"].get(to_anchor)
        client = state["clients"].get(caller_client)
        if anchor is None or client is None or anchor["clientId"] not in state["clients"]:
            return None  # the guard words it (not-found, invalid-state)
        caller = client["userId"]
        callee = state["clients"][anchor["clientId"]]["userId"]
        if caller == callee:
            return callee
        self.limits.take(caller, callee)
        near = (_in_call_with(state, from_anchor) | set(also)) - {caller, callee}
        if (callee in self.invisible or self.data.blocked_between(caller, callee)
                or any(self.data.blocked_between(callee, user) for user in near)
                or not (invited or self._granted(caller, callee) or rules.may_ring(
                    self.ring_policy(callee), *self.data.relation(callee, caller)))):
            raise Refusal(*OFFLINE)
        if self._in_dnd(callee):
            if would_ring is None or would_ring():
                self._missed(caller, callee)
            raise Refusal(*OFFLINE)
        return callee

    def open_link(self, visitor, maker, grant=True):
        """`link:open` (reach/link_handlers.py): False when a block stands between them or
        the maker is invisible or in do not disturb (the visitor is answered as if the maker
        were not online, and no device is rung). Otherwise the link, the maker's own
        invitation, lets this visitor ring the maker for LINK_GRANT_S whatever the maker's
        "who may ring me"; blocks, do not disturb, invisible and ring limits still hold.
        `grant=False`: only the check (a knock admitted: reach/knock_handlers.py)."""
        if maker in self.invisible or self.data.blocked_between(visitor, maker) \
                or self._in_dnd(maker):
            return False
        if not grant:
            return True
        now = self.ctx.now()
        self.link_grants = {k: until for k, until in self.link_grants.items() if until > now}
        self.link_grants[(visitor, maker)] = now + LINK_GRANT_S
        return True

    def _granted(self, caller, callee):
        return self.link_grants.get((caller, callee), 0) > self.ctx.now()

    def _in_dnd(self, user_id):
        dnd = self.data.settings(user_id)["dndUntil"]
        return dnd is not None and dnd > self.ctx.now()

    def _missed(self, caller, callee):
        """A ring during do not disturb is kept as a missed call in the conversation (it
        reaches the callee's tabs when do not disturb ends: chat history has it)."""
        self.chat.record_call_event(caller, callee, "call-missed", secrets.token_urlsafe(9),
                                    reason="dnd")

    def ring_answered(self, state, invitation):
        if invitation is None:  # not in this node's copy yet (a cluster): the log accepted it
            return
        clients = state["clients"]
        if invitation["fromClientId"] in clients and invitation["toClientId"] in clients:
            self.limits.answered(clients[invitation["fromClientId"]]["userId"],
                                 clients[invitation["toClientId"]]["userId"])

    def check_chat(self, sender, recipient):
        """Before `chat:send` is stored (realtime/chat_handlers.py)."""
        if sender == recipient:
            return  # the writer refuses it in its own words
        blocked, chosen, chatted, verified = self.data.chat_facts(sender, recipient)
        if blocked or not rules.may_start_chat(self._chat_policy(chosen), chatted, verified):
            raise Refusal(*UNKNOWN)

    def filter_history(self, viewer, peer, page):
        """A blocked person's messages are hidden for the one who blocked them."""
        if page.get("messages") and self.data.has_blocked(viewer, peer):
            page = {**page, "messages": [m for m in page["messages"]
                                         if m["from"] != peer]}
        return page

    def set_invisible(self, user_id, invisible):
        self.data.set_settings(user_id, invisible=bool(invisible))
        self.refresh([user_id], invisible=bool(invisible))

    # -- lobby views after a block or a change of visibility ---------------------------
    def refresh(self, user_ids, **change):
        """Rebuild these users' lobby views here and on every other node (`invisible`:
        the user's visibility changed: every view that holds them, or could, too)."""
        for uid in user_ids:
            self.refresh_here(uid, change)
            self.ctx.node.send_elsewhere(uid, REFRESH, change)

    def refresh_here(self, user_id, change=None):
        ctx, lobby = self.ctx, self.ctx.lobby
        with ctx.store.lock:
            state = ctx.store.get_state()
            user = state["users"].get(user_id)
            rebuild = set(user["clientIds"] if user else ())
            if change and "invisible" in change:
                if change["invisible"]:
                    self.invisible.add(user_id)
                    rebuild |= set(lobby.watchers.get(user_id, ()))
                else:
                    self.invisible.discard(user_id)
                    rebuild |= set(lobby.open) | {c for c, v in lobby.views.items()
                                                  if user_id in v.pins or user_id in v.hidden}
            for cid in rebuild:
                if cid in lobby.views and ctx.serves(state, cid):
                    ctx.send_snapshot(cid)
            if change and "invisible" in change:  # the number online too, to every view
                lobby.online = lobby.count_online(state)
                ctx.send_counts()
        return 0


def _in_call_with(state, anchor_id):
    """The users in the call this anchor is in (parties and those rung into it)."""
    anchor = state["anchors"].get(anchor_id) if anchor_id else None
    call = state["calls"].get(anchor["callId"] or "") if anchor else None
    if call is None:
        return set()
    clients = list(call["clients"].values()) + [i["toClientId"] for i in rings_into(state, call["id"])]
    return {state["clients"][c]["userId"] for c in clients if c in state["clients"]}
