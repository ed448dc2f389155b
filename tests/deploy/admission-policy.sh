#!/usr/bin/env bash
# Evaluates the ValidatingAdmissionPolicy in deploy/kubernetes/admission-policy.yaml against the
# shipped agent pod and 17 variants that must be refused (tests/deploy/admission-policy.mjs).
# Installs its two npm packages (a CEL evaluator and a YAML parser) into .tools/deploy (gitignored).
# Needs node and npm. Prints 'N passed, N failed'; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "admission-policy: $tool is missing" >&2; exit 1; }
done

TOOLS=.tools/deploy
if [ ! -f "$TOOLS/node_modules/@marcbachmann/cel-js/package.json" ] || [ ! -f "$TOOLS/node_modules/yaml/package.json" ]; then
    mkdir -p "$TOOLS"
    [ -f "$TOOLS/package.json" ] || echo '{ "private": true, "type": "module" }' >"$TOOLS/package.json"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent @marcbachmann/cel-js@8.0.0 yaml@2.9.1
fi

# Node resolves packages from the script's folder upwards; run a copy beside node_modules.
cp tests/deploy/admission-policy.mjs "$TOOLS/admission-policy.mjs"
node "$TOOLS/admission-policy.mjs" "$PWD"
