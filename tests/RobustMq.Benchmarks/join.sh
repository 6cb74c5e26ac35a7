#!/usr/bin/env bash
# join.sh: how soon a silo that joins a cluster holding many routes serves (issue 11).
#
#   tests/RobustMq.Benchmarks/join.sh            # ROUTES=100000
#
# 1. deploy/local-cluster.sh up 2 on free loopback ports (a throwaway PostgreSQL and two silos, state under a temp
#    directory).
# 2. Leaves ROUTES persistent sessions on silo 0, each subscribed to its own topic (`robustmq-bench load sessions`):
#    ROUTES routes in the cluster's topic shards.
# 3. deploy/local-cluster.sh add: a third silo joins. From the moment it is started until a client's CONNECT is first
#    accepted there (`load first-connect`, polling every 20 ms): a silo opens its MQTT listener only once it has
#    loaded every topic shard's routes. Then its admin API says how many routes it holds.
# Prints one line: routes, time to the first CONNACK, routes held by the new silo. Tunables: ROUTES=100000 INFLIGHT=200.
# Takes about 3-5 minutes on 2 cores (most of it creating the sessions).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUTES=${ROUTES:-100000}
INFLIGHT=${INFLIGHT:-200}
BENCH_DLL=$ROOT/tests/RobustMq.Benchmarks/bin/Release/net10.0/RobustMq.Benchmarks.dll
WORK=$(mktemp -d "${TMPDIR:-/tmp}/robustmq-join.XXXXXX")
chmod 755 "$WORK" # the cluster's PostgreSQL runs as the postgres user under it
export STATE_DIR=$WORK/cluster BUILD=0
log() { echo "join: $*" >&2; }
cleanup() { "$ROOT/deploy/local-cluster.sh" down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

dotnet build "$ROOT/silo/RobustMq.Silo" -c Release -nologo -v q >/dev/null
dotnet build "$ROOT/tests/RobustMq.Benchmarks" -c Release -nologo -v q >/dev/null
ulimit -n 20000 2>/dev/null || true
for tool in jq curl; do command -v "$tool" >/dev/null || { log "$tool is needed (apt-get install $tool)"; exit 1; }; done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=""
while [[ -z $base ]]; do # five blocks of three ports: MQTT, admin, WebSocket, silo, gateway
  candidate=$((20000 + RANDOM % 12000)) ok=1
  for ((p = candidate; p < candidate + 15; p++)); do port_free "$p" || { ok=0; break; }; done
  ((ok)) && base=$candidate
done
export MQTT_PORT=$base ADMIN_PORT=$((base + 3)) WS_PORT=$((base + 6)) SILO_PORT=$((base + 9)) GATEWAY_PORT=$((base + 12))
export SILO_ARGS="--Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information --Sys:IntervalSeconds=0"

log "work directory $WORK; two silos, then $ROUTES routes"
"$ROOT/deploy/local-cluster.sh" up 2 >&2
created=$(dotnet "$BENCH_DLL" load sessions --port "$MQTT_PORT" --clients "$ROUTES" --session-expiry 86400 --inflight "$INFLIGHT" --timeout 3600 | tail -1)
log "created: $created"

started=$(date +%s%3N)
"$ROOT/deploy/local-cluster.sh" add >&2 &
adding=$!
first=$(dotnet "$BENCH_DLL" load first-connect --port $((MQTT_PORT + 2)) --timeout 300 | tail -1)
served=$(jq -r .first_connack_unix_ms <<<"$first")
wait "$adding"
held=$(curl -fsS "http://127.0.0.1:$((ADMIN_PORT + 2))/api/node" | jq -r .routes)
echo "routes $ROUTES: the joining silo's first CONNACK $((served - started)) ms after it was started; it holds $held routes"
