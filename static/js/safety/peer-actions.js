// "Block" and "Report" on a call tile, during the ring (in or out) and the call (issue 35).
// The tile says whom it is with in `data-peer-user` (views/anchor-tile.js, a call of two);
// this module adds the two buttons under the ring panel and keeps them shown only while
// there is such a person. Blocking ends a ring between the two at the server (declined, as
// any decline: docs/protocol.md "Safety"); a call goes on until hung up, and no later ring
// gets through. The buttons use data-safety, not the tile's own data-action.
import { t } from '../i18n.js';
import { act } from './block.js';

function button(action) {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = `button small ${action}-btn`;
  el.dataset.safety = action;
  el.textContent = t(`safety.${action}`);
  el.title = t(`safety.${action}Title`);
  return el;
}

function fill(tile) {
  const peer = tile.dataset.peerUser || '';
  let bar = tile.querySelector('.peer-safety');
  if (!bar && peer) {
    bar = document.createElement('div');
    bar.className = 'peer-safety';
    bar.append(button('block'), button('report'));
    (tile.querySelector('.ring-panel') || tile.firstElementChild)?.after(bar);
  }
  if (!bar) return;
  if (bar.dataset.for !== peer) { // another person: fresh buttons
    bar.dataset.for = peer;
    for (const el of bar.children) { el.disabled = false; el.textContent = t(`safety.${el.dataset.safety}`); }
  }
  bar.hidden = !peer;
}

export function mountPeerActions(panel, signaling) {
  const all = () => panel.querySelectorAll('.tile').forEach(fill);
  new MutationObserver(all).observe(panel, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-peer-user'],
  });
  panel.addEventListener('click', async (event) => {
    const pressed = event.target.closest('button[data-safety]');
    const userId = pressed?.closest('.tile')?.dataset.peerUser;
    if (!userId) return;
    await act(pressed, pressed.dataset.safety, userId, signaling);
  });
  all();
}
