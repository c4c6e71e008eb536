// The page's small status surfaces: the connection/transport indicator, the
// "what to do next" prompt, the display-name field, and the debug line.
import { freeAnchor, ownAnchors, slotOf } from '../store.js';
import { setText } from './dom.js';
import { CONNECTION, NEXT_STEP, TILE, connectionVia } from './words.js';

export class StatusView {
  constructor({ signaling, onRename, cameraWaits = () => false }) {
    this.signaling = signaling;
    this.cameraWaits = cameraWaits; // Call waits for the camera banner's answer (camera-gate.js)
    this.conn = document.querySelector('#conn');
    this.prompt = document.querySelector('#prompt');
    this.debug = document.querySelector('#debug');
    this.nameForm = document.querySelector('#me-name-form');
    this.nameInput = document.querySelector('#me-name');
    this.nameNote = document.querySelector('#me-name-note');
    this.lastEvent = '';
    // The debug line is for developers: only with ?debug=1 in the address.
    this.debug.hidden = !new URLSearchParams(location.search).has('debug');
    this.nameForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      setText(this.nameNote, TILE.saving);
      try {
        await onRename(this.nameInput.value);
        setText(this.nameNote, TILE.saved);
      } catch (err) {
        setText(this.nameNote, err.message);
      }
    });
  }

  noteEvent(name) {
    this.lastEvent = name;
  }

  render(state) {
    const sig = this.signaling;
    this.conn.dataset.status = sig.status;
    // After a first connection, "connecting" is a reconnect (server restart, network loss).
    const word = sig.status === 'connecting' && sig.everConnected ? CONNECTION.reconnecting : CONNECTION[sig.status] || sig.status;
    setText(this.conn, `${word}${sig.status === 'connected' ? ` · ${sig.transport}` : ''}`);
    this.conn.title = sig.reason || connectionVia(sig.transport || '…');
    // Write the field only when the server's name changes, never because of an
    // unrelated re-render: that would undo what the user is typing.
    const user = state.me?.user;
    if (user && user.displayName !== this.shownName) {
      this.shownName = user.displayName;
      this.nameInput.value = user.displayName;
    }
    const [kind, text] = this.nextStep(state);
    this.prompt.dataset.kind = kind;
    setText(this.prompt, text);
    const anchors = ownAnchors(state);
    if (this.debug.hidden) return;
    const calls = anchors.filter((a) => slotOf(state, a.id).callId).length;
    setText(this.debug, [
      `client ${state.me?.clientId || '–'}`, `socket ${sig.status}/${sig.transport || '–'}`,
      `${state.lobby.online ?? Object.keys(state.lobby.users).length} users online (${Object.keys(state.lobby.users).length} in view)`, `${anchors.length} slots`, `${calls} calls`,
      `last event ${this.lastEvent || '–'}`,
    ].join(' · '));
  }

  // One clear next step, most urgent first.
  nextStep(state) {
    const sig = this.signaling;
    if (sig.status === 'refused') return ['error', NEXT_STEP.refused(sig.reason)];
    if (sig.status !== 'connected' || !state.me) {
      const inCall = ownAnchors(state).some((a) => slotOf(state, a.id).callId);
      if (sig.everConnected && inCall) {
        return ['wait', NEXT_STEP.lostInCall];
      }
      return ['wait', sig.everConnected ? NEXT_STEP.lost : NEXT_STEP.connecting];
    }
    const anchors = ownAnchors(state);
    const slots = anchors.map((a) => [a, slotOf(state, a.id)]);
    const ringing = slots.find(([, s]) => s.phase === 'ringing-in');
    if (ringing) return ['ring', NEXT_STEP.ringing(ringing[1].peer.displayName, ringing[0].name)];
    const out = slots.find(([, s]) => s.phase === 'ringing-out');
    if (out) return ['wait', NEXT_STEP.ringingOut(out[1].peer?.displayName)];
    const live = slots.filter(([, s]) => s.phase === 'connecting' || s.phase === 'connected');
    if (live.length) {
      const names = live.map(([, s]) => s.peer?.displayName).join(' and ');
      return ['live', NEXT_STEP.live(names)];
    }
    if (!anchors.length) return ['todo', NEXT_STEP.noSlots];
    if (!anchors.some((a) => a.status !== 'offline')) return ['todo', NEXT_STEP.allOffline];
    const others = Object.keys(state.lobby.users).filter((id) => id !== state.me.user.id);
    // A complete view with no search is the whole lobby; otherwise the server's count says.
    const { complete = true, query = '', online = 0 } = state.lobby;
    const alone = complete && !query ? !others.length : !query && online <= 1;
    if (alone) {
      return ['wait', NEXT_STEP.alone(location.href.split('?')[0])];
    }
    if (!freeAnchor(state)) return ['todo', NEXT_STEP.allBusy];
    if (this.cameraWaits()) return ['todo', NEXT_STEP.cameraFirst]; // the banner above is the red one
    return ['todo', NEXT_STEP.pick];
  }
}
