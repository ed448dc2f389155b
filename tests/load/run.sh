#!/usr/bin/env bash
# Load test: AgentGuard against plain YARP against nginx alone, on one machine.
#
#   tests/load/run.sh            # everything: install, build, start, warm up, measure, report, clean up
#
# nginx answers POST /mcp with a fixed JSON-RPC tools/call result. Three targets are measured
# with the same allowed tools/call (list_server_files, which the guard decides and forwards; with
# CALL=shell, a bash call whose command the guard's shell analyser reads; with CALL=result, a
# read_file whose result is about 4 KiB of text, which the guard observes as evidence on its way back;
# with CALL=s3get or CALL=s3put, an S3 GetObject of a 4 KiB object or a PutObject of 4 KiB on the
# guard's S3 route (AgentGuard.Inspect: s3), nginx answering as the store):
#   nginx direct  a second nginx on the proxies' CPU: the ceiling
#   plain YARP    tests/load/PlainYarp, catch-all route to nginx (the baseline)
#   guard         agentguard run --upstream nginx --policy policies (inspects every POST)
# Each proxy is pinned to PROXY_CPU, wrk and the upstream nginx to LOAD_CPU.
# (a) max throughput: wrk -t1 -c$CONNECTIONS -d$DURATION --latency, RUNS times, medians reported.
# (b) latency at a fixed RATE (default 1000/s): wrk with the pacing script fixed-rate.lua
#     (Debian has no wrk2), RUNS times, medians reported.
# Runs of the targets are interleaved, so that a burst of other work on the machine hits all of
# them alike. Each run also records the target's own CPU time per request (from /proc/PID/stat;
# robust to other work on the machine, unlike requests/s), the CPU other processes used
# meanwhile and the CPU the hypervisor stole (/proc/stat), so disturbed runs can be told apart.
#
# HOLD=1 keeps one call held beside the load (a rule holds delete_server_file, or an S3 DeleteObject,
# for 30 min and nobody approves it; it is sent again if its hold ends), so the figures show whether
# a pending hold slows the calls that are not held: compare a run with HOLD=1 to one without.
#
# Settings (environment): CALL=list|shell|result|s3get|s3put HOLD=0|1 SESSION_CALLS=0 (N: a new MCP session every N calls) WARMUP=60 DURATION=15 RUNS=3 RATE_RUNS=RUNS CONNECTIONS=32 RATE=1000
# RATE_DURATION=30 RATE_CONNECTIONS=50 QUIET_STEAL=0.10 PROXY_CPU=0 LOAD_CPU=1 SKIP_BUILD=0 KEEP_WORK=0
# GUARD_ARGS (extra guard flags) GUARD_ENV (extra guard environment) RUNTIME_ENV (both proxies' runtime settings; default: the image's, from deploy/Dockerfile) RESULTS=<file to copy the raw results to>; ports NGINX_PORT DIRECT_PORT YARP_PORT GUARD_PORT
# GUARD_ADMIN_PORT (18180-18193).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WARMUP=${WARMUP:-60}
DURATION=${DURATION:-15}
RUNS=${RUNS:-3}
RATE_RUNS=${RATE_RUNS:-$RUNS}
CONNECTIONS=${CONNECTIONS:-32}
RATE=${RATE:-1000}
RATE_DURATION=${RATE_DURATION:-30}
RATE_CONNECTIONS=${RATE_CONNECTIONS:-50}
QUIET_STEAL=${QUIET_STEAL:-0.10}
CALL=${CALL:-list}
HOLD=${HOLD:-0}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
NGINX_PORT=${NGINX_PORT:-18180}
DIRECT_PORT=${DIRECT_PORT:-18181}
YARP_PORT=${YARP_PORT:-18182}
GUARD_PORT=${GUARD_PORT:-18183}
GUARD_ADMIN_PORT=${GUARD_ADMIN_PORT:-18193}

# shellcheck source=lib.sh
source "$HERE/lib.sh"
make_work load

define_call
# mcp-call.lua (and fixed-rate.lua through it) sends this body.
export MCP_CALL_BODY=$CALL_BODY
DENIED_BODY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}'
if [[ $CALL == s3* ]]; then
  # The store: GET serves the object (a file: nginx caps an inline answer near 4 KiB), PUT answers
  # 200 with no body, as S3 does.
  mkdir -p "$WORK/s3root/reports-bucket/q3"
  printf '%s' "$object" >"$WORK/s3root/reports-bucket/q3/summary.csv"
  # nginx's workers may run as another user (nobody, when started as root): let them read it.
  chmod o+x "$WORK" && chmod -R o+rX "$WORK/s3root"
  MCP_LOCATION="    location /reports-bucket/ {
      root $WORK/s3root;
      if (\$request_method = PUT) { return 200; }
    }
    location /weights/ {
      return 200;
    }"
fi

ensure_tools wrk nginx curl taskset
build_proxies

log "starting nginx (upstream on CPU $LOAD_CPU, direct on CPU $PROXY_CPU), PlainYarp and the guard (CPU $PROXY_CPU)"
start_nginx upstream "$LOAD_CPU" "$NGINX_PORT" "$MCP_LOCATION"
start_nginx direct "$PROXY_CPU" "$DIRECT_PORT" "$MCP_LOCATION"
start_plain_yarp "$PROXY_CPU" "$YARP_PORT" "http://127.0.0.1:$NGINX_PORT/"
# GUARD_ARGS adds flags, e.g. GUARD_ARGS="--audit-dir /tmp/audit" to measure with the audit log on.
# shellcheck disable=SC2086
if [[ $CALL == s3* ]]; then
  # One S3 route to nginx; the policy's weights buckets (s3://weights/**) make the preflight's denial.
  cat >"$WORK/s3-guard.json" <<JSON
{
  "ReverseProxy": {
    "Routes": { "store": { "ClusterId": "store", "Match": { "Path": "{**catch-all}" }, "Metadata": { "AgentGuard.Inspect": "s3" } } },
    "Clusters": { "store": { "Destinations": { "d1": { "Address": "http://127.0.0.1:$NGINX_PORT/" } } } }
  }
}
JSON
  mkdir -p "$WORK/s3-policy"
  cat >"$WORK/s3-policy/s3.yaml" <<'YAML'
version: 1
default: allow
assets:
  s3-weights:
    resources: ["s3://weights/**"]
    formats: [safetensors, gguf, pytorch, numpy, onnx, hdf5]
rules:
  - id: s3-weights-delete
    when: { kind: [delete, lifecycle, set-time], asset: s3-weights }
    decision: deny
    finding: { category: weight-tampering, severity: high }
YAML
  if [[ $HOLD == 1 ]]; then
    # Deny outranks hold: the preflight's DELETE of a weights object is still denied.
    cat >>"$WORK/s3-policy/s3.yaml" <<'YAML'
  - id: load-hold
    when: { method: DeleteObject }
    decision: hold
    hold: { timeout: 30m }
    finding: { category: load-hold, severity: info }
YAML
  fi
  # shellcheck disable=SC2086
  start_guard "$PROXY_CPU" "$GUARD_PORT" "$GUARD_ADMIN_PORT" --config "$WORK/s3-guard.json" --policy "$WORK/s3-policy" ${GUARD_ARGS:-}
else
  hold_policy=()
  if [[ $HOLD == 1 ]]; then
    mkdir -p "$WORK/hold-policy"
    cat >"$WORK/hold-policy/hold.yaml" <<'YAML'
version: 1
rules:
  - id: load-hold
    when: { tool: delete_server_file }
    decision: hold
    hold: { timeout: 30m }
    finding: { category: load-hold, severity: info }
YAML
    hold_policy=(--policy "$WORK/hold-policy")
  fi
  # shellcheck disable=SC2086
  start_guard "$PROXY_CPU" "$GUARD_PORT" "$GUARD_ADMIN_PORT" --upstream "http://127.0.0.1:$NGINX_PORT/" --policy "$REPO/policies" "${hold_policy[@]}" ${GUARD_ARGS:-}
fi

TARGETS=(nginx-direct plain-yarp guard)
declare -A PORT=([nginx-direct]=$DIRECT_PORT [plain-yarp]=$YARP_PORT [guard]=$GUARD_PORT)
declare -A LABEL=([nginx-direct]="nginx direct" [plain-yarp]="plain YARP" [guard]="guard")
for target in "${TARGETS[@]}"; do
  wait_http "$target" "http://127.0.0.1:${PORT[$target]}/" 60
done

post() { # post PORT BODY: prints "status body"
  curl -s --max-time 5 -w ' %{http_code}' -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' --data-binary "$2" "http://127.0.0.1:$1/mcp"
}

s3() { # s3 PORT METHOD PATH [BODY]: prints "body status"
  local data=()
  [[ $# -ge 4 ]] && data=(--data-binary "$4")
  curl -s --max-time 5 -w ' %{http_code}' -X "$2" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "${data[@]}" "http://127.0.0.1:$1$3"
}

# Preflight: every target forwards the allowed call unchanged, and the guard really inspects.
if [[ $CALL == s3* ]]; then
  for target in "${TARGETS[@]}"; do
    if [[ $CALL == s3get ]]; then want="$object 200"; got=$(s3 "${PORT[$target]}" GET "$S3_PATH"); else want=" 200"; got=$(s3 "${PORT[$target]}" PUT "$S3_PATH" "$object"); fi
    [[ "$got" == "$want" ]] || die "$target answered the allowed S3 $S3_METHOD with: $got"
  done
  denied=$(s3 "$GUARD_PORT" DELETE /weights/agent_2.safetensors)
  [[ "$denied" == *'<Code>AccessDenied</Code>'*' 403' ]] || die "the guard did not deny DELETE of a weights object: $denied"
  log "preflight ok: all targets forward the S3 $S3_METHOD; the guard denies DeleteObject on the weights bucket"
else
  for target in "${TARGETS[@]}"; do
    got=$(post "${PORT[$target]}" "$CALL_BODY")
    [[ "$got" == "$REPLY_BODY 200" ]] || die "$target answered the allowed call with: $got"
  done
  denied=$(post "$GUARD_PORT" "$DENIED_BODY")
  [[ "$denied" == *'permission denied'* ]] || die "the guard did not deny modify_var shutdown_enabled=false: $denied"
  log "preflight ok: all targets forward the $CALL call; the guard denies modify_var shutdown_enabled=false"
fi

pending_holds() { # the guard's agentguard_holds_pending, from its admin plane
  curl -s --max-time 5 "http://127.0.0.1:$GUARD_ADMIN_PORT/metrics" | awk '/^agentguard_holds_pending / { print $2 + 0 }'
}

if [[ $HOLD == 1 ]]; then
  # The held call waits on the guard's CPU as any request would; nobody approves it. When its
  # hold ends (30 min), it is sent again, so that one call is held for the whole measurement.
  (
    while true; do
      if [[ $CALL == s3* ]]; then
        curl -s -o /dev/null --max-time 3600 -X DELETE -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
          "http://127.0.0.1:$GUARD_PORT/reports-bucket/held-beside-the-load.csv" || true
      else
        curl -s -o /dev/null --max-time 3600 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
          --data-binary '{"jsonrpc":"2.0","id":"held","method":"tools/call","params":{"name":"delete_server_file","arguments":{"ip":"10.0.12.45","filename":"held-beside-the-load.txt"}}}' \
          "http://127.0.0.1:$GUARD_PORT/mcp" || true
      fi
      sleep 1
    done
  ) &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    [[ "$(pending_holds)" == 1 ]] && break
    sleep 0.1
  done
  [[ "$(pending_holds)" == 1 ]] || die "the guard holds $(pending_holds) calls, not the one sent to be held beside the load"
  log "one call held beside the load (rule load-hold; nobody approves it)"
fi

server_pids() { # every process of ours that serves: proxies, nginx masters and workers
  local pid
  for pid in "${PIDS[@]}"; do
    echo "$pid"
    pgrep -P "$pid" 2>/dev/null || true
  done
}

RESULTS_TSV="$WORK/results.tsv"
printf 'target\tmode\trun\trps\tp50_us\tp99_us\tmax_us\terrors\tcpu_us_per_req\tother_cores\tsteal_cores\tload1\tp90_us\n' >"$RESULTS_TSV"

# The processes whose CPU time is the target's own (a proxy; nginx's master and worker).
target_pids() {
  case $1 in
    nginx-direct) echo "$direct_PID"; pgrep -P "$direct_PID" || true ;;
    plain-yarp) echo "$YARP_PID" ;;
    guard) echo "$GUARD_PID" ;;
  esac
}

sum_jiffies() {
  local pid total=0
  for pid in "$@"; do total=$((total + $(proc_jiffies "$pid"))); done
  echo "$total"
}

steal_jiffies() { awk '/^cpu / { print $9 }' /proc/stat; }

# measure TARGET MODE RUN: one wrk run; appends a line to results.tsv. Besides wrk's figures it
# records the target's own CPU time per request (robust to other work on the machine, unlike
# requests/s), the CPU other processes used meanwhile, and the CPU the hypervisor stole.
measure() {
  local target=$1 mode=$2 run=$3 port=${PORT[$1]} out="$WORK/wrk-$1-$2-$3.txt"
  local args script seconds
  if [[ $mode == max ]]; then
    args=(-t1 "-c$CONNECTIONS" "-d${DURATION}s") script="$HERE/mcp-call.lua" seconds=$DURATION
  elif [[ $mode == warmup ]]; then
    args=(-t1 "-c$CONNECTIONS" "-d${WARMUP}s") script="$HERE/mcp-call.lua" seconds=$WARMUP
  else
    args=(-t1 "-c$RATE_CONNECTIONS" "-d${RATE_DURATION}s") script="$HERE/fixed-rate.lua" seconds=$RATE_DURATION
  fi

  local ours mine
  mapfile -t ours < <(server_pids)
  mapfile -t mine < <(target_pids "$target")
  local ours_before mine_before busy_before steal_before
  ours_before=$(sum_jiffies "${ours[@]}") mine_before=$(sum_jiffies "${mine[@]}")
  busy_before=$(busy_jiffies) steal_before=$(steal_jiffies)
  local TIMEFORMAT='%U %S'
  { time RATE=$RATE taskset -c "$LOAD_CPU" wrk "${args[@]}" --latency --timeout 5s -s "$script" \
      "http://127.0.0.1:$port" >"$out" 2>&1; } 2>"$out.time"
  local busy=$(($(busy_jiffies) - busy_before)) steal=$(($(steal_jiffies) - steal_before))
  local own=$(($(sum_jiffies "${ours[@]}") - ours_before)) target_cpu=$(($(sum_jiffies "${mine[@]}") - mine_before))
  local wrk_cpu load1
  wrk_cpu=$(awk '{ printf "%d", ($1 + $2) * 100 }' "$out.time")
  load1=$(cut -d' ' -f1 /proc/loadavg)

  local result
  result=$(grep '^RESULT' "$out") || die "wrk gave no result for $target $mode (see $out): $(tail -5 "$out")"
  [[ $mode == warmup ]] && return 0
  awk -v t="$target" -v m="$mode" -v r="$run" -v s="$seconds" -v busy="$busy" -v own="$((own + wrk_cpu))" \
    -v steal="$steal" -v cpu="$target_cpu" -v l="$load1" '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END {
      other = (busy - own) / (s * 100); if (other < 0) other = 0
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%s\t%s\n", t, m, r, v["rps"], v["p50_us"], v["p99_us"], v["max_us"],
        v["errors"], cpu * 10000 / v["requests"], other, steal / (s * 100), l, v["p90_us"]
    }' <<<"$result" >>"$RESULTS_TSV"
  tail -1 "$RESULTS_TSV" | awk -F'\t' '{ printf "  %-13s %-5s run %s: %8.0f req/s  p50 %6.3f ms  p90 %6.3f ms  p99 %6.3f ms  %6.1f us CPU/req  errors %s  other %s cores  steal %s  load %s\n", $1, $2, $3, $4, $5 / 1000, $13 / 1000, $6 / 1000, $9, $8, $10, $11, $12 }' >&2
}

log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for target in "${TARGETS[@]}"; do
  log "warming up ${LABEL[$target]} for ${WARMUP} s"
  measure "$target" warmup 0
done

for ((run = 1; run <= RUNS; run++)); do
  log "max throughput, run $run of $RUNS"
  for target in "${TARGETS[@]}"; do measure "$target" max "$run"; done
done

for ((run = 1; run <= RATE_RUNS; run++)); do
  log "fixed rate $RATE/s, run $run of $RATE_RUNS"
  for target in "${TARGETS[@]}"; do measure "$target" rate "$run"; done
done

# median TARGET MODE COLUMN
median() {
  awk -F'\t' -v t="$1" -v m="$2" -v c="$3" '$1 == t && $2 == m { print $c }' "$RESULTS_TSV" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ms() { awk -v v="$1" 'BEGIN { printf "%.3f", v / 1000 }'; }

echo
echo "AgentGuard load test: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'), proxies on CPU $PROXY_CPU, wrk on CPU $LOAD_CPU"
[[ $HOLD == 1 ]] && echo "one call held beside the load throughout (HOLD=1); held calls pending at the end: $(pending_holds)"
echo "call: $CALL; medians of $RUNS runs; max: wrk -t1 -c$CONNECTIONS -d${DURATION}s; fixed: $RATE req/s paced, -c$RATE_CONNECTIONS -d${RATE_DURATION}s; warm-up ${WARMUP} s each"
echo
printf '| %-12s | %9s | %7s | %7s | %8s | %10s | %7s | %7s | %7s | %8s | %13s |\n' target "max req/s" "p50 ms" "p99 ms" "CPU us/req" "fixed req/s" "p50 ms" "p90 ms" "p99 ms" "CPU us/req" "other/steal"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------------- ----------: --------: --------: -----------: ------------: --------: --------: --------: -----------: ---------------:
for target in "${TARGETS[@]}"; do
  printf '| %-12s | %9.0f | %7s | %7s | %10s | %11.0f | %7s | %7s | %7s | %10s | %13s |\n' "${LABEL[$target]}" \
    "$(median "$target" max 4)" "$(ms "$(median "$target" max 5)")" "$(ms "$(median "$target" max 6)")" "$(median "$target" max 9)" \
    "$(median "$target" rate 4)" "$(ms "$(median "$target" rate 5)")" "$(ms "$(median "$target" rate 13)")" "$(ms "$(median "$target" rate 6)")" "$(median "$target" rate 9)" \
    "$(median "$target" max 10)/$(median "$target" max 11)"
done
echo
awk -v g="$(median guard max 4)" -v y="$(median plain-yarp max 4)" -v gc="$(median guard max 9)" -v yc="$(median plain-yarp max 9)" \
  -v gp="$(median guard rate 6)" -v yp="$(median plain-yarp rate 6)" -v gp50="$(median guard rate 5)" -v yp50="$(median plain-yarp rate 5)" \
  -v gp90="$(median guard rate 13)" -v yp90="$(median plain-yarp rate 13)" 'BEGIN {
    ratio = g / y; delta = (gp - yp) / 1000
    goal = ("'"$CALL"'" ~ /^s3/) ? 0.9 : ("'"$CALL"'" == "result") ? 0.85 : 0.8
    printf "guard / plain YARP max throughput: %.2f (target >= %.2f: %s)\n", ratio, goal, (ratio >= goal ? "met" : "MISSED")
    printf "plain YARP / guard CPU per request at max load: %.2f (%.1f us more per request in the guard)\n", yc / gc, gc - yc
    printf "guard - plain YARP p50 at %s req/s: %+.3f ms\n", "'"$RATE"'", (gp50 - yp50) / 1000
    printf "guard - plain YARP p90 at %s req/s: %+.3f ms\n", "'"$RATE"'", (gp90 - yp90) / 1000
    printf "guard - plain YARP p99 at %s req/s: %+.3f ms (target <= +0.500 ms: %s)\n", "'"$RATE"'", delta, (delta <= 0.5 ? "met" : "MISSED")
  }'
# The hypervisor's steal comes and goes within a run set and sets the tails (section 2 of
# docs/performance.md); pairs of runs (plain YARP's and the guard's of the same round) in which
# neither had more than QUIET_STEAL cores stolen compare the two on a quiet host.
awk -F'\t' -v q="$QUIET_STEAL" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  $1 == "plain-yarp" || $1 == "guard" { rps[$1, $2, $3] = $4; p99[$1, $2, $3] = $6; cpu[$1, $2, $3] = $9; steal[$1, $2, $3] = $11; runs[$2, $3] = 1 }
  END {
    n = 0; c = 0
    for (k in runs) {
      split(k, mr, SUBSEP); m = mr[1]; r = mr[2]
      if (steal["plain-yarp", m, r] > q || steal["guard", m, r] > q) continue
      if (m == "max") {
        ratio[++n] = rps["guard", m, r] / rps["plain-yarp", m, r]
        extra[n] = cpu["guard", m, r] - cpu["plain-yarp", m, r]
      } else {
        delta[++c] = (p99["guard", m, r] - p99["plain-yarp", m, r]) / 1000
      }
    }
    printf "quiet pairs (<= %s cores stolen in both runs of a round): ", q
    if (n) printf "max throughput %d, median ratio %.2f, %.1f us more CPU per request in the guard; ", n, median(ratio, n), median(extra, n)
    else printf "max throughput none; "
    if (c) printf "fixed rate %d, median p99 difference %+.3f ms\n", c, median(delta, c)
    else printf "fixed rate none\n"
  }' "$RESULTS_TSV"
errors=$(awk -F'\t' 'NR > 1 { s += $8 } END { print s + 0 }' "$RESULTS_TSV")
echo "socket errors and statuses >= 400 over all runs: $errors"
echo "other/steal: median CPU (cores) used by other processes / stolen by the hypervisor during the max runs."
echo "Fixed-rate tails track steal: compare the per-run lines below before trusting a p99 difference."
echo
echo "raw results:"
column -t -s $'\t' "$RESULTS_TSV"
if [[ -n "${RESULTS:-}" ]]; then
  cp "$RESULTS_TSV" "$RESULTS"
fi
