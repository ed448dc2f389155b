#!/usr/bin/env bash
# Runs every test AgentGuard has, installing what a fresh machine lacks first.
#   1. unit and loopback integration tests (dotnet test)
#   2. the shipped policy's own test cases (agentguard policy check/test)
#   3. the MCP conformance suite directly and through the guard, check by check
#      (installs Node 22 and the suite from npm into .tools/, gitignored)
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n== %s\n' "$*"; }

step "build"
dotnet build AgentGuard.sln -c Debug -nologo -v quiet

step "unit and integration tests"
dotnet test AgentGuard.sln -c Debug --no-build -nologo

step "shipped policy: check and test cases"
dotnet src/AgentGuard/bin/Debug/net10.0/agentguard.dll policy check policies
dotnet src/AgentGuard/bin/Debug/net10.0/agentguard.dll policy test policies

step "MCP conformance, directly and through the guard"
CONFIGURATION=Debug CONFORMANCE_COMPARE_MESSAGES=1 tests/conformance/run.sh

step "all tests passed"
