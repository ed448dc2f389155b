#!/usr/bin/env bash
# Where the guard spends more CPU than plain YARP on the same call: both proxies under the same
# wrk load, sampled with perf, and the samples per request set side by side by module and by
# function.
#
#   CALL=shell tests/load/profile.sh          # CALL=list|shell|result, as in run.sh
#
# Settings (environment): CALL WARMUP=30 DURATION=15 CONNECTIONS=32 FREQ=1999 TOP=45 SKIP_BUILD=0
# KEEP_WORK=0; ports as in run.sh (defaults 18280-18293, apart from run.sh's).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CALL=${CALL:-list}
WARMUP=${WARMUP:-30}
SECONDS_PER_TARGET=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
FREQ=${FREQ:-1999}
TOP=${TOP:-45}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
NGINX_PORT=${NGINX_PORT:-18280}
YARP_PORT=${YARP_PORT:-18282}
GUARD_PORT=${GUARD_PORT:-18283}
GUARD_ADMIN_PORT=${GUARD_ADMIN_PORT:-18293}

# shellcheck source=lib.sh
source "$HERE/lib.sh"
make_work profile
[[ $CALL == s3* ]] && die "profile.sh measures MCP calls (list, shell, result)"
define_call
export MCP_CALL_BODY=$CALL_BODY

ensure_tools wrk nginx curl taskset perf
build_proxies
start_nginx upstream "$LOAD_CPU" "$NGINX_PORT" "$MCP_LOCATION"
# JIT frames are visible to perf only with a perf map and without W^X double mapping.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
start_plain_yarp "$PROXY_CPU" "$YARP_PORT" "http://127.0.0.1:$NGINX_PORT/"
start_guard "$PROXY_CPU" "$GUARD_PORT" "$GUARD_ADMIN_PORT" --upstream "http://127.0.0.1:$NGINX_PORT/" --policy "$REPO/policies"
wait_http plain-yarp "http://127.0.0.1:$YARP_PORT/" 60
wait_http guard "http://127.0.0.1:$GUARD_PORT/" 60

# With the kernel's syscall tracepoints, also the socket system calls per request.
EVENTS=task-clock,context-switches,cpu-migrations,page-faults
if [[ -n $(perf list 2>/dev/null | grep 'syscalls:sys_enter_sendto') ]]; then
  EVENTS+=,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait
fi
declare -A PORT=([plain-yarp]=$YARP_PORT [guard]=$GUARD_PORT) PID=([plain-yarp]=$YARP_PID [guard]=$GUARD_PID)
load() { # load PORT SECONDS: prints the requests wrk completed
  taskset -c "$LOAD_CPU" wrk -t1 "-c$CONNECTIONS" "-d${2}s" --timeout 5s -s "$HERE/mcp-call.lua" "http://127.0.0.1:$1" |
    sed -n 's/^RESULT .*requests=\([0-9]*\).*/\1/p'
}

for target in plain-yarp guard; do
  log "warming up $target for $WARMUP s"
  load "${PORT[$target]}" "$WARMUP" >/dev/null
done

declare -A REQUESTS
for target in plain-yarp guard; do
  log "profiling $target for $SECONDS_PER_TARGET s"
  perf record -q -F "$FREQ" -g -p "${PID[$target]}" -o "$WORK/$target.data" -- sleep "$((SECONDS_PER_TARGET + 1))" 2>/dev/null &
  perf_pid=$!
  perf stat -x, -e "$EVENTS" -p "${PID[$target]}" -o "$WORK/$target.stat" -- sleep "$((SECONDS_PER_TARGET + 1))" &
  stat_pid=$!
  sleep 0.5
  REQUESTS[$target]=$(load "${PORT[$target]}" "$SECONDS_PER_TARGET")
  wait "$perf_pid" "$stat_pid" || true
  log "$target: ${REQUESTS[$target]} requests"
done

# samples TARGET SORT: "samples<TAB>name" of the self time, from perf report.
samples() {
  perf report -i "$WORK/$1.data" --no-children --sort "$2" -g none --stdio -n 2>/dev/null |
    awk '/^ *[0-9.]+%/ { n = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); print n "\t" $0 }'
}

# assemblies FILE: the symbol samples of FILE summed by the managed assembly of their method
# (kernel and native symbols by kind).
assemblies() {
  awk -F'\t' '{
    k = "native"
    if ($2 ~ /^\[k\]/) k = "kernel"
    else if (match($2, /\[[^]]+\] [^ []+::/)) { k = substr($2, RSTART, RLENGTH); sub(/\].*/, "]", k) }
    else if ($2 ~ /^\[\.\] 0x/) k = "unresolved (runtime stubs, native)"
    print $1 "\t" k
  }' "$1"
}

report() { # report SORT: per request microseconds, guard against plain YARP
  local sort=$1
  if [[ $sort == assembly ]]; then
    assemblies "$WORK/yarp.symbol" >"$WORK/yarp.$sort"
    assemblies "$WORK/guard.symbol" >"$WORK/guard.$sort"
  else
    samples plain-yarp "$sort" >"$WORK/yarp.$sort"
    samples guard "$sort" >"$WORK/guard.$sort"
  fi
  awk -F'\t' -v yr="${REQUESTS[plain-yarp]}" -v gr="${REQUESTS[guard]}" -v f="$FREQ" -v top="$TOP" '
    FNR == NR { y[$2] += $1; names[$2] = 1; next }
    { g[$2] += $1; names[$2] = 1 }
    END {
      us = 1e6 / f
      for (n in names) { yu = y[n] * us / yr; gu = g[n] * us / gr; d[n] = gu - yu; Y[n] = yu; G[n] = gu; ty += yu; tg += gu }
      printf "%10s %10s %10s  %s\n", "YARP us", "guard us", "extra", "'"$sort"'"
      printf "%10.2f %10.2f %+10.2f  %s\n", ty, tg, tg - ty, "(all, per request)"
      k = 0
      for (n in d) order[++k] = n
      for (i = 2; i <= k; i++) { t = order[i]; for (j = i - 1; j >= 1 && (d[order[j]] < 0 ? -d[order[j]] : d[order[j]]) < (d[t] < 0 ? -d[t] : d[t]); j--) order[j + 1] = order[j]; order[j + 1] = t }
      for (i = 1; i <= k && i <= top; i++) printf "%10.2f %10.2f %+10.2f  %s\n", Y[order[i]], G[order[i]], d[order[i]], substr(order[i], 1, 150)
    }' "$WORK/yarp.$sort" "$WORK/guard.$sort"
}

echo
echo "call: $CALL; $SECONDS_PER_TARGET s each at full load (wrk -c$CONNECTIONS); plain YARP ${REQUESTS[plain-yarp]} requests, guard ${REQUESTS[guard]}"
echo "per request (perf stat over the whole window):"
for target in plain-yarp guard; do
  awk -F, -v t="$target" -v r="${REQUESTS[$target]}" '$3 ~ /^(task-clock|context-switches|cpu-migrations|page-faults|syscalls:sys_enter_.*)$/ {
    v = ($3 == "task-clock") ? $1 * 1000 / r : $1 / r; u = ($3 == "task-clock") ? " us" : ""
    name = $3; sub(/^syscalls:sys_enter_/, "", name)
    printf "  %-10s %-16s %8.3f%s\n", t, name, v, u }' "$WORK/$target.stat"
done
echo
report dso
echo
report symbol
echo
report assembly
