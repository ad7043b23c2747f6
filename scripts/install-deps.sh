#!/usr/bin/env bash
# Installs what the test suite needs from Debian's archive, only if missing (idempotent):
# ZooKeeper 3.8 server jars, Curator 5.4.0 jars (interop peers), kazoo 2.8 (benchmarks), and a
# JDK with javac (the Curator peer is compiled at test time), and openssl (the TLS tests make
# their own throwaway certificates), and chromium (the gateway web page's browser test drives it with
# playwright-core; no browser is downloaded by npm), and etcd-server (etcd 3.4: the benchmark's
# HTTP lock contender beside `zkurator serve`, `npm run bench`). Extra package names given as
# arguments are installed too (scripts/test-docker.sh asks for docker.io and debootstrap).
set -euo pipefail

packages=(zookeeper libcurator-recipes-java python3-kazoo openssl chromium etcd-server "$@")
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all Debian packages present (${packages[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
