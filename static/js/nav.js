// The top bar's menu on narrow screens: the nav folds into the "Menu" button (CSS hides
// it under 720 px) and this opens and closes it. Esc or a click elsewhere closes it and
// gives focus back to the button. On wide screens the button is hidden and this is idle.
const toggle = document.querySelector('#nav-toggle');
const nav = document.querySelector('#site-nav');

function setOpen(open, { focusButton = false } = {}) {
  toggle.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
  if (open) nav.querySelector('a')?.focus();
  else if (focusButton) toggle.focus();
}

if (toggle && nav) {
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && nav.classList.contains('open')) setOpen(false, { focusButton: true });
  });
  document.addEventListener('click', (e) => {
    if (nav.classList.contains('open') && !nav.contains(e.target) && !toggle.contains(e.target)) setOpen(false);
  });
}

// A notice that says what just happened (e.g. "You signed out …") takes focus, so a
// screen reader reads it before the rest of the page.
document.querySelector('[data-focus-on-load]')?.focus();
