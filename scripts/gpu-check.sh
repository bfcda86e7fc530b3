#!/usr/bin/env bash
# The GPU device check (issue 7).
#   scripts/gpu-check.sh prepare   here: publishes bench/Thresher.GpuCheck self-contained for linux-x64 (single
#                                  file, compressed; the GPU machine has no .NET) and gzips MNIST next to it,
#                                  all under artifacts/gpu-carry/ (git-ignored, < 64 MiB so it can travel).
#   scripts/gpu-check.sh run       on the GPU machine (or here, as a dry run): runs the check from
#                                  artifacts/gpu-carry/, writes $OUT/gpu-check.txt (OUT defaults to
#                                  artifacts/gpu-check-out) and prints it. Without a usable CUDA GPU it reports
#                                  "no CUDA device", runs a tiny self-test on ILGPU's CPU accelerator, exits 0.
# Device-tool recipe: command "bash scripts/gpu-check.sh run", carry ["artifacts/gpu-carry"], timeout 300 s.
set -euo pipefail
cd "$(dirname "$0")/.."
carry=artifacts/gpu-carry
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

prepare() {
  local data="${THRESHER_DATA_DIR:-$HOME/.cache/thresher}/mnist"
  rm -rf "$carry/bin"
  mkdir -p "$carry/bin" "$carry/mnist"
  dotnet publish bench/Thresher.GpuCheck/Thresher.GpuCheck.csproj -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
    --artifacts-path /tmp/thresher-gpu-check-build -o "$carry/bin" 2>&1 | tail -n 2
  for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ -f "$carry/mnist/$name.gz" ]; then continue; fi
    if [ -f "$data/$name" ]; then gzip -9 -c "$data/$name" > "$carry/mnist/$name.gz"
    elif [ -f "$data/$name.gz" ]; then cp "$data/$name.gz" "$carry/mnist/$name.gz"
    else echo "gpu-check prepare: $data/$name missing — run 'thresher data fetch mnist' first" >&2; exit 2; fi
  done
  du -b "$carry"/bin/* "$carry"/mnist/* | awk '{printf "  %8.1f MiB  %s\n", $1 / 1048576, $2}'
  local total
  total=$(du -sb "$carry" | awk '{print $1}')
  printf "gpu-check prepare: %s holds %.1f MiB (the device tool carries at most 64 MiB)\n" "$carry" "$(echo "$total / 1048576" | bc -l)"
  if [ "$total" -gt $((64 * 1048576)) ]; then echo "gpu-check prepare: too big to carry" >&2; exit 1; fi
}

run() {
  local out="${OUT:-artifacts/gpu-check-out}" bin="$carry/bin/thresher-gpu-check"
  if [ ! -f "$bin" ]; then echo "gpu-check run: $bin missing — run 'scripts/gpu-check.sh prepare' first and carry $carry" >&2; exit 2; fi
  mkdir -p "$out"
  chmod +x "$bin"
  : > "$out/gpu-check.txt"
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | sed 's/^/nvidia-smi: /' | tee -a "$out/gpu-check.txt" || true
  fi
  export DOTNET_BUNDLE_EXTRACT_BASE_DIR="${TMPDIR:-/tmp}/thresher-gpu-check-bundle"
  # Prints as it goes and appends each line to the file, so a run cut short still leaves its figures.
  "$bin" --data "$carry/mnist" --out "$out/gpu-check.txt"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
