#!/usr/bin/env bash
# A local RabbitMQ node for development, tests and benchmarks, without systemd.
# Its state lives under $RELAY_RABBITMQ_HOME (default /tmp/relay-rabbitmq), it listens on
# 127.0.0.1 only, and the server and the CLI share one Erlang cookie there.
#
#   scripts/rabbitmq.sh ensure     install (apt-get) if missing, start if not running, wait
#   scripts/rabbitmq.sh start      start and wait until it answers
#   scripts/rabbitmq.sh stop       stop the node
#   scripts/rabbitmq.sh ctl ARGS   run rabbitmqctl against this node (e.g. ctl stop_app)
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

case "${1:-ensure}" in
  ensure) install; start ;;
  start) start ;;
  stop) running && "$bin/rabbitmqctl" -q stop "$RABBITMQ_PID_FILE" || true ;;
  ctl) shift; exec "$bin/rabbitmqctl" "$@" ;;
  *) echo "usage: $0 ensure|start|stop|ctl ARGS" >&2; exit 2 ;;
esac
