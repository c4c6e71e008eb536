// A held PeerSession (peer.js: made with no call id) while its call rings — "Prepared
// while it rings" (docs/protocol.md): the caller's offer, made at once and applied when
// the invite's ack says the ICE transport policy; the callee's answer for call:accept;
// the offer again for a callee that does not prepare; and bind(), which names the call
// and sends what the session held. prepared.js calls these; the session's own send()
// holds what would leave before the call starts (the privacy rule).

// The held caller's offer, made now and sent with call:invite. It is applied locally
// only by applyOffer(), once the invite's ack says which ICE transport policy this
// side must use (address privacy): gathering starts then. No candidate is in it.
export async function prepareOffer(session) {
  session.ownOffer = await session.pc.createOffer();
  return { type: session.ownOffer.type, sdp: session.ownOffer.sdp };
}

export function applyOffer(session, relayOnly, iceTransportPolicy = session.iceTransportPolicy) {
  const policy = relayOnly ? 'relay' : iceTransportPolicy;
  const changed = policy !== session.iceTransportPolicy;
  Object.assign(session, { iceTransportPolicy: policy, relayOnly: Boolean(relayOnly) });
  session.inbox = session.inbox.then(async () => {
    if (session.closed) return;
    // Before the local description: nothing has been gathered under the old policy.
    // A browser that cannot open a relay-only connection to 'all' keeps it relay-only.
    try {
      if (changed) session.pc.setConfiguration({ ...session.pc.getConfiguration(), iceTransportPolicy: policy });
    } catch (err) {
      if (policy === 'relay') throw err;
      session.trace('kept the relay policy', err);
    }
    await session.pc.setLocalDescription(session.ownOffer);
    session.trace('prepared offer applied');
  }).catch((err) => session.trace('prepared offer failed', err));
  return session.inbox;
}

// The held callee's answer as call:accept carries it: the local description now, with
// the candidates gathered so far. Waits up to `ms` for the answer; null if there is
// none by then. Kept in `sentWithAccept` (cleared when the accept fails), so bind()
// sends only what the answer does not hold.
export async function takeAnswer(session, ms) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms); });
  await Promise.race([session.answerReady, late]);
  clearTimeout(timer);
  const local = session.pc.localDescription;
  if (session.closed || !session.held || local?.type !== 'answer'
      || !session.outbox.some((f) => f.description?.type === 'answer')) return null;
  session.sentWithAccept = { type: local.type, sdp: local.sdp };
  return session.sentWithAccept;
}

// call:started said resendOffer (a callee of protocol 1 ignored the ring's offer): send
// the same offer again as call:signal, once applyOffer() has made it the local one.
export function resendOffer(session) {
  session.inbox = session.inbox.then(() => {
    if (session.closed || session.pc.signalingState !== 'have-local-offer') return;
    session.trace('the callee does not prepare: sending the offer again');
    session.sendDescription();
  });
  return session.inbox;
}

// The call started: name it, start watching it, send what waited.
export function bind(session, callId) {
  if (session.closed || !session.held) return;
  session.callId = callId;
  const gathered = session.outbox.filter((f) => f.candidate).length;
  session.watch();
  session.health.gathered = gathered;
  if (session.pc.iceGatheringState === 'complete') session.health.onGatheringChange();
  const sent = session.sentWithAccept?.sdp;  // the answer and the candidates in it went already
  const held = session.outbox.splice(0).filter((f) => !sent || !(f.description?.type === 'answer'
    || (f.candidate && sent.includes(`a=${f.candidate.candidate}\r\n`))));
  session.trace(`bound to call ${callId}: sending ${held.length} held signal(s)`);
  for (const fields of held) {
    session.send(fields).catch((err) => session.trace('held signal not sent', err));
  }
}
