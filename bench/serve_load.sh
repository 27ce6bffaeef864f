#!/usr/bin/env bash
# Bounded loopback load test of `memfit serve` (bench, not a test): starts the server offline on a free port with
# SERVER_CPUS cores (taskset), runs memfit_load with each client count for SECONDS, prints one line each, stops it.
# usage: bench/serve_load.sh [BUILD=build] [SECONDS=5]
set -euo pipefail
BUILD=${1:-build}
SECONDS_EACH=${2:-5}
SERVER_CPUS=${SERVER_CPUS:-0,1}
PATH_Q=${PATH_Q:-/api/estimate?model=bert-base-cased}
out=$(mktemp)
taskset -c "$SERVER_CPUS" "$BUILD/memfit" serve --offline --quiet --port 0 --threads "${THREADS:-8}" >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q http "$out" && break; sleep 0.05; done
port=$(sed -n 's#.*127.0.0.1:\([0-9]*\)/.*#\1#p' "$out")
echo "server: memfit serve on 127.0.0.1:$port, CPUs $SERVER_CPUS; $(nproc) CPUs here, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in ${CLIENTS:-1 4 8 16}; do
  "$BUILD/memfit_load" "$port" "$PATH_Q" "$n" "$SECONDS_EACH"
done
