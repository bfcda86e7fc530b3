#!/usr/bin/env bash
# Thresher vs the TorchSharp peer (libtorch 2.10 CPU), side by side in one run on this machine.
#   bash bench/compare.sh                 # full: thresher bench, then the peer's bench, then the ratios
#   SKIP_PEER=1 bash bench/compare.sh     # reuse the peer log of an earlier run ($OUT/peer/bench.log)
# Env: MNIST (the four IDX files; default $THRESHER_DATA_DIR/mnist or ~/.cache/thresher/mnist — the peer needs
# real MNIST: 'thresher data fetch mnist'), OUT (results, default /tmp/thresher-compare), ART (Thresher's build outputs,
# default /tmp/thresher-bench-art), PEER (default ../shared/peer beside the repository), QUIET=0 to skip the
# wait for an idle machine (shared/peer/quiet_run.sh), BENCH_ARGS (extra `thresher bench` options).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEER=${PEER:-$ROOT/../shared/peer}
MNIST=${MNIST:-${THRESHER_DATA_DIR:-$HOME/.cache/thresher}/mnist}
OUT=${OUT:-/tmp/thresher-compare}; ART=${ART:-/tmp/thresher-bench-art}
[ -f "$MNIST/train-images-idx3-ubyte" ] || [ -f "$MNIST/train-images-idx3-ubyte.gz" ] || {
  echo "compare.sh: no MNIST in $MNIST — run 'thresher data fetch mnist' or set MNIST=<dir with the four IDX files>" >&2; exit 2; }
[ -f "$PEER/run_all.sh" ] || { echo "compare.sh: no TorchSharp peer at $PEER — set PEER=<dir of run_all.sh>" >&2; exit 2; }
mkdir -p "$OUT/peer"
Q=(); [ "${QUIET:-1}" = 1 ] && Q=(bash "$PEER/quiet_run.sh")

echo "== build (Release) -> $ART"
dotnet build "$ROOT/src/Client/Thresher.Client.csproj" -c Release --artifacts-path "$ART" -nologo -v q >/dev/null
THRESHER=(dotnet "$ART/bin/Thresher.Client/release/thresher.dll")

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== thresher bench ${BENCH_ARGS:-}"
# shellcheck disable=SC2086
"${Q[@]}" "${THRESHER[@]}" bench --json "$OUT/thresher.json" ${BENCH_ARGS:-} | tee "$OUT/thresher.log"

if [ "${SKIP_PEER:-0}" != 1 ]; then
  echo "== TorchSharp peer: MNIST=$MNIST bash $PEER/run_all.sh bench"
  rm -f "$OUT/peer/bench.log"
  MNIST="$MNIST" OUT="$OUT/peer" bash "$PEER/run_all.sh" bench
fi
grep -E '^(bench|clip_grad_norm_|#)' "$OUT/peer/bench.log" | grep -v 'fwd+bwd only' || true

echo "== ratios (Thresher / TorchSharp, samples/s; > 1 means Thresher is faster)"
awk '
  FNR == 1 { file++ }
  file == 1 && /^core-step/ {                 # core-step    threads=1 batch=128   36800 samples/s (min …
    split($2, t, "="); split($3, b, "="); th[t[2] "/" b[2]] = $4 }
  file == 1 && /^cluster-step/ { split($2, w, "="); cl[w[2]] = $(NF-5) }
  file == 1 && /^clip/ && /in place/ { clipIn = $(NF-5) }
  file == 1 && /^clip/ && /folded/ { clipFold = $(NF-5) }
  file == 2 && /^bench threads=/ && /full\(/ { # bench threads=1 batch=128 full(…): samples/s median=26900 …
    split($2, t, "="); split($3, b, "="); for (i = 1; i <= NF; i++) if ($i ~ /^median=/) { split($i, m, "="); pe[t[2] "/" b[2]] = m[2] } }
  file == 2 && /^clip_grad_norm_/ { for (i = 1; i <= NF; i++) if ($i ~ /^median=/) { split($i, m, "="); if (!pclip) pclip = m[2] } }
  END {
    printf "%-22s %12s %12s %8s %s\n", "configuration", "thresher", "torchsharp", "ratio", "target"
    n = split("1/128 1/512 2/128 2/512", keys, " ")
    for (i = 1; i <= n; i++) {
      k = keys[i]; split(k, p, "/"); target = k == "1/128" ? ">= 1.2" : (k == "2/512" ? ">= 1.0" : "")
      r = (k in th && k in pe && pe[k] > 0) ? sprintf("%.2f", th[k] / pe[k]) : "n/a"
      printf "%-22s %12s %12s %8s %s\n", p[1] " thread(s) batch " p[2], th[k], pe[k], r, target }
    if (pclip != "" && clipFold != "")
      printf "%-22s %10s us %10s us %8.2f %s\n", "clip (folded; torch/us)", clipFold, pclip, pclip / clipFold, "<= 60 us"
    if (pclip != "" && clipIn != "")
      printf "%-22s %10s us %10s us %8.2f\n", "clip (in place)", clipIn, pclip, pclip / clipIn
    if ((2 in cl) && ("2/512" in th))
      printf "%-22s %12s %12s %8.2f %s\n", "cluster 2w / core 2t", cl[2], th["2/512"], cl[2] / th["2/512"], ">= 0.85 (global batch 512)"
  }' "$OUT/thresher.log" "$OUT/peer/bench.log" | tee "$OUT/ratios.txt"
echo "== files: $OUT/thresher.log, $OUT/thresher.json, $OUT/peer/bench.log, $OUT/ratios.txt"
