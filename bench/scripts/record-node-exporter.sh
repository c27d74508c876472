#!/usr/bin/env bash
# Records a real node_exporter on this machine: the replay source of `./syslens bench storage`.
# Usage: bench/scripts/record-node-exporter.sh [SCRAPES] [INTERVAL_S] [OUT.gz]
# Starts Debian's prometheus-node-exporter on a free loopback port, scrapes it SCRAPES times
# every INTERVAL_S seconds, and writes each scrape (without # HELP lines) after a line
# "# SCRAPE <unix-ms>", gzip-compressed. Stops the exporter on exit, also on Ctrl-C.
set -euo pipefail
scrapes=${1:-120}
interval=${2:-3}
out=${3:-bench/src/main/resources/syslens/bench/node-exporter-recording.txt.gz}
case "$scrapes$interval" in *[!0-9]*) echo "record: SCRAPES and INTERVAL_S must be whole numbers" >&2; exit 2;; esac
[ "$scrapes" -ge 2 ] && [ "$scrapes" -le 2000 ] || { echo "record: SCRAPES $scrapes (expected: 2..2000)" >&2; exit 2; }
exe=/usr/bin/prometheus-node-exporter
[ -x "$exe" ] || { echo "record: $exe not found (expected: apt-get install prometheus-node-exporter)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$exe" --web.listen-address=127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
tmp=$(mktemp)
trap 'kill $pid 2>/dev/null || true; rm -f "$tmp"' EXIT INT TERM
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
for i in $(seq "$scrapes"); do
  start=$(date +%s%3N)
  echo "# SCRAPE $start" >>"$tmp"
  curl -fs --max-time 5 "http://127.0.0.1:$port/metrics" | grep -v '^# HELP' >>"$tmp"
  [ "$i" -lt "$scrapes" ] && sleep "$(python3 -c "print(max(0, $interval - ($(date +%s%3N) - $start) / 1000))")"
done
mkdir -p "$(dirname "$out")"
gzip -9 <"$tmp" >"$out"
echo "record: $scrapes scrapes, $(grep -vc '^#' "$tmp") sample lines, $(stat -c %s "$out") bytes in $out" >&2
