// "Block" and "Report" on each other person's lobby row (issue 35, docs/protocol.md
// "Safety"). A report carries the reason the person types and, if they tick it, the last
// messages of their conversation (report.js, loaded on demand at the first Report press:
// issue 33.2). The
// server enforces the block: it answers the blocked person's rings and messages as if
// this user were offline or unknown, and takes each out of the other's lobby (a fresh
// lobby:snapshot follows). This module only adds the button and asks; unblocking is on
// /me. Rows are built by views/lobby.js; a MutationObserver adds the button to new ones,
// so the lobby view needs no change.
import { SAFETY_BLOCK } from '../protocol.js';
import { t } from '../i18n.js';

export function button(action, key) {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = `button small ${action}-btn`;
  el.dataset.action = action;
  el.textContent = t(`safety.${key}`);
  el.title = t(`safety.${key}Title`);
  return el;
}

function addButton(row) {
  if (row.classList.contains('is-me') || row.querySelector('.block-btn')) return;
  row.querySelector('.lobby-user-head')?.append(button('block', 'block'), button('report', 'report'));
}

export function mountBlockButtons(list, signaling) {
  const fill = () => {
    for (const row of list.querySelectorAll('.lobby-user')) {
      const me = row.classList.contains('is-me');
      if (me) row.querySelectorAll('.block-btn, .report-btn').forEach((el) => el.remove());
      else addButton(row);
    }
  };
  new MutationObserver(fill).observe(list, { childList: true, subtree: false, attributes: true, attributeFilter: ['class'] });
  list.addEventListener('click', async (event) => {
    const pressed = event.target.closest('button[data-action="block"], button[data-action="report"]');
    const userId = pressed?.closest('.lobby-user')?.dataset.userId;
    if (!userId) return;
    await act(pressed, pressed.dataset.action, userId, signaling);
  });
  fill();
}

/** A Block or Report button pressed for `userId` (the lobby, the tile and the ring). */
export async function act(pressed, action, userId, signaling) {
  pressed.disabled = true;
  try {
    if (action === 'report') {
      const { reportPerson } = await import(/* on demand */ './report.js');
      if (await reportPerson(signaling, userId)) pressed.textContent = t('safety.reported');
      else pressed.disabled = false; // cancelled
    } else {
      await signaling.request(SAFETY_BLOCK, { userId });
    }
  } catch (err) {
    console.warn(`safety:${action} failed`, err);
    pressed.disabled = false;
  }
}
