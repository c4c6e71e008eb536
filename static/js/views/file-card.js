// One transfer's card (issue 29): the offer (Accept / Decline), the progress (bytes,
// rate, time left, Cancel) and the result (Save, or why not). Rebuilt when the state
// changes, only its figures updated otherwise, so a button keeps focus while bytes flow.
import { h, setText } from './dom.js';
import { progressOf } from '../files/chunking.js';
import { FILES, progressText, saveText, transferText } from './file-words.js';

const MOVING = new Set(['sending', 'receiving', 'verifying']);

export function makeCard(x) {
  return h('li', { class: 'file-card', dataset: { key: `${x.key} ${x.id}` } });
}

export function updateCard(el, x, { name, onAccept, onDecline, onCancel, onDismiss }) {
  const text = transferText(x, name);
  if (el.dataset.state !== x.state || el.dataset.text !== text) {
    el.dataset.state = x.state;
    el.dataset.dir = x.dir;
    el.dataset.text = text;
    el.replaceChildren(...build(x, text, { onAccept, onDecline, onCancel, onDismiss }));
  }
  const bar = el.querySelector('progress');
  if (bar) {
    const p = progressOf(x.done, x.size, x.meter.rate);
    bar.value = p.percent;
    setText(el.querySelector('.file-figures'), progressText(p.done, p.size, p.rate, p.left));
  }
}

function build(x, text, { onAccept, onDecline, onCancel, onDismiss }) {
  const line = h('p', { class: 'file-text', role: x.state === 'failed' ? 'alert' : null }, text);
  const parts = [line];
  if (x.state === 'offered' && x.dir === 'in') {
    parts.push(h('div', { class: 'file-actions' },
      h('button', { type: 'button', class: 'button small primary', dataset: { action: 'accept' }, onclick: onAccept }, FILES.accept),
      h('button', { type: 'button', class: 'button small', dataset: { action: 'decline' }, onclick: onDecline }, FILES.decline)));
  }
  if (MOVING.has(x.state)) {
    parts.push(h('progress', { max: 100, value: 0, 'aria-label': text }),
      h('p', { class: 'file-figures muted', 'aria-live': 'off' }, ''));
  }
  if (MOVING.has(x.state) || ['queued', 'asking', 'opening'].includes(x.state) || (x.state === 'offered' && x.dir === 'out')) {
    parts.push(h('div', { class: 'file-actions' },
      h('button', { type: 'button', class: 'button small', dataset: { action: 'cancel' }, onclick: onCancel }, FILES.cancel)));
  }
  if (x.state === 'done' && x.result?.url) {
    parts.push(h('div', { class: 'file-actions' },
      h('a', { class: 'button small primary', href: x.result.url, download: x.name, dataset: { action: 'save' } }, saveText(x))));
  }
  if (!MOVING.has(x.state) && !['queued', 'asking', 'offered', 'opening'].includes(x.state)) {
    parts.push(h('button', { type: 'button', class: 'link-button file-dismiss', dataset: { action: 'dismiss' }, 'aria-label': `${FILES.dismiss}: ${x.name}`, onclick: onDismiss }, '×'));
  }
  return parts;
}
