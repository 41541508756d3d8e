#!/usr/bin/env bash
# Where the p99 at a fixed rate comes from: Relay's native build started several times at once, each with
# one GC setting, and loaded in turn at the same fixed rate (Relay.Bench load), round after round, beside
# the broker alone at that rate. Each row: the p99, Relay's GC pauses in all and its collections of each
# generation during the round, and the load generator's own GC pauses.
#   bench/tail.sh [RATE] [ROUNDS] [SECONDS]      (default 1500/s, 4 rounds of 10 s)
#   TAIL_QUEUE=none bench/tail.sh ...             without the quorum queue and its consumer
# Settings are DOTNET_ environment variables the runtime reads at start (DOTNET_GCConserveMemory,
# DOTNET_GCgen0size); a forced collection after large callbacks is Relay's own switch. docs/development/benchmarks.md
# records what it showed.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1500}; rounds=${2:-4}; seconds=${3:-10}
scripts/rabbitmq.sh ensure >/dev/null
[ -f config/certs/tls.crt ] || scripts/dev-cert.sh config/certs >/dev/null
relay_bin=$(scripts/publish.sh .dev/native)
dotnet build -c Release -v quiet -nologo bench/Relay.Bench/Relay.Bench.csproj >/dev/null
bench_tool="dotnet bench/Relay.Bench/bin/Release/net10.0/Relay.Bench.dll"
state=$(mktemp -d /tmp/relay-tail.XXXXXX)

# name|environment
configs=(
  "as shipped (GCConserveMemory=7)|"
  "GCConserveMemory=0|DOTNET_GCConserveMemory=0"
  "GCConserveMemory=0, gen0 budget 64 MiB|DOTNET_GCConserveMemory=0 DOTNET_GCgen0size=0x4000000"
)
pids=(); tokens=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for i in "${!configs[@]}"; do
  token=$(openssl rand -hex 24); tokens+=("$token")
  env ${configs[$i]#*|} OPENSSL_CONF=$PWD/config/openssl.cnf "$relay_bin" \
    --Kestrel:Endpoints:Public:Url=https://127.0.0.1:$((18450 + i)) --Kestrel:Endpoints:Admin:Url=http://127.0.0.1:$((19090 + i)) \
    --Relay:Allowlist:Networks:0=127.0.0.1/32 --Relay:Callbacks:Sources:bench:Tokens:0="$token" \
    --Relay:RabbitMq:Exchange=tail-$i --Relay:Outbox:Path="$state/outbox-$i" \
    --Relay:RateLimit:Enabled=false --Relay:Shutdown:DrainPeriod=00:00:00 --Logging:LogLevel:Default=Warning \
    >"$state/relay-$i.log" 2>&1 &
  pids+=($!)
done
for i in "${!configs[@]}"; do
  for _ in $(seq 1 60); do [ "$(curl -s http://127.0.0.1:$((19090 + i))/readyz)" = Healthy ] && break; sleep 0.5; done
done

# As in bench/run.sh, a quorum queue bound to every Relay's exchange, drained for the whole run (TAIL_QUEUE=none: none).
api() { curl -s -u guest:guest "$@"; }
if [ "${TAIL_QUEUE:-quorum}" = quorum ]; then
  api -X PUT -H 'content-type: application/json' -d '{"durable":true,"arguments":{"x-queue-type":"quorum"}}' http://127.0.0.1:15672/api/queues/%2F/tail-consumer >/dev/null
  for i in "${!configs[@]}"; do
    api -X POST -H 'content-type: application/json' -d '{"routing_key":"callback.#"}' "http://127.0.0.1:15672/api/bindings/%2F/e/tail-$i/q/tail-consumer" >/dev/null
  done
  $bench_tool drain --queue tail-consumer --count-file "$state/delivered" >"$state/drain.log" 2>&1 &
  pids+=($!)
fi

metric() { curl -s "http://127.0.0.1:$((19090 + $1))/metrics" | awk -v m="$2" '$1 ~ "^"m { s += $2 } END { printf "%.6f", s }'; }
gen() { curl -s "http://127.0.0.1:$((19090 + $1))/metrics" | awk -v g="gc_heap_generation=\"$2\"" '/^dotnet_gc_collections_total/ && index($0, g) { print $2 }'; }
url() { echo "https://127.0.0.1:$((18450 + $1))/marketing-cloud/callbacks/${tokens[$1]}"; }
field() { sed -E "s/.*[ ]$1=([0-9]+).*/\1/" <<<"$2"; }

echo "tail: warming each Relay up (30 s of load each)" >&2
for i in "${!configs[@]}"; do
  wrk -t2 -c64 -d30s -s bench/wrk/callbacks.lua "$(url $i)" -- bench/bodies >/dev/null
done

echo "| round | Relay | p99 ms | p99 / broker alone | Relay GC pauses ms | gen0 / gen1 / gen2 collections | load generator's GC pauses ms |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq 1 "$rounds"); do
  broker=$($bench_tool broker --exchange tail-0 --rate "$rate" --seconds "$seconds" | grep '^BROKER ')
  broker_p99=$(awk -v v="$(field p99_us "$broker")" 'BEGIN { printf "%.1f", v / 1000 }')
  echo "| $round | broker alone | $broker_p99 | | | | $(( $(field gc_pause_us "$broker") / 1000 )) |"
  for i in "${!configs[@]}"; do
    pause0=$(metric $i dotnet_gc_pause_time_seconds_total); g0=$(gen $i gen0); g1=$(gen $i gen1); g2=$(gen $i gen2)
    line=$($bench_tool load --url "$(url $i)" --rate "$rate" --seconds "$seconds" --connections 64 | grep '^LOAD ')
    p99=$(awk -v v="$(field p99_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }')
    paused=$(awk -v a="$(metric $i dotnet_gc_pause_time_seconds_total)" -v b="$pause0" 'BEGIN { printf "%.0f", (a - b) * 1000 }')
    collections="$(awk -v a="$(gen $i gen0)" -v b=$g0 'BEGIN { print a - b }') / $(awk -v a="$(gen $i gen1)" -v b=$g1 'BEGIN { print a - b }') / $(awk -v a="$(gen $i gen2)" -v b=$g2 'BEGIN { print a - b }')"
    echo "| $round | ${configs[$i]%%|*} | $p99 | $(awk -v a=$p99 -v b=$broker_p99 'BEGIN { printf "%.1f", b ? a / b : 0 }') | $paused | $collections | $(( $(field gc_pause_us "$line") / 1000 )) |"
  done
done
# What the Relays declared (their exchanges, the archive streams) and the queue go with them.
kill "${pids[@]}" 2>/dev/null || true
for name in $(curl -s -u guest:guest http://127.0.0.1:15672/api/queues/%2F | jq -r '.[].name | select(startswith("tail-"))'); do
  curl -s -u guest:guest -X DELETE "http://127.0.0.1:15672/api/queues/%2F/$name" >/dev/null
done
for i in "${!configs[@]}"; do curl -s -u guest:guest -X DELETE "http://127.0.0.1:15672/api/exchanges/%2F/tail-$i" >/dev/null; done
