#!/usr/bin/env python3
"""Collection-to-visible latency of a running SysLens server.

Polls /api/v1/query for the newest sample timestamp of a node every POLL seconds and, each
time a new round shows up, records (time it became queryable - its scheduled collection time).
Loopback only, bounded by --rounds and --timeout.

  ./syslens demo --port 18080 --data /tmp/sl --collect-interval 1s &
  python3 bench/scripts/visible-latency.py --url http://127.0.0.1:18080 \
      --password "$(cat /tmp/sl/secrets/initial-admin-password)" --rounds 30
"""
import argparse, json, statistics, sys, time, urllib.parse, urllib.request

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--url", default="http://127.0.0.1:8080")
p.add_argument("--user", default="admin")
p.add_argument("--password", required=True)
p.add_argument("--rounds", type=int, default=30)
p.add_argument("--poll", type=float, default=0.01)
p.add_argument("--timeout", type=float, default=600)
a = p.parse_args()
if not a.url.startswith(("http://127.", "http://localhost")):
    sys.exit("visible-latency: --url must be a loopback address")

def call(path, data=None, token=None):
    req = urllib.request.Request(a.url + path, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)

token = call("/api/v1/auth/login", json.dumps({"username": a.user, "password": a.password}).encode())["token"]
q = urllib.parse.quote("max(timestamp(node_load1))")
last, lat, deadline = None, [], time.time() + a.timeout
while len(lat) < a.rounds and time.time() < deadline:
    r = call("/api/v1/query?query=" + q, token=token)["data"]["result"]
    now = time.time()
    if r:
        ts = float(r[0]["value"][1])
        if last is not None and ts > last:
            lat.append((now - ts) * 1000)
            print(f"round at {ts:.3f}: visible after {lat[-1]:.1f} ms", flush=True)
        last = ts
    time.sleep(a.poll)
if not lat:
    sys.exit("visible-latency: no new rounds seen")
lat.sort()
print(f"rounds={len(lat)} min={lat[0]:.1f} ms median={statistics.median(lat):.1f} ms "
      f"p95={lat[int(0.95 * (len(lat) - 1))]:.1f} ms max={lat[-1]:.1f} ms")
