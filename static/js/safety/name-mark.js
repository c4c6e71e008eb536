// The lookalike mark beside Block and Report on the ring, the tile and the chat (issue 35):
// "#TAG" when someone else online has a name that reads or looks the same, as the lobby
// marks it (views/lobby.js). `lobbyStore`: the page's static/js/store.js.
import { t } from '../i18n.js';
import { nameKeys } from '../views/lobby.js';
import { lookalikeTag } from './lookalike.js';

export function nameMark() {
  const el = document.createElement('span');
  el.className = 'name-tag lookalike-tag';
  el.title = t('lobby.sameName');
  el.hidden = true;
  return el;
}

export function showMark(el, lobbyStore, userId) {
  const tag = userId ? lookalikeTag(lobbyStore.getState().lobby?.users, userId, nameKeys) : null;
  const text = tag ? `#${tag}` : '';
  if (el.textContent !== text) el.textContent = text;
  el.hidden = !tag;
}
