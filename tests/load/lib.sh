# Shared by run.sh and stream.sh: tools, nginx under a private prefix, the two proxies, cleanup.
# Source it after `set -euo pipefail` with REPO set, then call make_work.

PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() { log "error: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "${WORK:-}" && -d "$WORK" && "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$WORK"
  fi
}

# make_work NAME: a private temp folder in WORK, removed with everything started on exit.
make_work() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentguard-$1.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# Installs the Debian packages for the given commands when they are missing (wrk, nginx).
ensure_tools() {
  local missing=() cmd
  for cmd in "$@"; do
    if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$cmd" ]]; then
      case "$cmd" in
        nginx) missing+=(nginx-light) ;;
        *) missing+=("$cmd") ;;
      esac
    fi
  done
  if ((${#missing[@]} > 0)); then
    local sudo=()
    [[ $EUID -ne 0 ]] && sudo=(sudo)
    log "installing ${missing[*]} with apt-get"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# Fails when a TCP port on 127.0.0.1 is already taken (another engineer's server, a stale run).
ensure_port_free() {
  local port=$1
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use; set the *_PORT variables to free ports"
  fi
}

# start_nginx NAME CPU PORT SERVER_BLOCK_BODY: nginx in the foreground (so its pid is ours to
# stop) under $WORK/NAME, one worker pinned with its master to CPU, access log off.
start_nginx() {
  local name=$1 cpu=$2 port=$3 body=$4
  local prefix="$WORK/$name"
  ensure_port_free "$port"
  mkdir -p "$prefix/logs"
  cat >"$prefix/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $prefix/client_body;
  proxy_temp_path $prefix/proxy;
  fastcgi_temp_path $prefix/fastcgi;
  uwsgi_temp_path $prefix/uwsgi;
  scgi_temp_path $prefix/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$port backlog=4096;
$body
  }
}
CONF
  taskset -c "$cpu" "$NGINX" -p "$prefix/" -e "$prefix/logs/error.log" -c "$prefix/nginx.conf" \
    >"$prefix/logs/stdout.log" 2>&1 &
  PIDS+=($!)
  eval "${name//-/_}_PID=$!"
}

# wait_http NAME URL [SECONDS]: polls until URL answers (any status) or the deadline passes.
wait_http() {
  local name=$1 url=$2 deadline=$((SECONDS + ${3:-60}))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    ((SECONDS < deadline)) || die "$name did not answer at $url within ${3:-60} s"
    sleep 0.2
  done
}

# Builds the guard (Release) and PlainYarp, and copies each output to $WORK so that a rebuild
# by someone else while we measure cannot swap assemblies under the running processes.
build_proxies() {
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building the guard and PlainYarp (Release)"
    dotnet build -c Release "$REPO/src/AgentGuard" -v q -nologo >"$WORK/build-guard.log" 2>&1 \
      || { tail -30 "$WORK/build-guard.log" >&2; die "guard build failed (log above)"; }
    if [[ "${1:-}" != guard-only ]]; then
      dotnet build -c Release "$REPO/tests/load/PlainYarp" -v q -nologo >"$WORK/build-yarp.log" 2>&1 \
        || { tail -30 "$WORK/build-yarp.log" >&2; die "PlainYarp build failed (log above)"; }
    fi
  fi
  cp -r "$REPO/src/AgentGuard/bin/Release/net10.0" "$WORK/guard"
  [[ "${1:-}" == guard-only ]] || cp -r "$REPO/tests/load/PlainYarp/bin/Release/net10.0" "$WORK/plainyarp"
}

# The runtime settings (garbage collection, tiered compilation) the container image runs the guard
# with (deploy/Dockerfile). Both proxies get them, so the comparison stays one of inspection alone;
# RUNTIME_ENV="" runs both at the runtime's defaults.
runtime_env() {
  if [[ -n "${RUNTIME_ENV+set}" ]]; then
    printf '%s' "$RUNTIME_ENV"
  else
    grep -v '^ *#' "$REPO/deploy/Dockerfile" | grep -o 'DOTNET_gcServer=[0-9]*\|DOTNET_GCgen0size=0x[0-9A-Fa-f]*\|DOTNET_TC_DelaySingleProcMultiplier=[0-9]*' | tr '\n' ' '
  fi
}

# start_guard CPU PORT ADMIN_PORT ARGS...: the guard, pinned, logging at Warning only.
start_guard() {
  local cpu=$1 port=$2 admin=$3
  shift 3
  ensure_port_free "$port"
  ensure_port_free "$admin"
  # GUARD_ENV: extra environment for the guard alone, e.g. GUARD_ENV="DOTNET_TieredPGO=0";
  # GUARD_DIR: another build to run (default: the one build_proxies copied); GUARD_LOG: its log's
  # name in $WORK (default guard.log).
  # shellcheck disable=SC2046,SC2086
  env $(runtime_env) ${GUARD_ENV:-} Logging__LogLevel__Default=Warning taskset -c "$cpu" dotnet "${GUARD_DIR:-$WORK/guard}/agentguard.dll" run \
    --listen "http://127.0.0.1:$port" --admin "http://127.0.0.1:$admin" "$@" \
    >"$WORK/${GUARD_LOG:-guard.log}" 2>&1 &
  PIDS+=($!)
  GUARD_PID=$!
}

start_plain_yarp() {
  local cpu=$1 port=$2 upstream=$3
  ensure_port_free "$port"
  # shellcheck disable=SC2046
  env $(runtime_env) taskset -c "$cpu" dotnet "$WORK/plainyarp/PlainYarp.dll" "http://127.0.0.1:$port" "$upstream" \
    >"$WORK/plainyarp.log" 2>&1 &
  PIDS+=($!)
  YARP_PID=$!
}

# Prints "user+system jiffies" of a process and its threads (0 when it is gone).
proc_jiffies() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Prints busy jiffies of all CPUs together (everything but idle and iowait).
busy_jiffies() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# define_call: CALL_BODY, REPLY_BODY and MCP_LOCATION (the upstream nginx's location answering it;
# for CALL=s3get|s3put also the object and S3_* settings) of the call CALL names: list, shell,
# result, s3get or s3put.
define_call() {
  REPLY_BODY='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"employee_directory.csv, Q4_financial_report.xlsx, gemini_agent_2_model_weight.safetensors"}],"isError":false}}'
  case $CALL in
    list) CALL_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}' ;;
    # A coding agent's typical shell call (four commands, 206 characters), which the shell analyser
    # reads and the policy allows.
    shell) CALL_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"bash","arguments":{"command":"cd /workspace/app && grep -rn \"TODO\" src/ | head -20; ls -la /data/*.csv && python3 scripts/report.py --out /tmp/report.txt; cat config/settings.yaml | wc -l"}}}' ;;
    # An evaluator reading a data sheet: the result (about 4 KiB) is what the guard keeps as
    # evidence. AgentGuard__Sessions__Observe=false in the environment measures the same call unobserved.
    result)
      CALL_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/srv/eval/factual_samples.txt"}}}'
      sheet=""
      for i in $(seq -w 1 37); do
        sheet+="Sample $i: question What is the capital of country $i; answer City $i; reference City $i; verdict correct. "
      done
      REPLY_BODY='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"'"$sheet"'"}],"isError":false}}'
      ;;
    s3get | s3put)
      # A 4 KiB object: text, so that the PUT's content is sniffed and found not to be weights.
      object=""
      for i in $(seq -w 1 64); do object+="row $i: quarterly figures, department totals, nothing protected."$'\n'; done
      object=${object:0:4096}
      export S3_PATH=/reports-bucket/q3/summary.csv
      if [[ $CALL == s3get ]]; then export S3_METHOD=GET; else export S3_METHOD=PUT S3_BODY=$object; fi
      CALL_BODY=""
      ;;
    *) die "CALL is '$CALL'; use list, shell, result, s3get or s3put" ;;
  esac
  # The upstream nginx's answer to the call.
  MCP_LOCATION="    location = /mcp {
      default_type application/json;
      return 200 '$REPLY_BODY';
    }"
}
