// Group calls (issue 26; docs/protocol.md, "Group calls"): the part of a call slot that
// knows a call may hold several parties. Pure functions of (slot, payload, now), used by
// store.js's slot reducer. A slot in a call keeps, besides `peer` (the party its tile
// names first: the one it called or that called it, or the next one once that one left):
//
//   parties — every other party of the call: [{peer, polite, initiator, relayOnly,
//             peerMedia?}], one per pair this page has a connection for (sessions.js);
//             the roles come from the server (call:started, call:party-joined)
//   adding  — the rings this slot sent that are still open: [{peer, invitationId}]
//             (an "Add someone" into the call, or "ring several" before it is live)
//   roster  — the last few comings and goings, shown and announced on the call screen:
//             [{kind: 'joined' | 'left' | reason of a ring that ended, name, at}]
//   ringCall — on a ring into a call: who is in it already ({callId, parties})
const ROSTER_MAX = 6;

export const partyOf = (p) => ({ peer: p.peer, polite: Boolean(p.polite), initiator: Boolean(p.initiator),
                                 relayOnly: Boolean(p.relayOnly) });

// seq: one more than the last entry's, so a view can tell which it has not said yet.
const note = (slot, kind, peer, now) => {
  const roster = slot.roster || [];
  const seq = (roster.at(-1)?.seq ?? 0) + 1;
  return [...roster, { kind, name: peer?.displayName || '', anchorId: peer?.anchorId || null, at: now, seq }].slice(-ROSTER_MAX);
};

// call:started: the parties it names (a newcomer's `parties`), else the one peer.
export function startedParties(p) {
  const list = Array.isArray(p.parties) && p.parties.length ? p.parties : [p];
  const seen = new Set();
  return list.filter((x) => x?.peer?.anchorId && !seen.has(x.peer.anchorId) && seen.add(x.peer.anchorId)).map(partyOf);
}

// The rings still open when the call starts (ring several: the first accept starts it).
export function keptAdding(slot, p) {
  if (!['ringing-out', 'connecting'].includes(slot.phase) || slot.callId) return [];
  return (slot.adding || []).filter((a) => a.peer.anchorId !== p.peer.anchorId);
}

export function partyJoined(slot, p, now) {
  if (slot.callId !== p.callId || !p.peer?.anchorId) return slot;
  const parties = slot.parties || [];
  if (parties.some((x) => x.peer.anchorId === p.peer.anchorId)) return slot;
  return {
    ...slot, parties: [...parties, partyOf(p)], roster: note(slot, 'joined', p.peer, now),
    adding: (slot.adding || []).filter((a) => a.peer.anchorId !== p.peer.anchorId),
    ...(typeof p.conversationId === 'string' ? { conversationId: p.conversationId } : {}),
  };
}

// A party left (hung up, or its page went for good): its pair goes. The tile's `peer` is
// the next party when it was that one.
export function partyLeft(slot, p, now) {
  if (slot.callId !== p.callId) return slot;
  const parties = slot.parties || [];
  const gone = parties.find((x) => x.peer.anchorId === p.peerAnchorId);
  if (!gone) return slot;
  const rest = parties.filter((x) => x !== gone);
  const next = { ...slot, parties: rest, roster: note(slot, p.reason === 'peer-left' ? 'peer-left' : 'left', gone.peer, now) };
  if (slot.peer?.anchorId === p.peerAnchorId && rest.length) {
    Object.assign(next, { peer: rest[0].peer, polite: rest[0].polite, initiator: rest[0].initiator, peerMedia: rest[0].peerMedia });
  }
  return next;
}

// call:peer-state from one party: its tile says "muted" / "camera off".
export function partyMedia(slot, p) {
  if (slot.callId !== p.callId) return slot;
  const peerMedia = { audio: p.audio, video: p.video, ...(p.screen === true ? { screen: true } : {}) }; // presenting (31.4)
  const from = p.fromAnchorId;
  const parties = (slot.parties || []).map((x) => (!from || x.peer.anchorId === from ? { ...x, peerMedia } : x));
  const primary = !from || slot.peer?.anchorId === from;
  return { ...slot, parties, ...(primary ? { peerMedia } : {}) };
}

// -- rings from this slot: into its call, or several at once ---------------------------

export function addSent(slot, p) {
  if (slot.phase !== 'connecting' && slot.phase !== 'connected') return slot;
  const adding = (slot.adding || []).filter((a) => a.peer.anchorId !== p.peer.anchorId);
  return { ...slot, adding: [...adding, { peer: p.peer, invitationId: null }] };
}

export function addAcked(slot, p) {
  const adding = (slot.adding || []).map((a) => (a.peer.anchorId === p.toAnchorId && !a.invitationId
    ? { ...a, invitationId: p.invitationId } : a));
  return { ...slot, adding };
}

// Refused (busy, call-full, unsupported, …): said on the call screen; the call goes on.
// A ring-several whose every ring was refused leaves the slot as a refused call would.
export function addFailed(slot, p, now, idle) {
  const entry = (slot.adding || []).find((a) => a.peer.anchorId === p.toAnchorId && !a.invitationId);
  if (!entry) return slot;
  const adding = slot.adding.filter((a) => a !== entry);
  if (slot.phase === 'ringing-out' && !adding.length && !slot.callId) {
    return { ...idle, outcome: { reason: p.code, message: p.message, peer: entry.peer, role: 'caller' }, since: now };
  }
  return { ...slot, adding, roster: note(slot, p.code || 'refused', entry.peer, now) };
}

export function inviteManySent(idle, p, now) {
  return { ...idle, phase: 'ringing-out', peer: p.peers[0], since: now,
           adding: p.peers.map((peer) => ({ peer, invitationId: null })) };
}

// call:invite-ended of a ring this slot sent into its call (or of one of several).
// Returns null when the invitation is not one of them.
export function addEnded(slot, p, now, idle) {
  const entry = (slot.adding || []).find((a) => a.invitationId && a.invitationId === p.invitationId);
  if (!entry) return null;
  const adding = slot.adding.filter((a) => a !== entry);
  if (p.reason === 'accepted') { // call:started or call:party-joined follows
    return slot.phase === 'ringing-out' ? { ...slot, adding, phase: 'connecting', since: now } : { ...slot, adding };
  }
  if (slot.phase === 'ringing-out' && !adding.length) {
    return { ...idle, outcome: { reason: p.reason, peer: entry.peer, role: 'caller', ring: true }, since: now };
  }
  return { ...slot, adding, roster: note(slot, p.reason, entry.peer, now) };
}

// The name of the party `peerAnchorId` of a slot's call (a file card's sender): its own
// entry in `parties`, `peer` only when it is that party (in a group call `peer` is the first).
// The party presenting its screen in a group call (its call:peer-state `screen`, with its
// video on), or null: its party tile is featured, large and whole (views/party-grid.js).
export function presenterOf(slot) {
  const parties = slot?.parties || [];
  if (parties.length < 2) return null;
  const party = parties.find((x) => x.peerMedia?.screen === true && x.peerMedia.video !== false);
  return party ? party.peer : null;
}

export function partyName(slot, peerAnchorId) {
  const party = (slot?.parties || []).find((x) => x.peer?.anchorId === peerAnchorId);
  if (party?.peer?.displayName) return party.peer.displayName;
  return slot?.peer?.anchorId === peerAnchorId ? slot.peer.displayName || '' : '';
}
