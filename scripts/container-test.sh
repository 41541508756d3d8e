#!/usr/bin/env bash
# Builds Relay's image with the Dockerfile on local base images and checks it end to end, on loopback:
#   scripts/container-test.sh
# No registry is reachable here, so the base images are built locally: debootstrap (minbase, bookworm)
# and 'docker import'; the SDK image gets this machine's .NET SDK. The Dockerfile takes them as build
# arguments. dockerd is started by hand when none runs (and stopped again, by its pid). Every container
# runs with --network host, so all its traffic stays on loopback, against the local RabbitMQ node.
# It takes minutes (the first time: debootstrap, then the native build in the image), so it is not part
# of scripts/test.sh; docs/operators/deployment.md gives its latest output. The base images are kept for the next run;
# RELAY_CONTAINER_TEST_REBUILD=1 builds them again.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
say() { echo "container-test: $*"; }
fail() { echo "container-test: FAILED: $*" >&2; exit 1; }

command -v dockerd >/dev/null && command -v debootstrap >/dev/null && command -v jq >/dev/null || {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap jq >/dev/null
}
# The classic builder: BuildKit's needs the buildx plugin, and its frontend image cannot be pulled here.
export DOCKER_BUILDKIT=0
scripts/rabbitmq.sh ensure

work=$(mktemp -d /tmp/relay-container-test.XXXXXX)
dockerd_pid=
name=relay-container-test-$$
volume=relay-container-test-data-$$
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
  scripts/rabbitmq.sh ctl start_app >/dev/null 2>&1 || true
  if [ -n "$dockerd_pid" ]; then as_root kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true; fi
  as_root rm -rf "$work"
}
trap cleanup EXIT

if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log in $work/dockerd.log)"
  # Not through a function: $! must be dockerd's own pid (or sudo's, which passes the signal on).
  if [ "$(id -u)" -eq 0 ]; then dockerd >"$work/dockerd.log" 2>&1 & else sudo dockerd >"$work/dockerd.log" 2>&1 & fi
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { cat "$work/dockerd.log" >&2; fail "dockerd did not start"; }
fi

# --- local base images ------------------------------------------------------------------------------
env_path='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
base_image() { # NAME PACKAGES [PREPARE_FUNCTION]
  [ -n "${RELAY_CONTAINER_TEST_REBUILD:-}" ] && docker rmi -f "$1" >/dev/null 2>&1
  docker image inspect "$1" >/dev/null 2>&1 && { say "base image $1 exists"; return; }
  say "building base image $1 (debootstrap)"
  local root=$work/$1
  as_root debootstrap --variant=minbase --include="$2" bookworm "$root" http://deb.debian.org/debian >"$work/$1.log" 2>&1 \
    || { tail -20 "$work/$1.log" >&2; fail "debootstrap of $1"; }
  as_root cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  as_root rm -f "$root/etc/apt/sources.list"
  [ -n "${3:-}" ] && "$3" "$root"
  as_root tar -C "$root" -c . | docker import --change "$env_path" "${@:4}" - "$1" >/dev/null
}
with_dotnet_sdk() { # the machine's own SDK for the build stage, and the certificate authorities it trusts (NuGet)
  as_root cp -a "$(dirname "$(readlink -f "$(command -v dotnet)")")" "$1/usr/share/dotnet"
  as_root ln -sf /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"
  as_root cp -aL /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"
}
base_image relay-local-runtime ca-certificates,libssl3,libstdc++6,zlib1g,tzdata
base_image relay-local-sdk ca-certificates,libssl3,libstdc++6,zlib1g,libicu72,clang,zlib1g-dev,curl with_dotnet_sdk \
  --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' --change 'ENV NUGET_CERT_REVOCATION_MODE=offline'

# --- Relay's image, with the Dockerfile --------------------------------------------------------------
say "building relay:container-test with the Dockerfile"
docker build --network host -t relay:container-test \
  --build-arg SDK_IMAGE=relay-local-sdk --build-arg RUNTIME_IMAGE=relay-local-runtime . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "docker build"; }
exposed=$(docker image inspect relay:container-test --format '{{json .Config.ExposedPorts}}')
[ "$exposed" = '{"8443/tcp":{}}' ] || fail "the image exposes $exposed; Admin must not be"
say "ok: the image exposes only Public: $exposed"

# --- configuration and certificate, mounted as Kubernetes mounts a ConfigMap and a Secret -------------
# Each file the container sees is a link into ..data, and an update writes a new timestamped folder and
# swaps ..data in one rename, as the kubelet does: Relay must follow the swap (docs/operators/deployment.md, Running on Kubernetes).
kube_volume() { # DIR SOURCE: DIR gets SOURCE's files behind its ..data link; called again, it swaps them
  local dir=$1 source=$2 generation old
  generation="..$(date +%Y_%m_%d_%H_%M_%S).$RANDOM"
  mkdir -p "$dir/$generation"
  cp -r "$source"/. "$dir/$generation/"
  old=$(readlink "$dir/..data" || true)
  ln -s "$generation" "$dir/..data_tmp"
  mv -T "$dir/..data_tmp" "$dir/..data"
  for file in $(ls -A "$dir/$generation"); do [ -e "$dir/$file" ] || ln -s "..data/$file" "$dir/$file"; done
  [ -z "$old" ] || rm -rf "${dir:?}/$old"
  as_root chown -R 1654:1654 "$dir"
}
mkdir -p "$work/settings"
cp -r config/relay.json config/openssl.cnf config/allowlist "$work/settings/"
kube_volume "$work/config" "$work/settings"
scripts/dev-cert.sh "$work/tls" 2>/dev/null
kube_volume "$work/certs" "$work/tls"
token=$(openssl rand -hex 24)
exchange=container-test-$$
queue=$exchange.consumer
public=https://127.0.0.1:18443
admin=http://127.0.0.1:19090
data=(-v "$volume:/app/data")
run_relay() {
  docker run -d --name "$name" --network host --read-only --tmpfs /tmp \
    -v "$work/config:/app/config:ro" -v "$work/certs:/app/tls:ro" "${data[@]}" \
    -e Kestrel__Endpoints__Public__Certificate__Path=/app/tls/tls.crt -e Kestrel__Endpoints__Public__Certificate__KeyPath=/app/tls/tls.key \
    -e Kestrel__Endpoints__Public__Url=$public -e Kestrel__Endpoints__Admin__Url=$admin \
    -e Relay__Allowlist__Networks__0=127.0.0.1/32 -e Relay__Callbacks__Sources__test__Tokens__0="$token" \
    -e Relay__RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/ -e Relay__RabbitMq__Exchange="$exchange" \
    relay:container-test >/dev/null
  for _ in $(seq 1 60); do [ "$(curl -s $admin/readyz)" = Healthy ] && return; sleep 0.5; done
  docker logs "$name" >&2; fail "Relay did not become ready"
}
post() { # [FORM]
  curl -s -o /dev/null -w '%{http_code}' --cacert "$work/certs/tls.crt" \
    -H 'content-type: application/x-www-form-urlencoded' --data-binary "@${1:-samples/callbacks/has-errors.form}" \
    "$public/marketing-cloud/callbacks/$token"; }
served() { echo | openssl s_client -connect 127.0.0.1:18443 -servername localhost 2>/dev/null | openssl x509 -noout -fingerprint -sha256; }
mgmt() { curl -s -u guest:guest -H 'content-type: application/json' "$@"; }
received() { mgmt -X POST -d '{"count":1000,"ackmode":"ack_requeue_false","encoding":"auto"}' \
  "http://127.0.0.1:15672/api/queues/%2F/$queue/get" | jq length; }
messages() { mgmt "http://127.0.0.1:15672/api/queues/%2F/$queue" | jq .messages; }

run_relay
say "ok: /healthz $(curl -s $admin/healthz), /readyz $(curl -s $admin/readyz)"
[ "$(docker exec "$name" id -u)" = 1654 ] || fail "Relay runs as uid $(docker exec "$name" id -u)"
say "ok: runs as uid 1654, not root"
docker exec "$name" touch /app/probe 2>/dev/null && fail "the root filesystem is writable"
say "ok: the root filesystem is read-only (--read-only; the outbox is on its volume, /tmp a tmpfs)"
mgmt -X PUT -d '{"durable":true,"arguments":{"x-queue-type":"quorum"}}' "http://127.0.0.1:15672/api/queues/%2F/$queue" >/dev/null
mgmt -X POST -d '{"routing_key":"callback.#"}' "http://127.0.0.1:15672/api/bindings/%2F/e/$exchange/q/$queue" >/dev/null
[ "$(post)" = 200 ] || fail "a callback was not answered 200"
for _ in $(seq 1 20); do [ "$(messages)" = 1 ] && break; sleep 0.5; done
[ "$(received)" = 1 ] || fail "the callback's event did not reach the queue"
say "ok: a callback over HTTPS answered 200, its event in a quorum queue bound to the exchange"

# The broker away: callbacks go to the outbox on the volume; the container is killed and started anew.
scripts/rabbitmq.sh ctl stop_app >/dev/null
codes=$(for _ in 1 2 3; do post; echo; done | sort | uniq -c | xargs)
[ "$codes" = "3 200" ] || fail "with the broker stopped, callbacks were answered: $codes"
docker kill "$name" >/dev/null && docker rm "$name" >/dev/null
depth=$(docker run --rm -v "$volume:/data" --entrypoint /bin/sh relay-local-runtime -c 'ls -l /data/outbox' | grep -c outbox.db || true)
[ "$depth" -ge 1 ] || fail "the outbox is not on the volume"
say "ok: broker stopped, 3 callbacks answered 200 into the outbox; container killed (docker kill), outbox kept on its volume"
scripts/rabbitmq.sh ctl start_app >/dev/null && scripts/rabbitmq.sh ctl await_startup >/dev/null
run_relay
for _ in $(seq 1 30); do [ "$(mgmt "http://127.0.0.1:15672/api/queues/%2F/$queue" | jq .messages)" = 3 ] && break; sleep 1; done
[ "$(received)" = 3 ] || fail "the 3 events in the outbox did not arrive after the restart"
say "ok: a new container on the same volume forwarded the 3 events to the queue"

# The Secret renewed while Relay runs: the kubelet's ..data swap, followed within seconds.
before=$(served)
scripts/dev-cert.sh "$work/tls-renewed" 2>/dev/null
kube_volume "$work/certs" "$work/tls-renewed"
renewed=$(openssl x509 -in "$work/tls-renewed/tls.crt" -noout -fingerprint -sha256)
for _ in $(seq 1 20); do [ "$(served)" = "$renewed" ] && break; sleep 0.5; done
[ "$(served)" = "$renewed" ] && [ "$before" != "$renewed" ] || fail "the renewed certificate was not served within 10 s of the ..data swap"
[ "$(post)" = 200 ] && [ "$(received)" = 1 ] || fail "a callback to the renewed certificate was not answered 200 and delivered"
say "ok: certificate swapped through ..data while running, served within seconds, callbacks go on"

# The outbox on a 16 MiB tmpfs (an emptyDir with a sizeLimit): filled by itself with the broker away, it
# refuses with 503 before the volume is full, then drains, gives the space back and is ready again.
docker rm -f "$name" >/dev/null
data=(--tmpfs /app/data:size=16m,uid=1654,gid=1654,mode=0700)
run_relay
python3 - "$work/big.form" <<'PY'
import sys, urllib.parse
results = "".join(f'<Results xsi:type="CreateResult"><StatusCode>Error</StatusCode><OrdinalID>{i}</OrdinalID><ErrorCode>12000</ErrorCode></Results>' for i in range(800))
xml = '<CreateResponse xmlns="http://exacttarget.com/wsdl/partnerAPI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' + results + '</CreateResponse>'
fields = [("RequestID", "big"), ("ConversationID", "big"), ("OverallStatusCode", "Has Errors"), ("StatusCode", "Has Errors"),
          ("StatusMessage", "One or more objects failed."), ("ErrorCode", "12000"), ("RequestType", "Asynchronous"),
          ("ResultType", "Asynchronous"), ("ResultDetailXML", xml), ("SequenceCode", "1")]
open(sys.argv[1], "w").write(urllib.parse.urlencode(fields))
PY
scripts/rabbitmq.sh ctl stop_app >/dev/null
accepted=0
for _ in $(seq 1 400); do [ "$(post "$work/big.form")" = 200 ] || break; accepted=$((accepted + 1)); done
[ "$accepted" -ge 20 ] && [ "$accepted" -lt 400 ] || fail "the outbox on 16 MiB took $accepted callbacks of 100 KB"
[ "$(curl -s $admin/readyz)" = Unhealthy ] || fail "/readyz was $(curl -s $admin/readyz) with the outbox's volume full"
free=$(docker exec "$name" df -B1 --output=avail /app/data | tail -1 | xargs)
[ "$free" -ge 1048576 ] || fail "the outbox left $free bytes free on its volume"
say "ok: outbox on a 16 MiB tmpfs: $accepted callbacks stored, then 503 with $free bytes still free, /readyz Unhealthy"
scripts/rabbitmq.sh ctl start_app >/dev/null && scripts/rabbitmq.sh ctl await_startup >/dev/null
for _ in $(seq 1 60); do [ "$(curl -s $admin/readyz)" = Healthy ] && break; sleep 0.5; done
[ "$(curl -s $admin/readyz)" = Healthy ] || fail "/readyz was $(curl -s $admin/readyz) after the outbox drained"
for _ in $(seq 1 30); do [ "$(messages)" = "$accepted" ] && break; sleep 1; done
[ "$(received)" = "$accepted" ] || fail "the $accepted stored events did not arrive once each"
used=$(docker exec "$name" du -sb /app/data/outbox | cut -f1)
[ "$used" -lt 1048576 ] || fail "the drained outbox still takes $used bytes"
say "ok: the broker back, all $accepted events arrived once, /readyz Healthy, the outbox gave its space back ($used bytes)"
mgmt -X DELETE "http://127.0.0.1:15672/api/queues/%2F/$queue" >/dev/null
say "passed"
