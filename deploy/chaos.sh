#!/usr/bin/env bash
# The chaos soak (README "Reliability"): 3 thresher-silo processes with Redis membership, reminders and
# checkpoints (a redis-server of its own, append-only file), 3 concurrent runs, and for MINUTES a random fault
# every 15-40 s: kill -9 of a silo (started again), SIGSTOP of a silo for 20 s, Redis paused 10 s, Redis
# restarted. At the end every run must have completed with θ bit-equal to its undisturbed twin, each step id
# once in its history, and no silo or Redis process left. It is the test ChaosSoakTests (which CI runs for 3
# minutes through scripts/test.sh), run for longer.
#
#   deploy/chaos.sh [MINUTES] [SEED]    MINUTES 1..600 (default 30); SEED replays a schedule (printed by every soak)
#
# Environment: THRESHER_CHAOS_LOGS=DIR keeps each silo's log (timestamped lines) in DIR. Needs redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0; fi
if [ $# -gt 2 ]; then echo "chaos.sh: expected at most MINUTES and SEED, got $# arguments (see --help)" >&2; exit 2; fi
minutes=${1:-30}
seed=${2:-}
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -lt 1 ] || [ "$minutes" -gt 600 ]; then
  echo "chaos.sh: minutes '$minutes': expected whole minutes in 1..600" >&2; exit 2
fi
if [ -n "$seed" ] && ! [[ "$seed" =~ ^[0-9]+$ ]]; then
  echo "chaos.sh: seed '$seed': expected a whole number (the one a soak printed)" >&2; exit 2
fi
command -v redis-server >/dev/null || { echo "chaos.sh: redis-server not found; apt-get install redis-server" >&2; exit 3; }
dotnet build tests/Client.Tests -c Release 2>&1 | tail -n 2
THRESHER_SOAK_MINUTES=$minutes THRESHER_SOAK_SEED=$seed dotnet test tests/Client.Tests -c Release --no-build \
  --filter "FullyQualifiedName~ChaosSoakTests" --logger "console;verbosity=detailed"
