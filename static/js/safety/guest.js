// Guests and accounts told apart (issue 35): a small label after a person's name in the
// lobby (views/lobby.js), on the ring and the call tile (peer-actions.js) and in the chat's
// header (chat/block-report.js): "guest" (anyone could have picked that name), or
// "✓ account" (signed in: the name is the account's). Whether a person is an
// account is the server's word: `account` on every lobby user (docs/protocol.md,
// lobby:snapshot) and on a conversation's peer (chat:history `with`). A person the server
// said nothing about (`account` absent or null) gets no label: no guess.
import { t } from '../i18n.js';

// The lobby's word while the person is in it (fresh: a guest who registers is an account
// as soon as their tabs are back), else `peer`'s: the chat's record of the person
// (chat:history `with`), which holds for someone offline too.
export function accountKind(userId, lobbyUsers, peer) {
  if (!userId) return null;
  const told = [lobbyUsers?.[userId]?.account, peer?.account].find((v) => typeof v === 'boolean');
  return told === undefined ? null : told ? 'account' : 'guest';
}

export const isGuest = (userId, lobbyUsers, peer) => accountKind(userId, lobbyUsers, peer) === 'guest';

// The label: the short word shown, and for a screen reader the same word said in full
// (the visible word alone would be read run into the name).
export function guestMark(doc = document) {
  const el = doc.createElement('span');
  el.className = 'guest-tag';
  el.title = t('safety.guestTitle');
  const word = doc.createElement('span');
  word.setAttribute('aria-hidden', 'true');
  word.textContent = t('safety.guest');
  const said = doc.createElement('span');
  said.className = 'sr-only';
  said.textContent = t('safety.guestSaid');
  el.append(word, said);
  el.hidden = true;
  return el;
}

// kind: 'guest', 'account', or null (nothing said: hidden). `true` is 'guest'.
export function showGuest(el, kind) {
  if (!el) return;
  const shown = kind === true ? 'guest' : kind || null;
  const was = el.dataset ? el.dataset.kind || null : undefined;
  if (el.dataset && was !== shown) {
    if (shown) el.dataset.kind = shown; else delete el.dataset.kind;
  }
  if (shown && was !== shown && el.children?.length === 2) { // words only when they change
    const [word, said] = el.children;
    word.textContent = shown === 'guest' ? t('safety.guest') : t('safety.account');
    said.textContent = shown === 'guest' ? t('safety.guestSaid') : t('safety.accountSaid');
    el.title = shown === 'guest' ? t('safety.guestTitle') : t('safety.accountTitle');
  }
  if (el.hidden === Boolean(shown)) el.hidden = !shown;
}
