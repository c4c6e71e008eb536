// The local media panel: is the camera working, which camera and microphone, and what
// to do when there is none (send a sample clip, or call receive-only).
import { h, setText } from './dom.js';
import { CAMERA } from './words.js';

export class MediaPanel {
  constructor(root, { library, onRetry }) {
    this.root = root;
    this.library = library;
    this.status = root.querySelector('#camera-status');
    this.retry = root.querySelector('#camera-retry');
    this.selects = { videoinput: root.querySelector('#camera-select'), audioinput: root.querySelector('#mic-select') };
    this.retry.addEventListener('click', onRetry);
    for (const [kind, select] of Object.entries(this.selects)) {
      select.addEventListener('change', () => library.selectDevice(kind, select.value));
    }
    library.addEventListener('camera', () => this.render());
    library.addEventListener('devices', () => this.render());
    this.render();
  }

  render() {
    const { status, message } = this.library.camera;
    this.root.dataset.camera = status;
    const text = {
      idle: CAMERA.idle,
      starting: message,
      ready: message || CAMERA.ready,
      error: message,
    }[status];
    setText(this.status, text);
    this.retry.hidden = status === 'ready' || status === 'starting';
    this.retry.textContent = status === 'error' ? CAMERA.retry : CAMERA.start;
    for (const [kind, select] of Object.entries(this.selects)) {
      const devices = this.library.devices[kind];
      const wanted = this.library.selected[kind];
      const ids = devices.map((d) => d.deviceId).join();
      if (select.dataset.ids !== ids) {
        select.dataset.ids = ids;
        select.replaceChildren(...devices.map((d, i) =>
          h('option', { value: d.deviceId }, d.label || CAMERA.device(kind, i + 1))));
      }
      if (wanted && select.value !== wanted) select.value = wanted;
      select.disabled = devices.length === 0;
      select.closest('label').hidden = devices.length === 0;
    }
  }
}
