#!/usr/bin/env bash
# How soon a freshly started proxy reaches full speed: it is started cold, pinned to one CPU, and
# put under full load at once; requests/s are printed for every CHUNK seconds. On one CPU the
# runtime's tier-up delay is what this shows (docs/performance.md, section 21).
#
#   CALL=shell tests/load/warmup.sh                                        # the guard, the image's settings
#   CALL=shell GUARD_ENV=DOTNET_TC_DelaySingleProcMultiplier=10 tests/load/warmup.sh   # the runtime's default delay
#   TARGET=yarp tests/load/warmup.sh                                       # plain YARP
#
# Settings (environment): CALL=list|shell|result TARGET=guard|yarp CHUNKS=18 CHUNK=5 CONNECTIONS=32
# SKIP_BUILD=0 KEEP_WORK=0 GUARD_ENV RUNTIME_ENV (as in run.sh); ports 18580-18593.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CALL=${CALL:-list}
TARGET=${TARGET:-guard}
CHUNKS=${CHUNKS:-18}
CHUNK=${CHUNK:-5}
CONNECTIONS=${CONNECTIONS:-32}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
NGINX_PORT=${NGINX_PORT:-18580}
PROXY_PORT=${PROXY_PORT:-18582}
GUARD_ADMIN_PORT=${GUARD_ADMIN_PORT:-18593}

# shellcheck source=lib.sh
source "$HERE/lib.sh"
make_work warmup
[[ $CALL == s3* ]] && die "warmup.sh measures MCP calls (list, shell, result)"
define_call
export MCP_CALL_BODY=$CALL_BODY

ensure_tools wrk nginx curl taskset
case $TARGET in
  guard) build_proxies guard-only ;;
  yarp) build_proxies ;;
  *) die "TARGET is '$TARGET'; use guard or yarp" ;;
esac
start_nginx upstream "$LOAD_CPU" "$NGINX_PORT" "$MCP_LOCATION"
if [[ $TARGET == guard ]]; then
  start_guard "$PROXY_CPU" "$PROXY_PORT" "$GUARD_ADMIN_PORT" --upstream "http://127.0.0.1:$NGINX_PORT/" --policy "$REPO/policies"
else
  start_plain_yarp "$PROXY_CPU" "$PROXY_PORT" "http://127.0.0.1:$NGINX_PORT/"
fi
wait_http "$TARGET" "http://127.0.0.1:$PROXY_PORT/" 60

log "$TARGET ($CALL call; runtime settings: $(runtime_env)${GUARD_ENV:+; for the guard alone: $GUARD_ENV}): requests/s every $CHUNK s from a cold start"
series=""
for i in $(seq 1 "$CHUNKS"); do
  rps=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${CHUNK}s" -s "$HERE/mcp-call.lua" "http://127.0.0.1:$PROXY_PORT" \
    | sed -n 's/^RESULT rps=\([0-9]*\).*/\1/p')
  printf '  %3d s  %6s req/s\n' $((i * CHUNK)) "${rps:-?}"
  series+=" ${rps:-?}"
done
echo "series:$series"
