#!/usr/bin/env bash
# Agent footprint side by side with node_exporter (Debian prometheus-node-exporter), one run:
# starts ./syslens demo (server + agent, 10 s interval) and node_exporter on loopback, lets both
# run for DURATION seconds (node_exporter scraped every 10 s, like the agent collects), then
# prints RSS and CPU time of each. Loopback only; stops everything it started.
#   bash bench/scripts/agent-footprint.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-120}
data=$(mktemp -d)
ne=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$ne" ] || { echo "agent-footprint: install prometheus-node-exporter first" >&2; exit 1; }
./syslens demo --port 18090 --data "$data" >"$data/demo.out" 2>"$data/demo.err" &
demo=$!
"$ne" --web.listen-address=127.0.0.1:19100 >/dev/null 2>&1 &
nep=$!
trap 'kill $demo $nep 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do grep -q "Local agent started" "$data/demo.out" 2>/dev/null && break; sleep 0.2; done
agent=$(sed -n 's/.*Local agent started (pid \([0-9]*\)).*/\1/p' "$data/demo.out")
[ -n "$agent" ] || { echo "agent-footprint: demo did not start; see $data/demo.err" >&2; exit 1; }
cputime() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' /proc/$1/stat; }
sleep 20 # let start-up (class loading, JIT, TLS) pass; measure the steady state after it
a0=$(cputime "$agent"); n0=$(cputime "$nep"); t0=$(date +%s)
end=$(( t0 + dur ))
while [ "$(date +%s)" -lt "$end" ]; do
  curl -s http://127.0.0.1:19100/metrics >/dev/null || true
  sleep 10
done
series_ne=$(curl -s http://127.0.0.1:19100/metrics | grep -vc '^#')
t1=$(date +%s)
for p in "$agent:syslens-agent:$a0" "$nep:node_exporter:$n0"; do
  IFS=: read -r pid name c0 <<<"$p"
  rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  cpu=$(echo "$(cputime "$pid") - $c0" | bc -l)
  printf "%-14s RSS %6.1f MiB  CPU %5.2f s in %d s steady state (%.3f %%)\n" "$name" "$(echo "$rss/1024" | bc -l)" "$cpu" "$((t1 - t0))" "$(echo "100*$cpu/($t1 - $t0)" | bc -l)"
done
pw=$(cat "$data/secrets/initial-admin-password")
tok=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$pw\"}" \
  http://127.0.0.1:18090/api/v1/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
series_agent=$(curl -s -H "Authorization: Bearer $tok" "http://127.0.0.1:18090/api/v1/query?query=count(%7Bnode%3D~%22.%2B%22%7D)" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
echo "series per collection: node_exporter $series_ne, syslens-agent $series_agent"
