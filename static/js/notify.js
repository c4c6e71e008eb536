// Incoming calls while this tab is hidden: a browser notification (and the tab title,
// call-page.js). Permission is asked when the person first uses calls (Call, Accept,
// Go online: a click of theirs), never on page load; without it the title still says it.
import { RING_NOTICE } from './views/words.js';

const supported = () => typeof Notification === 'function';

export class RingNotifier {
  constructor() {
    this.shown = new Map(); // invitationId → Notification
  }

  ask() {
    if (supported() && Notification.permission === 'default') {
      Notification.requestPermission().catch(() => {});
    }
  }

  // rings: [{invitationId, peerName, slotName}] ringing in now
  update(rings) {
    const live = new Set(rings.map((r) => r.invitationId));
    for (const [id, note] of this.shown) {
      if (!live.has(id)) { note.close(); this.shown.delete(id); }
    }
    if (!supported() || Notification.permission !== 'granted' || !document.hidden) return;
    for (const ring of rings) {
      if (this.shown.has(ring.invitationId)) continue;
      const note = new Notification(RING_NOTICE.title(ring.peerName), {
        body: RING_NOTICE.body(ring.slotName), tag: ring.invitationId, requireInteraction: true });
      note.onclick = () => { window.focus(); note.close(); };
      this.shown.set(ring.invitationId, note);
    }
  }
}
