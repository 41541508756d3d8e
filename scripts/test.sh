#!/usr/bin/env bash
# Runs every test: the core's unit tests and the host's integration tests, which serve Relay over real
# HTTPS on loopback ports and publish to a real RabbitMQ.
#   - The broker is RELAY_TEST_RABBITMQ_URI (default amqp://guest:guest@127.0.0.1:5672/). When that
#     variable is unset and nothing listens on 127.0.0.1:5672, a local node is installed and started
#     with scripts/rabbitmq.sh. Tests fail, never skip, when the broker cannot be reached.
#   - The process tests (Relay killed, terminated, started with bad settings, the native build's own
#     tests) run the native (AOT) executable, the build Relay ships as: scripts/publish.sh builds it
#     first (installing clang when missing) and RELAY_TEST_NATIVE_BINARY points the tests at it.
#   - Outage tests stop and start the broker's application through 'scripts/rabbitmq.sh ctl'; for a
#     broker started some other way, set RELAY_TEST_RABBITMQCTL to a rabbitmqctl command for it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ -z "${RELAY_TEST_RABBITMQ_URI:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  scripts/rabbitmq.sh ensure
fi
if [ -z "${RELAY_TEST_RABBITMQCTL:-}" ] && ! scripts/rabbitmq.sh ctl -q status >/dev/null 2>&1; then
  echo "test: the RabbitMQ on 127.0.0.1:5672 was not started by scripts/rabbitmq.sh, so the outage tests" >&2
  echo "      cannot stop it; set RELAY_TEST_RABBITMQCTL (e.g. 'sudo rabbitmqctl') or stop that broker." >&2
  exit 2
fi

export RELAY_TEST_NATIVE_BINARY
RELAY_TEST_NATIVE_BINARY=$(scripts/publish.sh .dev/native)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# A test that hangs fails the run (naming itself) instead of stalling it.
dotnet test Relay.sln -c Release --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects.
awk '/(Passed|Failed)! +- Failed:/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     }
     END { gsub(",", "", p); printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
