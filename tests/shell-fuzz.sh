#!/usr/bin/env bash
# Runs the shell parser's and analyser's never-throws check on the whole 10^5 generated and mutated commands
# (dotnet test runs a share of them), failing on any input that takes longer than
# SHELL_FUZZ_MAX_MS milliseconds. Usage: tests/shell-fuzz.sh [COUNT] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export SHELL_FUZZ_COUNT="${1:-100000}"
export SHELL_FUZZ_SEED="${2:-20261205}"
export SHELL_FUZZ_MAX_MS="${SHELL_FUZZ_MAX_MS:-5000}"
dotnet build tests/AgentGuard.Core.Tests -c Release -nologo -v quiet
dotnet test tests/AgentGuard.Core.Tests -c Release --no-build \
  --filter "FullyQualifiedName~ShellParserRobustnessTests.ParseAndAnalyze_GeneratedAndMutatedCommands" \
  --logger "console;verbosity=detailed"
