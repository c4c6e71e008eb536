// Report a person (issue 35) from the lobby, the call tile, the ring or the chat: a small
// dialog asks what happened and whether to attach the last messages of our conversation
// (unticked by default), then sends safety:report. Resolves true when it was received,
// false when cancelled; throws the server's refusal.
import { CHAT_HISTORY, SAFETY_REPORT } from '../protocol.js';
import { t } from '../i18n.js';
import { ATTACH_MAX, REASON_MAX, reportPayload } from './report-payload.js';

function ask() {
  const dialog = document.createElement('dialog');
  dialog.className = 'report-dialog';
  const form = document.createElement('form');
  form.method = 'dialog';
  const label = document.createElement('label');
  const reason = document.createElement('textarea');
  reason.maxLength = REASON_MAX;
  reason.name = 'reason';
  label.append(t('safety.reportAsk'), document.createElement('br'), reason);
  const attachLabel = document.createElement('label');
  const attach = document.createElement('input');
  attach.type = 'checkbox';
  attach.name = 'attach';
  attachLabel.append(attach, ' ', t('safety.reportAttach'));
  const send = document.createElement('button');
  send.value = 'send';
  send.className = 'button';
  send.textContent = t('safety.report');
  const cancel = document.createElement('button');
  cancel.value = 'cancel';
  cancel.className = 'button';
  cancel.textContent = t('safety.reportCancel');
  const p = (...kids) => { const el = document.createElement('p'); el.append(...kids); return el; };
  form.append(p(label), p(attachLabel), p(send, ' ', cancel));
  dialog.append(form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'send' ? { reason: reason.value, attach: attach.checked } : null);
    });
    dialog.showModal();
    reason.focus();
  });
}

export async function reportPerson(signaling, userId) {
  const answer = await ask();
  if (!answer) return false;
  const page = answer.attach
    ? await signaling.request(CHAT_HISTORY, { with: userId, limit: ATTACH_MAX }).catch(() => null)
    : null;
  await signaling.request(SAFETY_REPORT, reportPayload(userId, answer.reason, answer.attach, page));
  return true;
}
