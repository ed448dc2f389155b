#!/usr/bin/env bash
# Installs the pinned s3rver (package.json + package-lock.json beside this file) into
# .tools/s3 unless that is already done, and prints the path of its script, which the S3 tests
# read from AGENTGUARD_S3RVER:
#
#   export AGENTGUARD_S3RVER=$(tests/s3/install.sh)
#
# Environment (optional): S3_TOOLS_DIR, where the packages go (default .tools/s3).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${S3_TOOLS_DIR:-$ROOT/.tools/s3}
SCRIPT=$TOOLS/node_modules/s3rver/bin/s3rver.js

for tool in npm node sha256sum; do
  command -v "$tool" >/dev/null || { echo "tests/s3/install.sh: '$tool' is required but not on PATH" >&2; exit 2; }
done

stamp=$TOOLS/.installed-lock-sha256
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(<"$stamp") != "$want" || ! -f $SCRIPT ]]; then
  echo "installing the pinned s3rver into $TOOLS" >&2
  mkdir -p "$TOOLS"
  rm -f "$stamp"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$TOOLS/"
  npm ci --prefix "$TOOLS" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi

node "$SCRIPT" --version >/dev/null || { echo "tests/s3/install.sh: $SCRIPT does not run" >&2; exit 2; }
echo "$SCRIPT"
