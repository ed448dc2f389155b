#!/usr/bin/env bash
# Two guards against plain YARP on the same call, in many short interleaved rounds: for a change
# too small for run.sh's three runs to show. Each round runs plain YARP, guard A and guard B for
# DURATION seconds each, in a rotating order; the report gives per target the median requests/s and
# CPU time per request, and per guard the median of its per-round ratio to plain YARP.
#
#   CALL=shell B_ENV="DOTNET_gcServer=0" tests/load/ab.sh        # the same build, another setting
#   B_BUILD=/tmp/before/src/AgentGuard/bin/Release/net10.0 tests/load/ab.sh   # another build
#
# Settings (environment): CALL=list|shell|result A_ENV B_ENV B_BUILD ROUNDS=10 DURATION=5 WARMUP=30
# CONNECTIONS=32 SKIP_BUILD=0 KEEP_WORK=0 RUNTIME_ENV (all three's runtime settings; default: the image's);
# ports 18480-18495.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CALL=${CALL:-list}
ROUNDS=${ROUNDS:-10}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-32}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
NGINX_PORT=${NGINX_PORT:-18480}
YARP_PORT=${YARP_PORT:-18482}
A_PORT=${A_PORT:-18483}
B_PORT=${B_PORT:-18484}

# shellcheck source=lib.sh
source "$HERE/lib.sh"
make_work ab
[[ $CALL == s3* ]] && die "ab.sh measures MCP calls (list, shell, result)"
define_call
export MCP_CALL_BODY=$CALL_BODY

ensure_tools wrk nginx curl taskset
build_proxies
if [[ -n "${B_BUILD:-}" ]]; then
  cp -r "$B_BUILD" "$WORK/guard-b"
else
  cp -r "$WORK/guard" "$WORK/guard-b"
fi
start_nginx upstream "$LOAD_CPU" "$NGINX_PORT" "$MCP_LOCATION"
start_plain_yarp "$PROXY_CPU" "$YARP_PORT" "http://127.0.0.1:$NGINX_PORT/"
GUARD_LOG=guard-a.log GUARD_ENV=${A_ENV:-} start_guard "$PROXY_CPU" "$A_PORT" 18494 --upstream "http://127.0.0.1:$NGINX_PORT/" --policy "$REPO/policies"
A_PID=$GUARD_PID
GUARD_LOG=guard-b.log GUARD_DIR="$WORK/guard-b" GUARD_ENV=${B_ENV:-} start_guard "$PROXY_CPU" "$B_PORT" 18495 --upstream "http://127.0.0.1:$NGINX_PORT/" --policy "$REPO/policies"
B_PID=$GUARD_PID

declare -A PORT=([yarp]=$YARP_PORT [a]=$A_PORT [b]=$B_PORT) PID=([yarp]=$YARP_PID [a]=$A_PID [b]=$B_PID)
for target in yarp a b; do
  wait_http "$target" "http://127.0.0.1:${PORT[$target]}/" 60
  got=$(curl -s --max-time 5 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' --data-binary "$CALL_BODY" "http://127.0.0.1:${PORT[$target]}/mcp")
  [[ "$got" == "$REPLY_BODY" ]] || die "$target answered the allowed call with: $got"
done

run() { # run TARGET SECONDS: prints "rps cpu_us_per_request"
  local before after out
  before=$(proc_jiffies "${PID[$1]}")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 "-c$CONNECTIONS" "-d${2}s" --timeout 5s -s "$HERE/mcp-call.lua" "http://127.0.0.1:${PORT[$1]}" | grep '^RESULT')
  after=$(proc_jiffies "${PID[$1]}")
  awk -v j=$((after - before)) '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } } END { printf "%s %.1f\n", v["rps"], j * 10000 / v["requests"] }' <<<"$out"
}

for target in yarp a b; do
  log "warming up $target for $WARMUP s"
  run "$target" "$WARMUP" >/dev/null
done

RESULTS="$WORK/rounds.tsv"
orders=("yarp a b" "a b yarp" "b yarp a")
for ((round = 1; round <= ROUNDS; round++)); do
  line="round $round:"
  for target in ${orders[$(((round - 1) % 3))]}; do
    read -r rps cpu < <(run "$target" "$DURATION")
    printf '%s\t%s\t%s\t%s\n' "$round" "$target" "$rps" "$cpu" >>"$RESULTS"
    line+=" $target $rps/s ${cpu}us"
  done
  log "$line"
done

echo
echo "call: $CALL; $ROUNDS rounds of ${DURATION} s per target (wrk -c$CONNECTIONS); A_ENV='${A_ENV:-}' B_ENV='${B_ENV:-}' B_BUILD='${B_BUILD:-same}'"
awk -F'\t' '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { rps[$2, $1] = $3; cpu[$2, $1] = $4; if ($1 > rounds) rounds = $1 }
  END {
    split("yarp a b", ts, " ")
    for (k = 1; k <= 3; k++) {
      t = ts[k]
      for (r = 1; r <= rounds; r++) { x[r] = rps[t, r]; c[r] = cpu[t, r]; if (t != "yarp") { q[r] = rps[t, r] / rps["yarp", r]; d[r] = cpu[t, r] - cpu["yarp", r] } }
      printf "%-5s median %8.0f req/s  %6.1f us CPU/req", t, median(x, rounds), median(c, rounds)
      if (t != "yarp") printf "  ratio to plain YARP %.3f  extra CPU %.1f us", median(q, rounds), median(d, rounds)
      printf "\n"
    }
    for (r = 1; r <= rounds; r++) { e[r] = cpu["b", r] - cpu["a", r]; s[r] = rps["b", r] / rps["a", r] }
    printf "B against A: median per-round CPU difference %+.1f us per request, throughput ratio %.3f\n", median(e, rounds), median(s, rounds)
  }' "$RESULTS"
