// When the server cannot be reached for a few seconds, say so — what happened and what
// to do — and offer offline mode instead of leaving the page hanging on "Connecting…".
// The page keeps trying in the background; the notice goes away when it connects.
import { STATUS } from '../signaling.js';
import { setText } from './dom.js';
import { UNREACHABLE } from './words.js';

export const UNREACHABLE_AFTER_MS = 4000;

export function watchReachability(signaling, { onOffline }) {
  const box = document.getElementById('unreachable');
  const detail = document.getElementById('unreachable-detail');
  let downSince = signaling.connected ? null : performance.now();
  signaling.on(STATUS, ({ status }) => {
    if (status === 'connected') downSince = null;
    else if (downSince === null) downSince = performance.now();
    tick();
  });
  function tick() {
    const down = downSince === null ? 0 : performance.now() - downSince;
    box.hidden = down < UNREACHABLE_AFTER_MS;
    if (!box.hidden) {
      const why = signaling.status === 'refused' ? signaling.reason : UNREACHABLE.noAnswer;
      setText(detail, UNREACHABLE.detail(Math.round(down / 1000), why));
    }
  }
  const timer = setInterval(tick, 500);
  document.getElementById('go-offline').addEventListener('click', () => {
    clearInterval(timer);
    box.hidden = true;
    onOffline();
  });
}
