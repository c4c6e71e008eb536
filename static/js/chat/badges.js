// Unread counts into every `[data-unread-for="<userId>"]` badge on the page (the call
// page's lobby rows, the chat list). Rows may be added later by other views, so a
// MutationObserver fills new badges as they appear.
import { unreadLabel } from '../views/words.js';

export function fillBadges(counts, root = document) {
  for (const el of root.querySelectorAll('[data-unread-for]')) {
    const n = counts[el.dataset.unreadFor] || 0;
    const text = n > 99 ? '99+' : String(n);
    if (el.textContent !== text) el.textContent = text;
    if (el.hidden !== !n) el.hidden = !n;
    const label = unreadLabel(n);
    if ((el.getAttribute('aria-label') || '') !== label) {
      if (label) el.setAttribute('aria-label', label); else el.removeAttribute('aria-label');
    }
  }
}

export function watchBadges(getCounts, root = document.body) {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; fillBadges(getCounts()); });
  });
  observer.observe(root, { childList: true, subtree: true });
  fillBadges(getCounts());
  return () => observer.disconnect();
}
