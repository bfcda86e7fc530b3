#!/usr/bin/env bash
# quiet_run.sh CMD... : waits (at most ~10 min) until the machine has been ≥ 90 % idle for 3 s, runs CMD, then
# reports how much CPU other processes took while it ran — so a figure taken on a shared machine says how quiet it was.
set -uo pipefail
busy_total() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
cores=$(nproc); hz=$(getconf CLK_TCK)
idle=0; waited=0
while [ "$waited" -lt 600 ]; do
  read -r b0 t0 < <(busy_total); sleep 3; waited=$((waited + 3)); read -r b1 t1 < <(busy_total)
  idle=$(( 100 - 100 * (b1 - b0) / (t1 - t0 > 0 ? t1 - t0 : 1) ))
  [ "$idle" -ge 90 ] && break
done
echo "# waited ${waited}s, idle before start ${idle}%, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
read -r b0 _ < <(busy_total)
times=$(mktemp); trap 'rm -f "$times"' EXIT
/usr/bin/time -f "%U %S %e" -o "$times" "$@"; code=$?
read -r b1 _ < <(busy_total)
read -r user sys wall < "$times"
awk -v busy=$((b1 - b0)) -v u="$user" -v s="$sys" -v e="$wall" -v hz="$hz" -v n="$cores" 'BEGIN {
  own = (u + s) * hz; other = e > 0 ? 100 * (busy - own) / (n * e * hz) : 0; if (other < 0) other = 0
  printf "# wall %.1fs, own cpu %.1fs, other processes used %.0f%% of the %d cores during the run\n", e, u + s, other, n }'
exit "$code"
