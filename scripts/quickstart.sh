#!/usr/bin/env bash
# Starts Relay on this machine and shows it working:
#   1. a local RabbitMQ (installed from Debian's packages and started without systemd, unless one
#      already answers on 127.0.0.1:5672);
#   2. a self-signed development certificate, unless config/certs/tls.crt exists;
#   3. Relay on https://127.0.0.1:8443 (admin on http://127.0.0.1:9090), with loopback allowed and a
#      source "quickstart" whose secret callback-URL token is made for this run;
#   4. the sample consumer bound with 'callback.#', a sample Marketing Cloud callback posted over HTTPS,
#      and the event the consumer received.
# Relay then keeps running in the foreground; Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

state=.dev
mkdir -p "$state"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need() {
  command -v "$1" >/dev/null && return 0
  echo "quickstart: installing $2" >&2
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need curl curl
need openssl openssl

if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "quickstart: using the RabbitMQ already listening on 127.0.0.1:5672" >&2
else
  scripts/rabbitmq.sh ensure
fi

[ -f config/certs/tls.crt ] || scripts/dev-cert.sh config/certs

echo "quickstart: building" >&2
relay_binary=$(scripts/publish.sh .dev/native)
dotnet build -c Release -v quiet -nologo samples/Relay.Samples.Consumer/Relay.Samples.Consumer.csproj >/dev/null

# Callback URLs end in a secret token naming their source; this run makes one for a source "quickstart".
token=$(openssl rand -hex 24)
# config/openssl.cnf: TLS 1.2 with AEAD suites and forward secrecy only (docs/operators/configuration.md, Cipher suites).
OPENSSL_CONF=$PWD/config/openssl.cnf "$relay_binary" \
  --Kestrel:Endpoints:Public:Url=https://127.0.0.1:8443 \
  --Relay:Allowlist:Networks:0=127.0.0.1/32 \
  --Relay:Callbacks:Sources:quickstart:Tokens:0="$token" \
  >"$state/relay.log" 2>&1 &
relay=$!
trap 'kill $relay 2>/dev/null; wait $relay 2>/dev/null' EXIT INT TERM

echo -n "quickstart: waiting for Relay to be ready" >&2
for _ in $(seq 1 60); do
  if curl -fs http://127.0.0.1:9090/readyz >/dev/null 2>&1; then break; fi
  if ! kill -0 $relay 2>/dev/null; then echo; cat "$state/relay.log" >&2; exit 1; fi
  echo -n . >&2; sleep 1
done
echo >&2
curl -fs http://127.0.0.1:9090/readyz >/dev/null || { echo "quickstart: Relay did not become ready; see $state/relay.log" >&2; exit 1; }

dotnet samples/Relay.Samples.Consumer/bin/Release/net10.0/Relay.Samples.Consumer.dll \
  --queue quickstart --exclusive true --binding 'callback.#' --count 1 >"$state/consumer.out" 2>"$state/consumer.err" &
consumer=$!
for _ in $(seq 1 30); do grep -q waiting "$state/consumer.err" 2>/dev/null && break; sleep 0.5; done

echo "quickstart: POST samples/callbacks/has-errors.form to https://127.0.0.1:8443/marketing-cloud/callbacks/<token>" >&2
curl -sS --cacert config/certs/tls.crt -o /dev/null -w 'quickstart: Relay answered %{http_code}\n' \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-binary @samples/callbacks/has-errors.form \
  "https://127.0.0.1:8443/marketing-cloud/callbacks/$token"

if ! timeout 30 tail --pid=$consumer -f /dev/null; then
  echo "quickstart: the consumer received nothing within 30 s" >&2; exit 1
fi
echo "quickstart: the sample consumer (queue 'quickstart', binding 'callback.#') received:" >&2
cat "$state/consumer.out"
echo >&2
echo "quickstart: Relay is running (log: $state/relay.log); callback URL https://127.0.0.1:8443/marketing-cloud/callbacks/$token" >&2
echo "quickstart: Ctrl+C stops it." >&2
wait $relay
