// The page's small status surfaces: the connection/transport indicator, the
// "what to do next" prompt, the display-name field, and the debug line.
import { freeAnchor, ownAnchors, slotOf } from '../store.js';
import { setText } from './dom.js';

const CONNECTION = {
  connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected — reconnecting', refused: 'Refused',
};

export class StatusView {
  constructor({ signaling, onRename }) {
    this.signaling = signaling;
    this.conn = document.querySelector('#conn');
    this.prompt = document.querySelector('#prompt');
    this.debug = document.querySelector('#debug');
    this.nameForm = document.querySelector('#me-name-form');
    this.nameInput = document.querySelector('#me-name');
    this.nameNote = document.querySelector('#me-name-note');
    this.lastEvent = '';
    this.nameForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      setText(this.nameNote, 'Saving…');
      try {
        await onRename(this.nameInput.value);
        setText(this.nameNote, 'Saved');
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
    const word = sig.status === 'connecting' && sig.everConnected ? 'Reconnecting…' : CONNECTION[sig.status] || sig.status;
    setText(this.conn, `${word}${sig.status === 'connected' ? ` · ${sig.transport}` : ''}`);
    this.conn.title = sig.reason || `Socket.IO over ${sig.transport || '…'}`;
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
    if (sig.status === 'refused') return ['error', `The server refused the connection: ${sig.reason}`];
    if (sig.status !== 'connected' || !state.me) {
      const inCall = ownAnchors(state).some((a) => slotOf(state, a.id).callId);
      if (sig.everConnected && inCall) {
        return ['wait', 'Connection to the server lost — reconnecting. Your calls go on meanwhile (their media is direct).'];
      }
      return ['wait', sig.everConnected ? 'Connection to the server lost — reconnecting…' : 'Connecting to the server…'];
    }
    const anchors = ownAnchors(state);
    const slots = anchors.map((a) => [a, slotOf(state, a.id)]);
    const ringing = slots.find(([, s]) => s.phase === 'ringing-in');
    if (ringing) return ['ring', `${ringing[1].peer.displayName} is calling your “${ringing[0].name}”: press Accept or Decline.`];
    const out = slots.find(([, s]) => s.phase === 'ringing-out');
    if (out) return ['wait', `Ringing ${out[1].peer?.displayName || '…'} — waiting for them to answer. Cancel to stop.`];
    const live = slots.filter(([, s]) => s.phase === 'connecting' || s.phase === 'connected');
    if (live.length) {
      const names = live.map(([, s]) => s.peer?.displayName).join(' and ');
      return ['live', `In a call with ${names}. Use the slot's buttons to mute, switch what you send, or hang up.`];
    }
    if (!anchors.length) return ['todo', 'Add a call slot to make or receive calls.'];
    if (!anchors.some((a) => a.status !== 'offline')) return ['todo', 'Press “Go online” on a slot so others can call you.'];
    const others = Object.keys(state.lobby.users).filter((id) => id !== state.me.user.id);
    // A complete view with no search is the whole lobby; otherwise the server's count says.
    const { complete = true, query = '', online = 0 } = state.lobby;
    const alone = complete && !query ? !others.length : !query && online <= 1;
    if (alone) {
      return ['wait', `You are online. Nobody else is here yet: open ${location.href.split('?')[0]} in another browser or send it to someone.`];
    }
    if (!freeAnchor(state)) return ['todo', 'All your slots are busy or offline. Add a slot to take another call.'];
    return ['todo', 'Pick someone in the lobby and press Call — or wait for them to call you.'];
  }
}
