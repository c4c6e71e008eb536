// "Block" and "Report" on a call tile, during the ring (in or out) and the call (issue 35).
// The tile says whom it is with in `data-peer-user` (views/anchor-tile.js, a call of two);
// this module adds the two buttons (and the lookalike mark, name-mark.js, and the "guest"
// label, guest.js) to the tile's body, by its status line ("… is calling you"), shown only
// while there is such a person. Blocking ends a ring between the two at the server
// (declined, as any decline: docs/protocol.md "Safety") and a call with them (I leave it,
// as by hanging up), and no later ring gets through. The buttons use data-safety, not the
// tile's own data-action.
import { t } from '../i18n.js';
import { act, button } from './block.js';
import { nameMark, showMark } from './name-mark.js';
import { accountKind, guestMark, showGuest } from './guest.js';

// the lobby's button, marked data-safety: the tile's own click handler takes data-action
function tileButton(action) {
  const el = button(action, action);
  delete el.dataset.action;
  el.dataset.safety = action;
  return el;
}

function fill(tile, lobbyStore) {
  const peer = tile.dataset.peerUser || '';
  let bar = tile.querySelector('.peer-safety');
  if (!bar && peer) {
    bar = document.createElement('div');
    bar.className = 'peer-safety';
    bar.append(nameMark(), guestMark(), tileButton('block'), tileButton('report'));
    const body = tile.querySelector('.tile-body');
    if (body?.firstElementChild) body.firstElementChild.after(bar); else (body || tile).append(bar);
  }
  if (!bar) return;
  if (bar.dataset.for !== peer) { // another person: fresh buttons
    bar.dataset.for = peer;
    for (const el of bar.querySelectorAll('button')) { el.disabled = false; el.textContent = t(`safety.${el.dataset.safety}`); }
  }
  showMark(bar.querySelector('.lookalike-tag'), lobbyStore, peer);
  showGuest(bar.querySelector('.guest-tag'), accountKind(peer, lobbyStore.getState().lobby?.users));
  bar.hidden = !peer;
}

export function mountPeerActions(panel, signaling, lobbyStore) {
  const all = () => panel.querySelectorAll('.tile').forEach((tile) => fill(tile, lobbyStore));
  new MutationObserver(all).observe(panel, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-peer-user'],
  });
  panel.addEventListener('click', async (event) => {
    const pressed = event.target.closest('button[data-safety]');
    const userId = pressed?.closest('.tile')?.dataset.peerUser;
    if (!userId) return;
    await act(pressed, pressed.dataset.safety, userId, signaling);
  });
  lobbyStore.subscribe((state, prev) => { if (state.lobby !== prev?.lobby) all(); });
  all();
}
