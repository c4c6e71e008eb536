// The call screen's file panel (issue 29): "Send file" (a file input) and a drop zone,
// whom to send to when the call has several people (one, or everyone), the note on
// where received files go, and one card per transfer (file-card.js). Shown while this
// page is in a call. mountFiles() is the call page's one line; window.tlcFiles is the
// read-only handle the e2e tests read (as offline.js's window.tlcOffline): null until
// the transfers are loaded.
//
// The transfers themselves (files/transfers.js and what it imports, file-card.js) load
// on demand (issue 33.2): when files are picked or dropped here, or when a peer's file
// channel first says something (an offer). Until then this panel keeps what a channel
// says, and hands it over in order once they are loaded (e2e/test_files.py).
import { h, keyed, setText } from './dom.js';
import { canStream } from '../files/sink.js';
import { FILES } from './file-words.js';
import { partyName } from '../group-slot.js';

export function mountFiles({ signaling, calls, store, root = document.querySelector('#files-panel') }) {
  if (!root) return null;
  let transfers = null; // files/transfers.js's Transfers, once loaded
  let cards = null;     // file-card.js
  let loading = null;
  const heard = [];     // [session, channel, data]: what file channels said before that
  const listening = []; // [channel, listener] of each channel watched until then
  const load = () => {
    loading ||= Promise.all([import(/* on demand */ '../files/transfers.js'), import(/* on demand */ './file-card.js')])
      .then(([{ Transfers }, card]) => {
        cards = card;
        // In one task: Transfers listens to each channel from now on, and what they said
        // before goes to it first, in order.
        transfers = new Transfers({ signaling, calls, store });
        for (const [channel, listener] of listening.splice(0)) channel.removeEventListener('message', listener);
        for (const [session, channel, data] of heard.splice(0)) transfers.onMessage(session, channel, data);
        transfers.addEventListener('change', safely(render));
        window.tlcFiles = transfers;
        render();
        return transfers;
      })
      .catch((err) => { console.warn('file transfers not loaded', err); loading = null; return null; });
    return loading;
  };
  const watched = new WeakSet();
  const watch = () => { // each file channel until then: its first message loads them
    if (transfers) return;
    for (const session of calls.sessions) {
      const channel = session.fileChannel;
      if (!channel || session.closed || watched.has(channel)) continue;
      watched.add(channel);
      const listener = (e) => { heard.push([session, channel, e.data]); load(); };
      channel.addEventListener('message', listener);
      listening.push([channel, listener]);
    }
  };
  const input = h('input', { id: 'file-input', type: 'file', multiple: true, class: 'sr-only', tabindex: -1, 'aria-hidden': 'true' });
  const target = h('select', { id: 'file-target' });
  const targetLabel = h('label', { class: 'file-target', hidden: true }, `${FILES.to} `, target);
  const list = h('ul', { class: 'file-list', 'aria-live': 'polite' });
  root.replaceChildren(
    h('h2', { id: 'files-title' }, FILES.title),
    h('div', { class: 'file-drop', dataset: { drop: '' } },
      h('button', { type: 'button', id: 'file-send', class: 'button small', onclick: () => input.click() }, FILES.send),
      ' ', h('span', { class: 'muted' }, FILES.drop), input, targetLabel),
    h('p', { class: 'hint muted file-note' }),
    list);
  root.setAttribute('aria-labelledby', 'files-title');

  const live = () => [...calls.sessions].filter((s) => !s.closed && s.fileChannel && s.peerAnchorId);
  const peerName = (callId, peerAnchorId) => {
    const state = store.getState();
    const slot = Object.values(state.calls).find((c) => c.callId === callId);
    const anchor = state.lobby?.anchors?.[peerAnchorId];
    const client = anchor && state.lobby.clients?.[anchor.clientId];
    return partyName(slot, peerAnchorId) || (client && state.lobby.users?.[client.userId]?.displayName) || '…';
  };
  const chosen = () => {
    const sessions = live();
    if (target.value === '*') return sessions;
    const one = sessions.find((s) => `${s.callId} ${s.peerAnchorId}` === target.value) || sessions[0];
    return one ? [one] : [];
  };
  const sendFiles = (files) => {
    const to = chosen();
    if (files.length && to.length) load().then((loaded) => loaded?.send(files, to));
  };
  input.addEventListener('change', () => { sendFiles([...input.files]); input.value = ''; });
  root.addEventListener('dragover', (e) => { if (live().length) { e.preventDefault(); root.classList.add('dragging'); } });
  root.addEventListener('dragleave', () => root.classList.remove('dragging'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('dragging');
    sendFiles(e.dataTransfer?.files || []);
  });

  const render = () => {
    const sessions = live();
    const all = transfers?.list || [];
    root.hidden = !sessions.length && !all.length;
    const options = sessions.map((s) => [`${s.callId} ${s.peerAnchorId}`, peerName(s.callId, s.peerAnchorId)]);
    if (options.length > 1) options.push(['*', FILES.everyone]);
    const wanted = options.map(([v, label]) => `${v}=${label}`).join('|');
    if (target.dataset.options !== wanted) {
      const keep = target.value;
      target.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
      if (options.some(([v]) => v === keep)) target.value = keep;
      target.dataset.options = wanted;
    }
    targetLabel.hidden = options.length < 2;
    root.querySelector('#file-send').disabled = !sessions.length;
    if (cards) keyed(list, all, (x) => `${x.key} ${x.id}`, cards.makeCard, (el, x) => cards.updateCard(el, x, {
      name: peerName(x.callId, x.peerAnchorId),
      onAccept: () => transfers.accept(x), onDecline: () => transfers.decline(x),
      onCancel: () => transfers.cancel(x), onDismiss: () => transfers.dismiss(x),
    }));
    // Where received files go: said each time, the browser may lose the API (a policy).
    setText(root.querySelector('.file-note'), canStream() ? FILES.streamNote : FILES.memoryNote);
  };
  // The store calls its listeners in turn: one that threw would keep the call page's own
  // render from running. This panel's never does.
  const safely = (fn) => () => { try { fn(); } catch (err) { console.warn('file panel', err); } };
  store.subscribe(safely(() => { watch(); render(); }));
  watch();
  render();
  window.tlcFiles = null;
}
