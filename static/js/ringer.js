// Audible ringing made with WebAudio (no sound file to ship or fail to load).
//   incoming: a two-tone trill, twice, every 3 s — loud enough to notice from across a room
//   outgoing: a soft 440+480 Hz ringback, 1 s on, 3 s off, so the caller hears it rings
// Browsers start an AudioContext suspended until the page gets a user gesture; unlock()
// is called on the first click anywhere, so a ring that arrives later can be heard.

const PATTERNS = {
  incoming: { every: 3000, tones: [[0, 0.35, [660, 880]], [0.5, 0.35, [660, 880]]], gain: 0.18 },
  outgoing: { every: 4000, tones: [[0, 1.0, [440, 480]]], gain: 0.06 },
};

export class Ringer {
  constructor() {
    this.ctx = null;
    this.mode = null; // null | 'incoming' | 'outgoing'
    this.timer = null;
    this.beeps = 0; // how many rings were scheduled (the e2e tests read this)
  }

  unlock() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    this.ctx ||= new Ctx();
    if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  // Incoming wins over outgoing when both are going on in different anchors.
  set(mode) {
    if (mode === this.mode) return;
    clearInterval(this.timer);
    this.timer = null;
    this.mode = mode;
    if (!mode) return;
    this.unlock();
    const ring = () => this.play(PATTERNS[mode]);
    ring();
    this.timer = setInterval(ring, PATTERNS[mode].every);
  }

  play({ tones, gain }) {
    if (!this.ctx || this.ctx.state === 'closed') return;
    this.beeps += 1;
    const t0 = this.ctx.currentTime + 0.02;
    for (const [start, length, freqs] of tones) {
      const env = this.ctx.createGain();
      env.connect(this.ctx.destination);
      // Short ramps: no clicks at the edges.
      env.gain.setValueAtTime(0, t0 + start);
      env.gain.linearRampToValueAtTime(gain, t0 + start + 0.02);
      env.gain.setValueAtTime(gain, t0 + start + length - 0.03);
      env.gain.linearRampToValueAtTime(0, t0 + start + length);
      for (const freq of freqs) {
        const osc = this.ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(env);
        osc.start(t0 + start);
        osc.stop(t0 + start + length + 0.01);
      }
    }
  }
}
