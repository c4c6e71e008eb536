// The sentences of group calls (issue 26), beside words.js (which holds every other
// sentence of the call page and is long already). Pure: state in, words out; the words
// are the page language's catalog (static/i18n/<lang>.json, keys "group.*").
import { t } from '../i18n.js';

const list = (names) => names.filter(Boolean).join(', ');

// How a ring into a call ended, or why it was refused (group-slot.js roster kinds).
const ENDED = {
  joined: 'group.joined', left: 'group.left', 'peer-left': 'group.peerLeft', declined: 'group.declined',
  cancelled: 'group.cancelled', missed: 'group.missed', busy: 'group.busy', unavailable: 'group.unavailable',
  'call-full': 'group.full', unsupported: 'group.unsupported',
};

export const GROUP = {
  gridLabel: t('group.gridLabel'),
  you: t('group.you'), // the self-view's cell of the grid (party-grid.js)
  rosterLabel: t('group.rosterLabel'),
  video: (name) => t('group.video', { name }),
  pin: (name) => t('group.pin', { name }),
  unpin: (name) => t('group.unpin', { name }),
  ringing: (name) => t('group.ringing', { name }),
  rosterText: ({ kind, name }) => t(ENDED[kind] || 'group.refused', { name, reason: kind }),
  // the lobby (views/lobby.js)
  addToCall: t('group.addToCall'),
  addToCallTitle: (name) => t('group.addToCallTitle', { name }),
  select: (name) => t('group.select', { name }),
  callSelected: (count) => t('group.callSelected', { count: String(count) }),
  callSelectedTitle: t('group.callSelectedTitle'),
  // the call screen's "Add someone" (anchor-tile.js): points at the lobby
  addSomeone: t('group.addSomeone'),
  addSomeoneTitle: t('group.addSomeoneTitle'),
  // a ring into a call, and a slot ringing several (phaseText's group forms)
  ringIn: (name, names) => t('group.ringIn', { name, names: list(names) }),
  ringingMany: (names) => t('group.ringingMany', { names: list(names) }),
  inCallWith: (names) => t('group.inCallWith', { names: list(names) }),
};

// The tile's state line for a slot of a group call or ring, or null (words.js phaseText).
export function groupPhaseText(slot) {
  if (slot.phase === 'ringing-in' && slot.ringCall?.parties?.length > 1) {
    return GROUP.ringIn(slot.peer?.displayName, slot.ringCall.parties.map((x) => x.displayName));
  }
  if (slot.phase === 'ringing-out' && (slot.adding || []).length > 1) {
    return GROUP.ringingMany(slot.adding.map((a) => a.peer.displayName));
  }
  if (slot.phase === 'connected' && (slot.parties || []).length > 1) {
    return GROUP.inCallWith(slot.parties.map((x) => x.peer.displayName));
  }
  return null;
}
