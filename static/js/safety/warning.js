// An operator's warning (issue 35): `safety:warned {reason, at}` comes to every open tab of
// the warned person; this shows it above the page, as the server's own page does at each
// load until it is dismissed (templates/_safety_warning.html). "Dismiss" tells the server
// over the socket (`safety:dismiss-warning`), so later pages no longer show it; without
// the socket the server's form does the same. Either way every open tab of the person is
// told (`safety:warning-dismissed`) and takes it off its screen.
import { t } from '../i18n.js';
import { SAFETY_DISMISS_WARNING, SAFETY_WARNED, SAFETY_WARNING_DISMISSED } from '../protocol.js';

export function warningText({ reason } = {}) {
  const said = reason ? t('safety.warned', { reason }) : t('safety.warnedPlain');
  return `${said} ${t('safety.warnedMore')}`;
}

// The box as the server's page has it: .flashes > .flash.error[role=alert] > p + form.
function build(doc) {
  const box = doc.createElement('div');
  box.className = 'flashes';
  box.id = 'safety-warning';
  const inner = doc.createElement('div');
  inner.className = 'flash error safety-warning';
  inner.setAttribute('role', 'alert');
  const text = doc.createElement('p');
  text.dataset.warningText = '';
  const form = doc.createElement('form');
  const button = doc.createElement('button');
  button.className = 'button small';
  button.type = 'submit';
  button.textContent = t('safety.warnedDismiss');
  form.append(button);
  inner.append(text, form);
  box.append(inner);
  return box;
}

// heard: [event, payload] of either event that came before this module was loaded (the
// call page loads it on demand: reach/on-demand.js loadOnEvents), taken in order.
export function mountWarning(signaling, doc = document, heard = []) {
  const show = (warning) => {
    let box = doc.querySelector('#safety-warning');
    if (!box) {
      box = build(doc);
      const main = doc.querySelector('#main');
      if (main) main.before(box); else doc.body.prepend(box);
    }
    box.querySelector('[data-warning-text]').textContent = warningText(warning);
    box.hidden = false;
  };
  // dismissed in another tab (or by this page's form): off this screen too
  const hide = () => {
    const box = doc.querySelector('#safety-warning');
    if (box) box.hidden = true;
  };
  signaling.on(SAFETY_WARNED, show);
  signaling.on(SAFETY_WARNING_DISMISSED, hide);
  for (const [event, payload] of heard) (event === SAFETY_WARNED ? show(payload) : hide());
  doc.addEventListener('submit', async (event) => {
    const box = event.target.closest?.('#safety-warning');
    if (!box || signaling.status !== 'connected') return; // the page's form posts it
    event.preventDefault();
    try {
      await signaling.request(SAFETY_DISMISS_WARNING);
      box.hidden = true;
    } catch {
      // not dismissed: it stays on screen, to be pressed again
    }
  });
  return show;
}
