#!/usr/bin/env bash
# Regenerates the bundled sample clips in static/media/ from ffmpeg's built-in test
# sources (no third-party footage, so no licence to track). Each clip is small
# (VP8 + Opus in WebM, well under 300 KB), loops cleanly enough for a demo, and has a
# resolution different from the fake camera's 640x480 so a source switch is visible
# to a test as a change of the remote video's size.
#   usage: scripts/make-clips.sh        (needs ffmpeg with libvpx and libopus)
set -euo pipefail
cd "$(dirname "$0")/../static/media"

SECONDS_LONG=8
common=(-hide_banner -loglevel error -y -t "$SECONDS_LONG"
        -c:v libvpx -deadline good -cpu-used 4 -b:v 160k -maxrate 200k -bufsize 400k
        -g 30 -auto-alt-ref 0 -c:a libopus -b:a 24k -ac 1 -ar 48000)

# Test pattern with a moving counter, 320x240 (4:3), 15 fps, 440 Hz tone.
ffmpeg -f lavfi -i "testsrc=size=320x240:rate=15" \
       -f lavfi -i "sine=frequency=440:sample_rate=48000" \
       "${common[@]}" testsrc-320x240.webm

# Colour bars, 480x270 (16:9), 15 fps, 660 Hz tone beeping once a second.
ffmpeg -f lavfi -i "smptebars=size=480x270:rate=15" \
       -f lavfi -i "sine=frequency=660:beep_factor=2:sample_rate=48000" \
       "${common[@]}" bars-480x270.webm

# A zooming Mandelbrot set, 360x360 (1:1), 15 fps, 330 Hz tone.
ffmpeg -f lavfi -i "mandelbrot=size=360x360:rate=15" \
       -f lavfi -i "sine=frequency=330:sample_rate=48000" \
       "${common[@]}" mandelbrot-360x360.webm

ls -l ./*.webm
