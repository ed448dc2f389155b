#!/usr/bin/env bash
# Runs every test AgentGuard has, installing what a fresh machine lacks first.
#   1. unit and loopback integration tests (dotnet test); the S3 route's tests run against s3rver,
#      installed from npm into .tools/s3 (gitignored) first; the shared-state tests against a
#      throwaway PostgreSQL cluster (Debian's postgresql, started in a temp folder, stopped at the end);
#      the review page's browser tests and the trial report in Debian's headless chromium through
#      chromium-driver (apt-get installs them if missing)
#   2. the shipped policy's own test cases (agentguard policy check/test)
#   3. the MCP conformance suite directly and through the guard, check by check
#      (installs Node 22 and the suite from npm into .tools/, gitignored)
#   4. Prometheus alert rules: promtool check and unit tests (installs Debian's prometheus)
#   5. the Kubernetes admission policy and, where network namespaces are allowed, the sidecar's
#      egress rules with real connections
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n== %s\n' "$*"; }

step "build"
dotnet build AgentGuard.sln -c Debug -nologo -v quiet

step "s3rver for the S3 route's tests"
AGENTGUARD_S3RVER=$(tests/s3/install.sh)
export AGENTGUARD_S3RVER

step "throwaway PostgreSQL for the shared-state tests"
AGENTGUARD_POSTGRES=$(tests/postgres/install.sh)
export AGENTGUARD_POSTGRES
trap 'tests/postgres/install.sh --stop' EXIT
step "chromium and chromedriver for the review page's browser tests"
AGENTGUARD_CHROMEDRIVER=$(tests/browser/install.sh)
export AGENTGUARD_CHROMEDRIVER

step "unit and integration tests"
dotnet test AgentGuard.sln -c Debug --no-build -nologo

step "shipped policy: check and test cases"
dotnet src/AgentGuard/bin/Debug/net10.0/agentguard.dll policy check policies
dotnet src/AgentGuard/bin/Debug/net10.0/agentguard.dll policy test policies

step "MCP conformance, directly and through the guard"
CONFIGURATION=Debug CONFORMANCE_COMPARE_MESSAGES=1 tests/conformance/run.sh

step "Prometheus rules: promtool check and unit tests"
bash tests/deploy/promtool.sh

step "Kubernetes admission policy"
bash tests/deploy/admission-policy.sh

step "sidecar egress rules (iptables owner match, in network namespaces)"
if [ "$(id -u)" -eq 0 ] && ip netns add agentguard-probe 2>/dev/null; then
    ip netns delete agentguard-probe
    bash tests/deploy/egress-init.sh
else
    echo "skipped: needs root and network namespaces (ip netns add), which this machine does not allow"
fi

step "all tests passed"
