// Call links on the call page (issue 27; docs/protocol.md, "Call links and push").
//
// The maker: "Make a call link" (templates/call.html, #links-panel) asks the server for a
// link to the chosen (or first online) slot with `link:create` and shows its URL once,
// ready to copy; /me lists and turns off the links.
// The visitor: the pre-join screen sends the browser here with `#link=<token>`. The
// token is taken out of the address at once (a copied address must not carry it on),
// and as soon as this tab has a free online slot, `link:open` names the maker's slot and
// an ordinary call rings it (calls.js), so every rule of a call applies.
import * as P from '../protocol.js';
import { onceFreeLine, ownAnchors } from '../store.js';
import { t } from '../i18n.js';
import { mountAcceptRing } from './accept-ring.js';

export function takeLinkToken(location = globalThis.location, history = globalThis.history) {
  const match = /^#link=([A-Za-z0-9_-]{1,64})$/.exec(location.hash || '');
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  return match[1];
}

// While the maker's devices ring (Web Push), the link is opened again every
// retryAfterMs until this long has passed: the ring's own timeout (RING_TIMEOUT).
const DEVICE_RING_MS = 30000;

// Ring the slot of `token` once this tab has a free online slot.
export function ringByLink({ token, signaling, store, calls, notify }) {
  const started = Date.now();
  const open = async () => {
    try {
      const ack = await signaling.request(P.LINK_OPEN, { token });
      document.body.dataset.linkRing = 'calling';
      await calls.call(ack.anchorId);
    } catch (err) {
      if (err.code === 'unavailable' && err.retryAfterMs && Date.now() - started < DEVICE_RING_MS) {
        document.body.dataset.linkRing = 'ringing-devices';
        notify(err.message);
        setTimeout(open, err.retryAfterMs);
        return;
      }
      document.body.dataset.linkRing = 'refused';
      notify(err.message || t('reach.linkFailed'));
    }
  };
  onceFreeLine(store, open);
}

// The maker's panel: make a link to a slot, show it once, copy it.
// Ask the server for a link (`request()` answers {token, expiresAt}) and show it once in
// the panel: selected in its box, `said(ack)` under it. The call-me link and the join link.
export async function makeLink(root, make, { request, path, said, notify }) {
  const out = root.querySelector('#link-url');
  make.disabled = true;
  try {
    const ack = await request();
    out.value = new URL(`${path}/${ack.token}`, document.baseURI).href;
    out.hidden = root.querySelector('#link-copy').hidden = false;
    root.querySelector('#link-note').textContent = said(ack);
    out.focus();
    out.select();
  } catch (err) {
    notify(err.message);
  } finally {
    make.disabled = false;
  }
}

export function mountLinkMaker(root, { signaling, store, calls, notify }) {
  if (!root) return;
  const make = root.querySelector('#link-make');
  const lasting = root.querySelector('#link-lasting');
  const out = root.querySelector('#link-url');
  const copy = root.querySelector('#link-copy');
  const note = root.querySelector('#link-note');
  make.addEventListener('click', () => {
    const state = store.getState();
    const online = ownAnchors(state).filter((a) => a.status !== 'offline');
    const slot = online.find((a) => a.id === calls.callFrom) || online[0];
    if (!slot) return notify(t('reach.noSlotOnline'));
    return makeLink(root, make, {
      request: () => signaling.request(P.LINK_CREATE, { anchorId: slot.id, ...(lasting.checked ? { lasting: true } : {}) }),
      path: 'l',
      said: (ack) => (ack.expiresAt
        ? t('reach.linkMadeUntil', { slot: slot.name, time: new Date(ack.expiresAt).toLocaleString() })
        : t('reach.linkMadeLasting', { slot: slot.name })),
      notify,
    });
  });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(out.value);
      note.textContent = t('reach.linkCopied');
    } catch {
      out.select(); // the browser refused the clipboard: selected, for Ctrl+C
    }
  });
}

export function mountLinks(parts) {
  mountLinkMaker(document.querySelector('#links-panel'), parts);
  const token = takeLinkToken();
  if (token) ringByLink({ token, ...parts });
  mountAcceptRing(parts); // Accept on a push ring's notification
}
