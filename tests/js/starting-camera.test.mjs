// node --test: a new user's own tile while the camera starts (issue 31.9): "Starting
// camera…", not "Not sending video" (which it said for the ~0.7 s getUserMedia takes).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { cameraBlocked, cameraStarting, previewNote } from '../../static/js/views/words.js';

const media = (sourceId, status, { tracks = 0, video = false } = {}) => ({
  sourceId, videoTrack: video ? {} : null,
  library: { camera: { status, stream: tracks ? { getVideoTracks: () => new Array(tracks).fill({}) } : null } },
});

test('while the camera is asked for, or ready but not yet on this line: starting', () => {
  assert.equal(cameraStarting(media('camera', 'starting')), true);
  assert.equal(cameraStarting(media('camera', 'ready', { tracks: 1 })), true);
  assert.equal(cameraStarting(media('camera', 'ready', { tracks: 1, video: true })), false);
  assert.equal(cameraStarting(media('camera', 'ready')), false);  // a microphone alone: no video will come
  assert.equal(cameraStarting(media('camera', 'error')), false);
  assert.equal(cameraStarting(media('none', 'starting')), false);
  assert.equal(cameraStarting({ ...media('none', 'starting'), cameraFallback: true }), true);  // a new try
});

test('the placeholder: "Starting camera…" while it starts, "Not sending video" after, nothing in a call', () => {
  assert.equal(previewNote('idle', false, true), 'Starting camera…');
  assert.equal(previewNote('idle', false, false), 'Not sending video');
  assert.equal(previewNote('idle', true, false), '');
  assert.equal(previewNote('connected', false, true), '');
});

test('a camera that cannot start: "Camera blocked" under the initial (s7: not a dark "Not sending video" box)', () => {
  assert.equal(cameraBlocked(media('camera', 'error')), true);
  assert.equal(cameraBlocked(media('camera', 'starting')), false);
  assert.equal(cameraBlocked(media('camera', 'ready', { tracks: 1, video: true })), false);
  // a line with no camera at the start sends nothing until it works (call-page.js cameraFallback)
  assert.equal(cameraBlocked({ ...media('none', 'error'), cameraFallback: true }), true);
  assert.equal(cameraBlocked(media('none', 'error')), false);  // the user chose to send nothing
  assert.equal(cameraBlocked(media('clip', 'error')), false);  // a clip plays: the camera is not what it shows
  assert.equal(previewNote('idle', false, false, true), 'Camera blocked');
  assert.equal(previewNote('idle', false, true, true), 'Starting camera…');  // a new try is under way
  assert.equal(previewNote('connected', false, false, true), '');
});
