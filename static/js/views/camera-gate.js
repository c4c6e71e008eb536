// The camera problem, said first (issue 31.1): when the camera and microphone cannot start,
// a banner at the top of the call page says why, how to fix it in this browser, and
// offers the two ways on: try again, or go on without camera. Until one of them works,
// the lobby's Call buttons wait (LobbyView asks `blocked`): a call placed now would send
// nothing, and its caller would not know why. Answering a ring stays possible.
import { h, setText } from './dom.js';
import { CAMERA_GATE } from './words.js';

// Which browser's settings to describe; Edge and Chrome both say "Chrome" in their UA.
export function browserKind(ua = navigator.userAgent) {
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Edg\//.test(ua)) return 'edge';
  if (/Chrom(e|ium)\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua)) return 'safari';
  return 'other';
}

const PERMISSION = new Set(['NotAllowedError', 'SecurityError']);

export class CameraGate extends EventTarget {
  constructor(root, { library, focusAfterSkip }) {
    super();
    this.root = root;
    this.library = library;
    this.skipped = false;
    this.focusAfterSkip = focusAfterSkip;
    this.title = h('h2', { id: 'camera-blocked-title', class: 'camera-blocked-title' });
    this.fix = h('p', { class: 'camera-blocked-fix' });
    this.retry = h('button', { type: 'button', class: 'button small primary', dataset: { action: 'camera-retry' } }, CAMERA_GATE.retry);
    this.skip = h('button', { type: 'button', class: 'button small', dataset: { action: 'camera-skip' } }, CAMERA_GATE.skip);
    root.setAttribute('aria-labelledby', this.title.id);
    root.replaceChildren(this.title, this.fix,
      h('div', { class: 'camera-blocked-actions' }, this.retry, this.skip),
      h('p', { class: 'camera-blocked-hint muted' }, CAMERA_GATE.skipHint));
    this.retry.addEventListener('click', () => library.startCamera());
    this.skip.addEventListener('click', () => this.goOnWithout());
    library.addEventListener('camera', () => this.render());
    this.render();
  }

  // The Call buttons wait while this is true.
  get blocked() {
    return this.library.camera.status === 'error' && !this.skipped;
  }

  // Shown while blocked, and through a new try of it (focus stays on "Try again").
  get shown() {
    const { status } = this.library.camera;
    return !this.skipped && (status === 'error' || (status === 'starting' && !this.root.hidden));
  }

  goOnWithout() {
    this.skipped = true;
    this.render();
    this.dispatchEvent(new Event('change'));
    this.focusAfterSkip?.focus(); // the next step: find someone to call
  }

  render() {
    const { status, error, message } = this.library.camera;
    if (status === 'ready') this.skipped = false; // a camera that works needs no choice
    const show = this.shown;
    this.root.hidden = !show;
    this.root.dataset.error = show ? error || 'error' : '';
    if (!show) return;
    const permission = PERMISSION.has(error);
    setText(this.title, permission ? CAMERA_GATE.blocked
      : error === 'NotFoundError' ? CAMERA_GATE.notFound : CAMERA_GATE.notWorking);
    // Blocked: the steps in this browser; otherwise what the error says to do.
    setText(this.fix, permission ? CAMERA_GATE.fix[browserKind()] : message);
    this.fix.dataset.browser = permission ? browserKind() : '';
  }
}
