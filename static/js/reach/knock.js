// Knocking on a running call (issue 27; docs/protocol.md, "Knocking on a running call").
//
// A party: "Make a link to join this call" beside the call-me link (#links-panel) while a
// slot of this tab is in a call (`knock:link`, the URL shown once, to its maker). Each
// `knock:asked` shows "<name> asks to join" with Admit and Deny (views/knock-asks.js);
// the first answer settles it for every party (`knock:ended`).
// The knocker: the join page sends the browser to /call#knock=<token>; the token leaves
// the address at once, and as soon as a slot is free `knock:ask` asks to join. An admit
// rings that slot into the call, and this page accepts that ring at once; every other
// end is said in words. While asking, "Cancel" (and the page going) sends `knock:cancel`.
import * as P from '../protocol.js';
import { freeAnchor, onceFreeLine, ownAnchors, slotOf } from '../store.js';
import { t } from '../i18n.js';
import { KnockAsks, KnockWaiting } from '../views/knock-asks.js';
import { makeLink } from './call-links.js';

export function takeKnockToken(location = globalThis.location, history = globalThis.history) {
  const match = /^#knock=([A-Za-z0-9_-]{1,64})$/.exec(location.hash || '');
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  return match[1];
}

const inCall = (state) => ownAnchors(state).find((a) => ['connecting', 'connected'].includes(slotOf(state, a.id).phase)) || null;

// The own slot rung into `callId` now (the admission of this page's knock), or null.
export function ringInto(state, callId) {
  const slot = ownAnchors(state).find((a) => {
    const s = slotOf(state, a.id);
    return s.phase === 'ringing-in' && s.ringCall?.callId === callId;
  });
  return slot ? slot.id : null;
}

// What the knocker reads when its knock ends (reason → words).
export const ENDED_WORDS = Object.freeze({
  admitted: 'reach.knockAdmitted',
  denied: 'reach.knockDenied',
  timeout: 'reach.knockTimeout',
  ended: 'reach.knockCallEnded',
  'call-full': 'reach.knockFull',
  unavailable: 'reach.knockUnavailable',
  withdrawn: 'reach.knockWithdrawn',
  revoked: 'reach.knockRevoked',
});

export function knockOnCall({ token, signaling, store, calls, notify, waiting }) {
  let knock = null; // {knockId, callId} once asked
  let withdrawing = false; // Cancel sent: a ring into the call is no longer taken by itself
  const say = (state, text) => { document.body.dataset.knock = state; notify(text); };
  const acceptIfRung = () => {
    const anchorId = knock && !withdrawing && ringInto(store.getState(), knock.callId);
    if (!anchorId) return;
    over();
    document.body.dataset.knock = 'admitted';
    calls.accept(anchorId);
  };
  const stopRing = store.subscribe(acceptIfRung);
  // The page going takes the knock back (best effort). A capture listener runs before
  // signaling.js's own, which closes the socket.
  const onHide = () => { if (knock) signaling.request(P.KNOCK_CANCEL, { knockId: knock.knockId }).catch(() => {}); };
  function over() {
    knock = null;
    stopRing();
    waiting.hide();
    removeEventListener('pagehide', onHide, { capture: true });
  }
  signaling.on(P.KNOCK_ENDED, (e) => {
    if (!knock || e.knockId !== knock.knockId) return;
    if (e.reason === 'admitted' && !withdrawing) { say('admitted', t(ENDED_WORDS.admitted)); acceptIfRung(); return; }
    over();
    // Let in before the Cancel arrived: the ring is shown as any ring, to take or decline.
    if (e.reason === 'admitted') { document.body.dataset.knock = 'admitted'; return; }
    say(e.reason, t(ENDED_WORDS[e.reason] || 'reach.knockUnavailable'));
  });
  waiting.onCancel = async () => {
    if (!knock) return;
    const { knockId } = knock;
    withdrawing = true;
    try {
      await signaling.request(P.KNOCK_CANCEL, { knockId });
      if (knock?.knockId === knockId) { over(); say('withdrawn', t(ENDED_WORDS.withdrawn)); }
    } catch (err) {
      if (err.code === 'not-found') return; // it ended meanwhile: knock:ended says how
      withdrawing = false;
      waiting.show();
      notify(err.message);
    }
  };
  const ask = async () => {
    const slot = freeAnchor(store.getState());
    try {
      const ack = await signaling.request(P.KNOCK_ASK, { token, fromAnchorId: slot.id });
      knock = { knockId: ack.knockId, callId: ack.callId };
      addEventListener('pagehide', onHide, { capture: true });
      say('asking', t('reach.knockAsking')); // announced, as every step of the knock is
      waiting.show(); // "Asking to join…" with Cancel, until the knock ends
    } catch (err) {
      stopRing();
      say('refused', err.message || t('reach.knockUnavailable'));
    }
  };
  onceFreeLine(store, ask);
}

// The party's button beside "Make a call link", shown while a slot is in a call.
export function mountJoinLinkMaker(root, { signaling, store, notify }) {
  if (!root) return;
  const make = document.createElement('button');
  make.type = 'button';
  make.id = 'knock-link-make';
  make.className = 'button small';
  make.textContent = t('reach.joinLinkMake');
  root.querySelector('#link-make')?.after(make);
  const show = () => { make.hidden = !inCall(store.getState()); };
  store.subscribe(show);
  show();
  make.addEventListener('click', () => {
    const slot = inCall(store.getState());
    if (!slot) return undefined;
    return makeLink(root, make, {
      request: () => signaling.request(P.KNOCK_LINK, { anchorId: slot.id }),
      path: 'join',
      said: (ack) => t('reach.joinLinkMade', { time: new Date(ack.expiresAt).toLocaleString() }),
      notify,
    });
  });
}

// A party's answer; a refused one is told, and its card's buttons come back (`reopen`):
// a refusal that was the admitter's alone (their ring limit, their line) leaves the knock
// open; one that ended it removes the card anyway (`knock:ended`).
export function answerKnock(signaling, notify, reopen) {
  return (knockId, admit) => signaling.request(P.KNOCK_ANSWER, { knockId, admit })
    .catch((err) => { notify(err.message); reopen(knockId); });
}

// `heard`: [event, payload] of knocks heard before this module was loaded (on-demand.js).
export function mountKnock(parts, heard = []) {
  const { signaling, store, notify } = parts;
  mountJoinLinkMaker(document.querySelector('#links-panel'), parts);
  const asks = new KnockAsks(document.querySelector('#notice'), {
    store,
    answer: answerKnock(signaling, notify, (knockId) => {
      for (const b of asks.cards.get(knockId)?.querySelectorAll('button') || []) b.disabled = false;
    }),
  });
  signaling.on(P.KNOCK_ASKED, (e) => asks.add(e));
  signaling.on(P.KNOCK_ENDED, (e) => asks.end(e));
  for (const [event, e] of heard) { if (event === P.KNOCK_ASKED) asks.add(e); else asks.end(e); }
  const token = takeKnockToken();
  if (!token) return;
  knockOnCall({ token, ...parts, waiting: new KnockWaiting(document.querySelector('#notice')) });
}
