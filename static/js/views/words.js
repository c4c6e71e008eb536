// Every state and outcome in words a first-time user understands. One place, so the
// tile, the prompt line and the tests agree on the wording.

export const ANCHOR_STATUS = {
  offline: 'offline', online: 'free', ringing: 'ringing', 'in-call': 'in a call',
};

const who = (peer) => peer?.displayName || 'The other person';

export function phaseText(slot, anchor) {
  const name = who(slot.peer);
  switch (slot.phase) {
    case 'ringing-out': return `Calling ${name}… waiting for an answer`;
    case 'ringing-in': return `${name} is calling you`;
    case 'connecting':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return `Connection to ${name} interrupted — trying to recover…`;
      if (slot.callState === 'reconnecting') return `Connection to the server dropped — waiting for it to come back (the call with ${name} resumes)…`;
      return slot.peer ? `Connecting to ${name}…` : 'Connecting…';
    case 'connected':
      if (slot.pcState === 'disconnected' || slot.pcState === 'failed') return `Connection to ${name} interrupted — trying to recover…`;
      return `In a call with ${name}`;
    default:
      return anchor?.status === 'online' ? 'Free — waiting for a call' : 'Offline — nobody can call this slot';
  }
}

// How the last ring or call ended. `reason` is the protocol's word; the text says
// what happened from this side's point of view.
export function outcomeText(outcome) {
  if (!outcome) return '';
  const name = who(outcome.peer);
  const caller = outcome.role === 'caller';
  switch (outcome.reason) {
    case 'declined': return caller ? `${name} declined your call.` : `You declined the call from ${name}.`;
    case 'cancelled': return caller ? `You cancelled the call to ${name}.` : `${name} cancelled the call (missed).`;
    case 'missed': return caller ? `No answer from ${name}: the call was missed.` : `You missed a call from ${name}.`;
    case 'busy': return `${name} is busy in another call. Try again later.`;
    case 'unavailable': return `${name}'s slot went offline.`;
    case 'peer-left': return `Call ended: peer left — ${name} closed the page or lost the connection.`;
    case 'hangup': return outcome.by === 'you' ? `You hung up on ${name}.` : `${name} hung up.`;
    case 'connection-lost': return 'Call ended: your connection to the server was lost.';
    case 'removed': return 'Call ended: the slot was removed.';
    default:
      return caller && outcome.message ? `Could not call ${name}: ${outcome.message}.` : `Call ended (${outcome.message || outcome.reason}).`;
  }
}
