#!/usr/bin/env bash
# The test command (README): builds the solution in Release and runs every test project.
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
dotnet test Thresher.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
