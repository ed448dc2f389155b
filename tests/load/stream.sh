#!/usr/bin/env bash
# Streaming memory: a 1 GiB upload through a route the guard does not inspect must stream with
# constant memory (DESIGN.md principle 1). Measures the guard's RSS before, during (sampled) and
# after two uploads: chunked from a pipe, and with Content-Length from a sparse file.
#
#   tests/load/stream.sh
#
# The sink (sink.py, on CPU 1; the guard is on CPU 0) reads each body to the end, discards it,
# then answers and logs how many bytes it read, to prove the whole body went through the guard.
# (nginx with `return` answers before the body arrives and does not count what it discards.)
# Target: the guard's RSS grows by < 64 MiB.
# Settings (environment): SIZE=1G SAMPLE_SECONDS=0.1 SINK_PORT=18280 GUARD_PORT=18281
# GUARD_ADMIN_PORT=18291 SKIP_BUILD=0 KEEP_WORK=0 LIMIT_MIB=64
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZE=${SIZE:-1G}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-0.1}
SINK_PORT=${SINK_PORT:-18280}
GUARD_PORT=${GUARD_PORT:-18281}
GUARD_ADMIN_PORT=${GUARD_ADMIN_PORT:-18291}
LIMIT_MIB=${LIMIT_MIB:-64}

# shellcheck source=lib.sh
source "$HERE/lib.sh"
make_work stream

ensure_tools curl
build_proxies guard-only

log "starting the sink and the guard with an uninspected /weights route"
ensure_port_free "$SINK_PORT"
taskset -c 1 python3 "$HERE/sink.py" "$SINK_PORT" "$WORK/sink.log" >"$WORK/sink.out" 2>&1 &
PIDS+=($!)

cat >"$WORK/guard.json" <<JSON
{
  "ReverseProxy": {
    "Routes": {
      "weights": { "ClusterId": "sink", "Match": { "Path": "/weights/{**rest}" }, "Metadata": { "AgentGuard.Inspect": "none" } }
    },
    "Clusters": {
      "sink": { "Destinations": { "d1": { "Address": "http://127.0.0.1:$SINK_PORT/" } } }
    }
  },
  "AgentGuard": { "Policies": [ "$REPO/policies" ] }
}
JSON
start_guard 0 "$GUARD_PORT" "$GUARD_ADMIN_PORT" --config "$WORK/guard.json"
wait_http sink "http://127.0.0.1:$SINK_PORT/weights/ping" 30
wait_http guard "http://127.0.0.1:$GUARD_PORT/weights/ping" 60

kib() { awk -v k="$1" '/^'"$1"':/ { print $2 }' "/proc/$GUARD_PID/status"; }
mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }

# A few small uploads first, so that the pools, the connection to the sink and the JIT are warm.
for _ in 1 2 3 4 5; do
  head -c 1M /dev/zero | curl -s -o /dev/null -T - "http://127.0.0.1:$GUARD_PORT/weights/warmup.bin"
done
sleep 1

bytes=$(numfmt --from=iec "$SIZE")
truncate -s "$SIZE" "$WORK/zero.bin" # sparse: no disk used, reads as zeros
echo
echo "AgentGuard streaming memory: $SIZE ($bytes bytes) through an uninspected route; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-26s | %12s | %13s | %13s | %12s | %9s | %12s | %10s |\n' upload "RSS before" "RSS peak" "RSS after" "growth" "VmHWM" "sink read" "MiB/s"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------------- -------------: --------------: --------------: -------------: ----------: -------------: -----------:
worst=0
for mode in chunked content-length; do
  before=$(kib VmRSS)
  peak=$before
  : >"$WORK/sink.log"
  start=$(date +%s.%N)
  if [[ $mode == chunked ]]; then
    head -c "$SIZE" /dev/zero | curl -s -S -o "$WORK/reply.txt" -w '%{http_code} %{size_upload}' -T - \
      "http://127.0.0.1:$GUARD_PORT/weights/gemini_agent_2_model_weight.safetensors" >"$WORK/curl.txt" &
  else
    curl -s -S -o "$WORK/reply.txt" -w '%{http_code} %{size_upload}' -T "$WORK/zero.bin" \
      "http://127.0.0.1:$GUARD_PORT/weights/gemini_agent_2_model_weight.safetensors" >"$WORK/curl.txt" &
  fi
  upload=$!
  while kill -0 "$upload" 2>/dev/null; do
    rss=$(kib VmRSS)
    ((rss > peak)) && peak=$rss
    sleep "$SAMPLE_SECONDS"
  done
  wait "$upload" || die "the $mode upload failed: $(cat "$WORK/curl.txt")"
  elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
  sleep 1
  after=$(kib VmRSS)
  read -r status sent <"$WORK/curl.txt" || true # curl -w writes no newline
  # size_upload counts chunk framing too, so it is a little over SIZE for the chunked upload.
  [[ $status == 200 && $sent -ge $bytes ]] || die "the $mode upload got status $status after sending $sent of $bytes bytes"
  read_by_sink=$(awk '{ print $3 }' "$WORK/sink.log" | tail -1)
  ((read_by_sink == bytes)) || die "the sink read ${read_by_sink:-0} bytes of the $mode upload"
  growth=$((peak - before))
  ((growth > worst)) && worst=$growth
  printf '| %-26s | %8s MiB | %9s MiB | %9s MiB | %8s MiB | %5s MiB | %12s | %10.0f |\n' \
    "$SIZE $mode" "$(mib "$before")" "$(mib "$peak")" "$(mib "$after")" "$(mib "$growth")" "$(mib "$(kib VmHWM)")" \
    "$read_by_sink" "$(awk -v b="$bytes" -v t="$elapsed" 'BEGIN { print b / 1048576 / t }')"
done
echo
awk -v w="$worst" -v l="$LIMIT_MIB" 'BEGIN {
  printf "largest RSS growth during an upload: %.1f MiB (target < %d MiB: %s)\n", w / 1024, l, (w / 1024 < l ? "met" : "MISSED") }'
echo "RSS sampled every $SAMPLE_SECONDS s from /proc/PID/status VmRSS; VmHWM is the guard's peak RSS since it started."
