#!/usr/bin/env bash
# Builds the ZooKeeper image that `zkurator dev-server --backend docker` and the test rig's
# testcontainers backend run, entirely locally (no image registry is reachable here):
# debootstrap a minimal Debian bookworm with Debian's `zookeeper` package (ZooKeeper 3.8 and a
# Java runtime, the very jars the local backend uses), then `docker import` that root.
# Needs root, debootstrap and a running Docker engine. Takes a few minutes; run once.
set -euo pipefail
IMAGE="${ZKURATOR_ZOOKEEPER_IMAGE:-zkurator/zookeeper:3.8}"
# The machine's own Debian mirror (whatever apt uses), else the public one.
MIRROR="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

command -v debootstrap >/dev/null || { echo "build-image: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-image: no Docker engine answers (see docs/testing.md: Docker backend)" >&2; exit 1; }

root="$(mktemp -d -t zkurator-rootfs-XXXXXX)"
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT

echo "build-image: debootstrap bookworm from $MIRROR into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >&2
mount -t proc proc "$root/proc"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zookeeper >&2
chroot "$root" apt-get clean
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

echo "build-image: importing as $IMAGE" >&2
tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
docker run --rm --network host "$IMAGE" java -version >&2
echo "$IMAGE"
