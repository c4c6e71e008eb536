// Call links and knocking on the call page (issue 27), loaded on demand (issue 33.2):
// most visits neither make a link nor come by one, and a knock comes only into a call.
//
// call-links.js (with accept-ring.js) loads at once for an address that carries a
// link's or a push ring's token (#link=, #accept=), else at the first press of "Make a
// call link" (the press then goes to it) or a push ring's Accept posted by the worker.
// knock.js (with the knock cards) loads at once for #knock=, else when one of this
// tab's lines first rings or is in a call (the join link is made in a call, and only a
// party hears a knock); a knock heard before it is loaded is handed to it.
//
// A load can fail (a page no service worker controls, during an outage). Where the
// person asked for the feature (a press of "Make a call link", a link or knock address,
// a push ring's Accept, a knock heard), the page's notice says so (NOT_LOADED); the
// next use tries again (a browser that keeps a failed module fetch fails again at once
// until the page is reloaded: the words say so). Loading knock.js ahead when a call
// starts is only logged, and tried again when the next call starts or a knock comes.
import { t } from '../i18n.js';
import * as P from '../protocol.js';
import { ownAnchors, slotOf } from '../store.js';

const IN_CALL = new Set(['ringing-in', 'ringing-out', 'connecting', 'connected']);
export const NOT_LOADED = t('reach.notLoaded');
// What loads on demand; a test hands its own (tests/js/on-demand.test.mjs).
const MODULES = {
  links: () => import(/* on demand */ './call-links.js'),
  acceptRing: () => import(/* on demand */ './accept-ring.js'),
  knock: () => import(/* on demand */ './knock.js'),
};

/**
 * A module that loads at the first of `events` (issue 33.2; safety/warning.js): until
 * then each is kept, and `load()` resolves to mount(heard), called with them in order in
 * the same task that takes these listeners off (mount adds its own). A failed load is
 * logged and tried again at the next event. Returns start(), to load it at once.
 */
export function loadOnEvents(signaling, events, load, what = 'module') {
  const heard = [];
  let loading = null;
  const start = () => (loading ||= load().then((mount) => {
    for (const [event, fn] of listeners) signaling.off(event, fn);
    mount(heard.splice(0));
  }).catch((err) => { loading = null; console.warn(`${what} not loaded`, err); }));
  const listeners = events.map((event) => [event, (payload) => { heard.push([event, payload]); start(); }]);
  for (const [event, fn] of listeners) signaling.on(event, fn);
  return start;
}

export function mountReach(parts, modules = MODULES) {
  const { signaling, store, notify } = parts;
  const hash = () => globalThis.location?.hash || '';
  const failed = (what) => (err) => {
    console.warn(`${what} not loaded`, err);
    notify?.(NOT_LOADED);
  };

  let links = null;
  const loadLinks = () => (links ||= modules.links().then((m) => {
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
    loadLinks().then(() => make.click(), failed('call links'))
      .finally(() => { pressed = false; });
  };
  const onWorker = (event) => {
    if (event.data?.type !== 'accept-ring' || typeof event.data.id !== 'string') return;
    // heard before mountLinks listened: answered here
    Promise.all([loadLinks(), modules.acceptRing()])
      .then(([, ring]) => ring.acceptRing(event.data.id.slice(0, 32), parts), failed('call links'));
  };
  // until loaded (after a failed load at a link's address too: the next press tries again)
  make?.addEventListener('click', onMake);
  navigator.serviceWorker?.addEventListener('message', onWorker);
  if (/^#(link|accept)=/.test(hash())) loadLinks().catch(failed('call links'));

  let knock = null;
  const heard = []; // [event, payload] before knock.js was loaded
  const loadKnock = (asked = true) => {
    knock ||= modules.knock().then((m) => {
      signaling.off(P.KNOCK_ASKED, onAsked).off(P.KNOCK_ENDED, onEnded);
      stop();
      m.mountKnock(parts, heard.splice(0));
      return m;
    }).catch((err) => { knock = null; throw err; });
    knock.catch(asked ? failed('knocking') : (err) => console.warn('knocking not loaded', err));
  };
  const onAsked = (e) => { heard.push([P.KNOCK_ASKED, e]); loadKnock(); };
  const onEnded = (e) => { heard.push([P.KNOCK_ENDED, e]); loadKnock(); };
  let calling = false; // one of this tab's lines rings or is in a call
  const inCall = () => {
    const state = store.getState();
    const now = ownAnchors(state).some((a) => IN_CALL.has(slotOf(state, a.id).phase));
    if (now && !calling) loadKnock(false); // when a call starts, not at each change in it
    calling = now;
  };
  // until loaded (after a failed load at a knock's address too)
  signaling.on(P.KNOCK_ASKED, onAsked).on(P.KNOCK_ENDED, onEnded);
  const stop = store.subscribe(inCall);
  if (/^#knock=/.test(hash())) loadKnock();
  inCall();
}
