#!/usr/bin/env bash
# A bounded soak of Relay while the broker restarts at intervals (not part of the test suite):
#   scripts/soak.sh [MINUTES] [extra options for bench/Relay.Soak, e.g. --rate 800 --restart-every 20]
#   scripts/soak.sh --cluster [MINUTES] [...]   on the 3-node cluster of scripts/rabbitmq.sh cluster: Relay
#                                               on Relay:RabbitMq:Hosts, a rolling restart of the nodes
# Starts the local RabbitMQ node (scripts/rabbitmq.sh) and the native build of Relay on
# https://127.0.0.1:8444 (admin 127.0.0.1:9091) with an exchange and an outbox of its own, runs the
# soak, and prints sent, accepted, delivered, missing, duplicates and the peak outbox depth.
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=false
if [ "${1:-}" = "--cluster" ]; then cluster=true; shift; fi
minutes=${1:-2}
shift || true

scripts/rabbitmq.sh ensure
broker=(--Relay:RabbitMq:Uri=amqp://guest:guest@127.0.0.1:5672/)
soak_broker=()
if $cluster; then
  scripts/rabbitmq.sh cluster start
  broker=(--Relay:RabbitMq:Uri=amqp://guest:guest@127.0.0.1:5681/ --Relay:RabbitMq:Hosts:0=127.0.0.1:5681
    --Relay:RabbitMq:Hosts:1=127.0.0.1:5682 --Relay:RabbitMq:Hosts:2=127.0.0.1:5683)
  soak_broker=(--amqp amqp://guest:guest@127.0.0.1:5681/ --rabbitmqctl "scripts/rabbitmq.sh cluster ctl" --nodes 3)
fi
[ -f config/certs/tls.crt ] || scripts/dev-cert.sh config/certs
relay_binary=$(scripts/publish.sh .dev/native)
dotnet build -c Release -v quiet -nologo bench/Relay.Soak/Relay.Soak.csproj >/dev/null

state=$(mktemp -d /tmp/relay-soak.XXXXXX)
exchange="soak-$(date +%s)"
token=$(openssl rand -hex 24)
OPENSSL_CONF=$PWD/config/openssl.cnf "$relay_binary" \
  --Kestrel:Endpoints:Public:Url=https://127.0.0.1:8444 \
  --Kestrel:Endpoints:Admin:Url=http://127.0.0.1:9091 \
  --Relay:Allowlist:Networks:0=127.0.0.1/32 \
  --Relay:Callbacks:Sources:soak:Tokens:0="$token" \
  --Relay:RabbitMq:Exchange="$exchange" "${broker[@]}" \
  --Relay:Outbox:Path="$state/outbox" \
  --Relay:Shutdown:DrainPeriod=00:00:00 \
  >"$state/relay.log" 2>&1 &
relay=$!
cleanup() {
  kill $relay 2>/dev/null; wait $relay 2>/dev/null
  scripts/rabbitmq.sh ctl start_app >/dev/null 2>&1 || true
  if $cluster; then for n in 1 2 3; do scripts/rabbitmq.sh cluster ctl "$n" start_app >/dev/null 2>&1 || true; done; fi
  # The run's own exchange and unrouted queue, through the management API (loopback only).
  for path in "exchanges/%2F/$exchange" "exchanges/%2F/$exchange.unrouted" "queues/%2F/$exchange.unrouted"; do
    curl -s -o /dev/null -u guest:guest -X DELETE "http://127.0.0.1:15672/api/$path" || true
  done
}
trap cleanup EXIT
for _ in $(seq 1 60); do
  [ "$(curl -s http://127.0.0.1:9091/readyz)" = "Healthy" ] && break
  kill -0 $relay 2>/dev/null || { cat "$state/relay.log" >&2; exit 1; }
  sleep 0.5
done

echo "soak: Relay log in $state/relay.log" >&2
dotnet bench/Relay.Soak/bin/Release/net10.0/Relay.Soak.dll --minutes "$minutes" --exchange "$exchange" \
  --url "https://127.0.0.1:8444/marketing-cloud/callbacks/$token" "${soak_broker[@]}" "$@"
