// Local media: where outgoing audio and video come from.
//
// MediaLibrary owns the real sources, one of each, shared by every anchor:
//   'camera'  getUserMedia (camera + microphone, devices chosen from enumerateDevices)
//   'screen'  getDisplayMedia (with the microphone's audio when the screen has none)
//   'clip:*'  a bundled sample clip looping in a hidden <video>, captured with captureStream()
//   'none'    nothing: receive only
// AnchorMedia is what one anchor sends: clones of its chosen source's tracks, so muting
// the microphone or turning the camera off in one call does not touch another call.

import { CAMERA, SOURCE_WORDS, cameraErrorMessage } from './views/words.js';

export const CLIPS = Object.freeze([
  { id: 'clip:bars', file: 'bars-480x270.webm' },
  { id: 'clip:testsrc', file: 'testsrc-320x240.webm' },
  { id: 'clip:mandelbrot', file: 'mandelbrot-360x360.webm' },
]);

export { cameraErrorMessage };

export class MediaLibrary extends EventTarget {
  constructor({ sinkParent = document.body } = {}) {
    super();
    this.camera = { status: 'idle', message: '', stream: null };
    this.screen = null;
    this.clips = new Map(); // id → {video, stream}
    this.devices = { videoinput: [], audioinput: [] };
    this.selected = { videoinput: '', audioinput: '' };
    this.sinkParent = sinkParent;
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.refreshDevices());
  }

  sources() {
    return [
      { id: 'camera', label: SOURCE_WORDS.camera },
      { id: 'screen', label: SOURCE_WORDS.screen },
      ...CLIPS.map(({ id }) => ({ id, label: SOURCE_WORDS[id] })),
      { id: 'none', label: SOURCE_WORDS.none },
    ];
  }

  // The shared stream of a source, starting it if needed; null for 'none'.
  async stream(sourceId) {
    if (sourceId === 'none') return null;
    // A camera that failed stays off until the user asks again (no prompt loops).
    if (sourceId === 'camera') return this.camera.stream || (this.camera.status === 'error' ? null : this.startCamera());
    if (sourceId === 'screen') return this.screen || this.startScreen();
    if (sourceId.startsWith('clip:')) return this._clip(sourceId);
    throw new Error(`unknown source ${sourceId}`);
  }

  // One getUserMedia at a time: every anchor asking for the camera shares the prompt.
  startCamera() {
    this._starting ||= this._startCamera().finally(() => { this._starting = null; });
    return this._starting;
  }

  async _startCamera() {
    if (!navigator.mediaDevices?.getUserMedia) {
      return this._cameraFailed(new TypeError('mediaDevices unavailable'));
    }
    this._setCamera({ status: 'starting', message: CAMERA.asking });
    const video = this.selected.videoinput ? { deviceId: { exact: this.selected.videoinput } } : true;
    const audio = this.selected.audioinput ? { deviceId: { exact: this.selected.audioinput } } : true;
    let stream = null;
    let firstError = null;
    // Both, else whichever exists: a laptop without a camera can still talk.
    for (const constraints of [{ video, audio }, { video }, { audio }]) {
      try {
        stream = await navigator.mediaDevices.getUserMedia(constraints);
        break;
      } catch (err) {
        firstError ||= err;
        if (err.name === 'NotAllowedError' || err.name === 'SecurityError') break;
      }
    }
    if (!stream) return this._cameraFailed(firstError);
    this.camera.stream?.getTracks().forEach((t) => t.stop());
    const missing = !stream.getVideoTracks().length ? CAMERA.noCamera
      : !stream.getAudioTracks().length ? CAMERA.noMicrophone : '';
    this._setCamera({ status: 'ready', message: missing, stream });
    await this.refreshDevices();
    this._emit('source-updated', { sourceId: 'camera' });
    return stream;
  }

  async selectDevice(kind, deviceId) {
    this.selected[kind] = deviceId;
    if (this.camera.stream || this.camera.status === 'error') await this.startCamera();
  }

  async refreshDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    this.devices = {
      videoinput: all.filter((d) => d.kind === 'videoinput' && d.deviceId),
      audioinput: all.filter((d) => d.kind === 'audioinput' && d.deviceId),
    };
    for (const kind of ['videoinput', 'audioinput']) {
      const track = kind === 'videoinput' ? this.camera.stream?.getVideoTracks()[0] : this.camera.stream?.getAudioTracks()[0];
      if (track) this.selected[kind] = track.getSettings().deviceId || this.selected[kind];
    }
    this._emit('devices');
  }

  async startScreen() {
    if (!navigator.mediaDevices?.getDisplayMedia) throw new Error(CAMERA.noScreen);
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    const [video] = display.getVideoTracks();
    video.contentHint = 'detail'; // text stays sharp; frame rate gives way first
    const audio = display.getAudioTracks()[0] || this.camera.stream?.getAudioTracks()[0];
    this.screen = new MediaStream([video, audio].filter(Boolean));
    // The browser's own "Stop sharing" button ends the track: anchors fall back.
    video.addEventListener('ended', () => {
      this.screen = null;
      this._emit('source-ended', { sourceId: 'screen' });
    });
    return this.screen;
  }

  async _clip(sourceId) {
    const known = this.clips.get(sourceId);
    if (known) return known.stream;
    const clip = CLIPS.find((c) => c.id === sourceId);
    if (!clip) throw new Error(`unknown clip ${sourceId}`);
    const video = document.createElement('video');
    Object.assign(video, { muted: true, loop: true, playsInline: true, autoplay: true, preload: 'auto' });
    video.className = 'clip-sink';
    video.dataset.clip = sourceId;
    // Relative to this module, so it works under a proxy path prefix too.
    video.src = new URL(`../media/${clip.file}`, import.meta.url).href;
    this.sinkParent.append(video);
    await video.play(); // muted: allowed without a user gesture; the capture keeps the sound
    const stream = video.captureStream();
    if (!stream.getVideoTracks().length) {
      await new Promise((resolve) => stream.addEventListener('addtrack', resolve, { once: true }));
    }
    stream.getVideoTracks().forEach((t) => { t.contentHint = 'detail'; });
    // A new track can appear when the element reloads; anchors re-clone then.
    stream.addEventListener('addtrack', () => this._emit('source-updated', { sourceId }));
    this.clips.set(sourceId, { video, stream });
    return stream;
  }

  _cameraFailed(err) {
    this._setCamera({ status: 'error', message: cameraErrorMessage(err), stream: null, error: err?.name });
    return null;
  }

  _setCamera(patch) {
    this.camera = { ...this.camera, ...patch };
    this._emit('camera');
  }

  _emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

// What one anchor sends. Emits 'change' whenever its tracks are replaced (new source)
// or toggled, so a PeerSession can replaceTrack without renegotiating.
export class AnchorMedia extends EventTarget {
  constructor(library, sourceId = 'camera') {
    super();
    this.library = library;
    this.sourceId = sourceId;
    this.micOn = true;
    this.camOn = true;
    this.stream = new MediaStream();
    this.error = '';
    this._onUpdated = (e) => { if (e.detail.sourceId === this.sourceId) this.setSource(this.sourceId); };
    this._onEnded = (e) => { if (e.detail.sourceId === this.sourceId) this.setSource(this._fallback()); };
    library.addEventListener('source-updated', this._onUpdated);
    library.addEventListener('source-ended', this._onEnded);
  }

  get audioTrack() { return this.stream.getAudioTracks()[0] || null; }
  get videoTrack() { return this.stream.getVideoTracks()[0] || null; }

  async setSource(sourceId) {
    this.sourceId = sourceId;
    let base = null;
    try {
      base = await this.library.stream(sourceId);
      this.error = base || sourceId === 'none' ? '' : this.library.camera.message;
    } catch (err) {
      this.error = err.name === 'NotAllowedError' ? CAMERA.screenCancelled : String(err.message || err);
      base = null;
    }
    if (this.sourceId !== sourceId) return; // a later choice won the race
    const old = this.stream.getTracks();
    // A fresh MediaStream so <video> elements showing it pick the new tracks up.
    // contentHint 'detail' (clips, screens) makes the encoder keep the resolution and
    // give up frame rate under load; the camera keeps the default balance.
    this.stream = new MediaStream((base?.getTracks() || []).map((t) => {
      const clone = t.clone();
      clone.contentHint = t.contentHint;
      return clone;
    }));
    this._applyToggles();
    old.forEach((t) => t.stop());
    this.dispatchEvent(new Event('change'));
  }

  setMic(on) { this.micOn = on; this._applyToggles(); this.dispatchEvent(new Event('change')); }
  setCam(on) { this.camOn = on; this._applyToggles(); this.dispatchEvent(new Event('change')); }

  // A disabled track sends silence or black frames: the call and its resolution stay.
  _applyToggles() {
    this.stream.getAudioTracks().forEach((t) => { t.enabled = this.micOn; });
    this.stream.getVideoTracks().forEach((t) => { t.enabled = this.camOn; });
  }

  _fallback() {
    return this.library.camera.stream ? 'camera' : 'none';
  }

  stop() {
    this.library.removeEventListener('source-updated', this._onUpdated);
    this.library.removeEventListener('source-ended', this._onEnded);
    this.stream.getTracks().forEach((t) => t.stop());
  }
}
