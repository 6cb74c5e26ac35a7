#!/usr/bin/env bash
# restart.sh: how soon a broker with many stored sessions serves again after kill -9 (issue 10).
#
#   tests/RobustMq.Benchmarks/restart.sh            # SESSIONS=100000 BACKEND=RocksDb
#
# 1. Starts RobustMq.Orleans (Release build) on free loopback ports with an empty Storage:Path under a temp directory.
# 2. Leaves SESSIONS persistent sessions behind, each subscribed to its own topic (`robustmq-bench load sessions`).
# 3. kill -9 of the broker, then starts it again on the same Storage:Path and measures, from the moment the process
#    is started, until a client's CONNECT is first accepted (`load first-connect`, polling every 20 ms), and the
#    broker's own "Restored N stored sessions" line. Prints RSS after the restart too.
# Tunables: SESSIONS=100000 BACKEND=RocksDb|Segment|Postgres... INFLIGHT=200.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SESSIONS=${SESSIONS:-100000}
BACKEND=${BACKEND:-RocksDb}
INFLIGHT=${INFLIGHT:-200}
SILO_DLL=$ROOT/silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll
BENCH_DLL=$ROOT/tests/RobustMq.Benchmarks/bin/Release/net10.0/RobustMq.Benchmarks.dll
WORK=$(mktemp -d "${TMPDIR:-/tmp}/robustmq-restart.XXXXXX")
BROKER_PID=""
trap '[[ -z $BROKER_PID ]] || kill -KILL "$BROKER_PID" 2>/dev/null || true' EXIT
log() { echo "restart: $*" >&2; }

dotnet build "$ROOT/silo/RobustMq.Silo" -c Release -nologo -v q >/dev/null
dotnet build "$ROOT/tests/RobustMq.Benchmarks" -c Release -nologo -v q >/dev/null
ulimit -n 20000 2>/dev/null || true

free_port() {
  local used port
  used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
  while true; do
    port=$((20000 + RANDOM % 12000))
    grep -qx "$port" <<<"$used" || { echo "$port"; return; }
  done
}
PORT=$(free_port); WS=$(free_port); ADMIN=$(free_port); SILO=$(free_port); GATEWAY=$(free_port)
start_broker() {
  (cd "$WORK" && exec dotnet "$SILO_DLL" --Storage:Path="$WORK/data" --Storage:Default="$BACKEND" \
    --Listeners:Tcp:Address=127.0.0.1 --Listeners:Tcp:Port="$PORT" --Listeners:WebSocket:Address=127.0.0.1 \
    --Listeners:WebSocket:Port="$WS" --Admin:Port="$ADMIN" --Cluster:SiloPort="$SILO" --Cluster:GatewayPort="$GATEWAY" \
    --Sys:IntervalSeconds=0) >>"$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
}

log "work directory $WORK; $SESSIONS sessions on $BACKEND"
start_broker
dotnet "$BENCH_DLL" load first-connect --port "$PORT" --timeout 120 >/dev/null
created=$(dotnet "$BENCH_DLL" load sessions --port "$PORT" --clients "$SESSIONS" --session-expiry 86400 --inflight "$INFLIGHT" --timeout 3600 | tail -1)
log "created: $created"
kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
log "killed; store $(du -sh "$WORK/data" | cut -f1)"

started=$(date +%s%3N)
start_broker
first=$(dotnet "$BENCH_DLL" load first-connect --port "$PORT" --timeout 120 | tail -1)
served=$(jq -r .first_connack_unix_ms <<<"$first")
sleep 2
rss=$(awk '/VmRSS/ {print $2}' "/proc/$BROKER_PID/status")
restored=$(grep -o 'Restored [0-9]* stored sessions.*' "$WORK/broker.log" | tail -1 || true)
echo "first CONNACK $((served - started)) ms after the process started; ${restored:-no restore line}; RSS $((rss / 1024)) MiB"
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true; BROKER_PID=""
rm -rf "$WORK"
