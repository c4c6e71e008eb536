// Group calls (issue 26; docs/protocol.md, "Group calls"): the mesh side of calls.js.
// A slot's call holds one PeerSession per other party (sessions.js), each negotiated on
// its own with the roles the server gave that pair (call:started's `parties`,
// call:party-joined). Here: the sessions of the parties besides the first, a party that
// joins or leaves, "Add someone" (call:invite from an anchor in a call: a ring into it)
// and "ring several" (call:invite-many from a free anchor).
import * as A from './actions.js';
import * as P from './protocol.js';
import { freeAnchor, ownAnchors, slotOf } from './store.js';
import { NO_FREE_SLOT } from './views/words.js';

const LIVE = new Set(['connecting', 'connected']);

// What a slot knows of a lobby anchor it rings: the same shape as call:started's peer.
export function peerOf(state, anchorId) {
  const target = state.lobby.anchors[anchorId];
  const user = state.lobby.users[state.lobby.clients[target?.clientId]?.userId];
  return { anchorId, clientId: target?.clientId, userId: user?.id, displayName: user?.displayName || 'them',
           anchorName: target?.name || '' };
}

// The own anchor whose call has this id.
export function anchorOfCall(state, callId) {
  return ownAnchors(state).find((a) => slotOf(state, a.id).callId === callId) || null;
}

// The own anchor an "Add" adds from: the chosen one if it is in a call, else the first in one.
export function liveAnchor(state, chosen = '') {
  const live = ownAnchors(state).filter((a) => LIVE.has(slotOf(state, a.id).phase));
  return live.find((a) => a.id === chosen) || live[0] || null;
}

export class GroupCalls {
  constructor(calls) {
    this.calls = calls;
    const { signaling } = calls;
    signaling.on(P.CALL_PARTY_JOINED, this.onPartyJoined.bind(this));
    signaling.on(P.CALL_PARTY_LEFT, this.onPartyLeft.bind(this));
  }

  get store() { return this.calls.store; }

  // call:started of a newcomer: a session for each party besides the one calls.js made.
  onStarted(p) {
    for (const party of p.parties || []) {
      if (party?.peer?.anchorId && party.peer.anchorId !== p.peer.anchorId) {
        this.calls.startSession({ ...party, callId: p.callId, anchorId: p.anchorId });
      }
    }
  }

  onPartyJoined(p) {
    const anchor = anchorOfCall(this.store.getState(), p.callId);
    if (!anchor || !p.peer?.anchorId) return;
    const payload = { ...p, anchorId: anchor.id };
    this.calls.startSession(payload); // before the render the dispatch causes, as for call:started
    this.store.dispatch({ type: A.CALL_PARTY_JOINED, payload });
  }

  onPartyLeft(p) {
    const anchor = anchorOfCall(this.store.getState(), p.callId);
    if (!anchor) return;
    this.calls.closeSession(p.callId, p.peerAnchorId);
    this.store.dispatch({ type: A.CALL_PARTY_LEFT, payload: { ...p, anchorId: anchor.id } });
  }

  // "Add someone": ring `peerAnchorId` into the call of own anchor `anchorId`.
  async add(anchorId, peerAnchorId) {
    const state = this.store.getState();
    if (!LIVE.has(slotOf(state, anchorId).phase)) return;
    const peer = peerOf(state, peerAnchorId);
    this.store.dispatch({ type: A.CALL_ADD_SENT, payload: { anchorId, peer } });
    try {
      const ack = await this.calls.signaling.request(P.CALL_INVITE, { fromAnchorId: anchorId, toAnchorId: peerAnchorId });
      this.store.dispatch({ type: A.CALL_ADD_ACKED, payload: { anchorId, toAnchorId: peerAnchorId, invitationId: ack.invitationId } });
    } catch (err) {
      this.store.dispatch({ type: A.CALL_ADD_FAILED, payload: { anchorId, toAnchorId: peerAnchorId, code: err.code, message: err.message } });
    }
  }

  // "Add to call" in the lobby: into the call of the chosen (or first live) slot.
  addFromLobby(peerAnchorId) {
    const from = liveAnchor(this.store.getState(), this.calls.callFrom);
    return from ? this.add(from.id, peerAnchorId) : this.calls.call(peerAnchorId);
  }

  // "Ring several": one free own anchor rings them all; the first accept starts the call.
  async ringMany(peerAnchorIds) {
    const state = this.store.getState();
    const chosen = ownAnchors(state).find((a) => a.id === this.calls.callFrom);
    const from = chosen && chosen.status === 'online' && slotOf(state, chosen.id).phase === 'idle' ? chosen : freeAnchor(state);
    if (!from) return this.calls.notify(NO_FREE_SLOT);
    const peers = [...new Set(peerAnchorIds)].map((id) => peerOf(state, id));
    this.store.dispatch({ type: A.CALL_INVITE_MANY_SENT, payload: { anchorId: from.id, peers } });
    this.calls.refreshIce(); // fresh at hand when the first accept starts the call
    let invitations;
    try {
      ({ invitations } = await this.calls.signaling.request(P.CALL_INVITE_MANY,
        { fromAnchorId: from.id, toAnchorIds: peers.map((x) => x.anchorId) }));
    } catch (err) {
      invitations = peers.map((x) => ({ toAnchorId: x.anchorId, error: err }));
    }
    for (const inv of invitations || []) {
      const payload = { anchorId: from.id, toAnchorId: inv.toAnchorId };
      if (inv.invitationId) this.store.dispatch({ type: A.CALL_ADD_ACKED, payload: { ...payload, invitationId: inv.invitationId } });
      else this.store.dispatch({ type: A.CALL_ADD_FAILED, payload: { ...payload, code: inv.error?.code, message: inv.error?.message } });
    }
  }

  // Cancel the open rings of a slot (ring several, or adds into its call).
  async cancelAll(anchorId) {
    const { adding = [] } = slotOf(this.store.getState(), anchorId);
    await Promise.all(adding.filter((a) => a.invitationId).map((a) =>
      this.calls.signaling.request(P.CALL_CANCEL, { invitationId: a.invitationId }).catch(() => {})));
  }

  // Whether the slot's call has three or more parties: each pair's messages name their party.
  isGroup(anchorId) {
    return (slotOf(this.store.getState(), anchorId).parties?.length || 0) > 1;
  }
}
