// The call's file channel (issue 29): one negotiated data channel per RTCPeerConnection,
// made by the offering side with the connection, so it is in the first offer, and by the
// answering side when that offer arrives with a data section (peer.js): sending a file
// never renegotiates. Opened at once on the answering side it fired negotiationneeded
// before the peer's offer came: a second offer in the call (e2e/test_aiortc_peer.py). Ordered and reliable: chunks arrive
// in order, and across an ICE restart SCTP resends what was in flight.
import { CHANNEL_ID, CHANNEL_LABEL, LOW_WATER } from './chunking.js';

export function openFileChannel(pc) {
  try {
    const channel = pc.createDataChannel(CHANNEL_LABEL, { negotiated: true, id: CHANNEL_ID, ordered: true });
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER;
    return channel;
  } catch (err) { // a browser without SCTP: calls work, files do not
    console.warn('no file channel', err);
    return null;
  }
}

// Resolves once the channel is open (at once if it is); rejects if it closes first.
export function whenOpen(channel) {
  if (channel.readyState === 'open') return Promise.resolve(channel);
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', () => resolve(channel), { once: true });
    channel.addEventListener('close', () => reject(new Error('channel closed')), { once: true });
  });
}
