#!/bin/bash
# The big-bodies phase of bench/run.sh alone, three times, against the checkout in DIR (a worktree of the
# revision to measure): peak RSS of Relay and the load line. For an A/B of the memory bound between two
# revisions when a full run is disturbed by a slow broker. Usage: bench/big-bodies.sh DIR
# Settings for Relay in RELAY_ARGS (e.g. RELAY_ARGS=--Relay:Callbacks:ReclaimAfterLargeCallbacks=false, or
# --Relay:RabbitMq:ConfirmTimeout=00:00:00.200 to send the large events through the outbox). BIG_CONCURRENCY
# callbacks at once (48 unless set; bench/run.sh has 32 and 24), BIG_SHAPE=escaped for ResultDetailXML
# percent-encoded to 14 MB on the wire. BIG_BROKER=trickle freezes the broker's VM for 400 ms of every
# 500 during the burst (SIGSTOP/SIGCONT): a broker that reads the large messages slowly, so that publishes
# time out with their frames still unsent. Each round also prints Relay's RSS 3 s after the burst, its GC
# pause time in all (dotnet.gc.pause.time) and how many publishes the broker did not confirm in time.
set -u
# Never leave the broker frozen, however the script ends.
beam= trickle=
trap '[ -n "$trickle" ] && kill $trickle 2>/dev/null; [ -n "$beam" ] && kill -CONT $beam 2>/dev/null' EXIT
[ $# -eq 1 ] || { echo "usage: bench/big-bodies.sh DIR" >&2; exit 2; }
dir=$(cd "$1" && pwd); cd "$dir"
scripts/rabbitmq.sh ensure >/dev/null
[ -f config/certs/tls.crt ] || scripts/dev-cert.sh config/certs >/dev/null 2>&1
relay_bin=$(scripts/publish.sh .dev/native 2>/dev/null)
dotnet build -c Release -v quiet -nologo bench/Relay.Bench/Relay.Bench.csproj >/dev/null
for round in 1 2 3; do
  state=$(mktemp -d); token=$(openssl rand -hex 24); ex=ab-big-$round-$$
  OPENSSL_CONF=$PWD/config/openssl.cnf $relay_bin --Kestrel:Endpoints:Public:Url=https://127.0.0.1:18443 --Kestrel:Endpoints:Admin:Url=http://127.0.0.1:18080 \
    --Relay:Allowlist:Networks:0=127.0.0.1/32 --Relay:Callbacks:Sources:bench:Tokens:0="$token" --Relay:RabbitMq:Exchange=$ex \
    --Relay:Outbox:Path="$state/outbox" --Relay:RateLimit:Enabled=false --Relay:Shutdown:DrainPeriod=00:00:00 --Logging:LogLevel:Default=Warning \
    ${RELAY_ARGS:-} >"$state/relay.log" 2>&1 &
  relay=$!
  for _ in $(seq 1 60); do [ "$(curl -s http://127.0.0.1:18080/readyz)" = "Healthy" ] && break; sleep 0.5; done
  max=0; ( while kill -0 $relay 2>/dev/null; do r=$(awk '/VmRSS/ {print $2}' /proc/$relay/status 2>/dev/null); [ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r && echo $max > $state/rss; sleep 0.1; done ) &
  sampler=$!
  trickle=
  if [ "${BIG_BROKER:-}" = trickle ]; then
    beam=$(scripts/rabbitmq.sh ctl eval 'list_to_integer(os:getpid()).' | tr -d '[:space:]')
    ( while :; do kill -STOP $beam; sleep 0.4; kill -CONT $beam; sleep 0.1; done ) &
    trickle=$!
  fi
  out=$(dotnet bench/Relay.Bench/bin/Release/net10.0/Relay.Bench.dll big --url "https://127.0.0.1:18443/marketing-cloud/callbacks/$token" --size 8388608 ${BIG_SHAPE:+--shape $BIG_SHAPE} --concurrency ${BIG_CONCURRENCY:-48} --rounds 3 --cacert config/certs/tls.crt 2>&1 | tail -1)
  [ -n "$trickle" ] && { kill $trickle; wait $trickle 2>/dev/null; trickle=; kill -CONT $beam; }
  sleep 3
  idle=$(awk '/VmRSS/ {print $2}' /proc/$relay/status)
  pause=$(curl -s http://127.0.0.1:18080/metrics | awk '/^dotnet_gc_pause_time_seconds_total/ {print $2}')
  kill $relay; wait $relay 2>/dev/null; kill $sampler 2>/dev/null
  # The round's archive holds a gigabyte: not left on the broker for the next round or run to carry.
  for name in $ex.archive $ex.unrouted; do scripts/rabbitmq.sh ctl delete_queue "$name" >/dev/null 2>&1; done
  curl -s -u guest:guest -X DELETE "http://127.0.0.1:15672/api/exchanges/%2F/$ex" >/dev/null
  unconfirmed=$(grep -c 'was not confirmed' "$state/relay.log")
  echo "$(basename $dir) round $round: peak RSS $(( $(cat $state/rss) / 1024 )) MB, $(( idle / 1024 )) MB 3 s after, GC pauses ${pause:-?} s in all, $unconfirmed publishes not confirmed; $out"
  rm -rf $state
done
