// The words of file transfers (issue 29), from the page language's catalog
// (static/i18n/<lang>.json, keys files.*). Pure: a transfer in, a sentence out.
import { t } from '../i18n.js';
import { MEMORY_LIMIT, formatBytes, formatDuration } from '../files/chunking.js';

export const FILES = {
  title: t('files.title'), send: t('files.send'), drop: t('files.drop'), to: t('files.to'),
  everyone: t('files.everyone'), accept: t('files.accept'), decline: t('files.decline'),
  cancel: t('files.cancel'), dismiss: t('files.dismiss'),
  memoryNote: t('files.memoryNote', { limit: formatBytes(MEMORY_LIMIT) }),
  streamNote: t('files.streamNote'),
};

// What the card says about transfer `x`; `name` is the peer's (or who left: x.peerName).
export function transferText(x, name) {
  const vars = { name: x.peerName || name, file: x.name, size: formatBytes(x.size), limit: formatBytes(x.reason === 'tooLarge' ? x.maxBytes ?? 0 : MEMORY_LIMIT), reason: x.detail || '' };
  switch (x.state) {
    case 'queued': case 'asking': return t('files.queued', vars);
    case 'offered': case 'opening': return t(x.dir === 'in' ? 'files.offerIn' : 'files.offered', vars);
    case 'sending': return t('files.sending', vars);
    case 'receiving': return t('files.receiving', vars);
    case 'verifying': return t('files.verifying', vars);
    case 'done':
      if (x.dir === 'out') return t('files.doneOut', vars);
      return t(x.streamed ? 'files.doneInDisk' : 'files.doneIn', vars);
    case 'declined':
      return t({ byPeer: 'files.declinedByPeer', tooLarge: 'files.tooLarge', tooLargeForMemory: 'files.tooLargeForMemory' }[x.reason] || 'files.declinedByYou', vars);
    case 'cancelled': return t(x.reason === 'byPeer' ? 'files.cancelledByPeer' : 'files.cancelledByYou', vars);
    default:
      return t({ callEnded: 'files.callEnded', partyLeft: 'files.partyLeft', mismatch: 'files.mismatch', refused: 'files.refused' }[x.reason] || 'files.error', vars);
  }
}

export function progressText(done, size, rate, left) {
  return t('files.progress', { done: formatBytes(done), size: formatBytes(size), rate: formatBytes(rate), left: formatDuration(left) });
}

export const saveText = (x) => t('files.save', { file: x.name });

// The chat's line for a `file-sent` entry (chat/message.js).
export function fileSentText(m, mine) {
  const vars = { name: m.fromName || '', file: m.call?.name || '', size: formatBytes(m.call?.size ?? 0) };
  return t(mine ? 'files.chatSentByYou' : 'files.chatSentToYou', vars);
}
