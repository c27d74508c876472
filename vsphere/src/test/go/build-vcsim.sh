#!/usr/bin/env bash
# Builds the vCenter simulator test fixture (govmomi's vcsim with our perf.go patch) from Debian's
# golang-go and golang-github-vmware-govmomi-dev into OUT, unless OUT is newer than every Go source.
# One build at a time (flock on OUT.lock): the root pom starts it in the background at the start of
# a test build, and VcSim.binary() runs it again when a test needs the binary, waiting for the first.
# The binary appears whole or not at all (built beside it, then renamed).
# Usage: build-vcsim.sh OUT
set -euo pipefail
out="${1:?usage: build-vcsim.sh OUT}"
src="$(cd "$(dirname "$0")/vcsim" && pwd)"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
exec 9>"$out.lock"
flock 9
fresh() {
  [ -x "$out" ] || return 1
  local f
  for f in "$src"/*.go; do
    [ "$out" -nt "$f" ] || return 1
  done
}
if fresh; then exit 0; fi
command -v go >/dev/null || { echo "build-vcsim: 'go' not found (expected: apt-get install golang-go golang-github-vmware-govmomi-dev)" >&2; exit 1; }
dir="$(dirname "$out")"
export GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$dir/gocache"
export HOME="${HOME:-$dir}"
cd "$src"
go build -o "$out.tmp" .
mv -f "$out.tmp" "$out"
