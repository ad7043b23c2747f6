#!/usr/bin/env bash
# Installs from Debian's archive, only what is missing (idempotent), what a purpose needs:
#   scripts/install-deps.sh            `zkurator dev-server`: ZooKeeper 3.8 and a Java runtime
#   scripts/install-deps.sh --demo     `npm run demo`: that, plus Curator 5.4.0 and a JDK
#   scripts/install-deps.sh --test     the test suite and the benchmarks: all of the above, plus
#                                      kazoo, openssl, chromium, etcd-server, gdb
# Package names given after the option are installed too (scripts/test-docker.sh asks for
# docker.io and debootstrap). A user of the npm package needs only the first line's packages:
# `apt-get install --no-install-recommends zookeeper` (zkurator dev-server says so).
set -euo pipefail

# One list per purpose; a package goes in the first list whose purpose needs it.
# dev-server: ZooKeeper's server jars (Debian's `zookeeper` depends on default-jre: the runtime).
server=(zookeeper)
# demo: Curator's jars; the demo compiles a Curator worker (javac, added below).
demo=(libcurator-recipes-java)
# tests and benchmarks: kazoo (benchmarks), openssl (the TLS tests make throwaway certificates),
# chromium (the gateway page's browser test drives it with playwright-core; npm downloads none),
# etcd-server (etcd 3.4: the benchmark's HTTP lock contender beside `zkurator serve`),
# gdb (scripts/line-watchdog.sh prints the native stacks of a test process that does not exit).
tests=(python3-kazoo openssl chromium etcd-server gdb)

purpose=dev-server
case "${1:-}" in
  --demo) purpose=demo; shift ;;
  --test) purpose=test; shift ;;
  -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
  -*) echo "install-deps: unknown option $1 (--demo, --test)" >&2; exit 64 ;;
esac

packages=("${server[@]}")
case "$purpose" in
  demo) packages+=("${demo[@]}") ;;
  test) packages+=("${demo[@]}" "${tests[@]}") ;;
esac
# The Curator peers (demo and tests) are compiled at run time: a JDK, unless javac is there.
if [ "$purpose" != dev-server ] && ! command -v javac >/dev/null 2>&1; then packages+=(openjdk-17-jdk-headless); fi
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all Debian packages for $purpose present (${packages[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing for $purpose: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the machine (an unattended upgrade) holds the lock for a while: wait for it.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
