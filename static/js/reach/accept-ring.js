// Accept on a push ring's notification (issue 27; static/sw.js): the worker opens
// /call#accept=<ring id>, or posts {type: 'accept-ring', id} to a call page already
// open. The page asks the server whose ring that is (GET /me/rings/<id>: the visitor's
// user id, only for the person rung) and accepts that visitor's call as soon as it rings
// one of this tab's slots, without a second click; a ring that is over, or never comes
// within the ring's time, is left alone.
import { ownAnchors, slotOf } from '../store.js';

const RING_MS = 30000; // RING_TIMEOUT: the visitor's call comes within it or not at all

export function takeAcceptRing(location = globalThis.location, history = globalThis.history) {
  const match = /^#accept=([A-Za-z0-9_-]{1,32})$/.exec(location.hash || '');
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  return match[1];
}

// The own slot that `callerUserId` is ringing now, or null.
export function ringFrom(state, callerUserId) {
  const slot = ownAnchors(state).find((a) => {
    const s = slotOf(state, a.id);
    return s.phase === 'ringing-in' && s.peer?.userId === callerUserId;
  });
  return slot ? slot.id : null;
}

export async function acceptRing(id, { store, calls, fetch = globalThis.fetch, base = document.baseURI,
                                       setTimer = setTimeout }) {
  const response = await fetch(new URL(`me/rings/${encodeURIComponent(id)}`, base).href,
                               { credentials: 'same-origin' }).catch(() => null);
  if (!response?.ok) return false;
  const { caller } = await response.json();
  return new Promise((resolve) => {
    let done = false;
    const finish = (accepted) => { if (done) return; done = true; stop(); resolve(accepted); };
    const tryNow = () => {
      const anchorId = ringFrom(store.getState(), caller);
      if (anchorId === null || done) return;
      finish(true);
      calls.accept(anchorId);
    };
    const stop = store.subscribe(tryNow);
    setTimer(() => finish(false), RING_MS);
    tryNow();
  });
}

export function mountAcceptRing(parts) {
  const id = takeAcceptRing();
  if (id) acceptRing(id, parts);
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'accept-ring' && typeof event.data.id === 'string') acceptRing(event.data.id.slice(0, 32), parts);
  });
}
