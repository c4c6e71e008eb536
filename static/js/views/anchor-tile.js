// One tile per own anchor: the remote video (large, with sound), the local preview
// (small, muted — never echo yourself), who is on the other end, the call's state in
// words, and the controls of this slot only. Built once; update() changes it in place,
// so a playing <video> is never re-created.
//
// A live call also shows how it is doing: its network state (reconnecting… while an ICE
// restart or a signaling reconnect is under way, a clear message when there is no path
// at all) and, about once a second, the figures of stats.js with a good/fair/poor badge.
// Those come from the PeerSession's own events, not through the store.
// A call of three or more shows a tile per party over the stage (party-grid.js).
// Just over 300 lines: one tile's controls and states, each a few lines; the parts that stand alone
// (self-view, safety line, sound, party grid, presenting) are modules of their own.
import { SelfView } from './self-view.js';
import { verdict } from '../signs.js';
import { h, setAttr, setText } from './dom.js';
import { NET_BANNER, PILL, QUALITY_WORDS, STAT_SHORT, STAT_TITLES, TILE, cameraBlocked, cameraStarting, netText, outcomeText, peerNoteText, phaseText, previewNote } from './words.js';
import { describe } from '../stats.js';
import { SafetyLine } from './safety.js';
import { RemoteSound } from './sound.js';
import { RemoveAsk } from './remove-ask.js';
import { icon, setIcon } from './icons.js';
import { PartyGrid } from './party-grid.js';
import { Presenting } from './presenting.js';
import { GROUP } from './group-words.js';
import { Initial } from './initial.js';

// The call's network state as the tile shows it, most serious first: no path at all;
// our own socket down or the peer's (call:state reconnecting); the media path being
// repaired (ICE restart); a call that worked and is not confirmed again yet (e.g.
// restored after a server restart). null when there is no live call.
export function tileNet(slot, session, signalingStatus) {
  if (slot.phase !== 'connecting' && slot.phase !== 'connected') return null;
  if (!session) return 'connecting';
  if (session.net === 'failed') return 'failed';
  if (signalingStatus !== 'connected' || slot.callState === 'reconnecting') return 'reconnecting';
  if (session.net === 'reconnecting') return 'reconnecting';
  // The server said the call is not (or no longer) connected after it worked: restored
  // after a restart, or a side reported its media stopped. (A new call has no callState.)
  if (session.everConnected && slot.phase !== 'connected' && slot.callState) return 'reconnecting';
  return slot.phase === 'connected' && session.net === 'connected' ? 'connected' : 'connecting';
}

export class AnchorTile {
  // sessionOf(peerAnchorId): the session of one pair of this slot's call (a group call's
  // party tiles, party-grid.js); say(text): the page's live region.
  constructor(anchorId, { actions, sources, sessionOf = () => null, say = () => {} }) {
    this.anchorId = anchorId;
    this.actions = actions;
    this.session = null;
    this.localStream = null;
    const button = (action, label, cls = '') =>
      h('button', { type: 'button', class: `button ${cls}`, dataset: { action } }, label);
    // the control bar: icons with a tooltip and a name (issue 31.3; icons.js)
    const iconButton = (action, name, label, cls, key = '') =>
      h('button', { type: 'button', class: `button icon-button ${cls}`, dataset: { action }, 'aria-label': label,
        title: key ? `${label} (${key})` : label }, icon(name));

    this.nameInput = h('input', { class: 'anchor-name', maxlength: '40', 'aria-label': TILE.slotName, title: TILE.rename });
    this.pill = h('span', { class: 'pill' });
    this.remote = h('video', { class: 'remote', autoplay: true, playsInline: true, 'aria-label': TILE.remoteVideo });
    this.local = h('video', { class: 'local', autoplay: true, playsInline: true, muted: true, 'aria-label': TILE.previewMuted });
    this.local.muted = true; // the property, not only the attribute, keeps a preview silent
    this.remoteInitial = new Initial('remote-initial'); // the peer's camera off: their initial (initial.js)
    this.peerLabel = h('span', { class: 'peer-label' });
    this.placeholder = h('div', { class: 'stage-empty' });
    this.unmute = button('unmute', TILE.unmute, 'unmute-btn');
    this.unmute.hidden = true;
    this.sound = new RemoteSound(this.remote, this.unmute); // plays with sound when allowed (sound.js)
    this.previewLabel = h('span', { class: 'preview-label' }, TILE.preview);
    this.ringText = h('p', { class: 'ring-text' });
    this.ringPanel = h('div', { class: 'ring-panel', role: 'alert' }, this.ringText,
      h('div', { class: 'ring-buttons' },
        button('accept', TILE.accept, 'accept'), button('decline', TILE.decline, 'danger'),
        button('cancel', TILE.cancel, 'danger')));
    this.statusText = h('p', { class: 'call-status' });
    this.netBanner = h('p', { class: 'net-banner', role: 'status' });
    this.netBanner.hidden = true;
    this.statItems = Object.fromEntries(Object.entries(STAT_TITLES).map(([key, title]) =>
      [key, h('span', { class: 'stat', dataset: { stat: key }, title })]));
    this.qualityBadge = h('span', { class: 'quality', title: TILE.qualityTitle });
    // the one-word verdict in front; the figures behind "Connection details" (issue 31.3)
    this.figures = h('span', { class: 'stat-figures', id: `figures-${anchorId}`, hidden: true }, Object.values(this.statItems));
    this.detailsBtn = h('button', { type: 'button', class: 'details-btn', 'aria-expanded': 'false', 'aria-controls': this.figures.id,
      onclick: () => { this.figures.hidden = !this.figures.hidden; this.detailsBtn.setAttribute('aria-expanded', String(!this.figures.hidden)); } },
    TILE.details);
    this.statsBar = h('div', { class: 'call-stats', 'aria-label': TILE.quality }, this.qualityBadge, this.detailsBtn, this.figures);
    this.statsBar.hidden = true;
    this.outcome = h('p', { class: 'outcome', role: 'status' });
    this.again = button('callAgain', TILE.callAgain, 'small primary call-again'); // under the outcome (31.9)
    // what the peer turned off (call:peer-state), over the remote video
    this.peerMedia = h('p', { class: 'peer-media', role: 'status' });
    this.sourceSelect = h('select', { class: 'source', 'aria-label': TILE.sends },
      sources.map((s) => h('option', { value: s.id }, s.label)));
    this.mediaError = h('p', { class: 'media-error', role: 'alert' });
    this.safety = new SafetyLine(actions.trust || {}); // safety code, trust mark, privacy
    this.present = new Presenting((sourceId) => this.actions.setSource(anchorId, sourceId)); // issue 31.4
    const removeBtn = h('button', { type: 'button', class: 'icon-btn remove-btn', dataset: { action: 'remove' }, title: TILE.remove, 'aria-label': TILE.remove }, '×');
    // in a call or a ring, the × asks first (remove-ask.js)
    this.removeAsk = new RemoveAsk({ opener: removeBtn, onYes: () => this.actions.remove(anchorId) });
    this.el = h('article', { class: 'tile', dataset: { anchorId } },
      h('header', { class: 'tile-head' }, this.nameInput, this.pill, removeBtn), this.removeAsk.el,
      h('div', { class: 'stage' }, this.placeholder, this.remote, this.remoteInitial.el, this.peerLabel, this.peerMedia, this.unmute, this.local, this.previewLabel,
        this.outcome, this.again, this.ringPanel, this.netBanner, this.present.banner, this.present.peerBadge),
      h('div', { class: 'tile-body' }, this.statusText, this.statsBar, this.safety.el, this.mediaError),
      h('footer', { class: 'tile-controls' },
        button('online', TILE.goOnline, 'online-btn'),
        h('label', { class: 'source-label' }, h('span', { class: 'sr-only' }, TILE.send), this.sourceSelect),
        iconButton('mic', 'mic', TILE.mute, 'toggle mic-btn'), iconButton('cam', 'cam', TILE.stopCam, 'toggle cam-btn'), this.present.button,
        iconButton('hangup', 'hangup', TILE.hangUp, 'danger hangup-btn', 'Shift+H'),
        h('button', { type: 'button', class: 'button icon-button add-someone-btn', dataset: { action: 'addSomeone' },
          'aria-label': GROUP.addSomeone, title: GROUP.addSomeoneTitle }, icon('addPerson')),
        // The call stage's own tools (call-page.js): chat beside the call, full screen,
        // picture-in-picture, the keyboard shortcuts.
        iconButton('chat', 'chat', TILE.chat, 'chat-btn', 'C'), iconButton('fullscreen', 'fullscreen', TILE.fullscreen, 'fs-btn'),
        iconButton('pip', 'pip', TILE.pipLabel, 'pip-btn'), iconButton('shortcuts', 'keys', TILE.keysLabel, 'keys-btn', '?')));
    // a call of three or more: a tile per other party over the stage (party-grid.js)
    this.parties = new PartyGrid(this.el.querySelector('.stage'), {
      sessionOf, trust: actions.trust, say, onLayout: () => this.selfView?.apply(),
    });
    this.el.querySelector('.tile-body').prepend(this.parties.roster);
    this.groupMode = false;
    this.el.tabIndex = -1; // focus lands here when a call ends (call-page.js)
    // the self-view over a call's video: dragged, or moved by the arrow keys
    this.selfView = new SelfView(this.local, this.el.querySelector('.stage'), this.el.querySelector('.tile-controls'));
    this.btn('shortcuts').setAttribute('aria-haspopup', 'dialog');

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
    if (action === 'unmute') return this.sound.unmute();
    if (action === 'accept') this.actions.markAcceptClick(this.anchorId);
    if (action === 'remove' && this.slot && this.slot.phase !== 'idle') {
      return this.removeAsk.ask(TILE.removeAsk(this.slot.peer?.displayName, this.anchor.name));
    }
    this.actions[action](this.anchorId);
  }

  // myName: the user's display name (their initial over the self-view when the camera is off)
  update({ anchor, slot, media, session, myName }) {
    const phase = slot.phase;
    this.el.dataset.phase = phase;
    this.el.dataset.status = anchor.status;
    setAttr(this.el, 'data-call-id', slot.callId || null);
    setAttr(this.el, 'data-outcome', slot.outcome?.reason || null);
    if (anchor.name !== this.shownName) { // only on a real rename: never undo typing
      this.shownName = anchor.name;
      this.nameInput.value = anchor.name;
    }
    this.slot = slot;
    this.anchor = anchor;
    if (phase === 'idle' && this.removeAsk.open) this.removeAsk.close(true); // nothing left to end
    // A group call: the party tiles play each pair; the tile's own video plays none.
    const group = (phase === 'connecting' || phase === 'connected') && (slot.parties?.length || 0) > 1;
    const switched = group !== this.groupMode;
    this.groupMode = group;
    setAttr(this.el, 'data-group', group ? String(slot.parties.length + 1) : null);
    this.parties.render(slot);
    if (switched && this.session === session) this.sound.attach(group ? null : session);
    this.attachSession(session);
    this.sound.tryAgain(); // the capture may have started since: sound if allowed now
    this.renderNet();
    this.safety.render(session, slot);

    setText(this.outcome, phase === 'idle' ? outcomeText(slot.outcome) : '');
    this.again.hidden = !(phase === 'idle' && this.actions.canCallAgain?.(this.anchorId));
    setAttr(this.el, 'data-peer-user', slot.peer && phase !== 'idle' && !group ? slot.peer.userId : null); // safety/peer-actions.js
    setText(this.peerLabel, slot.peer && phase !== 'idle' ? `${slot.peer.displayName} · ${slot.peer.anchorName}` : '');
    const live = phase === 'connecting' || phase === 'connected';
    this.renderPeerNote();
    setAttr(this.el, 'data-peer-audio', live && slot.peerMedia ? String(slot.peerMedia.audio) : null);
    setAttr(this.el, 'data-peer-video', live && slot.peerMedia ? String(slot.peerMedia.video) : null);
    this.remoteInitial.show(slot.peer?.displayName, live && !group && slot.peerMedia?.video === false);
    setText(this.placeholder, previewNote(phase, Boolean(media.videoTrack), cameraStarting(media), cameraBlocked(media)));
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
    setText(onlineBtn, online ? TILE.goOffline : TILE.goOnline);
    onlineBtn.classList.toggle('primary', !online);
    onlineBtn.disabled = busy;
    onlineBtn.title = busy ? TILE.busyTitle : online ? TILE.offlineTitle : TILE.onlineTitle;
    this.btn('hangup').hidden = !(phase === 'connecting' || phase === 'connected');
    this.btn('addSomeone').hidden = !(phase === 'connecting' || phase === 'connected');
    this.btn('pip').hidden = !(phase === 'connecting' || phase === 'connected') || !document.pictureInPictureEnabled;
    this.el.setAttribute('aria-label', `${anchor.name}: ${phaseText(slot, anchor)}`);

    if (this.sourceSelect.value !== media.sourceId) this.sourceSelect.value = media.sourceId;
    // a toggle's name says what it does ("Mute"); aria-pressed says it is done; the
    // tooltip what a press does now
    this.toggle('mic', media.micOn, ['mic', `${TILE.mute} (M)`], ['micOff', `${TILE.unmuteMic} (M)`], Boolean(media.audioTrack));
    this.toggle('cam', media.camOn, ['cam', `${TILE.stopCam} (V)`], ['camOff', `${TILE.startCam} (V)`], Boolean(media.videoTrack));
    const note = media.error || (media.sourceId === 'none' ? TILE.receiveOnly : '');
    setText(this.mediaError, note);
    this.mediaError.hidden = !note;
    this.mediaError.classList.toggle('is-note', !media.error);
    if (this.localStream !== media.stream) {
      this.localStream = media.stream;
      this.local.srcObject = media.stream;
    }
    this.local.hidden = !media.videoTrack;
    this.present.render(this.el, media, slot);
    this.selfView.setActive(phase !== 'idle' && Boolean(media.videoTrack), this.groupMode);
    this.selfView.cover(myName, media.videoTrack ? !media.camOn : phase === 'idle' && cameraBlocked(media));
  }

  // The network state of the live call: the tile's data-net, the status line and the
  // banner over the video. Also called on the session's 'net' events, between renders.
  renderNet() {
    const slot = this.slot;
    if (!slot) return null;
    const sigStatus = this.session?.signaling.status ?? 'connected';
    const net = tileNet(slot, this.session, sigStatus);
    setAttr(this.el, 'data-net', net);
    const text = net && netText(net, slot, this.session, sigStatus);
    setText(this.statusText, text || phaseText(slot, this.anchor));
    const banner = NET_BANNER[net] || '';
    setText(this.netBanner, banner);
    this.netBanner.hidden = !banner;
    this.netBanner.dataset.kind = net || '';
    const [pillText, pillKind] = this.anchor.status === 'offline' ? PILL.offline
      : (net === 'reconnecting' || net === 'failed' ? PILL[net] : PILL[slot.phase]);
    setText(this.pill, pillText);
    this.pill.dataset.kind = pillKind;
    return net;
  }

  // Over the remote video: what the peer turned off (call:peer-state) and what this side
  // sees of its video and the connection (signs.js). Also on the session's 'signs' events.
  renderPeerNote() {
    const slot = this.slot;
    const live = slot && (slot.phase === 'connecting' || slot.phase === 'connected');
    // the peer's camera by its word: just back on, its video needs a moment (signs.js)
    if (live) this.session?.health?.signsTracker.expectVideo(slot.peerMedia?.video !== false, performance.timeOrigin + performance.now());
    const signs = live && this.session ? verdict(this.session.health?.signs, slot.peerMedia) : { notSending: false, poor: null };
    signs.unstable = (live && this.session?.health?.signs?.unstable) || null; // our own sending (31.9)
    const note = live ? peerNoteText(slot.peerMedia, signs, slot.peer?.displayName) : '';
    setText(this.peerMedia, note);
    this.peerMedia.hidden = !note;
    setAttr(this.el, 'data-peer-sending-video', signs.notSending ? 'false' : null);
    setAttr(this.el, 'data-connection', signs.poor ? 'poor' : null);
    setAttr(this.el, 'data-poor-reason', signs.poor);
    setAttr(this.el, 'data-sending', signs.unstable ? 'unstable' : null);
    if (Boolean(signs.poor) !== (this.statsBar.dataset.quality === 'poor')) this.renderStats();
  }

  // The figures of the last second (session 'stats' events).
  renderStats() {
    const r = this.session?.stats;
    const live = Boolean(r) && this.session.everConnected && this.session.pc.connectionState !== 'closed';
    this.statsBar.hidden = !live;
    setAttr(this.el, 'data-quality', live ? r.quality : null);
    setAttr(this.el, 'data-path', live && r.path ? (r.path.relayed ? 'relayed' : 'direct') : null);
    if (!live) return;
    const d = describe(r);
    // the badge agrees with the "Poor connection" sign over the video (31.9)
    const shown = this.el.dataset.connection === 'poor' ? 'poor' : r.quality;
    this.statsBar.dataset.quality = shown;
    setText(this.qualityBadge, QUALITY_WORDS[shown]);
    setText(this.statItems.rtt, `RTT ${d.rtt}`);
    setText(this.statItems.in, `↓ ${d.in}`);
    setText(this.statItems.out, `↑ ${d.out}`);
    setText(this.statItems.loss, `${STAT_SHORT.loss} ${d.loss}`);
    setText(this.statItems.video, d.video);
    setText(this.statItems.path, STAT_SHORT[d.path] || d.path);
    this.statItems.path.title = d.pathDetail;
    this.statItems.path.dataset.path = d.path;
  }

  btn(action) {
    return this.el.querySelector(`button[data-action="${action}"]`);
  }

  toggle(action, on, [onIcon, onTitle], [offIcon, offTitle], available) {
    const button = this.btn(action);
    setIcon(button, on ? onIcon : offIcon);
    button.title = on ? onTitle : offTitle;
    button.setAttribute('aria-pressed', String(!on));
    button.classList.toggle('off', !on);
    button.disabled = !available;
  }

  // Show a call's remote stream, and time its first frame (setup time, for the debug
  // line and the e2e tests) with requestVideoFrameCallback.
  attachSession(session) {
    if (this.session === session) return;
    if (this.session) {
      this.session.removeEventListener('net', this.onNet);
      this.session.removeEventListener('stats', this.onStats);
      this.session.removeEventListener('safety', this.onSafety);
      this.session.removeEventListener('signs', this.onSigns);
    }
    this.session = session;
    this.onNet = this.onNet || (() => this.renderNet());
    this.onStats = this.onStats || (() => { this.renderStats(); this.safety.render(this.session, this.slot); });
    this.onSafety = this.onSafety || (() => this.safety.render(this.session, this.slot));
    this.onSigns = this.onSigns || (() => this.renderPeerNote());
    this.renderStats();
    if (session) {
      session.addEventListener('net', this.onNet);
      session.addEventListener('stats', this.onStats);
      session.addEventListener('safety', this.onSafety);
      session.addEventListener('signs', this.onSigns);
    }
    this.sound.attach(this.groupMode ? null : session); // with sound if allowed, else muted and a prompt
    if (!session) return;
    if ('requestVideoFrameCallback' in this.remote) {
      this.remote.requestVideoFrameCallback((now, meta) => {
        if (this.session !== session) return;
        session.firstFrameAt = performance.timeOrigin + now;
        session.firstFrameSize = [meta.width, meta.height];
      });
    }
  }
}
