// "Block" on each other person's lobby row (issue 35, docs/protocol.md "Safety"). The
// server enforces the block: it answers the blocked person's rings and messages as if
// this user were offline or unknown, and takes each out of the other's lobby (a fresh
// lobby:snapshot follows). This module only adds the button and asks; unblocking is on
// /me. Rows are built by views/lobby.js; a MutationObserver adds the button to new ones,
// so the lobby view needs no change.
import { SAFETY_BLOCK } from '../protocol.js';
import { t } from '../i18n.js';

function addButton(row) {
  if (row.classList.contains('is-me') || row.querySelector('.block-btn')) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button small block-btn';
  button.dataset.action = 'block';
  button.textContent = t('safety.block');
  button.title = t('safety.blockTitle');
  row.querySelector('.lobby-user-head')?.append(button);
}

export function mountBlockButtons(list, signaling) {
  const fill = () => {
    for (const row of list.querySelectorAll('.lobby-user')) {
      const me = row.classList.contains('is-me');
      const button = row.querySelector('.block-btn');
      if (me && button) button.remove();
      else if (!me) addButton(row);
    }
  };
  new MutationObserver(fill).observe(list, { childList: true, subtree: false, attributes: true, attributeFilter: ['class'] });
  list.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action="block"]');
    if (!button) return;
    const userId = button.closest('.lobby-user')?.dataset.userId;
    if (!userId) return;
    button.disabled = true;
    try {
      await signaling.request(SAFETY_BLOCK, { userId });
    } catch (err) {
      console.warn('safety:block failed', err);
      button.disabled = false;
    }
  });
  fill();
}
