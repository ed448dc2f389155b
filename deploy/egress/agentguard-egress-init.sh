#!/bin/sh
# agentguard-egress-init: makes the AgentGuard sidecar the only way out to the tool servers.
#
# Containers of one pod share one network namespace, so a NetworkPolicy (which sees pods, not
# containers) cannot tell the agent's connections from the guard's. The kernel can: every socket
# belongs to a UID. Run once per pod, before the agent starts, with NET_ADMIN, this installs
# rules in the pod's OUTPUT chain (as service meshes' init containers do) that
#
#   1. let the guard's UID (GUARD_UID, default 10001) connect anywhere;
#   2. refuse every other UID the guard's admin port (ADMIN_PORT, default 9091) on the pod's own
#      addresses: the agent must not read the audit API or reload policies;
#   3. let every other UID use loopback (the guard's data plane at 127.0.0.1:8080);
#   4. let replies on connections others opened to the pod through;
#   5. let every other UID reach the pod's DNS resolvers (/etc/resolv.conf) on port 53;
#   6. refuse every other UID any address in TOOL_CIDRS (TCP with a reset, the rest with ICMP
#      port-unreachable, so the agent fails at once instead of timing out);
#   7. leave everything else alone (the agent's model API, for instance).
#
# Environment:
#   TOOL_CIDRS   required; space- or comma-separated IPv4 and IPv6 ranges the tool servers are
#                reached at: their Service ClusterIPs AND their pods' addresses (with a
#                kube-proxy replacement such as Cilium's socket load balancer the pod sees the
#                backend's address, not the ClusterIP). The whole Service and Pod CIDRs are the
#                safe choice: the agent then reaches nothing in the cluster but through the guard.
#   GUARD_UID    the guard's UID (default 10001); must equal the guard container's runAsUser.
#   ADMIN_PORT   the guard's admin port (default 9091).
#   RESOLV_CONF  where to read nameservers from (default /etc/resolv.conf).
#   IPTABLES, IP6TABLES  the commands (default iptables, ip6tables; the nft backend). Set
#                iptables-legacy / ip6tables-legacy on nodes whose kernel lacks nf_tables.
#
# Arguments:
#   --hold       after installing the rules, sleep forever (docker compose: this container then
#                owns the network namespace that the guard and the agent join, as a pod's
#                sandbox container does).
#
# Fails (exit 1) if any rule cannot be installed: the pod then never starts, and the agent never
# runs unguarded. Running it again in the same namespace replaces the rules, never duplicates them.
set -eu

CHAIN=AGENTGUARD_EGRESS
GUARD_UID="${GUARD_UID:-10001}"
ADMIN_PORT="${ADMIN_PORT:-9091}"
RESOLV_CONF="${RESOLV_CONF:-/etc/resolv.conf}"
IPTABLES="${IPTABLES:-iptables}"
IP6TABLES="${IP6TABLES:-ip6tables}"

log() { printf 'agentguard-egress-init: %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

case "$GUARD_UID" in ''|*[!0-9]*) fail "GUARD_UID must be a number, not '$GUARD_UID'";; esac
[ "$GUARD_UID" -ne 0 ] || fail "GUARD_UID must not be 0: root's sockets would all count as the guard's"
case "$ADMIN_PORT" in ''|*[!0-9]*) fail "ADMIN_PORT must be a number, not '$ADMIN_PORT'";; esac
[ -n "${TOOL_CIDRS:-}" ] || fail "TOOL_CIDRS is empty; set it to the tool servers' address ranges (Service and Pod CIDRs)"

cidrs4=""
cidrs6=""
for cidr in $(printf '%s' "$TOOL_CIDRS" | tr ',' ' '); do
    case "$cidr" in
        *:*) cidrs6="$cidrs6 $cidr" ;;
        *.*) cidrs4="$cidrs4 $cidr" ;;
        *) fail "TOOL_CIDRS entry '$cidr' is not an IPv4 or IPv6 range" ;;
    esac
done

resolvers4=""
resolvers6=""
if [ -r "$RESOLV_CONF" ]; then
    for ns in $(awk '$1 == "nameserver" { print $2 }' "$RESOLV_CONF"); do
        case "$ns" in
            *:*) resolvers6="$resolvers6 ${ns%%%*}" ;;   # drop a zone index (fe80::1%eth0)
            *) resolvers4="$resolvers4 $ns" ;;
        esac
    done
fi

# install_chain IPT CIDRS RESOLVERS ICMP_REJECT: builds the chain for one address family.
install_chain() {
    ipt=$1 cidrs=$2 resolvers=$3 icmp_reject=$4

    # A fresh chain, jumped to first from OUTPUT, exactly once.
    if "$ipt" -w -n -L "$CHAIN" >/dev/null 2>&1; then
        "$ipt" -w -F "$CHAIN"
    else
        "$ipt" -w -N "$CHAIN"
    fi
    while "$ipt" -w -C OUTPUT -j "$CHAIN" >/dev/null 2>&1; do
        "$ipt" -w -D OUTPUT -j "$CHAIN"
    done
    "$ipt" -w -I OUTPUT 1 -j "$CHAIN"

    # 1. The guard goes anywhere.
    "$ipt" -w -A "$CHAIN" -m owner --uid-owner "$GUARD_UID" -j RETURN
    # 2. Nobody else reaches the admin plane from inside the pod (loopback or the pod's own IP).
    #    Prometheus and the kubelet come from outside: their packets never pass OUTPUT as new.
    "$ipt" -w -A "$CHAIN" -p tcp --dport "$ADMIN_PORT" -m addrtype --dst-type LOCAL -j REJECT --reject-with tcp-reset
    # 3. Loopback: the guard's data plane.
    "$ipt" -w -A "$CHAIN" -o lo -j RETURN
    # 4. Replies on connections that others opened to this pod.
    "$ipt" -w -A "$CHAIN" -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
    # 5. DNS, to the pod's resolvers only (they may sit inside TOOL_CIDRS, e.g. kube-dns).
    for ns in $resolvers; do
        "$ipt" -w -A "$CHAIN" -d "$ns" -p udp --dport 53 -j RETURN
        "$ipt" -w -A "$CHAIN" -d "$ns" -p tcp --dport 53 -j RETURN
    done
    # 6. The tool servers: refused, loudly.
    for cidr in $cidrs; do
        "$ipt" -w -A "$CHAIN" -d "$cidr" -p tcp -j REJECT --reject-with tcp-reset
        "$ipt" -w -A "$CHAIN" -d "$cidr" -j REJECT --reject-with "$icmp_reject"
    done
    # 7. Everything else: not this chain's business.
    "$ipt" -w -A "$CHAIN" -j RETURN
}

install_chain "$IPTABLES" "$cidrs4" "$resolvers4" icmp-port-unreachable
log "IPv4: only UID $GUARD_UID reaches${cidrs4:- (no IPv4 ranges)}; admin port $ADMIN_PORT is the guard's alone"
"$IPTABLES" -w -S "$CHAIN" >&2

# IPv6: the same chain whenever the namespace has IPv6, so that a dual-stack pod cannot reach the
# admin port over ::1 or a tool server over IPv6. Without IPv6 in the kernel there is nothing to
# guard, unless IPv6 ranges were asked for.
if [ -e /proc/net/if_inet6 ] && "$IP6TABLES" -w -n -L OUTPUT >/dev/null 2>&1; then
    install_chain "$IP6TABLES" "$cidrs6" "$resolvers6" icmp6-port-unreachable
    log "IPv6: only UID $GUARD_UID reaches${cidrs6:- (no IPv6 ranges)}"
    "$IP6TABLES" -w -S "$CHAIN" >&2
elif [ -n "$cidrs6" ]; then
    fail "TOOL_CIDRS has IPv6 ranges ($cidrs6) but ip6tables does not work here"
else
    log "IPv6: not available in this network namespace; nothing to do"
fi

if [ "${1:-}" = "--hold" ]; then
    log "rules installed; holding the network namespace"
    # Signals end the container at once (no shell trap needed: PID 1 under docker's --init, or
    # the sleep is simply killed with the container).
    exec sleep infinity
fi
