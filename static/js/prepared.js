// Prepared while it rings (docs/protocol.md): the connection of a call is built during
// the ring, so Accept only sends what is ready.
//
//   caller  — builds its connection and offer when it invites (the offer travels with
//             call:invite and the ring), applies it once the ack says its ICE transport
//             policy, gathers, and holds its candidates until call:started;
//   callee  — applies the ring's offer, answers and gathers, all held (peer.js): nothing
//             that reveals its addresses leaves before Accept, which sends the answer
//             with call:accept; the candidates not in it follow once call:started names
//             the call.
//
// One entry per own anchor ({session, role, invitationId, offered}). A ring that ends
// without a call closes what it prepared (the slot's camera and microphone stay: they
// are the slot's). A prepared session that does not fit the call (glare made this side
// the answering one) is closed and the call negotiates after call:started, answering
// the ring's offer (the call's pending offer); `setups` counts both kinds.
import { stripCandidates } from './sdp.js';
import { slotOf } from './store.js';
import { applyOffer, bind, prepareOffer, resendOffer, takeAnswer } from './held.js';

// Accept waits at most this long for the answer being prepared (it takes ~10-30 ms after
// the ring); later than that the answer follows as call:signal once the call started.
const ANSWER_WAIT_MS = 1000;
// The ring's offer names no address (the server refuses one that does); should one come
// anyway, applying it would make this side send checks to the caller before Accept:
// sdp.js keeps only what names none.
const hasTurn = (iceServers) => (iceServers || []).some((server) => [server.urls].flat()
  .some((url) => typeof url === 'string' && /^turns?:/i.test(url)));
const offerOf = (offer) => ({ description: { type: 'offer', sdp: stripCandidates(offer.sdp) } });

export class Prepared {
  // calls: newSession(options), iceServersNow(), store.
  constructor(calls) {
    this.calls = calls;
    this.entries = new Map();    // anchorId → {session, role: 'caller'|'callee', invitationId, offered}
    this.ringOffers = new Map(); // anchorId → {invitationId, offer} of the last ring
    this.setups = { prepared: 0, fallback: 0 };
  }

  phase(anchorId) {
    return slotOf(this.calls.store.getState(), anchorId);
  }

  // -- the caller ----------------------------------------------------------------------

  // The offer for call:invite, or null (then the call negotiates after call:started).
  async offerFor(anchorId) {
    const iceServers = await this.calls.iceServersNow();
    if (this.phase(anchorId).phase !== 'ringing-out' || this.entries.has(anchorId)) return null;
    // Relay-only until the ack says otherwise (issue 23.9): with a TURN server the call
    // may hide this side's address, and the connection must not exist with any other
    // policy. applyOffer() opens it to the ack's policy before anything is gathered.
    const session = this.calls.newSession({ callId: null, anchorId, polite: false, initiator: true, iceServers,
                                            relayOnly: hasTurn(iceServers) });
    if (!session) return null;
    this.entries.set(anchorId, { session, role: 'caller', invitationId: null, offered: false });
    try {
      return await prepareOffer(session);
    } catch (err) {
      session.trace('offer not prepared', err);
      this.release(anchorId, 'offer failed');
      return null;
    }
  }

  // The invite's ack: gathering starts under the ICE transport policy it says.
  invited(anchorId, { invitationId, relayOnly }) {
    const entry = this.entries.get(anchorId);
    if (entry?.role !== 'caller' || entry.session.closed) return;
    Object.assign(entry, { invitationId, offered: true });
    applyOffer(entry.session, relayOnly, this.calls.store.getState().me?.iceTransportPolicy);
  }

  // -- the callee ----------------------------------------------------------------------

  onRing(p) {
    if (!p.offer) return false;
    this.ringOffers.set(p.toAnchorId, { invitationId: p.invitationId, offer: p.offer });
    // Our own invite to them is on its way (glare): keep what we prepared; the server
    // makes one call of the two and says which side offers.
    if (this.entries.has(p.toAnchorId)) return false;
    this.prepareAnswer(p);
    return true;
  }

  async prepareAnswer(p) {
    const iceServers = await this.calls.iceServersNow();
    const slot = this.phase(p.toAnchorId);
    if (slot.phase !== 'ringing-in' || slot.invitationId !== p.invitationId || this.entries.has(p.toAnchorId)) return;
    const session = this.calls.newSession({ callId: null, anchorId: p.toAnchorId, polite: true, initiator: false,
                                            relayOnly: p.relayOnly, iceServers });
    if (!session) return;
    this.entries.set(p.toAnchorId, { session, role: 'callee', invitationId: p.invitationId });
    session.receive(offerOf(p.offer));
  }

  // The answer for call:accept (its addresses leave this browser now), or null.
  async answerFor(anchorId, invitationId) {
    const entry = this.entries.get(anchorId);
    if (entry?.role !== 'callee' || entry.invitationId !== invitationId) return null;
    return takeAnswer(entry.session, ANSWER_WAIT_MS);
  }

  // call:accept with the answer failed: not sent after all. Refused (it does not fit):
  // drop the session, keep the ring's offer for the fallback.
  acceptFailed(anchorId, err) {
    const entry = this.entries.get(anchorId);
    if (entry) entry.session.sentWithAccept = null;
    if (['relay-required', 'invalid-state'].includes(err.code)) {
      this.drop(anchorId, `answer refused: ${err.code}`);
      return true;
    }
    return false;
  }

  // -- the call starts, or the ring ends -------------------------------------------------

  // The session for call:started: the prepared one bound to the call if it fits (same
  // role, same privacy rule), else a fresh one that says why and negotiates now.
  sessionFor(p) {
    const entry = this.entries.get(p.anchorId);
    const ringOffer = this.ringOffers.get(p.anchorId);
    this.entries.delete(p.anchorId);
    this.ringOffers.delete(p.anchorId);
    const fits = entry && !entry.session.closed && (entry.role === 'caller') === Boolean(p.initiator)
      && entry.session.relayOnly === Boolean(p.relayOnly) && (entry.role === 'callee' || entry.offered);
    if (fits) {
      bind(entry.session, p.callId);
      // The callee does not prepare (protocol 1): the server asks for the offer again.
      if (p.resendOffer && entry.role === 'caller') resendOffer(entry.session);
      this.setups.prepared += 1;
      return entry.session;
    }
    const why = entry ? `the prepared ${entry.role} connection does not fit the call (initiator `
      + `${Boolean(p.initiator)}, relayOnly ${Boolean(p.relayOnly)})` : 'nothing was prepared';
    entry?.session.close();
    const session = this.calls.newSession(p);
    if (!session) return null;
    this.setups.fallback += 1;
    const answering = !p.initiator && ringOffer;
    session.trace(`${why}: negotiating after call:started${answering ? ", answering the ring's offer" : ''}`);
    if (answering) session.receive(offerOf(ringOffer.offer));
    return session;
  }

  // On every store change: a slot back to idle (declined, cancelled, missed, busy, peer
  // left, connection lost) releases what its ring prepared.
  prune(state) {
    for (const anchorId of new Set([...this.entries.keys(), ...this.ringOffers.keys()])) {
      const slot = slotOf(state, anchorId);
      if (slot.phase === 'idle') this.release(anchorId, slot.outcome?.reason || 'idle');
    }
  }

  release(anchorId, why) {
    this.ringOffers.delete(anchorId);
    this.drop(anchorId, why);
  }

  // close() stops only the remote tracks; the slot's camera and microphone stay.
  drop(anchorId, why) {
    const entry = this.entries.get(anchorId);
    this.entries.delete(anchorId);
    if (entry) {
      entry.session.trace(`prepared connection released (${why})`);
      entry.session.close();
    }
  }
}
