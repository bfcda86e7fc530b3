#!/usr/bin/env bash
# Simulated machines on one box: N network namespaces ("hosts") joined by a bridge that lives in its own
# namespace, each host's link shaped with tc tbf; Redis and one silo per host; one `thresher submit` from host 1;
# samples/s and bytes per step printed; everything torn down again.
#
#   deploy/netsim.sh run [options] [-- SUBMIT-OPTIONS...]   build, measure, tear down (also on Ctrl-C or an error)
#   deploy/netsim.sh down [--name NAME]                      remove what a killed run left behind (namespaces, processes)
#
# Options of run:
#   --machines N        hosts, 2..16 (3). Host 1 runs Redis, a silo and the client; hosts 2..N a silo each.
#   --rate RATE         each host link's rate both ways, tc syntax (1gbit, 10gbit, 500mbit) or none (none)
#   --batch B           global batch (128)
#   --workers W         worker grains (2)
#   --steps S           steps (600)
#   --placement P       where the workers go (spread):
#                         spread  every silo hosts workers (the cluster's default rotation over silos)
#                         local   only host 1's silo, beside the run grain and parameter server
#                         remote  every silo but host 1's (its silo runs with --host-workers false)
#   --worker-threads T  kernel threads per worker grain, 0 = the silo's default (cores / workers) (0)
#   --name NAME         namespace prefix, [a-z0-9]{1,8} (thr); namespaces NAME-br, NAME-h1 … NAME-hN
#   --out DIR           keep the logs, metrics.csv and summary.json here (default: a temporary folder, removed)
#   Anything after -- goes to `thresher submit` as is (e.g. -- --layers 784,1024,10 --checkpoint-every 0).
#
# Addresses: 198.18.0.I/24 on host I (RFC 2544's benchmarking range, 198.18.0.0/15: routed nowhere); the
# bridge's namespace has none. Nothing is created in the calling namespace, so `down` (or an exit) needs
# only to stop the processes and delete the namespaces, which takes their links with them.
# Needs root, iproute2 (ip, tc), redis-server, dotnet and a built tree (dotnet build Thresher.slnx -c Release),
# MNIST in ~/.cache/thresher (thresher data fetch mnist). The kernel here has no netem: links get a rate, not a delay.
# Output: one line "netsim: ... samples/s" (steady: Δstep × batch / Δwall over the run's second half, from the
# metrics' wall_seconds) with the summary's whole-run figure and the bytes per step beside it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
machines=3 rate=none batch=128 workers=2 steps=600 placement=spread threads=0 name=thr out=""
submit_extra=()

say() { echo "netsim: $*" >&2; }
die() { say "$*"; exit 2; }

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }

need() { [ $# -ge 2 ] || die "$1 needs a value; 'deploy/netsim.sh --help' lists the options"; }

parse() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --machines) need "$@"; machines=$2; shift 2 ;;
      --rate) need "$@"; rate=$2; shift 2 ;;
      --batch) need "$@"; batch=$2; shift 2 ;;
      --workers) need "$@"; workers=$2; shift 2 ;;
      --steps) need "$@"; steps=$2; shift 2 ;;
      --placement) need "$@"; placement=$2; shift 2 ;;
      --worker-threads) need "$@"; threads=$2; shift 2 ;;
      --name) need "$@"; name=$2; shift 2 ;;
      --out) need "$@"; out=$2; shift 2 ;;
      --) shift; submit_extra=("$@"); break ;;
      -h|--help) usage 0 ;;
      *) die "unknown option '$1'; 'deploy/netsim.sh --help' lists the options" ;;
    esac
  done
  [[ "$machines" =~ ^[0-9]+$ ]] && [ "$machines" -ge 2 ] && [ "$machines" -le 16 ] || die "--machines '$machines': expected 2..16"
  [[ "$rate" == none || "$rate" =~ ^[0-9]+(k|m|g)?bit$ ]] || die "--rate '$rate': expected none or a tc rate such as 1gbit, 10gbit, 500mbit"
  [[ "$batch" =~ ^[0-9]+$ ]] && [ "$batch" -ge 1 ] || die "--batch '$batch': expected a whole number ≥ 1"
  [[ "$workers" =~ ^[0-9]+$ ]] && [ "$workers" -ge 1 ] || die "--workers '$workers': expected a whole number ≥ 1"
  [[ "$steps" =~ ^[0-9]+$ ]] && [ "$steps" -ge 10 ] || die "--steps '$steps': expected a whole number ≥ 10 (the steady figure skips the first and last steps)"
  [[ "$placement" =~ ^(spread|local|remote)$ ]] || die "--placement '$placement': expected spread, local or remote"
  [[ "$threads" =~ ^[0-9]+$ ]] || die "--worker-threads '$threads': expected a whole number ≥ 0"
  [[ "$name" =~ ^[a-z0-9]{1,8}$ ]] || die "--name '$name': expected 1..8 of a-z, 0-9"
  return 0
}

ns() { echo "$name-$1"; }
addr() { echo "198.18.0.$1"; }
state_dir() { echo "/run/thresher-netsim/$name"; }

# Stops what `up` recorded — the silos (SIGTERM together: they leave the membership table), then Redis; SIGKILL
# after 20 s — then deletes the namespaces. Safe to run twice.
down() {
  local dir f; dir=$(state_dir)
  if [ -d "$dir" ]; then
    for f in "$dir"/silo-*.pid; do [ -e "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
    for f in "$dir"/silo-*.pid; do [ -e "$f" ] && stop_pid "$f" || true; done
    { [ -e "$dir/redis.pid" ] && kill -TERM "$(cat "$dir/redis.pid")" 2>/dev/null && stop_pid "$dir/redis.pid"; } || true
    rm -f "$dir"/*.pid
    rmdir "$dir" 2>/dev/null || true
  fi
  local n
  for n in $(ip netns list | awk '{print $1}' | grep -E "^$name-(br|h[0-9]+)$" || true); do
    ip netns delete "$n"
  done
}

stop_pid() { # PIDFILE: waits up to 20 s for the process to end, then kills it
  local pid i; pid=$(cat "$1")
  for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$(basename "$1" .pid) (pid $pid) did not stop in 20 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# tbf on a link's egress: burst of 2 ms at the rate (at least 256 KB, as measured in FACTS: 1gbit → 119 MB/s).
shape() { # NAMESPACE DEVICE
  [ "$rate" = none ] && return 0
  local bits=${rate%bit} mult=1
  case "$bits" in *k) mult=1000;; *m) mult=1000000;; *g) mult=1000000000;; esac
  bits=${bits%[kmg]}
  local burst=$(( bits * mult / 8 / 500 )); [ "$burst" -lt 262144 ] && burst=262144
  ip -n "$1" link set "$2" txqueuelen 1000
  tc -n "$1" qdisc add dev "$2" root tbf rate "$rate" burst "$burst" latency 50ms
}

up() {
  command -v ip >/dev/null && command -v tc >/dev/null || die "needs iproute2 (ip, tc): apt-get install iproute2"
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  command -v redis-server >/dev/null || die "needs redis-server: apt-get install redis-server"
  silo=$repo/artifacts/bin/Thresher.Silo/release/thresher-silo.dll
  cli=$repo/artifacts/bin/Thresher.Client/release/thresher.dll
  [ -e "$silo" ] && [ -e "$cli" ] || die "no built tree: dotnet build Thresher.slnx -c Release first ($silo)"
  ip netns list | grep -qE "^$name-" && die "namespaces $name-* exist: another run, or a killed one ('$0 down --name $name')"
  mkdir -p "$(state_dir)"
  local br i
  br=$(ns br)
  ip netns add "$br"
  ip -n "$br" link add br0 type bridge
  ip -n "$br" link set br0 up
  for i in $(seq 1 "$machines"); do
    local h; h=$(ns "h$i")
    ip netns add "$h"
    ip -n "$h" link set lo up
    ip -n "$br" link add "v$i" type veth peer name eth0 netns "$h"
    ip -n "$br" link set "v$i" master br0 up
    ip -n "$h" addr add "$(addr "$i")/24" dev eth0
    ip -n "$h" link set eth0 up
    shape "$h" eth0
    shape "$br" "v$i"
  done
  say "$machines hosts $(addr 1)…$(addr "$machines") on bridge $br, links ${rate}"

  ip netns exec "$(ns h1)" redis-server --bind "$(addr 1)" --port 6379 --protected-mode no --save '' --appendonly no \
    --daemonize no </dev/null >"$work/redis.log" 2>&1 &
  echo $! >"$(state_dir)/redis.pid"
  for i in $(seq 1 "$machines"); do
    local host_workers=true
    { [ "$placement" = local ] && [ "$i" -gt 1 ]; } && host_workers=false
    { [ "$placement" = remote ] && [ "$i" -eq 1 ]; } && host_workers=false
    ip netns exec "$(ns "h$i")" setsid dotnet exec "$silo" --clustering redis --redis "$(addr 1):6379" \
      --cluster-id netsim --service-id "netsim-$name" --silo-port 11111 --gateway-port 30000 --advertised-ip "$(addr "$i")" \
      --no-dashboard --host-workers "$host_workers" --worker-threads "$threads" </dev/null >"$work/silo-$i.log" 2>&1 &
    echo $! >"$(state_dir)/silo-$i.pid"
  done
  local deadline=$((SECONDS + 120)) ready
  while :; do
    ready=0
    for i in $(seq 1 "$machines"); do
      if grep -q '^thresher-silo: cluster' "$work/silo-$i.log" 2>/dev/null; then ready=$((ready + 1))
      elif ! kill -0 "$(cat "$(state_dir)/silo-$i.pid")" 2>/dev/null; then
        say "silo $i exited during start-up; its log ends:"; tail -n 20 "$work/silo-$i.log" >&2; exit 1
      fi
    done
    [ "$ready" -eq "$machines" ] && break
    [ $SECONDS -ge $deadline ] && { say "only $ready of $machines silos active after 120 s; logs in $work"; exit 1; }
    sleep 0.5
  done
  say "$machines silos active (placement $placement)"
}

# The second half of the run: rows from max(5, n/2) to n−2 (before the last, which evaluates). Every silo is a fresh
# process whose JIT compiles through the run's first seconds: 200 steps measured from step 20 read 13.7k samples/s
# where the same run settles at 19-22k (docs/scaling.md, "Warm silos").
steady() { # METRICS.csv → samples/s
  awk -F, -v batch="$batch" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_seconds") w = i; next }
    { step[NR - 2] = $1; wall[NR - 2] = $w; n = NR - 1 }
    END { a = int(n / 2); if (a < 5) a = 5; b = n - 2;
          if (!w || b <= a || wall[b] <= wall[a]) { print "nan"; exit }
          printf "%.0f", (step[b] - step[a]) * batch / (wall[b] - wall[a]) }' "$1"
}

field() { # SUMMARY.json KEY → the first number after "KEY":
  grep -o "\"$2\": *[0-9.eE+-]*" "$1" | head -n 1 | sed 's/.*: *//'
}

run() {
  parse "$@"
  if [ -n "$out" ]; then mkdir -p "$out"; work=$(cd "$out" && pwd); else work=$(mktemp -d /tmp/thresher-netsim.XXXXXX); fi
  trap 'status=$?; trap - EXIT INT TERM; down; [ -z "$out" ] && rm -rf "$work"; say "torn down"; exit $status' EXIT
  trap 'exit 130' INT TERM
  up
  say "submit --workers $workers --batch $batch --steps $steps ${submit_extra[*]}"
  ip netns exec "$(ns h1)" dotnet exec "$cli" submit --gateway "$(addr 1):30000" --cluster-id netsim \
    --workers "$workers" --batch "$batch" --steps "$steps" --run-id "netsim-$$" \
    --metrics-out "$work/metrics.csv" --summary-json "$work/summary.json" "${submit_extra[@]}" >"$work/submit.log" 2>&1 \
    || { say "submit failed; its output ends:"; tail -n 20 "$work/submit.log" >&2; exit 1; }
  local silos; silos=$(tr -d '\n ' <"$work/summary.json" | grep -o '"silos":\[[^]]*\]' | grep -o '198\.18\.0\.[0-9]*' | sort -u | tr '\n' ' ')
  printf 'netsim: machines=%s rate=%s placement=%s workers=%s batch=%s steps=%s: %s samples/s steady, %s samples/s whole run; bytes/step: ps in %s (remote %s), out %s (remote %s); worker silos: %s\n' \
    "$machines" "$rate" "$placement" "$workers" "$batch" "$steps" "$(steady "$work/metrics.csv")" \
    "$(field "$work/summary.json" samples_per_second)" "$(field "$work/summary.json" ps_received)" \
    "$(field "$work/summary.json" ps_remote_received)" "$(field "$work/summary.json" ps_sent)" \
    "$(field "$work/summary.json" ps_remote_sent)" "${silos% }"
}

case "${1:-}" in
  run) shift; run "$@" ;;
  down) shift; parse "$@"; down; say "down: no $name-* namespaces or recorded processes left" ;;
  -h|--help) usage 0 ;;
  *) usage ;;
esac
