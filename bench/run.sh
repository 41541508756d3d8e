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

# The core first, on a quiet machine: a callback's form bytes to its event's bytes (BenchmarkDotNet, one core).
core_line=
if [ "$soak_minutes" -eq 0 ]; then
  echo "bench: the core (BenchmarkDotNet)" >&2
  dotnet build -c Release -v quiet -nologo bench/Relay.Core.Bench/Relay.Core.Bench.csproj >/dev/null
  core_line=$(dotnet bench/Relay.Core.Bench/bin/Release/net10.0/Relay.Core.Bench.dll bench/bodies 2>&1 | tee "$state/core.log" | grep '^CORE ') \
    || { cat "$state/core.log" >&2; exit 1; }
fi

# --- Relay -------------------------------------------------------------------------------------------
# Each run starts from the same broker and leaves nothing behind: the archive streams grow by gigabytes a
# run, and a broker that kept an earlier run's works harder than one that did not.
remove_run_queues() {
  for name in $exchange.archive $exchange.unrouted $exchange-reconcile.archive $exchange-reconcile.unrouted; do
    ctl delete_queue "$name" >/dev/null 2>&1 || true
  done
}
remove_run_queues
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
  remove_run_queues
}
trap cleanup EXIT
for _ in $(seq 1 60); do [ "$(curl -s $admin/readyz)" = "Healthy" ] && break; sleep 0.5; done
[ "$(curl -s $admin/readyz)" = "Healthy" ] || { cat "$state/relay.log" >&2; exit 1; }
# A quorum queue, as consumers are advised to declare (docs/consumers/events.md).
curl -s -u guest:guest -X DELETE "http://127.0.0.1:15672/api/queues/%2F/$queue" >/dev/null
curl -s -u guest:guest -X PUT -H 'content-type: application/json' -d '{"durable":true,"arguments":{"x-queue-type":"quorum"}}' \
  "http://127.0.0.1:15672/api/queues/%2F/$queue" >/dev/null
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
# The broker's Erlang VM, whose CPU per message under Relay is compared with under the ceiling's publisher.
beam=$(ctl eval 'os:getpid().' | tr -dc 0-9)
gc_pause() { curl -s $admin/metrics | awk '/^dotnet_gc_pause_time_seconds_total/ {print $2}'; }
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
declare -A rate p99 cpu rss broker_cpu publisher_cpu
record() {
  local name=$1 line=$2 measured=${3:-} beam_used=${4:-}
  local requests duration non2xx errors ok
  requests=$(field requests "$line"); duration=$(field duration_us "$line"); non2xx=$(field non2xx "$line")
  errors=$(( non2xx + $(field connect "$line") + $(field read "$line") + $(field write "$line") + $(field timeout "$line") ))
  ok=$(( requests - non2xx ))
  rate[$name]=$(awk -v ok=$ok -v d=$duration 'BEGIN { printf "%.0f", ok / (d / 1e6) }')
  p99[$name]=$(awk -v v="$(field p99_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }')
  local p50 p90; p50=$(awk -v v="$(field p50_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }'); p90=$(awk -v v="$(field p90_us "$line")" 'BEGIN { printf "%.1f", v / 1000 }')
  local rss_text="" cpu_text="" check="" broker_text=""
  if [ -n "$beam_used" ]; then
    broker_cpu[$name]=$(awk -v c=$beam_used -v t=$ticks -v n=$ok 'BEGIN { printf "%.3f", n ? c / t / n * 1000 : 0 }'); broker_text=${broker_cpu[$name]}
  fi
  [[ "$line" == *" cpu_us="* ]] && publisher_cpu[$name]=$(awk -v c="$(field cpu_us "$line")" -v n=$ok 'BEGIN { printf "%.3f", n ? c / 1000 / n : 0 }')
  if [ -n "$measured" ]; then
    read -r cpu_used rss_kb delivered alloc paused <<<"$measured"
    # Relay's CPU, allocations and deliveries also cover callbacks the load sent but did not measure.
    local handled=$ok
    [[ "$line" == *" unmeasured="* ]] && handled=$(( ok + $(field unmeasured "$line") ))
    cpu[$name]=$(awk -v c=$cpu_used -v t=$ticks -v n=$handled 'BEGIN { printf "%.2f", n ? c / t / n * 1000 : 0 }')
    rss[$name]=$(( rss_kb / 1024 ))
    rss_text="${rss[$name]}"; cpu_text="${cpu[$name]}"
    check=$([ "$delivered" -ge "$handled" ] && echo "$delivered/$handled ok" || echo "$delivered/$handled MISSING")
    [ -n "$alloc" ] && check="$check, $(awk -v a=$alloc -v n=$handled 'BEGIN { printf "%.0f", n ? a / n : 0 }') B alloc/callback"
    [ -n "$paused" ] && check="$check, Relay GC pauses $(awk -v p=$paused 'BEGIN { printf "%.0f", p * 1000 }') ms"
    [[ "$line" == *" gc_pause_us="* ]] && check="$check, load generator's GC pauses $(( $(field gc_pause_us "$line") / 1000 )) ms"
  fi
  results+=("| $name | ${rate[$name]} | $p50 | $p90 | ${p99[$name]} | $errors | $rss_text | $cpu_text | $broker_text | $check |")
  echo "bench: $name: ${rate[$name]}/s, p99 ${p99[$name]} ms, errors $errors ${check:+($check)}" >&2
}

# relay_phase NAME COMMAND...: runs a load against Relay, measuring its CPU, peak RSS, allocations and delivery.
relay_phase() {
  local name=$1; shift
  local cpu0 alloc0 line delivered0 beam0 paused0; delivered0=$(settle); cpu0=$(cpu_ticks $relay); alloc0=$(allocated); paused0=$(gc_pause); beam0=$(cpu_ticks $beam)
  echo 0 >"$state/rss"; rss_sampler $relay "$state/rss" & local sampler=$!
  line=$("$@" | grep -E '^(WRK|LOAD) ')
  kill $sampler 2>/dev/null || true
  local cpu_used=$(( $(cpu_ticks $relay) - cpu0 )) alloc=$(awk -v a="$(allocated)" -v b="$alloc0" 'BEGIN { printf "%.0f", a - b }')
  local paused=$(awk -v a="$(gc_pause)" -v b="$paused0" 'BEGIN { printf "%.3f", a - b }')
  # The broker's work for these callbacks includes their confirms and deliveries, done by the time they settle.
  local delivered_now; delivered_now=$(settle); local beam_used=$(( $(cpu_ticks $beam) - beam0 ))
  [ "$(curl -s $admin/readyz)" = "Healthy" ] || for _ in $(seq 1 120); do [ "$(curl -s $admin/readyz)" = "Healthy" ] && break; sleep 1; done
  record "$name" "$line" "$cpu_used $(cat "$state/rss") $(( delivered_now - delivered0 )) $alloc $paused" "$beam_used"
}

# broker_phase NAME COMMAND...: runs the broker's own publisher, measuring the broker's CPU as relay_phase does.
broker_phase() {
  local name=$1; shift
  local beam0 line; settle >/dev/null; beam0=$(cpu_ticks $beam)
  line=$("$@" | grep '^BROKER ')
  settle >/dev/null
  record "$name" "$line" "" "$(( $(cpu_ticks $beam) - beam0 ))"
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
broker_rates=(); relay_rates=(); relay_cpus=(); ceiling_beam=(); relay_beam=(); publisher_cpus=()
for round in $(seq 1 $rounds); do
  echo "bench: broker ceiling, round $round" >&2
  broker_phase "broker ceiling (publisher, confirms, c=$concurrency), round $round" \
    $bench_tool broker --exchange $exchange --concurrency $concurrency --seconds "$seconds"
  broker_rates+=(${rate["broker ceiling (publisher, confirms, c=$concurrency), round $round"]})
  ceiling_beam+=(${broker_cpu["broker ceiling (publisher, confirms, c=$concurrency), round $round"]})
  publisher_cpus+=(${publisher_cpu["broker ceiling (publisher, confirms, c=$concurrency), round $round"]})
  relay_phase "Relay keep-alive c=$concurrency, round $round" wrk_callbacks $concurrency
  relay_rates+=(${rate["Relay keep-alive c=$concurrency, round $round"]})
  relay_cpus+=(${cpu["Relay keep-alive c=$concurrency, round $round"]})
  relay_beam+=(${broker_cpu["Relay keep-alive c=$concurrency, round $round"]})
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
broker64=$(median "${broker_rates[@]}")
relay64=$(median "${relay_rates[@]}")
relay64_cpu=$(median "${relay_cpus[@]}")
ceiling_beam_cpu=$(median "${ceiling_beam[@]}"); relay_beam_cpu=$(median "${relay_beam[@]}"); publisher_cpu_msg=$(median "${publisher_cpus[@]}")

echo "bench: HTTPS ceiling" >&2
$bench_tool https-server --url https://127.0.0.1:9443 >"$state/https.log" 2>&1 &
https_server=$!
sleep 3
wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/callbacks.lua https://127.0.0.1:9443/x -- bench/bodies >/dev/null  # warm-up
https_cpu0=$(cpu_ticks $https_server)
https_line=$(wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/callbacks.lua https://127.0.0.1:9443/x -- bench/bodies | grep '^WRK ')
https_cpu_used=$(( $(cpu_ticks $https_server) - https_cpu0 ))
record "HTTPS ceiling (Kestrel, read form, 200, c=$concurrency)" "$https_line"
https_cpu_req=$(awk -v c=$https_cpu_used -v t=$ticks -v n=${rate["HTTPS ceiling (Kestrel, read form, 200, c=$concurrency)"]} -v s=$seconds \
  'BEGIN { printf "%.3f", c / t / (n * s) * 1000 }')
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
half_p99s=(); broker_half_p99s=(); relay_half_beam=(); broker_half_beam=()
for round in $(seq 1 $rounds); do
  relay_phase "Relay at half its max rate ($half/s, fixed rate), round $round" \
    $bench_tool load --url "$callback_url" --rate $half --seconds "$seconds" --connections $concurrency
  half_p99s+=(${p99["Relay at half its max rate ($half/s, fixed rate), round $round"]})
  relay_half_beam+=(${broker_cpu["Relay at half its max rate ($half/s, fixed rate), round $round"]})
  broker_phase "broker alone at the same rate ($half/s, fixed rate), round $round" \
    $bench_tool broker --exchange $exchange --rate $half --seconds "$seconds"
  broker_half_p99s+=(${p99["broker alone at the same rate ($half/s, fixed rate), round $round"]})
  broker_half_beam+=(${broker_cpu["broker alone at the same rate ($half/s, fixed rate), round $round"]})
done

# The broker is stopped for the load and started again after it; the outbox then drains into the queue.
# The phase ends once the outbox is empty: the count of what reached the queue must not be read before
# Relay has reconnected and drained it (its reconnection can take seconds after the broker is back).
outbox_depth() { curl -s $admin/metrics | awk '/^relay_outbox_depth/ { print $2; exit }'; }
outbox_load() {
  ctl stop_app >/dev/null; wrk_callbacks $concurrency; ctl start_app >/dev/null; ctl await_startup >/dev/null
  for _ in $(seq 1 300); do [ "$(outbox_depth)" = 0 ] && break; sleep 1; done
}
relay_phase "Relay outbox mode (broker stopped) c=$concurrency" outbox_load

record "RabbitMQ management HTTP publish API c=$concurrency" \
  "$(wrk -t2 -c$concurrency -d"${seconds}s" -s bench/wrk/management.lua http://127.0.0.1:15672 -- bench/bodies $exchange | grep '^WRK ')"

# Large callbacks, last, so that the peak RSS of the phases above is their own: rounds of 48 callbacks of
# 8 MiB (ResultDetailXML of about 12,000 results each) posted at once, against the default
# Relay:Callbacks:MaxBufferedBytes of 256 MiB. The RSS after the burst is read two seconds later.
peak_rss=0; for k in "${!rss[@]}"; do [ "${rss[$k]}" -gt "$peak_rss" ] && peak_rss=${rss[$k]}; done
# The container size the README recommends (deploy/kubernetes/base): the bound on the peaks of the first two.
container_mib=$(awk '/limits:/ { l = 1 } l && /memory:/ { sub(/Mi/, "", $2); print $2; exit }' deploy/kubernetes/base/statefulset.yaml)
big32_name="Relay big bodies (32 at once of 8 MiB, 3 rounds)"
relay_phase "$big32_name" $bench_tool big --url "$callback_url" --size 8388608 --concurrency 32 --rounds 3
big24_name="Relay big bodies (24 at once, 8 MiB of ResultDetailXML escaped to 14 MB, 3 rounds)"
relay_phase "$big24_name" $bench_tool big --url "$callback_url" --size 8388608 --shape escaped --concurrency 24 --rounds 3
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
echo "| phase | callbacks/s | p50 ms | p90 ms | p99 ms | errors | Relay peak RSS MB | Relay CPU s / 1000 | broker CPU s / 1000 | every 200 delivered |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${results[@]}"
echo
echo "| ratio or target | value | target | verdict |"
echo "| --- | --- | --- | --- |"
echo "| Relay / broker ceiling (c=$concurrency, medians of $rounds rounds: $relay64 / $broker64) | $broker_ratio | >= 0.7 | $(verdict $broker_ratio 0.7 '>=') |"
beam_ratio=$(ratio $relay_beam_cpu $ceiling_beam_cpu)
echo "| the broker's CPU per message under Relay / under the ceiling's publisher (medians: $relay_beam_cpu / $ceiling_beam_cpu ms) | $beam_ratio | <= 1.1 | $(verdict $beam_ratio 1.1 '<=') |"
# The broker's CPU per message falls as its rate rises (docs/development/benchmarks.md): at the same rate,
# under Relay and under its own publisher, is the like-for-like comparison.
same_rate_beam=$(ratio "$(median "${relay_half_beam[@]}")" "$(median "${broker_half_beam[@]}")")
echo "| the same at the same fixed rate ($half/s: under Relay / under the broker's own publisher, medians: $(median "${relay_half_beam[@]}") / $(median "${broker_half_beam[@]}") ms) | $same_rate_beam | <= 1.1 | $(verdict $same_rate_beam 1.1 '<=') |"
ceiling_cpu=$(awk -v a=$https_cpu_req -v b=$publisher_cpu_msg 'BEGIN { printf "%.3f", a + b }')
cpu_ratio=$(ratio $relay64_cpu $ceiling_cpu)
echo "| Relay's CPU per callback / (HTTPS ceiling's server CPU per request + ceiling publisher's CPU per message) ($relay64_cpu / ($https_cpu_req + $publisher_cpu_msg) ms) | $cpu_ratio | <= 1.3 | $(verdict $cpu_ratio 1.3 '<=') |"
echo "| Relay / HTTPS ceiling (c=$concurrency) | $https_ratio | (reported) | |"
echo "| Relay / management HTTP API (c=$concurrency) | $mgmt_ratio | >= 5 | $(verdict $mgmt_ratio 5 '>=') |"
echo "| outbox mode / connected | $outbox_ratio | >= 0.5 | $(verdict $outbox_ratio 0.5 '>=') |"
broker_half_p99=$(median "${broker_half_p99s[@]}")
half_p99_ratio=$(ratio $half_p99 $broker_half_p99)
echo "| p99 at half the max rate / the broker alone at that rate (medians of $rounds rounds: ${half_p99s[*]} / ${broker_half_p99s[*]} ms) | $half_p99_ratio | <= 2.5 | $(verdict $half_p99_ratio 2.5 '<=') |"
worst_round=0; for i in "${!half_p99s[@]}"; do r=$(ratio ${half_p99s[$i]} ${broker_half_p99s[$i]}); worst_round=$(awk -v a=$r -v b=$worst_round 'BEGIN { print (a > b ? a : b) }'); done
echo "| the worst round's p99 / the broker alone's in that round | $worst_round | <= 5 | $(verdict $worst_round 5 '<=') |"
echo "| Relay peak RSS | $peak_rss MB | <= 150 MB | $(verdict $peak_rss 150 '<=') |"
big_bound=$(( container_mib * 3 / 4 ))
for name in "$big32_name" "$big24_name"; do
  echo "| $name: peak RSS (errors in the table) | ${rss[$name]} MB | <= $big_bound MB (0.75 x ${container_mib} MiB) | $(verdict ${rss[$name]} $big_bound '<=') |"
done
echo "| Relay peak RSS, big bodies (every one answered 200: ${rate[$big_name]}/s, errors in the table) | ${rss[$big_name]} MB | <= 1024 MB | $(verdict ${rss[$big_name]} 1024 '<=') |"
echo "| Relay RSS two seconds after the big bodies | $big_after MB | (reported) | |"
core_mbps=$(field fifty_mbps "$core_line"); core_alloc=$(field mix_alloc_per_callback "$core_line"); core_body=$(field mix_mean_body "$core_line")
echo "| the core: the 34 KB callback, form bytes to event bytes, one core ($(field fifty_us "$core_line") us) | $core_mbps MB/s | >= 400 MB/s | $(verdict $core_mbps 400 '>=') |"
alloc_ratio=$(ratio $core_alloc $core_body)
echo "| the core: allocated per callback / body size, the mix ($core_alloc / $core_body B) | $alloc_ratio | <= 2 | $(verdict $alloc_ratio 2 '<=') |"
echo "| TLS handshake cost (CPU per callback, new connection - keep-alive) | $handshake ms | (reported) | |"
echo "| reconciliation, callback first: expectations fulfilled per second (5,000 calls, callbacks and registrations included) | $fulfilled_first/s | (reported) | |"
echo "| reconciliation, registration first: the same, a Grace of 2 s included ($later_seconds s in all) | $fulfilled_later/s | (reported) | |"
echo "| reconciliation: Relay CPU per call (both orders, the callback's own work included) | $(awk -v c=$reconcile_cpu -v t=$ticks 'BEGIN { printf "%.2f", c / t / 10000 * 1000 }') ms | (reported) | |"
