// One chat message as the panel shows it (a text bubble with its status, or a call
// event), and the times and previews the conversation list and the thread show:
// chat/view.js renders a panel of these.
import { h } from '../views/dom.js';
import { CALL_WORDS, CHAT, STATUS_WORDS } from '../views/words.js';
import { fileSentText } from '../views/file-words.js';
import { formatDate, formatTime, lang, t } from '../i18n.js';

const time = (ts) => formatTime(ts);

export function day(ts) {
  const d = new Date(ts);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return CHAT.today;
  if (d.toDateString() === yesterday.toDateString()) return CHAT.yesterday;
  return formatDate(ts, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
}

export function shortTime(ts) {
  const d = new Date(ts);
  return d.toDateString() === new Date().toDateString() ? time(ts) : formatDate(ts, { month: 'short', day: 'numeric' });
}

function duration(ms) {
  const s = Math.round(ms / 1000);
  const [hh, mm, ss] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}` : `${mm}:${String(ss).padStart(2, '0')}`;
}

// A group call's events (issue 26) name who joined or left.
const GROUP_EVENTS = { 'call-joined': ['callLog.joined', 'callLog.youJoined'],
  'call-left': ['callLog.left', 'callLog.youLeft'] };
const eventWords = (m, meId) => {
  if (m.kind === 'file-sent') return fileSentText(m, m.from === meId);
  return GROUP_EVENTS[m.kind]
    ? t(GROUP_EVENTS[m.kind][m.from === meId ? 1 : 0], { name: m.fromName })
    : CALL_WORDS[m.kind] || m.kind;
};

export function preview(m, meId) {
  if (!m) return '';
  if (m.kind !== 'text') return eventWords(m, meId);
  const text = m.text.replace(/\s+/g, ' ');
  return (m.from === meId ? CHAT.youPrefix : '') + (text.length > 60 ? text.slice(0, 59) + '…' : text);
}

export function messageRow(m, first, meId) {
  const mine = m.from === meId;
  if (m.kind !== 'text') {
    const words = eventWords(m, meId);
    const extra = m.kind === 'call-ended' && m.call?.durationMs != null ? ` · ${duration(m.call.durationMs)}` : '';
    return h('div', { class: `chat-event ${m.kind}`, dataset: { id: m.id } },
      h('span', {}, `${m.kind === 'file-sent' ? '📎' : '📞'} ${words}${extra}`), ' ', h('time', { datetime: new Date(m.ts).toISOString() }, time(m.ts)));
  }
  const body = h('div', { class: 'chat-body' });
  if (m.html !== null) body.innerHTML = m.html;   // sanitised by the server (nh3 allowlist)
  else body.textContent = m.text;                 // pending: not rendered yet
  const [icon, words] = STATUS_WORDS[m.status] || ['', ''];
  const row = h('div', {
    class: `chat-msg ${mine ? 'mine' : 'theirs'} ${m.status}${first ? ' first' : ''}`,
    dataset: { id: m.id || '', clientMsgId: m.clientMsgId, status: m.status },
  },
  first ? h('div', { class: 'chat-sender' }, mine ? CHAT.you : m.fromName) : null,
  h('div', { class: 'chat-bubble' }, body,
    h('div', { class: 'chat-meta' },
      h('time', { datetime: new Date(m.ts).toISOString(), title: new Date(m.ts).toLocaleString(lang) }, time(m.ts)),
      mine ? h('span', { class: 'chat-status', title: words, 'aria-label': words }, icon) : null)));
  if (m.status === 'failed') {
    row.append(h('div', { class: 'chat-failed', role: 'alert' }, CHAT.notSent(m.error?.message),
      h('button', { type: 'button', dataset: { action: 'retry', id: m.clientMsgId } }, CHAT.retry), ' ',
      h('button', { type: 'button', dataset: { action: 'discard', id: m.clientMsgId } }, CHAT.discard)));
  }
  return row;
}
