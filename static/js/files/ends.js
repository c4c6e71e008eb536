// When a transfer ends because its call changed (issue 29 meets 26): pure, from the
// store's call slots. A transfer ends with its call, and with its party when that one
// left a call that goes on (call:party-left: group-slot.js drops it from the slot's
// parties, and its roster names who left, for the card: "X left the call").

// The call slots of a store state that are in a call, by call id.
export const slotsByCall = (state) =>
  new Map(Object.values(state.calls || {}).filter((s) => s.callId).map((s) => [s.callId, s]));

const inCall = (slot, id) => slot.peer?.anchorId === id || (slot.parties || []).some((x) => x.peer?.anchorId === id);

// null while transfer `t`'s party is in its call, else {reason, peerName}.
export function endOf(slots, t) {
  const slot = slots.get(t.callId);
  if (!slot) return { reason: 'callEnded', peerName: t.peerName };
  if (inCall(slot, t.peerAnchorId)) return null;
  const left = (slot.roster || []).findLast((r) => r.anchorId === t.peerAnchorId && /left$/.test(r.kind));
  return { reason: 'partyLeft', peerName: left?.name || '' };
}
