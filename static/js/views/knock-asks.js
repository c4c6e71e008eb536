// "<name> asks to join" with Admit and Deny (issue 27, reach/knock.js), one card per open
// knock, for every party of the call. Each new card is announced (role="alert"); the
// knocker's lookalike mark is shown as the ring shows it (safety/name-mark.js). A card
// goes when its knock ends (`knock:ended`): answered here or by another party, timed out.
// KnockWaiting: the knocker's own "Asking to join…" with its Cancel, while the knock is open.
import { t } from '../i18n.js';
import { nameMark, showMark } from '../safety/name-mark.js';

const PLACE = 'position:fixed;top:1rem;inset-inline:0;margin-inline:auto;max-width:28rem;z-index:50;'
  + 'display:flex;flex-direction:column;gap:.5rem';

export class KnockAsks {
  constructor(after, { store, answer }) {
    this.store = store;
    this.answer = answer;
    this.root = document.createElement('section');
    this.root.id = 'knock-asks';
    this.root.className = 'knock-asks';
    this.root.setAttribute('aria-label', t('reach.knockAsksLabel'));
    this.root.style.cssText = PLACE;
    (after?.parentNode ? after.after(this.root) : document.body.prepend(this.root));
    this.cards = new Map(); // knockId → element
  }

  add(e) {
    if (!e || typeof e.knockId !== 'string' || this.cards.has(e.knockId)) return;
    const card = document.createElement('div');
    card.className = 'card knock-ask';
    card.dataset.knockId = e.knockId;
    card.setAttribute('role', 'alert');
    const text = document.createElement('p');
    text.className = 'knock-text';
    text.textContent = t('reach.knockAsks', { name: e.from?.displayName || '?' });
    const mark = nameMark();
    showMark(mark, this.store, e.from?.userId);
    text.append(' ', mark);
    const admit = this.button('knock-admit button primary small', t('reach.knockAdmit'), e.knockId, true);
    const deny = this.button('knock-deny button small', t('reach.knockDeny'), e.knockId, false);
    card.append(text, admit, deny);
    this.root.append(card);
    this.cards.set(e.knockId, card);
  }

  button(className, label, knockId, admit) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = label;
    b.addEventListener('click', () => {
      for (const other of this.cards.get(knockId)?.querySelectorAll('button') || []) other.disabled = true;
      this.answer(knockId, admit);
    });
    return b;
  }

  end(e) {
    const card = this.cards.get(e?.knockId);
    if (!card) return;
    this.cards.delete(e.knockId);
    card.remove();
  }
}

// The knocker's "Asking to join…" card with a Cancel button (`onCancel`: reach/knock.js
// sends `knock:cancel`); it stays while the knock is open (the notice line fades).
export class KnockWaiting {
  constructor(after) {
    this.onCancel = null;
    this.root = document.createElement('section');
    this.root.id = 'knock-waiting';
    this.root.className = 'card knock-waiting';
    this.root.setAttribute('role', 'status');
    this.root.style.cssText = PLACE;
    this.root.hidden = true;
    const text = document.createElement('p');
    text.textContent = t('reach.knockAsking');
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.id = 'knock-cancel';
    this.button.className = 'button small';
    this.button.textContent = t('reach.knockCancel');
    this.button.addEventListener('click', () => { this.button.disabled = true; this.onCancel?.(); });
    this.root.append(text, this.button);
    (after?.parentNode ? after.after(this.root) : document.body.prepend(this.root));
  }

  show() { this.button.disabled = false; this.root.hidden = false; }

  hide() { this.root.hidden = true; }
}
