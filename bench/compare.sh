#!/usr/bin/env bash
# Thresher vs the TorchSharp peer (TorchSharp-cpu 0.107.0, libtorch 2.10 CPU), side by side on this machine.
#   bash bench/compare.sh
# For each configuration (1|2 threads × batch 128|512) it runs `thresher bench` (core step) and then the peer's
# bench (the same model, recipe and step: fwd + bwd + clip + SGD) back to back, each after waiting for an idle
# machine (bench/quiet_run.sh, which also reports how much CPU other processes took meanwhile); then
# the rest of `thresher bench` (embedded cluster, GEMMs, clip); then the ratios Thresher / TorchSharp.
# PEER_MODE=run_all runs the peer as `MNIST=<dir> bash $PEER/run_all.sh bench` (all four
# configurations in one go) after a whole `thresher bench`, instead of interleaving.
# Env: MNIST (the four IDX files; default $THRESHER_DATA_DIR/mnist or ~/.cache/thresher/mnist — the peer needs
# real MNIST: 'thresher data fetch mnist'), OUT (results; default /tmp/thresher-compare), ART (Thresher's build
# outputs; default /tmp/thresher-bench-art), PEER (required: the folder of the TorchSharp peer, a separate program
# with TorchPeer.csproj and run_all.sh that is not part of this repository), PEER_ART (the
# peer's build outputs; default ~/.cache/thresher-peer, as run_all.sh), QUIET=0 (do not wait for an idle machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEER=${PEER:-}
MNIST=${MNIST:-${THRESHER_DATA_DIR:-$HOME/.cache/thresher}/mnist}
OUT=${OUT:-/tmp/thresher-compare}; ART=${ART:-/tmp/thresher-bench-art}
PEER_ART=${PEER_ART:-${XDG_CACHE_HOME:-$HOME/.cache}/thresher-peer}
[ -f "$MNIST/train-images-idx3-ubyte" ] || [ -f "$MNIST/train-images-idx3-ubyte.gz" ] || {
  echo "compare.sh: no MNIST in $MNIST — run 'thresher data fetch mnist' or set MNIST=<dir with the four IDX files>" >&2; exit 2; }
[ -n "$PEER" ] && [ -f "$PEER/run_all.sh" ] || { echo "compare.sh: no TorchSharp peer at '${PEER:-(PEER unset)}' — set PEER=<folder with TorchPeer.csproj and run_all.sh>" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT/peer"
Q=(); [ "${QUIET:-1}" = 1 ] && Q=(bash "$ROOT/bench/quiet_run.sh")

echo "== build (Release): thresher -> $ART, peer -> $PEER_ART"
build() { dotnet build "$@" -c Release -nologo -v q > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; echo "compare.sh: build failed: $*" >&2; exit 1; }; }
build "$ROOT/src/Client/Thresher.Client.csproj" --artifacts-path "$ART"
THRESHER=(dotnet "$ART/bin/Thresher.Client/release/thresher.dll")
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${PEER_MODE:-interleaved}" = run_all ]; then
  "${Q[@]}" "${THRESHER[@]}" bench --json "$OUT/thresher.json" | tee "$OUT/thresher.log"
  echo "== TorchSharp peer: MNIST=$MNIST bash $PEER/run_all.sh bench"
  MNIST="$MNIST" OUT="$OUT/peer" ART="$PEER_ART" bash "$PEER/run_all.sh" bench
else
  build "$PEER/TorchPeer.csproj" --artifacts-path "$PEER_ART"
  PEER_BIN=(dotnet "$PEER_ART/bin/TorchPeer/release/TorchPeer.dll")
  for t in 1 2; do for b in 128 512; do
    echo "== threads $t, batch $b: thresher, then the peer"
    "${Q[@]}" "${THRESHER[@]}" bench --only core-step --threads $t --batch $b --json "$OUT/core-$t-$b.json" | tee -a "$OUT/thresher.log"
    "${Q[@]}" "${PEER_BIN[@]}" bench "$MNIST" $t $b 200 3 2>&1 | tee -a "$OUT/peer/bench.log" | grep -E '^(bench|clip_grad|#)' | grep -v 'fwd+bwd only'
  done; done
  echo "== thresher: embedded cluster, GEMMs, clip"
  "${Q[@]}" "${THRESHER[@]}" bench --only cluster-step,gemm,clip --json "$OUT/rest.json" | tee -a "$OUT/thresher.log"
  if command -v jq >/dev/null; then jq -s '{results: map(.results) | add}' "$OUT"/core-*.json "$OUT/rest.json" > "$OUT/thresher.json"; fi
fi

echo "== ratios (Thresher / TorchSharp; > 1 means Thresher is faster)"
awk '
  FNR == 1 { file++ }
  file == 1 && /^core-step/ {                 # core-step    threads=1 batch=128   36800 samples/s (min …
    split($2, t, "="); split($3, b, "="); th[t[2] "/" b[2]] = $4 }
  file == 1 && /^cluster-step/ { split($2, w, "="); split($3, b, "="); cl[w[2] "/" b[2]] = $(NF-5) }
  file == 1 && /^clip/ && /in place/ { clipIn = $(NF-5) }
  file == 1 && /^clip/ && /folded/ { clipFold = $(NF-5) }
  file == 2 && /^bench threads=/ && /full\(/ { # bench threads=1 batch=128 full(…): samples/s median=26900 …
    split($2, t, "="); split($3, b, "="); for (i = 1; i <= NF; i++) if ($i ~ /^median=/) { split($i, m, "="); pe[t[2] "/" b[2]] = m[2] } }
  file == 2 && /^clip_grad_norm_ threads=1/ { for (i = 1; i <= NF; i++) if ($i ~ /^median=/) { split($i, m, "="); if (pclip == "" || m[2] < pclip) pclip = m[2] } }
  END {
    printf "%-26s %12s %12s %7s  %s\n", "configuration", "thresher", "torchsharp", "ratio", "target"
    n = split("1/128 1/512 2/128 2/512", keys, " ")
    for (i = 1; i <= n; i++) {
      k = keys[i]; split(k, p, "/"); target = k == "1/128" ? ">= 1.2" : (k == "2/512" ? ">= 1.0" : "-")
      r = (k in th && k in pe && pe[k] > 0) ? sprintf("%.2f", th[k] / pe[k]) : "n/a"
      printf "%-26s %12s %12s %7s  %s\n", "core step, " p[1] " thr, batch " p[2], th[k], pe[k], r, target }
    if (pclip != "" && clipFold != "")
      printf "%-26s %9s us %9s us %7.2f  %s\n", "clip, folded (torch/ours)", clipFold, pclip, pclip / clipFold, "<= 60 us"
    if (pclip != "" && clipIn != "")
      printf "%-26s %9s us %9s us %7.2f  %s\n", "clip, in place (torch/ours)", clipIn, pclip, pclip / clipIn, "-"
    if (("2/128" in cl) && ("2/128" in th))
      printf "%-26s %12s %12s %7.2f  %s\n", "cluster 2w / core 2 thr", cl["2/128"], th["2/128"], cl["2/128"] / th["2/128"], ">= 0.9 (global batch 128)"
    if (("2/512" in cl) && ("2/512" in th))
      printf "%-26s %12s %12s %7.2f  %s\n", "cluster 2w / core 2 thr", cl["2/512"], th["2/512"], cl["2/512"] / th["2/512"], ">= 0.85 (global batch 512)"
  }' "$OUT/thresher.log" "$OUT/peer/bench.log" | tee "$OUT/ratios.txt"
echo "== files: $OUT/thresher.log, $OUT/thresher.json, $OUT/peer/bench.log, $OUT/ratios.txt"
