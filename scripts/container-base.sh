#!/bin/sh
# A Debian bookworm base image made here, for machines that cannot pull one from a
# registry: debootstrap --variant=minbase (from the Debian mirror apt uses), trimmed as
# debian:bookworm-slim is (no docs, man pages, locales, apt lists or .debs), then
# `podman import`. The root filesystem is kept as a tarball in the cache folder, so the
# image is made once per machine (~30-45 s) and imported again in ~2 s if removed.
# Prints the image's name. Usage: scripts/container-base.sh [IMAGE] [CACHE_DIR]
set -eu
IMAGE=${1:-localhost/tlightchat-base:bookworm-min}
CACHE=${2:-${TLC_IMAGE_CACHE:-/var/tmp/tlightchat-image-cache}}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if podman image exists "$IMAGE"; then echo "$IMAGE"; exit 0; fi
mkdir -p "$CACHE"
TARBALL="$CACHE/bookworm-minbase.tar"
if [ ! -s "$TARBALL" ]; then
  ROOTFS=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$ROOTFS"' EXIT
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
         "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
         "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/log/*.log
  find "$ROOTFS"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias \
    -exec rm -rf {} +
  # Later apt installs leave them out too (as debian:bookworm-slim's dpkg config does).
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
    >"$ROOTFS/etc/dpkg/dpkg.cfg.d/slim"
  tar -C "$ROOTFS" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
fi
podman import -q "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"
