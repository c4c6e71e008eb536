// The sound of a call tile's remote <video>. A browser plays sound without a user gesture
// only when its autoplay policy allows it: after a gesture on this page (a reload loses
// it), or — in Chromium and Firefox — while the page captures the camera or microphone.
// A reloaded call page starts its call before its capture is back, so the first play()
// with sound may be refused: the video then plays muted, the sound is tried again on every
// chance that may have changed it (the tile drawn again, each stats tick, i.e. once the
// capture runs), and any click, tap or key anywhere on the page brings it back at once.
// Until then the prompt on the video says so, as an alert (issue 36.5).
//
// Only a user activation lets play() have sound: a key press, a mouse button pressed,
// a pointer (finger, pen) lifted, a click — not a touch's pointerdown. So the page listens
// for click, pointerup and keydown; and whatever it heard, play() with sound may still be
// refused: the video is then muted and played again (the picture goes on) and the prompt
// stays (review finding 7).
const GESTURES = ['click', 'pointerup', 'keydown'];
export class RemoteSound {
  // video: the tile's remote <video>; prompt: its "Click to hear the call" button.
  constructor(video, prompt) {
    Object.assign(this, { video, prompt, session: null, blocked: false, trying: false, unmuting: null });
    this.onGesture = () => { if (this.blocked) this.unmute(); };
    this.retry = () => this.tryAgain();
  }

  attach(session) {
    this.session?.removeEventListener('stats', this.retry);
    this.session = session;
    this.video.srcObject = session ? session.remoteStream : null;
    this.setBlocked(false);
    this.video.muted = false;
    if (!session) return;
    session.addEventListener('stats', this.retry);
    this.video.play().catch((err) => {
      if (err.name !== 'NotAllowedError' || this.session !== session) return;
      this.video.muted = true; // the picture at least
      this.video.play().catch(() => {});
      this.setBlocked(true);
    });
  }

  // A user gesture (the prompt, or anywhere on the page): sound now, if the browser
  // agrees. One try at a time (a tap gives pointerup and click).
  unmute() {
    if (!this.unmuting) this.unmuting = this.playWithSound().finally(() => { this.unmuting = null; });
    return this.unmuting;
  }

  async playWithSound() {
    const { session, video } = this;
    video.muted = false;
    try {
      await video.play();
      if (this.session === session) this.setBlocked(false);
    } catch (err) {
      if (this.session !== session) return;
      if (err.name !== 'NotAllowedError') {
        this.setBlocked(false);
        return;
      }
      // Refused (no user activation after all): the picture at least, and the prompt stays.
      video.muted = true;
      video.play().catch(() => {});
      this.setBlocked(true);
    }
  }

  // Would the browser play this call's sound now? A probe element with the same stream
  // asks without touching the tile's video (unmuting a muted video that may not play
  // sound pauses it); yes: the tile's video gets its sound.
  async tryAgain() {
    if (!this.blocked || this.trying || !this.session) return;
    this.trying = true;
    const probe = document.createElement('video');
    probe.srcObject = this.session.remoteStream;
    try {
      await probe.play();
      if (this.blocked) this.unmute();
    } catch {
      // still not allowed: the prompt stays
    } finally {
      probe.pause();
      probe.srcObject = null;
      this.trying = false;
    }
  }

  setBlocked(blocked) {
    if (this.blocked === blocked && this.prompt.hidden === !blocked) return;
    this.blocked = blocked;
    this.prompt.hidden = !blocked;
    this.prompt.setAttribute('role', blocked ? 'alert' : 'button');
    for (const type of GESTURES) {
      if (blocked) document.addEventListener(type, this.onGesture, true);
      else document.removeEventListener(type, this.onGesture, true);
    }
  }
}
