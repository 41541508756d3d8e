#!/usr/bin/env bash
# A local RabbitMQ node for development, tests and benchmarks, without systemd.
# Its state lives under $RELAY_RABBITMQ_HOME (default /tmp/relay-rabbitmq), it listens on
# 127.0.0.1 only, and the server and the CLI share one Erlang cookie there.
#
#   scripts/rabbitmq.sh ensure     install (apt-get) if missing, start if not running, wait
#   scripts/rabbitmq.sh start      start and wait until it answers
#   scripts/rabbitmq.sh stop       stop the node
#   scripts/rabbitmq.sh ctl ARGS   run rabbitmqctl against this node (e.g. ctl stop_app)
#   scripts/rabbitmq.sh cluster start|stop      a 3-node cluster on loopback (relay1..3@localhost,
#                                               AMQP on 127.0.0.1:5681..5683), state under $RELAY_RABBITMQ_CLUSTER_HOME
#                                               (default /tmp/relay-rabbitmq-cluster), one Erlang cookie for all
#   scripts/rabbitmq.sh cluster ctl N ARGS      rabbitmqctl against node N (1..3), e.g. cluster ctl 2 stop_app
set -euo pipefail

home=${RELAY_RABBITMQ_HOME:-/tmp/relay-rabbitmq}
bin=/usr/lib/rabbitmq/bin

export HOME=$home
export RABBITMQ_MNESIA_BASE=$home/mnesia
export RABBITMQ_LOG_BASE=$home/log
export RABBITMQ_PID_FILE=$home/rabbitmq.pid
export RABBITMQ_ENABLED_PLUGINS_FILE=$home/enabled_plugins
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-relay@localhost}
export ERL_EPMD_ADDRESS=127.0.0.1
# The management plugin serves the benchmark's naive HTTP publish path, on loopback only.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -rabbitmq_management tcp_config [{ip,\"127.0.0.1\"},{port,15672}]"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
  [ -x "$bin/rabbitmq-server" ] && return 0
  echo "rabbitmq: installing the Debian package rabbitmq-server" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  # The package starts a systemd service where systemd runs; this node is our own.
  as_root systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
}

running() { [ -x "$bin/rabbitmqctl" ] && "$bin/rabbitmqctl" -q status >/dev/null 2>&1; }

start() {
  mkdir -p "$home/mnesia" "$home/log"
  [ -f "$RABBITMQ_ENABLED_PLUGINS_FILE" ] || echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  if running; then echo "rabbitmq: already running ($RABBITMQ_NODENAME)" >&2; return 0; fi
  echo "rabbitmq: starting $RABBITMQ_NODENAME, state in $home" >&2
  "$bin/rabbitmq-server" -detached
  if ! "$bin/rabbitmqctl" wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null; then
    echo "rabbitmq: did not start; see $RABBITMQ_LOG_BASE" >&2
    return 1
  fi
  "$bin/rabbitmqctl" -q await_startup >/dev/null
  echo "rabbitmq: ready on amqp://127.0.0.1:5672/" >&2
}

# --- a 3-node cluster on loopback ------------------------------------------------------------------------
cluster_home=${RELAY_RABBITMQ_CLUSTER_HOME:-/tmp/relay-rabbitmq-cluster}
cluster_node() { echo "relay$1@localhost"; }

# The environment of node N: its own name, ports and state; the cluster's one HOME (and so one cookie).
cluster_env() {
  local n=$1
  export HOME=$cluster_home
  export RABBITMQ_NODENAME=$(cluster_node "$n")
  export RABBITMQ_NODE_PORT=$((5680 + n))
  export RABBITMQ_DIST_PORT=$((25680 + n))
  export RABBITMQ_MNESIA_BASE=$cluster_home/node$n/mnesia
  export RABBITMQ_LOG_BASE=$cluster_home/node$n/log
  export RABBITMQ_PID_FILE=$cluster_home/node$n/rabbitmq.pid
  export RABBITMQ_ENABLED_PLUGINS_FILE=$cluster_home/enabled_plugins
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

cluster_running() { (cluster_env "$1"; "$bin/rabbitmqctl" -n "$(cluster_node "$1")" -q status >/dev/null 2>&1); }

cluster_start() {
  install
  mkdir -p "$cluster_home"
  [ -f "$cluster_home/enabled_plugins" ] || echo '[].' > "$cluster_home/enabled_plugins"
  for n in 1 2 3; do
    cluster_running "$n" && continue
    mkdir -p "$cluster_home/node$n/mnesia" "$cluster_home/node$n/log"
    echo "rabbitmq: starting $(cluster_node "$n") on 127.0.0.1:$((5680 + n))" >&2
    (cluster_env "$n"; "$bin/rabbitmq-server" -detached)
  done
  for n in 1 2 3; do
    (cluster_env "$n"
     "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null
     "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q await_startup >/dev/null) || { echo "rabbitmq: node $n did not start; see $cluster_home/node$n/log" >&2; return 1; }
  done
  for n in 2 3; do
    (cluster_env "$n"
     if ! "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q cluster_status 2>/dev/null | grep -q "$(cluster_node 1)"; then
       "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q stop_app
       "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q join_cluster "$(cluster_node 1)"
       "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q start_app
     fi)
  done
  echo "rabbitmq: cluster ready on amqp://127.0.0.1:5681, 5682, 5683" >&2
}

cluster_stop() {
  for n in 3 2 1; do
    cluster_running "$n" && (cluster_env "$n"; "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" -q stop "$RABBITMQ_PID_FILE") || true
  done
}

case "${1:-ensure}" in
  cluster)
    case "${2:-}" in
      start) cluster_start ;;
      stop) cluster_stop ;;
      ctl) n=${3:?node 1..3}; shift 3; cluster_env "$n"; exec "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" "$@" ;;
      *) echo "usage: $0 cluster start|stop|ctl N ARGS" >&2; exit 2 ;;
    esac ;;
  ensure) install; start ;;
  start) start ;;
  stop) running && "$bin/rabbitmqctl" -q stop "$RABBITMQ_PID_FILE" || true ;;
  ctl) shift; exec "$bin/rabbitmqctl" "$@" ;;
  *) echo "usage: $0 ensure|start|stop|ctl ARGS|cluster ..." >&2; exit 2 ;;
esac
