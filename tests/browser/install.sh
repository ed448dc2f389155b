#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver unless they are there, and prints the driver's
# path, which the review page's browser tests read from AGENTGUARD_CHROMEDRIVER:
#
#   export AGENTGUARD_CHROMEDRIVER=$(tests/browser/install.sh)
#
# The tests start Chromium from AGENTGUARD_CHROMIUM, default /usr/bin/chromium.
set -euo pipefail

if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
  command -v apt-get >/dev/null || { echo "tests/browser/install.sh: chromium and chromedriver are missing and apt-get is not here to install them" >&2; exit 2; }
  [ "$(id -u)" -eq 0 ] || { echo "tests/browser/install.sh: run as root (apt-get install -y chromium chromium-driver), or install them first" >&2; exit 2; }
  echo "installing Debian's chromium and chromium-driver" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver >&2; then
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver >&2
  fi
fi

driver=$(command -v chromedriver)
"$driver" --version >/dev/null || { echo "tests/browser/install.sh: $driver does not run" >&2; exit 2; }
echo "$driver"
