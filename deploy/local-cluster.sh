#!/usr/bin/env bash
# A Thresher cluster of N silo processes on this machine, with Redis membership.
#
#   deploy/local-cluster.sh start [N]   start redis-server (unless one answers at $THRESHER_REDIS) and N
#                                       silos (default 3) on loopback; wait until every silo is active;
#                                       print one gateway HOST:PORT per line on stdout
#   deploy/local-cluster.sh stop        stop the silos (SIGTERM, graceful) and the redis-server this
#                                       script started, by the PIDs it recorded
#   deploy/local-cluster.sh status      the recorded processes and whether they still run
#
# Environment (all optional):
#   THRESHER_REDIS=127.0.0.1:6379       Redis for the membership table; started here if nothing answers
#   THRESHER_CLUSTER_ID=thresher        cluster and service id (clients: --cluster-id)
#   THRESHER_SILO_PORT=11111            silo-to-silo port of silo 1; silo i uses THRESHER_SILO_PORT+i-1
#   THRESHER_GATEWAY_PORT=30000         gateway port of silo 1; silo i uses THRESHER_GATEWAY_PORT+i-1
#   THRESHER_DASHBOARD_PORT=8080        web dashboard of silo 1 (loopback); silo i uses THRESHER_DASHBOARD_PORT+i-1;
#                                       0 = each silo a free port (its log's "thresher-silo: dashboard" line); off = none
#   THRESHER_RUN_DIR=${TMPDIR:-/tmp}/thresher-local-cluster   PIDs and logs (silo-I.log, redis.log)
#   THRESHER_SILO=path                  thresher-silo executable or thresher-silo.dll; default: the newest
#                                       of artifacts/publish|bin/Thresher.Silo/{release,debug}, built
#                                       (dotnet build -c Release) when there is none
#   THRESHER_START_TIMEOUT=90           seconds to wait for the silos to become active
# Extra silo settings go through the silo's own environment (Orleans__*, THRESHER__*), e.g.
#   THRESHER__DATADIRECTORY=/data deploy/local-cluster.sh start 3
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
redis=${THRESHER_REDIS:-127.0.0.1:6379}
redis_host=${redis%:*}
redis_port=${redis##*:}
cluster_id=${THRESHER_CLUSTER_ID:-thresher}
silo_port=${THRESHER_SILO_PORT:-11111}
dashboard_port=${THRESHER_DASHBOARD_PORT:-8080}
gateway_port=${THRESHER_GATEWAY_PORT:-30000}
run_dir=${THRESHER_RUN_DIR:-${TMPDIR:-/tmp}/thresher-local-cluster}
timeout=${THRESHER_START_TIMEOUT:-90}

say() { echo "local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# PING over a plain TCP connection: needs neither redis-cli nor a running server of ours.
redis_answers() {
  local reply
  reply=$(timeout 2 bash -c "exec 3<>/dev/tcp/$redis_host/$redis_port && printf 'PING\r\n' >&3 && head -c 5 <&3" 2>/dev/null) || return 1
  [ "$reply" = "+PONG" ]
}

find_silo() {
  if [ -n "${THRESHER_SILO:-}" ]; then
    [ -e "$THRESHER_SILO" ] || die "THRESHER_SILO=$THRESHER_SILO: no such file"
    echo "$THRESHER_SILO"; return
  fi
  local candidates=() c
  for c in "$repo"/artifacts/publish/Thresher.Silo/{release,debug}/thresher-silo.dll \
           "$repo"/artifacts/bin/Thresher.Silo/{release,debug}/thresher-silo.dll; do
    [ -e "$c" ] && candidates+=("$c")
  done
  if [ ${#candidates[@]} -eq 0 ]; then
    say "no built silo found; building it (dotnet build src/Silo -c Release)"
    dotnet build "$repo/src/Silo" -c Release -v quiet -nologo >&2 || die "building thresher-silo failed"
    candidates=("$repo/artifacts/bin/Thresher.Silo/release/thresher-silo.dll")
  fi
  ls -t "${candidates[@]}" | head -n 1
}

start() {
  local n=${1:-3}
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 32 ] || die "N '$n': expected a silo count in 1..32"
  mkdir -p "$run_dir"
  local f
  for f in "$run_dir"/*.pid; do
    [ -e "$f" ] && alive "$(cat "$f")" && die "already running (see $run_dir, or '$0 status'); '$0 stop' first"
  done
  rm -f "$run_dir"/*.pid "$run_dir"/gateways

  if redis_answers; then
    say "using the Redis server answering at $redis"
  else
    case "$redis_host" in 127.*|localhost) ;; *) die "no Redis answers at $redis, and this script only starts one on loopback";; esac
    command -v redis-server >/dev/null || die "no Redis answers at $redis and redis-server is not installed (apt-get install redis-server)"
    # Persistent (append-only file in $run_dir, fsync every second): a restarted Redis comes back with the
    # membership table, the reminders and every run's checkpoints.
    redis-server --bind "$redis_host" --port "$redis_port" --save '' --appendonly yes --appendfsync everysec \
      --dir "$run_dir" --daemonize no >"$run_dir/redis.log" 2>&1 &
    echo $! >"$run_dir/redis.pid"
    local i
    for i in $(seq 1 50); do redis_answers && break; sleep 0.1; done
    redis_answers || die "redis-server did not answer at $redis (log: $run_dir/redis.log)"
    say "started redis-server at $redis (pid $(cat "$run_dir/redis.pid"))"
  fi

  local silo; silo=$(find_silo)
  local run=(); [[ "$silo" == *.dll ]] && run=(dotnet exec)
  say "starting $n silo(s) from $silo, cluster '$cluster_id'"
  local i
  for i in $(seq 1 "$n"); do
    local sp=$((silo_port + i - 1)) gp=$((gateway_port + i - 1)) web=(--no-dashboard)
    if [ "$dashboard_port" = 0 ]; then web=(--dashboard-port 0)
    elif [ "$dashboard_port" != off ]; then web=(--dashboard-port $((dashboard_port + i - 1))); fi
    setsid "${run[@]}" "$silo" --clustering redis --redis "$redis" --cluster-id "$cluster_id" --service-id "$cluster_id" \
      --silo-port "$sp" --gateway-port "$gp" --advertised-ip 127.0.0.1 "${web[@]}" </dev/null >"$run_dir/silo-$i.log" 2>&1 &
    echo $! >"$run_dir/silo-$i.pid"
    echo "127.0.0.1:$gp" >>"$run_dir/gateways"
  done

  # A silo prints its "thresher-silo: cluster" line once Orleans has started it, i.e. once it is active
  # in the membership table; a silo that exits first fails the start.
  local deadline=$((SECONDS + timeout)) ready
  while :; do
    ready=0
    for i in $(seq 1 "$n"); do
      if grep -q '^thresher-silo: cluster' "$run_dir/silo-$i.log" 2>/dev/null; then ready=$((ready + 1))
      elif ! alive "$(cat "$run_dir/silo-$i.pid")"; then
        say "silo $i exited during start-up; its log ($run_dir/silo-$i.log) ends:"; tail -n 20 "$run_dir/silo-$i.log" >&2
        stop; exit 1
      fi
    done
    [ "$ready" -eq "$n" ] && break
    if [ $SECONDS -ge $deadline ]; then
      say "only $ready of $n silos active after ${timeout}s; logs in $run_dir"; stop; exit 1
    fi
    sleep 0.2
  done
  say "$n silo(s) active; logs and PIDs in $run_dir; '$0 stop' stops them"
  cat "$run_dir/gateways"
}

stop_pid() { # PID NAME GRACE_SECONDS
  local pid=$1 name=$2 grace=$3
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 $((grace * 10))); do alive "$pid" || return 0; sleep 0.1; done
  say "$name (pid $pid) did not stop in ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [ -d "$run_dir" ] || { say "nothing to stop ($run_dir does not exist)"; return 0; }
  local f pids=()
  # SIGTERM every silo first, so they leave the cluster together, then wait for each.
  for f in "$run_dir"/silo-*.pid; do
    [ -e "$f" ] || continue
    alive "$(cat "$f")" && kill -TERM "$(cat "$f")" 2>/dev/null && pids+=("$f")
  done
  for f in "${pids[@]}"; do stop_pid "$(cat "$f")" "$(basename "$f" .pid)" 30; done
  rm -f "$run_dir"/silo-*.pid
  if [ -e "$run_dir/redis.pid" ]; then
    stop_pid "$(cat "$run_dir/redis.pid")" redis-server 10
    rm -f "$run_dir/redis.pid"
  fi
  rm -f "$run_dir/gateways"
  say "stopped (logs kept in $run_dir)"
}

status() {
  local f any=0
  for f in "$run_dir"/*.pid; do
    [ -e "$f" ] || continue
    any=1
    if alive "$(cat "$f")"; then echo "$(basename "$f" .pid) pid $(cat "$f") running"; else echo "$(basename "$f" .pid) pid $(cat "$f") gone"; fi
  done
  [ $any -eq 1 ] || echo "not started ($run_dir)"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
