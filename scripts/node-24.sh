#!/usr/bin/env bash
# Puts Node 24 — what every action.yml declares (runs.using: node24) — beside the machine's
# Node 20, from the npm registry (the node-linux-<arch> package carries the official
# binary), into .ci/node24, and prints the path of its `node`. Used by .ci/run to run the
# shipped bundles and core's unit tests on Node 24 as well.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.22.3
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-24.sh: no Node 24 package for $(uname -m)" >&2; exit 1 ;;
esac
prefix=.ci/node24
node="$prefix/node_modules/node-linux-$arch/bin/node"
if [ ! -x "$node" ] || [ "$("$node" --version)" != "v$version" ]; then
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-$arch@$version" >&2
fi
"$node" --version >&2
printf '%s\n' "$PWD/$node"
