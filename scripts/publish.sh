#!/usr/bin/env bash
# Publishes Relay as a native (AOT) executable for this machine's architecture, and prints its path.
#   scripts/publish.sh [OUTPUT_DIR [dotnet publish options...]]     (default .dev/native)
# e.g. scripts/publish.sh out -p:IlcInstructionSet=x86-64-v2 for an x64 host without AVX2.
# The folder then holds Relay (the executable), libe_sqlite3.so (the outbox's SQLite, loaded from beside
# it) and Relay.dbg (symbols, not needed to run). The native build links with clang; clang and zlib's
# headers are installed from Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.dev/native}
shift || true

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "publish: no native build for $(uname -m)" >&2; exit 2 ;;
esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v clang >/dev/null || [ ! -e /usr/include/zlib.h ]; then
  echo "publish: installing clang and zlib1g-dev, which the native build links with" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev >/dev/null
fi

# The x64 build targets x86-64-v3 (AVX2, src/Relay/Relay.csproj); on a CPU without AVX2 it would not
# start, so a build made on one targets x86-64-v2 instead.
isa=()
if [ "$rid" = linux-x64 ] && ! grep -qw avx2 /proc/cpuinfo; then
  echo "publish: this CPU has no AVX2; building for x86-64-v2" >&2
  isa=(-p:IlcInstructionSet=x86-64-v2)
fi

echo "publish: building the native executable ($rid) into $out" >&2
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
  dotnet publish src/Relay/Relay.csproj -c Release -r "$rid" -v quiet -nologo -o "$out" "${isa[@]}" "$@" >&2
echo "$(cd "$out" && pwd)/Relay"
