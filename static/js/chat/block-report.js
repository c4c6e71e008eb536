// "Block" and "Report" in the chat's thread header (issue 35), for the person of the open
// conversation (none for a group's), and the lookalike mark and the "guest" label beside
// the name (safety/name-mark.js, safety/guest.js). Same buttons and requests as the
// lobby's (safety/block.js); a block hides their earlier messages for me at the server,
// and the chat's next page load shows it. Mounted by chat/panel.js; the chat view needs
// no change.
import { act, button } from '../safety/block.js';
import { nameMark, showMark } from '../safety/name-mark.js';
import { accountKind, guestMark, showGuest } from '../safety/guest.js';

export function mountChatSafety(root, { signaling, store, lobbyStore }) {
  const title = root.querySelector('[data-chat-title]');
  if (!title) return;
  const bar = document.createElement('span');
  bar.className = 'peer-safety';
  const mark = nameMark();
  const guest = guestMark();
  bar.append(button('block', 'block'), button('report', 'report'));
  title.after(' ', mark, ' ', guest);
  title.parentElement.append(' ', bar);
  let shown = null;
  const render = () => {
    const peerId = store.active;
    const single = peerId && !store.conv(peerId)?.peer?.group;
    bar.hidden = !single;
    showMark(mark, lobbyStore, single ? peerId : null);
    showGuest(guest, single && accountKind(peerId, lobbyStore.getState().lobby?.users, store.conv(peerId)?.peer));
    if (shown !== peerId) { // another person: fresh buttons
      shown = peerId;
      for (const el of bar.children) el.disabled = false;
      bar.lastChild.textContent = button('report', 'report').textContent;
    }
  };
  bar.addEventListener('click', async (event) => {
    const pressed = event.target.closest('button[data-action]');
    if (pressed && store.active) await act(pressed, pressed.dataset.action, store.active, signaling);
  });
  store.subscribe(render); // (the chat store changes with the lobby too)
  render();
}
