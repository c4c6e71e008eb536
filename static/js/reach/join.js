// The pre-join screen of a call link (templates/join.html): a preview of the camera and
// microphone (media.js's MediaLibrary, as the call page starts them) and the call page's
// connection check, with the ICE servers the page carries (no socket is opened here:
// the visitor connects once, on the call page, after ringing).
import { MediaLibrary } from '../media.js';
import { ConnectivityPanel } from '../connectivity.js';
import { t } from '../i18n.js';

const root = document.querySelector('#join');
const video = document.querySelector('#join-preview');
const status = document.querySelector('#join-camera');
const library = new MediaLibrary();

async function preview() {
  const stream = await library.stream('camera');
  if (stream) {
    video.srcObject = stream;
    status.textContent = t('reach.previewReady');
    root.dataset.camera = 'ready';
  } else {
    status.textContent = library.camera.message || t('reach.previewOff');
    root.dataset.camera = 'error';
  }
}

new ConnectivityPanel(document.querySelector('#connectivity-panel'), {
  getIceServers: async () => JSON.parse(root.dataset.ice || '[]'),
});
// The call page asks for the camera again: this page's stream ends as it leaves.
addEventListener('pagehide', () => library.camera.stream?.getTracks().forEach((track) => track.stop()));
preview();
