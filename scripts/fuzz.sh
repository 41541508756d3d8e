#!/usr/bin/env bash
# Coverage-guided fuzzing of everything Relay's core reads from outside, with AFL++ through SharpFuzz.
#   scripts/fuzz.sh --list                 the targets, one per line
#   scripts/fuzz.sh TARGET SECONDS         fuzzes TARGET for SECONDS, then prints
#                                          "fuzz: TARGET N executions, C crashes" (exit 1 when C > 0)
#   scripts/fuzz.sh TARGET run FILE|DIR... runs inputs through TARGET without AFL (a crash's reproduction)
# The targets live in fuzz/Relay.Fuzz, their seed corpora in fuzz/corpus/TARGET. Relay.Core.dll is
# instrumented by the SharpFuzz tool (dotnet-tools.json); afl-fuzz comes from Debian's afl++, installed
# when missing. Findings go to .dev/fuzz/TARGET/ (crashes in default/crashes/), kept between runs. Runs are
# not pinned to a core (AFL_NO_AFFINITY), so that several can share the machine with the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build=.dev/fuzz/build
publish() {
  dotnet build fuzz/Relay.Fuzz -c Release -o "$build" --nologo -v q >/dev/null
}

if [ "${1:-}" = "--list" ]; then
  publish
  dotnet "$build/Relay.Fuzz.dll" --list
  exit 0
fi

target=${1:?usage: scripts/fuzz.sh --list | TARGET SECONDS | TARGET run FILE...}
if [ "${2:-}" = "run" ]; then
  publish
  exec dotnet "$build/Relay.Fuzz.dll" "$target" run "${@:3}"
fi
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
[ -d "fuzz/corpus/$target" ] || { echo "fuzz: no target '$target' (scripts/fuzz.sh --list)" >&2; exit 2; }

command -v afl-fuzz >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }
dotnet tool restore >/dev/null

# Each target gets its own instrumented copy, so that several can run at once.
work=.dev/fuzz/$target
rm -rf "$work/bin"
mkdir -p "$work"
publish
cp -r "$build" "$work/bin"
dotnet tool run sharpfuzz "$work/bin/Relay.Core.dll" >/dev/null

# A run resumes its findings when there are some ("-i -"), else starts from the seed corpus.
input=fuzz/corpus/$target
[ -f "$work/default/fuzzer_stats" ] && input=-
AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1 \
  afl-fuzz -i "$input" -o "$work" -V "$seconds" -t 5000 -m none -- dotnet "$work/bin/Relay.Fuzz.dll" "$target" >"$work/afl.log" 2>&1 || {
    echo "fuzz: afl-fuzz failed; its log is $work/afl.log" >&2
    tail -20 "$work/afl.log" >&2
    exit 2
  }

stats=$work/default/fuzzer_stats
executions=$(awk -F': *' '$1 ~ /^execs_done/ {print $2}' "$stats")
crashes=$(find "$work/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "fuzz: $target $executions executions, $crashes crashes"
[ "$crashes" -eq 0 ]
