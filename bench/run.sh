#!/usr/bin/env bash
# Relay's benchmark: throughput, latency and memory against the ceilings of this machine, in one run.
#   bench/run.sh [SECONDS_PER_PHASE]         (default 10)
#   bench/run.sh --soak MINUTES              fixed-rate load for MINUTES, RSS sampled every minute
# Relay runs as it ships, the native (AOT) executable of scripts/publish.sh; RELAY_BENCH_BUILD=jit runs
# the jitted build (dotnet Relay.dll) instead, for comparison.
# On loopback only. Needs wrk (installed from Debian's packages when missing) and the local RabbitMQ node
# (scripts/rabbitmq.sh, with its management plugin). Every phase posts the same mix of callback bodies
# (bench/bodies: a sparse success, an error, a 50-result ResultDetailXML of about 34 KB) and checks that
# every callback answered 200 reached the consumer of the queue, which drains it for the whole run.
# The big-bodies phase posts rounds of 8 MiB callbacks at once (Relay.Bench big) for the memory bound; the last,
# on a Relay with reconciliation on, registers and fulfils 5,000 calls in each order (Relay.Bench expectations).
# docs/development/benchmarks.md records results.
set -euo pipefail
cd "$(dirname "$0")/.."

soak_minutes=0
if [ "${1:-}" = "--soak" ]; then soak_minutes=${2:?minutes}; seconds=10; else seconds=${1:-10}; fi
concurrency=64
exchange=bench
queue=bench.consumer
public=https://127.0.0.1:8445
admin=http://127.0.0.1:9092
state=$(mktemp -d /tmp/relay-bench.XXXXXX)
results=()

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v wrk >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v jq >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
scripts/rabbitmq.sh ensure
[ -f config/certs/tls.crt ] || scripts/dev-cert.sh config/certs
echo "bench: building (Release)" >&2
if [ "${RELAY_BENCH_BUILD:-native}" = jit ]; then
  dotnet build -c Release -v quiet -nologo src/Relay/Relay.csproj >/dev/null
  relay_command=(dotnet src/Relay/bin/Release/net10.0/Relay.dll)
else
  relay_command=("$(scripts/publish.sh .dev/native)")
fi
dotnet build -c Release -v quiet -nologo bench/Relay.Bench/Relay.Bench.csproj >/dev/null
bench_tool="dotnet bench/Relay.Bench/bin/Release/net10.0/Relay.Bench.dll"
ctl() { scripts/rabbitmq.sh ctl "$@"; }

# --- Relay -------------------------------------------------------------------------------------------
token=$(openssl rand -hex 24)
callback_url="$public/marketing-cloud/callbacks/$token"
OPENSSL_CONF=$PWD/config/openssl.cnf "${relay_command[@]}" \
  --Kestrel:Endpoints:Public:Url=$public --Kestrel:Endpoints:Admin:Url=$admin \
  --Relay:Allowlist:Networks:0=127.0.0.1/32 --Relay:Callbacks:Sources:bench:Tokens:0="$token" \
  --Relay:RabbitMq:Exchange=$exchange --Relay:Outbox:Path="$state/outbox" \
  --Relay:RateLimit:Enabled=false --Relay:Shutdown:DrainPeriod=00:00:00 \
  --Logging:LogLevel:Default=Warning >"$state/relay.log" 2>&1 &
relay=$!
https_server=
drain=
cleanup() {
  kill $relay ${https_server:-} ${drain:-} 2>/dev/null || true
  ctl start_app >/dev/null 2>&1 || true
  ctl delete_queue $queue >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 60); do [ "$(curl -s $admin/readyz)" = "Healthy" ] && break; sleep 0.5; done
[ "$(curl -s $admin/readyz)" = "Healthy" ] || { cat "$state/relay.log" >&2; exit 1; }
curl -s -u guest:guest -X PUT -H 'content-type: application/json' -d '{"durable":true}' "http://127.0.0.1:15672/api/queues/%2F/$queue" >/dev/null
curl -s -u guest:guest -X POST -H 'content-type: application/json' -d '{"routing_key":"callback.#"}' \
  "http://127.0.0.1:15672/api/bindings/%2F/e/$exchange/q/$queue" >/dev/null
ctl purge_queue $queue >/dev/null

# The queue has a consumer for the whole run, as a deployment's queues do; it counts what it received.
$bench_tool drain --queue $queue --count-file "$state/delivered" >"$state/drain.log" 2>&1 &
drain=$!
for _ in $(seq 1 60); do [ -s "$state/delivered" ] && break; sleep 0.5; done
[ -s "$state/delivered" ] || { cat "$state/drain.log" >&2; exit 1; }

# --- measuring ---------------------------------------------------------------------------------------
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_sampler() { local max=0; while kill -0 "$1" 2>/dev/null; do r=$(awk '/VmRSS/ {print $2}' "/proc/$1/status"); [ "$r" -gt "$max" ] && max=$r && echo "$max" >"$2"; sleep 0.1; done; }
allocated() { curl -s $admin/metrics | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ {print $2}'; }
queued() { ctl list_queues -q name messages 2>/dev/null | awk -v q=$queue '$1 == q {print $2}'; }
field() { sed -E "s/.*[ ]$1=([0-9]+).*/\1/" <<<"$2"; }

delivered() { cat "$state/delivered"; }

# Waits until the queue is empty and the consumer's count has stopped growing, and prints that count.
settle() {
  local last=-1 now
  for _ in $(seq 1 120); do
    now=$(delivered); [ "$now" = "$last" ] && [ "$(queued)" = 0 ] && { echo "$now"; return; }; last=$now; sleep 1
  done
  echo "$last"
}

# record NAME LINE [RELAY_MEASURED]: adds a row from a WRK/BROKER/LOAD line.
declare -A rate p99 cpu rss
record() {
  local name=$1 line=$2 measured=${3:-}
  local requests duration non2xx errors ok
  requests=$(field requests "$line"); duration=$(field duration_us "$line"); non2xx=$(field non2xx "$line")
  errors=$(( non2xx + $(field connect "$line") + $(field read "$line") + $(field write "$line") + $(field timeout "$line") ))
  ok=$(( requests - non2xx ))
  rate[$name]=$(awk -v ok=$ok -v d=$duration 'BEGIN { printf "%.0f", ok / (d / 1e6) }')
  p99[$name]=$(awk -v v="$(field p99_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }')
  local p50 p90; p50=$(awk -v v="$(field p50_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }'); p90=$(awk -v v="$(field p90_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }')
  local rss_text="" cpu_text="" check=""
  if [ -n "$measured" ]; then
    read -r cpu_used rss_kb delivered alloc <<<"$measured"
    # Relay's CPU, allocations and deliveries also cover callbacks the load sent but did not measure.
    local handled=$ok
    [[ "$line" == *" unmeasured="* ]] && handled=$(( ok + $(field unmeasured "$line") ))
    cpu[$name]=$(awk -v c=$cpu_used -v t=$ticks -v n=$handled 'BEGIN { printf "%.2f", n ? c / t / n * 1000 : 0 }')
    rss[$name]=$(( rss_kb / 1024 ))
    rss_text="${rss[$name]}"; cpu_text="${cpu[$name]}"
    check=$([ "$delivered" -ge "$handled" ] && echo "$delivered/$handled ok" || echo "$delivered/$handled MISSING")
    [ -n "$alloc" ] && check="$check, $(awk -v a=$alloc -v n=$handled 'BEGIN { printf "%.0f", n ? a / n : 0 }') B alloc/callback"
  fi
  results+=("| $name | ${rate[$name]} | $p50 | $p90 | ${p99[$name]} | $errors | $rss_text | $cpu_text | $check |")
  echo "bench: $name: ${rate[$name]}/s, p99 ${p99[$name]} ms, errors $errors ${check:+($check)}" >&2
}

# relay_phase NAME COMMAND...: runs a load against Relay, measuring its CPU, peak RSS, allocations and delivery.
relay_phase() {
  local name=$1; shift
  local cpu0 alloc0 line delivered0; cpu0=$(cpu_ticks $relay); alloc0=$(allocated); delivered0=$(settle)
  echo 0 >"$state/rss"; rss_sampler $relay "$state/rss" & local sampler=$!
  line=$("$@" | grep -E '^(WRK|LOAD) ')
  kill $sampler 2>/dev/null || true
  local cpu_used=$(( $(cpu_ticks $relay) - cpu0 )) alloc=$(awk -v a="$(allocated)" -v b="$alloc0" 'BEGIN { printf "%.0f", a - b }')
  [ "$(curl -s $admin/readyz)" = "Healthy" ] || for _ in $(seq 1 120); do [ "$(curl -s $admin/readyz)" = "Healthy" ] && break; sleep 1; done
  record "$name" "$line" "$cpu_used $(cat "$state/rss") $(( $(settle) - delivered0 )) $alloc"
}

wrk_callbacks() { wrk -t2 -c"$1" -d"${seconds}s" --timeout 10s -s bench/wrk/callbacks.lua "$callback_url" -- bench/bodies ${2:-}; }

if [ "$soak_minutes" -gt 0 ]; then
  echo "bench: soak, ${soak_minutes} min at 1000/s" >&2
  echo "| minute | RSS MB |"; echo "| --- | --- |"
  delivered0=$(settle)
  $bench_tool load --url "$callback_url" --rate 1000 --seconds $(( soak_minutes * 60 )) --connections $concurrency >"$state/soak.out" &
  load=$!
  echo 0 >"$state/rss"; rss_sampler $relay "$state/rss" & sampler=$!
  soak_rss=()
  for minute in $(seq 0 "$soak_minutes"); do
    soak_rss+=($(( $(awk '/VmRSS/ {print $2}' /proc/$relay/status) / 1024 )))
    echo "| $minute | ${soak_rss[-1]} |"
    [ "$minute" -lt "$soak_minutes" ] && sleep 60
  done
  wait $load; kill $sampler 2>/dev/null || true; cat "$state/soak.out"
  line=$(cat "$state/soak.out"); ok=$(( $(field requests "$line") - $(field non2xx "$line") ))
  delivered=$(( $(settle) - delivered0 ))
  echo "soak: $ok answered 200, $delivered delivered: $([ "$delivered" -ge "$ok" ] && echo "every 200 delivered" || echo "MISSING")"
  # Growth is judged from the end of the first minute (warmed up) to the end; 10% is left for the GC's moods.
  first=${soak_rss[1]:-${soak_rss[0]}}; last=${soak_rss[-1]}
  echo "soak: RSS ${first} MB after the first minute, ${last} MB at the end:" \
    "$(awk -v f=$first -v l=$last 'BEGIN { print (l <= f * 1.1 ? "no growth (holds)" : "GROWTH (missed)") }');" \
    "peak $(( $(cat "$state/rss") / 1024 )) MB"
  exit 0
fi

# --- the phases ---------------------------------------------------------------------------------------
# Relay's code is jitted and tiered up under a load that is not recorded, as a long-running Relay's is:
# the JIT is busy for about half a minute of load.
echo "bench: warming Relay up" >&2
wrk -t2 -c$concurrency -d30s -s bench/wrk/callbacks.lua "$callback_url" -- bench/bodies >/dev/null

# The pair the main ratio compares, in alternating rounds: this machine is shared and a single short phase
# can land in someone else's busy second. The ratio is of the medians; every round is in the table.
rounds=3
broker_rates=(); relay_rates=(); relay_cpus=()
for round in $(seq 1 $rounds); do
  echo "bench: broker ceiling, round $round" >&2
  record "broker ceiling (publisher, confirms, c=$concurrency), round $round" \
    "$($bench_tool broker --exchange $exchange --concurrency $concurrency --seconds "$seconds")"
  broker_rates+=(${rate["broker ceiling (publisher, confirms, c=$concurrency), round $round"]})
  relay_phase "Relay keep-alive c=$concurrency, round $round" wrk_callbacks $concurrency
  relay_rates+=(${rate["Relay keep-alive c=$concurrency, round $round"]})
  relay_cpus+=(${cpu["Relay keep-alive c=$concurrency, round $round"]})
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
broker64=$(median "${broker_rates[@]}")
relay64=$(median "${relay_rates[@]}")
relay64_cpu=$(median "${relay_cpus[@]}")

echo "bench: HTTPS ceiling" >&2
$bench_tool https-server --url https://127.0.0.1:9443 >"$state/https.log" 2>&1 &
https_server=$!
sleep 3
wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/callbacks.lua https://127.0.0.1:9443/x -- bench/bodies >/dev/null  # warm-up
record "HTTPS ceiling (Kestrel, read form, 200, c=$concurrency)" \
  "$(wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/callbacks.lua https://127.0.0.1:9443/x -- bench/bodies | grep '^WRK ')"
kill $https_server; https_server=

for c in 16 256; do
  relay_phase "Relay keep-alive c=$c" wrk_callbacks $c
done
for c in 16 64; do
  relay_phase "Relay new TLS connection per callback c=$c" wrk_callbacks $c close
done

max=$relay64; for c in 16 256; do r=${rate["Relay keep-alive c=$c"]}; [ "$r" -gt "$max" ] && max=$r; done
half=$(( max / 2 ))
# A tail latency moves most with whatever else the machine is doing, so this too runs in rounds and the
# verdict is on the median p99. Each round is paired with the same fixed rate straight to the broker:
# its confirm latency is a floor under Relay's.
half_p99s=(); broker_half_p99s=()
for round in $(seq 1 $rounds); do
  relay_phase "Relay at half its max rate ($half/s, fixed rate), round $round" \
    $bench_tool load --url "$callback_url" --rate $half --seconds "$seconds" --connections $concurrency
  half_p99s+=(${p99["Relay at half its max rate ($half/s, fixed rate), round $round"]})
  record "broker alone at the same rate ($half/s, fixed rate), round $round" \
    "$($bench_tool broker --exchange $exchange --rate $half --seconds "$seconds")"
  broker_half_p99s+=(${p99["broker alone at the same rate ($half/s, fixed rate), round $round"]})
done

# The broker is stopped for the load and started again after it; the outbox then drains into the queue.
outbox_load() { ctl stop_app >/dev/null; wrk_callbacks $concurrency; ctl start_app >/dev/null; ctl await_startup >/dev/null; }
relay_phase "Relay outbox mode (broker stopped) c=$concurrency" outbox_load

record "RabbitMQ management HTTP publish API c=$concurrency" \
  "$(wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/management.lua http://127.0.0.1:15672 -- bench/bodies $exchange | grep '^WRK ')"

# Large callbacks, last, so that the peak RSS of the phases above is their own: rounds of 48 callbacks of
# 8 MiB (ResultDetailXML of about 12,000 results each) posted at once, against the default
# Relay:Callbacks:MaxBufferedBytes of 256 MiB. The RSS after the burst is read two seconds later.
peak_rss=0; for k in "${!rss[@]}"; do [ "${rss[$k]}" -gt "$peak_rss" ] && peak_rss=${rss[$k]}; done
big_name="Relay big bodies (48 at once of 8 MiB, 3 rounds)"
relay_phase "$big_name" $bench_tool big --url "$callback_url" --size 8388608 --concurrency 48 --rounds 3
sleep 2
big_after=$(( $(awk '/VmRSS/ {print $2}' /proc/$relay/status) / 1024 ))

# Reconciliation, on a Relay of its own (it is off by default, and on it sees every event of its exchange):
# 5,000 calls whose callbacks all come, the callback first and then the registration first (a Grace of
# 2 s). Its source's credentials point nowhere: a fulfilled expectation is never retrieved.
kill $relay; wait $relay 2>/dev/null || true
OPENSSL_CONF=$PWD/config/openssl.cnf "${relay_command[@]}" \
  --Kestrel:Endpoints:Public:Url=$public --Kestrel:Endpoints:Admin:Url=$admin \
  --Relay:Allowlist:Networks:0=127.0.0.1/32 --Relay:Callbacks:Sources:bench:Tokens:0="$token" \
  --Relay:Callbacks:Sources:bench:MarketingCloud:AuthBaseUri=http://127.0.0.1:9/ \
  --Relay:Callbacks:Sources:bench:MarketingCloud:ClientId=bench --Relay:Callbacks:Sources:bench:MarketingCloud:ClientSecret=bench \
  --Relay:Reconciliation:Enabled=true --Relay:Reconciliation:Grace=00:00:02 --Relay:Archive:Enabled=false \
  --Relay:RabbitMq:Exchange=$exchange-reconcile --Relay:Outbox:Path="$state/outbox-reconcile" \
  --Relay:RateLimit:Enabled=false --Relay:Shutdown:DrainPeriod=00:00:00 \
  --Logging:LogLevel:Default=Warning >"$state/relay-reconcile.log" 2>&1 &
relay=$!
for _ in $(seq 1 60); do ctl list_queues -q name 2>/dev/null | grep -qx "$exchange-reconcile.expectations" && break; sleep 0.5; done
reconcile_cpu0=$(cpu_ticks $relay)
reconcile_lines=$($bench_tool expectations --url "$callback_url" --admin $admin --exchange $exchange-reconcile --count 5000 | grep '^EXPECTATIONS ')
reconcile_cpu=$(( $(cpu_ticks $relay) - reconcile_cpu0 ))
echo "bench: reconciliation: $reconcile_lines" >&2
fulfilled_first=$(sed -nE 's/.*order=callback-first.* fulfilled_per_s=([0-9]+).*/\1/p' <<<"$reconcile_lines")
fulfilled_later=$(sed -nE 's/.*order=registration-first.* fulfilled_per_s=([0-9]+).*/\1/p' <<<"$reconcile_lines")
later_seconds=$(sed -nE 's/.*order=registration-first.* seconds=([0-9.]+).*/\1/p' <<<"$reconcile_lines")
for queue_name in expectations expectations.grace expectations.retry; do ctl delete_queue "$exchange-reconcile.$queue_name" >/dev/null 2>&1 || true; done
ctl delete_queue "$exchange-reconcile.unrouted" >/dev/null 2>&1 || true

# --- report -------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { print ((op == ">=" ? v >= t : v <= t) ? "holds" : "MISSED") }'; }
broker_ratio=$(ratio $relay64 $broker64)
https_ratio=$(ratio $relay64 ${rate["HTTPS ceiling (Kestrel, read form, 200, c=$concurrency)"]})
mgmt_ratio=$(ratio $relay64 ${rate["RabbitMQ management HTTP publish API c=$concurrency"]})
outbox_ratio=$(ratio ${rate["Relay outbox mode (broker stopped) c=$concurrency"]} $relay64)
half_p99=$(median "${half_p99s[@]}")
handshake=$(awk -v n="${cpu["Relay new TLS connection per callback c=$concurrency"]}" -v k="$relay64_cpu" 'BEGIN { printf "%.2f", n - k }')

echo
echo "Relay build: ${RELAY_BENCH_BUILD:-native}"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --version), RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null), wrk 2 threads; ${seconds} s per phase; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| phase | callbacks/s | p50 ms | p90 ms | p99 ms | errors | Relay peak RSS MB | Relay CPU s / 1000 | every 200 delivered |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${results[@]}"
echo
echo "| ratio or target | value | target | verdict |"
echo "| --- | --- | --- | --- |"
echo "| Relay / broker ceiling (c=$concurrency, medians of $rounds rounds: $relay64 / $broker64) | $broker_ratio | >= 0.6 | $(verdict $broker_ratio 0.6 '>=') |"
echo "| Relay / HTTPS ceiling (c=$concurrency) | $https_ratio | (reported) | |"
echo "| Relay / management HTTP API (c=$concurrency) | $mgmt_ratio | >= 5 | $(verdict $mgmt_ratio 5 '>=') |"
echo "| outbox mode / connected | $outbox_ratio | >= 0.5 | $(verdict $outbox_ratio 0.5 '>=') |"
echo "| p99 at half the max rate (median of $rounds rounds: ${half_p99s[*]}) | $half_p99 ms | <= 20 ms | $(verdict $half_p99 20 '<=') |"
echo "| broker's own p99 at that rate (median of $rounds rounds: ${broker_half_p99s[*]}), a floor under Relay's | $(median "${broker_half_p99s[@]}") ms | (reported) | |"
echo "| Relay peak RSS | $peak_rss MB | <= 150 MB | $(verdict $peak_rss 150 '<=') |"
echo "| Relay peak RSS, big bodies (every one answered 200: ${rate[$big_name]}/s, errors in the table) | ${rss[$big_name]} MB | <= 1024 MB | $(verdict ${rss[$big_name]} 1024 '<=') |"
echo "| Relay RSS two seconds after the big bodies | $big_after MB | (reported) | |"
echo "| TLS handshake cost (CPU per callback, new connection - keep-alive) | $handshake ms | (reported) | |"
echo "| reconciliation, callback first: expectations fulfilled per second (5,000 calls, callbacks and registrations included) | $fulfilled_first/s | (reported) | |"
echo "| reconciliation, registration first: the same, a Grace of 2 s included ($later_seconds s in all) | $fulfilled_later/s | (reported) | |"
echo "| reconciliation: Relay CPU per call (both orders, the callback's own work included) | $(awk -v c=$reconcile_cpu -v t=$ticks 'BEGIN { printf "%.2f", c / t / 10000 * 1000 }') ms | (reported) | |"
