// One tile per own anchor: the remote video (large, with sound), the local preview
// (small, muted — never echo yourself), who is on the other end, the call's state in
// words, and the controls of this slot only. Built once; update() changes it in place,
// so a playing <video> is never re-created.
import { h, setAttr, setText } from './dom.js';
import { outcomeText, phaseText } from './words.js';

const PILL = {
  idle: ['Free', 'online'], 'ringing-out': ['Calling…', 'ringing'], 'ringing-in': ['Incoming call', 'ringing'],
  connecting: ['Connecting…', 'connecting'], connected: ['Connected', 'connected'],
};

export class AnchorTile {
  constructor(anchorId, { actions, sources }) {
    this.anchorId = anchorId;
    this.actions = actions;
    this.session = null;
    this.localStream = null;
    const button = (action, label, cls = '') =>
      h('button', { type: 'button', class: `button ${cls}`, dataset: { action } }, label);

    this.nameInput = h('input', { class: 'anchor-name', maxlength: '40', 'aria-label': 'Slot name', title: 'Rename this slot' });
    this.pill = h('span', { class: 'pill' });
    this.remote = h('video', { class: 'remote', autoplay: true, playsInline: true, 'aria-label': 'Remote video' });
    this.local = h('video', { class: 'local', autoplay: true, playsInline: true, muted: true, 'aria-label': 'Your preview (muted)' });
    this.local.muted = true; // the property, not only the attribute, keeps a preview silent
    this.peerLabel = h('span', { class: 'peer-label' });
    this.placeholder = h('div', { class: 'stage-empty' });
    this.unmute = button('unmute', 'Click to hear the call', 'small unmute-btn');
    this.unmute.hidden = true;
    this.previewLabel = h('span', { class: 'preview-label' }, 'Your preview');
    this.ringText = h('p', { class: 'ring-text' });
    this.ringPanel = h('div', { class: 'ring-panel', role: 'alert' }, this.ringText,
      h('div', { class: 'ring-buttons' },
        button('accept', 'Accept', 'accept'), button('decline', 'Decline', 'danger'),
        button('cancel', 'Cancel call', 'danger')));
    this.statusText = h('p', { class: 'call-status' });
    this.outcome = h('p', { class: 'outcome', role: 'status' });
    this.sourceSelect = h('select', { class: 'source', 'aria-label': 'What this slot sends' },
      sources.map((s) => h('option', { value: s.id }, s.label)));
    this.mediaError = h('p', { class: 'media-error', role: 'alert' });
    this.el = h('article', { class: 'tile', dataset: { anchorId } },
      h('header', { class: 'tile-head' }, this.nameInput, this.pill,
        h('button', { type: 'button', class: 'icon-btn', dataset: { action: 'remove' }, title: 'Remove this slot', 'aria-label': 'Remove this slot' }, '×')),
      h('div', { class: 'stage' }, this.placeholder, this.remote, this.peerLabel, this.unmute, this.local, this.previewLabel,
        this.outcome, this.ringPanel),
      h('div', { class: 'tile-body' }, this.statusText, this.mediaError),
      h('footer', { class: 'tile-controls' },
        button('online', 'Go online', 'online-btn'),
        h('label', { class: 'source-label' }, h('span', { class: 'sr-only' }, 'Send'), this.sourceSelect),
        button('mic', 'Mic on', 'toggle mic-btn'), button('cam', 'Camera on', 'toggle cam-btn'),
        button('hangup', 'Hang up', 'danger hangup-btn')));

    this.el.addEventListener('click', this.onClick.bind(this));
    this.nameInput.addEventListener('change', async () => {
      const ack = await this.actions.rename(anchorId, this.nameInput.value);
      if (!ack) this.nameInput.value = this.shownName; // refused (the notice says why)
    });
    this.nameInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.nameInput.blur(); });
    this.sourceSelect.addEventListener('change', () => this.actions.setSource(anchorId, this.sourceSelect.value));
  }

  onClick(event) {
    const action = event.target.closest('button[data-action]')?.dataset.action;
    if (!action) return;
    if (action === 'unmute') {
      this.remote.muted = false;
      this.remote.play().catch(() => {});
      this.unmute.hidden = true;
      return;
    }
    if (action === 'accept') this.actions.markAcceptClick(this.anchorId);
    this.actions[action](this.anchorId);
  }

  update({ anchor, slot, media, session }) {
    const phase = slot.phase;
    this.el.dataset.phase = phase;
    this.el.dataset.status = anchor.status;
    setAttr(this.el, 'data-call-id', slot.callId || null);
    setAttr(this.el, 'data-outcome', slot.outcome?.reason || null);
    if (anchor.name !== this.shownName) { // only on a real rename: never undo typing
      this.shownName = anchor.name;
      this.nameInput.value = anchor.name;
    }
    const [pillText, pillKind] = anchor.status === 'offline' ? ['Offline', 'offline'] : PILL[phase];
    setText(this.pill, pillText);
    this.pill.dataset.kind = pillKind;

    setText(this.statusText, phaseText(slot, anchor));
    setText(this.outcome, phase === 'idle' ? outcomeText(slot.outcome) : '');
    setText(this.peerLabel, slot.peer && phase !== 'idle' ? `${slot.peer.displayName} · ${slot.peer.anchorName}` : '');
    setText(this.placeholder, phase !== 'idle' ? '' : media.videoTrack ? '' : 'Not sending video');
    this.el.dataset.source = media.sourceId;
    this.previewLabel.hidden = !media.videoTrack;

    const ringing = phase === 'ringing-in' || phase === 'ringing-out';
    this.ringPanel.hidden = !ringing;
    this.ringPanel.dataset.direction = phase === 'ringing-in' ? 'in' : 'out';
    setText(this.ringText, phaseText(slot, anchor));
    this.btn('accept').hidden = phase !== 'ringing-in';
    this.btn('decline').hidden = phase !== 'ringing-in';
    this.btn('cancel').hidden = phase !== 'ringing-out';

    const online = anchor.status !== 'offline';
    const busy = phase !== 'idle';
    const onlineBtn = this.btn('online');
    setText(onlineBtn, online ? 'Go offline' : 'Go online');
    onlineBtn.classList.toggle('primary', !online);
    onlineBtn.disabled = busy;
    onlineBtn.title = busy ? 'Hang up first' : online ? 'Stop receiving calls on this slot' : 'Let others call this slot';
    this.btn('hangup').hidden = !(phase === 'connecting' || phase === 'connected');

    if (this.sourceSelect.value !== media.sourceId) this.sourceSelect.value = media.sourceId;
    this.toggle('mic', media.micOn, 'Mic on', 'Mic muted', Boolean(media.audioTrack));
    this.toggle('cam', media.camOn, 'Camera on', 'Camera off', Boolean(media.videoTrack));
    const note = media.error || (media.sourceId === 'none'
      ? 'Sending nothing (receive only). Pick a sample clip in the menu below to send video.' : '');
    setText(this.mediaError, note);
    this.mediaError.hidden = !note;
    this.mediaError.classList.toggle('is-note', !media.error);
    if (this.localStream !== media.stream) {
      this.localStream = media.stream;
      this.local.srcObject = media.stream;
    }
    this.local.hidden = !media.videoTrack;
    this.attachSession(session);
  }

  btn(action) {
    return this.el.querySelector(`button[data-action="${action}"]`);
  }

  toggle(action, on, onText, offText, available) {
    const button = this.btn(action);
    setText(button, on ? onText : offText);
    button.setAttribute('aria-pressed', String(!on));
    button.classList.toggle('off', !on);
    button.disabled = !available;
  }

  // Show a call's remote stream, and time its first frame (setup time, for the debug
  // line and the e2e tests) with requestVideoFrameCallback.
  attachSession(session) {
    if (this.session === session) return;
    this.session = session;
    this.remote.srcObject = session ? session.remoteStream : null;
    this.remote.muted = false;
    this.unmute.hidden = true;
    if (!session) return;
    this.remote.play().catch((err) => {
      // Autoplay with sound needs a user gesture the page may not have had.
      if (err.name === 'NotAllowedError') {
        this.remote.muted = true;
        this.remote.play().catch(() => {});
        this.unmute.hidden = false;
      }
    });
    if ('requestVideoFrameCallback' in this.remote) {
      this.remote.requestVideoFrameCallback((now, meta) => {
        if (this.session !== session) return;
        session.firstFrameAt = performance.timeOrigin + now;
        session.firstFrameSize = [meta.width, meta.height];
      });
    }
  }
}
