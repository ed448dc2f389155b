#!/usr/bin/env bash
# Tests deploy/egress/agentguard-egress-init.sh with real connections, in two throwaway network
# namespaces joined by a veth pair (addresses from TEST-NET-1, 192.0.2.0/24, which exist only
# inside them):
#
#   pod   192.0.2.1  the agent pod: the rules under test; a "guard" listening on 127.0.0.1:8080
#                    (data plane) and 0.0.0.0:9091 (admin plane)
#   tools 192.0.2.2  a "tool server" on :3001, and a "resolver" on :53
#
# and checks, connecting as the guard's UID (10001), the agent's (10002) and root, that only the
# guard reaches the tool server and the admin port. Every connection has a 3 s deadline.
# Needs root (network namespaces, iptables); installs iptables from Debian if missing.
# Prints 'N passed, N failed'; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCRIPT=$PWD/deploy/egress/agentguard-egress-init.sh
GUARD_UID=10001
AGENT_UID=10002

if [ "$(id -u)" -ne 0 ]; then
    echo "egress-init: needs root for network namespaces and iptables" >&2
    exit 1
fi
if ! command -v iptables >/dev/null 2>&1; then
    echo "egress-init: installing Debian's iptables package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends iptables >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends iptables >/dev/null; }
fi
for tool in ip setpriv; do
    command -v "$tool" >/dev/null 2>&1 || { echo "egress-init: $tool is missing" >&2; exit 1; }
done
# The system Python, not a per-user one: the clients run as UIDs 10001 and 10002, which cannot
# read root's home.
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "egress-init: $PY is missing (apt-get install python3)" >&2; exit 1; }

POD=agpod$$
TOOLS=agtools$$
WORK=$(mktemp -d)
chmod 0755 "$WORK"   # readable by the test UIDs
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns del "$POD" 2>/dev/null || true
    ip netns del "$TOOLS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$POD"
ip netns add "$TOOLS"
ip link add "vp$$" type veth peer name "vt$$"
ip link set "vp$$" netns "$POD"
ip link set "vt$$" netns "$TOOLS"
ip -n "$POD" addr add 192.0.2.1/30 dev "vp$$"
ip -n "$TOOLS" addr add 192.0.2.2/30 dev "vt$$"
for ns in "$POD" "$TOOLS"; do
    ip -n "$ns" link set lo up
done
ip -n "$POD" link set "vp$$" up
ip -n "$TOOLS" link set "vt$$" up

# A TCP listener that answers "ok" to every connection.
cat >"$WORK/listen.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"ok")
    c.close()
EOF
# A client that prints ok, refused or timeout.
cat >"$WORK/connect.py" <<'EOF'
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3) as c:
        print("ok" if c.recv(2) == b"ok" else "closed")
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
except OSError as e:
    print("error:" + str(e.errno))
EOF

listen() { # NETNS ADDRESS PORT
    ip netns exec "$1" "$PY" "$WORK/listen.py" "$2" "$3" >"$WORK/listen-$1-$3.log" 2>&1 &
    PIDS+=("$!")
}
listen "$TOOLS" 192.0.2.2 3001   # the tool server
listen "$TOOLS" 192.0.2.2 53     # the resolver (TCP is enough to tell RETURN from REJECT)
listen "$POD" 127.0.0.1 8080     # the guard's data plane
listen "$POD" 0.0.0.0 9091       # the guard's admin plane

# Wait (bounded) for the four listeners.
deadline=$((SECONDS + 10))
while [ "$(cat "$WORK"/listen-*.log 2>/dev/null | grep -c listening)" -lt 4 ]; do
    if [ $SECONDS -ge $deadline ]; then
        echo "egress-init: listeners did not start:" >&2; cat "$WORK"/listen-*.log >&2; exit 1
    fi
    sleep 0.1
done

connect() { # UID ADDRESS PORT
    ip netns exec "$POD" setpriv --reuid="$1" --regid="$1" --clear-groups "$PY" "$WORK/connect.py" "$2" "$3"
}

passed=0
failed=0
check() { # NAME EXPECTED UID ADDRESS PORT
    local got
    got=$(connect "$3" "$4" "$5")
    if [ "$got" = "$2" ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failed=$((failed + 1)); echo "FAIL $1: expected $2, got $got"
    fi
}
expect_exit() { # NAME EXPECTED_STATUS ENV... (runs the script in the pod namespace)
    local name=$1 want=$2 status=0
    shift 2
    ip netns exec "$POD" env "$@" RESOLV_CONF="$WORK/resolv.conf" "$SCRIPT" >"$WORK/run.log" 2>&1 || status=$?
    if { [ "$want" = 0 ] && [ $status -eq 0 ]; } || { [ "$want" != 0 ] && [ $status -ne 0 ]; }; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: exit $status"; cat "$WORK/run.log"
    fi
}

echo "nameserver 192.0.2.2" >"$WORK/resolv.conf"

# Without the rules, the agent reaches the tool server: the namespaces work, so a refusal below
# is the rules' doing.
check "before: agent reaches the tool server directly" ok $AGENT_UID 192.0.2.2 3001

expect_exit "refuses an empty TOOL_CIDRS" 1 TOOL_CIDRS=
expect_exit "refuses GUARD_UID=0" 1 TOOL_CIDRS=192.0.2.2/32 GUARD_UID=0
expect_exit "refuses a malformed range" 1 TOOL_CIDRS=tools.example
expect_exit "installs the rules" 0 TOOL_CIDRS=192.0.2.0/30 GUARD_UID=$GUARD_UID ADMIN_PORT=9091
ip netns exec "$POD" iptables -S >"$WORK/rules-1"
expect_exit "installs again (pod restart)" 0 TOOL_CIDRS=192.0.2.0/30 GUARD_UID=$GUARD_UID ADMIN_PORT=9091
ip netns exec "$POD" iptables -S >"$WORK/rules-2"
if cmp -s "$WORK/rules-1" "$WORK/rules-2" && [ "$(grep -c -- '-A OUTPUT -j AGENTGUARD_EGRESS' "$WORK/rules-2")" -eq 1 ]; then
    passed=$((passed + 1)); echo "ok   a second run leaves the same rules, one jump from OUTPUT"
else
    failed=$((failed + 1)); echo "FAIL a second run changed the rules:"; diff "$WORK/rules-1" "$WORK/rules-2" || true
fi

check "guard reaches the tool server" ok $GUARD_UID 192.0.2.2 3001
check "agent is refused the tool server" refused $AGENT_UID 192.0.2.2 3001
check "root is refused the tool server (root is not the guard)" refused 0 192.0.2.2 3001
check "agent reaches the guard's data plane on loopback" ok $AGENT_UID 127.0.0.1 8080
check "agent is refused the admin port on loopback" refused $AGENT_UID 127.0.0.1 9091
check "agent is refused the admin port on the pod's own address" refused $AGENT_UID 192.0.2.1 9091
check "guard reaches its own admin port" ok $GUARD_UID 127.0.0.1 9091
check "agent reaches the pod's resolver on port 53" ok $AGENT_UID 192.0.2.2 53

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
