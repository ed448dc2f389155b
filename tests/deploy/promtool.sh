#!/usr/bin/env bash
# Checks the Prometheus alerting rules and runs their unit tests:
#   promtool check rules deploy/prometheus/agentguard-rules.yaml
#   promtool test rules  deploy/prometheus/agentguard-rules.test.yaml
# then checks that every PromQL query in the Grafana dashboard parses (each is written, with
# Grafana's $__rate_interval and $__range filled in, as a recording rule that promtool checks).
# Installs Debian's `prometheus` package (which ships promtool) when promtool is missing.
# Exits non-zero when either step fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null 2>&1; then
    echo "promtool not found; installing Debian's prometheus package" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has no package lists yet; installing without them finds nothing.
    if ! $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
        $sudo apt-get update -qq
        $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    fi
    # The package's post-install script may start a Prometheus server; promtool needs none.
    # Stop only the service that this install started, and only through its init script.
    if command -v service >/dev/null 2>&1; then
        $sudo service prometheus stop >/dev/null 2>&1 || true
    fi
fi

promtool --version | head -n 1
promtool check rules deploy/prometheus/agentguard-rules.yaml
promtool test rules deploy/prometheus/agentguard-rules.test.yaml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - deploy/grafana/agentguard.json >"$work/dashboard-queries.yaml" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
exprs = []
def walk(panels):
    for panel in panels:
        walk(panel.get("panels", []))
        for target in panel.get("targets", []):
            exprs.append((panel["title"], target["expr"]))
walk(dashboard["panels"])
print("groups:\n  - name: dashboard-queries\n    rules:")
for i, (title, expr) in enumerate(exprs):
    expr = expr.replace("$__rate_interval", "1m").replace("$__range", "6h")
    print(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(expr)}")
print(f"dashboard: {len(exprs)} queries", file=sys.stderr)
PY
echo "Checking the dashboard's queries"
promtool check rules "$work/dashboard-queries.yaml"
