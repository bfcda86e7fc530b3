#!/usr/bin/env bash
# Offline checks of deploy/ (no Docker engine or Kubernetes API needed); .ci/run calls this.
#  1. the compose file: `docker compose config` (or docker-compose v1) where a compose client is installed;
#  2. the Kubernetes manifests: `kubectl kustomize deploy/k8s` builds them, where kubectl is installed
#     (tests/Client.Tests/DeployTests.cs checks their content either way);
#  3. the publish deploy/Dockerfile runs: thresher-silo and thresher, Release, framework-dependent; both
#     published programs must start and print their help.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "deploy-check: $*"; }

if docker compose version >/dev/null 2>&1; then
  docker compose -f deploy/docker-compose.yml config -q && say "docker compose config: valid"
elif command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f deploy/docker-compose.yml config -q && say "docker-compose config: valid"
else
  say "no compose client installed: compose file checked by DeployTests only"
fi

if command -v kubectl >/dev/null 2>&1; then
  n=$(kubectl kustomize deploy/k8s | grep -c '^kind: ')
  say "kubectl kustomize deploy/k8s: $n objects"
else
  say "kubectl not installed: manifests checked by DeployTests only"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet publish src/Silo -c Release -o "$out/silo" -v quiet -nologo >"$out/publish.log" 2>&1 \
  || { cat "$out/publish.log"; say "publishing thresher-silo failed"; exit 1; }
dotnet publish src/Client -c Release -o "$out/cli" -v quiet -nologo >>"$out/publish.log" 2>&1 \
  || { cat "$out/publish.log"; say "publishing thresher failed"; exit 1; }
"$out/silo/thresher-silo" --help | grep -q -- '--clustering' || { say "published thresher-silo does not run"; exit 1; }
"$out/cli/thresher" --help | grep -q 'cluster' || { say "published thresher does not run"; exit 1; }
say "published thresher-silo ($(du -sh "$out/silo" | cut -f1)) and thresher ($(du -sh "$out/cli" | cut -f1)) as deploy/Dockerfile does"
