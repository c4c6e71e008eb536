"""Calls in the chat timeline: started, ended (with duration), missed, declined; and a
group call's joined/left in its conversation (chat/grouplog.py makes those entries).

`entries(action, prev, next, now)` is pure: which timeline entries one store change
makes. The subscriber stores them through the chat service off the store's lock (a
database commit must not hold up every other dispatch) and then delivers each entry to
both users' tabs, like a chat message (the one serial worker, tlightchat/worker.py). It waits CALL_LOG_DELAY seconds first: a call's
first second is its setup (offer, answer, ICE through this server), and under eventlet a
synchronous commit stalls every connection while it flushes — the timeline can wait,
the negotiation cannot. Entries keep the time the event happened, and are written in the
order they happened by one worker (a call shorter than the delay still reads "started",
then "ended").
"""
import logging
import time
from datetime import datetime, timezone

from . import grouplog
from ..db import User
from ..errors import Refusal
from ..events import CHAT_MESSAGE
from ..store import actions as A
from ..worker import SerialWorker

log = logging.getLogger(__name__)

_INVITE_KIND = {A.INVITATION_DECLINED: "call-declined", A.INVITATION_CANCELLED: "call-missed",
                A.CLOCK_TICKED: "call-missed"}
# A ring that ended unanswered is missed for the callee either way; `reason` says how,
# so the timeline can say "cancelled" or "rang out" (docs/protocol.md, Chat).
# the chat writer's answers when a side's user row is gone (chat/writes.py)
GONE = ("not-found", "invalid-state")
_MISSED_HOW = {A.INVITATION_CANCELLED: {"reason": "cancelled"},
               A.CLOCK_TICKED: {"reason": "rang-out"}}


def _user(state, prev, client_id):
    client = state["clients"].get(client_id) or prev["clients"].get(client_id)
    return client and client["userId"]


def entries(action, prev, nxt, now):
    """[(kind, callerUserId, calleeUserId, callOrInvitationId, details)]"""
    out = []
    kind = _INVITE_KIND.get(action["type"])
    if kind and prev["invitations"] is not nxt["invitations"]:
        for iid, inv in prev["invitations"].items():
            if iid not in nxt["invitations"] and (action["type"] != A.CLOCK_TICKED
                                                  or inv["expiresAt"] <= now):
                out.append((kind, _user(nxt, prev, inv["fromClientId"]),
                            _user(nxt, prev, inv["toClientId"]), iid,
                            _MISSED_HOW.get(action["type"], {})))
    if prev["calls"] is not nxt["calls"]:
        for call_id, call in nxt["calls"].items():
            # live from now on: its first two parties (a call rung to several people is
            # held with one party until the first accept; issue 26)
            before = prev["calls"].get(call_id)
            if len(call["parties"]) >= 2 and (before is None or len(before["parties"]) < 2) \
                    and not any(c["callId"] == call_id for c in prev["claims"].values()):
                out.append(("call-started", _user(nxt, prev, call["clients"][call["parties"][0]]),
                            _user(nxt, prev, call["clients"][call["parties"][1]]), call_id, {}))
        for call_id, call in prev["calls"].items():
            # a call that ends with two parties (a group call's end is its conversation's:
            # chat/grouplog.py)
            if call_id not in nxt["calls"] and len(call["parties"]) == 2:
                reason = "hangup" if action["type"] == A.CALL_HUNG_UP else "peer-left"
                out.append(("call-ended", _user(nxt, prev, call["clients"][call["parties"][0]]),
                            _user(nxt, prev, call["clients"][call["parties"][1]]), call_id,
                            {"durationMs": max(0, int((now - call["startedAt"]) * 1000)),
                             "reason": reason}))
    return [e for e in out if e[1] and e[2] and e[1] != e[2]]


class CallLog:
    """Subscribes to the store; writes each change's entries, in order, after `delay`."""

    def __init__(self, app, store, chat, send_to_user, clock, socketio, delay):
        self.app = app
        self.chat = chat
        self.send_to_user = send_to_user  # (userId, event, data): the user's tabs
        self.store = store
        self.clock = clock
        self.sleep = socketio.sleep
        self.delay = delay
        self.worker = SerialWorker(socketio.start_background_task, self._write,
                                   name="call log")
        self._unsubscribe = store.subscribe(self._on_change)
        self._closed = socketio.server.eio.create_event()  # set: write nothing more

    def close(self):
        """Stop: entries still waiting out their delay are dropped, and the writer is
        done when this returns (its database may be gone next)."""
        self._unsubscribe()
        self._closed.set()
        while not self.worker.idle():  # the writer returns without writing
            self.sleep(0.01)

    def _on_change(self, action, prev, nxt):
        if not getattr(self.store, "origin_here", True):
            return  # in a cluster every node applies the change; its origin records it
        now = self.clock()
        batch = entries(action, prev, nxt, now) + grouplog.entries(action, prev, nxt, now)
        if batch:  # (due, entries, when they happened), in the order they happened
            self.worker.submit((time.monotonic() + self.delay, batch, now))

    def _write(self, items):
        for due, batch, now in items:
            wait = due - time.monotonic()
            if wait > 0:
                self._closed.wait(wait)  # the delay, cut short by close()
            if self._closed.is_set():
                return
            self._record(batch, now)

    def _record(self, batch, now):
        at = datetime.fromtimestamp(now, timezone.utc)
        groups = {}  # call id → whether it has a group conversation (one read per call)
        with self.app.app_context():
            for entry in batch:
                if isinstance(entry, grouplog.GroupEntry):
                    self._record_group(entry, groups)
                    continue
                kind, caller, callee, ref, details = entry
                try:
                    # a group call's end is told in its conversation (who left, when),
                    # not in the pair timeline of whichever two were left
                    if kind == "call-ended" and self._is_group(ref, groups):
                        continue
                    message, duplicate = self.chat.record_call_event(caller, callee, kind, ref,
                                                                     at=at, **details)
                except Exception as err:
                    if isinstance(err, Refusal) and err.code in GONE and self._gone(caller, callee):
                        # one of the two deleted their account meanwhile (issue 35, perhaps
                        # on another node): nothing is written that would name them again
                        log.info("call event of a deleted user not recorded", extra={"call": ref})
                    else:
                        log.exception("recording a call event failed", extra={"call": ref})
                    continue
                if not duplicate:
                    for user_id in (caller, callee):
                        self.send_to_user(user_id, CHAT_MESSAGE, {"message": message})

    def _gone(self, *user_ids):
        """Whether one of them has no row any more (their account was deleted): only then
        is a refused call event expected; any other refusal is a fault and logged as one."""
        with self.chat.db.session() as s:
            return any(s.get(User, user_id) is None for user_id in user_ids)

    def _is_group(self, call_id, groups):
        if call_id not in groups:
            groups[call_id] = self.chat.groups.exists(call_id)
        return groups[call_id]

    def _record_group(self, e, groups):
        """One call-joined / call-left in the call's group conversation, delivered to
        every member's tabs (the conversation and the membership are made with it)."""
        try:
            if e.if_group and not self._is_group(e.call_id, groups):
                return
            message, duplicate = self.chat.record_group_event(
                e.call_id, e.user_id, e.kind, datetime.fromtimestamp(e.at, timezone.utc),
                e.parties, **e.details)
            groups[e.call_id] = True
            members = self.chat.groups.members(message["conversationId"])
        except Exception:
            log.exception("recording a group call event failed", extra={"call": e.call_id})
            return
        if not duplicate:
            for user_id in members:
                self.send_to_user(user_id, CHAT_MESSAGE, {"message": message})
