// Call links and knocking on the call page (issue 27), loaded on demand (issue 33.2):
// most visits neither make a link nor come by one, and a knock comes only into a call.
//
// call-links.js (with accept-ring.js) loads at once for an address that carries a
// link's or a push ring's token (#link=, #accept=), else at the first press of "Make a
// call link" (the press then goes to it) or a push ring's Accept posted by the worker.
// knock.js (with the knock cards) loads at once for #knock=, else when one of this
// tab's lines first rings or is in a call (the join link is made in a call, and only a
// party hears a knock); a knock heard before it is loaded is handed to it.
import * as P from '../protocol.js';
import { ownAnchors, slotOf } from '../store.js';

const IN_CALL = new Set(['ringing-in', 'ringing-out', 'connecting', 'connected']);

export function mountReach(parts) {
  const { signaling, store } = parts;
  const hash = () => globalThis.location?.hash || '';

  let links = null;
  const loadLinks = () => (links ||= import(/* on demand */ './call-links.js').then((m) => {
    make?.removeEventListener('click', onMake);
    navigator.serviceWorker?.removeEventListener('message', onWorker);
    m.mountLinks(parts); // its own listeners from now on
    return m;
  }).catch((err) => { links = null; throw err; }));
  const make = document.querySelector('#links-panel #link-make');
  let pressed = false; // a second press while it loads is the same press
  const onMake = () => {
    if (pressed) return;
    pressed = true;
    loadLinks().then(() => make.click(), (err) => console.warn('call links not loaded', err))
      .finally(() => { pressed = false; });
  };
  const onWorker = (event) => {
    if (event.data?.type !== 'accept-ring' || typeof event.data.id !== 'string') return;
    // heard before mountLinks listened: answered here
    Promise.all([loadLinks(), import(/* on demand */ './accept-ring.js')])
      .then(([, ring]) => ring.acceptRing(event.data.id.slice(0, 32), parts), (err) => console.warn('call links not loaded', err));
  };
  if (/^#(link|accept)=/.test(hash())) loadLinks().catch((err) => console.warn('call links not loaded', err));
  else {
    make?.addEventListener('click', onMake);
    navigator.serviceWorker?.addEventListener('message', onWorker);
  }

  let knock = null;
  const heard = []; // [event, payload] before knock.js was loaded
  const loadKnock = () => (knock ||= import(/* on demand */ './knock.js').then((m) => {
    signaling.off(P.KNOCK_ASKED, onAsked).off(P.KNOCK_ENDED, onEnded);
    stop();
    m.mountKnock(parts, heard.splice(0));
    return m;
  }).catch((err) => { console.warn('knocking not loaded', err); knock = null; }));
  const onAsked = (e) => { heard.push([P.KNOCK_ASKED, e]); loadKnock(); };
  const onEnded = (e) => { heard.push([P.KNOCK_ENDED, e]); loadKnock(); };
  const inCall = () => {
    const state = store.getState();
    if (ownAnchors(state).some((a) => IN_CALL.has(slotOf(state, a.id).phase))) loadKnock();
  };
  let stop = () => {};
  if (/^#knock=/.test(hash())) loadKnock();
  else {
    signaling.on(P.KNOCK_ASKED, onAsked).on(P.KNOCK_ENDED, onEnded);
    stop = store.subscribe(inCall);
    inCall();
  }
}
