#!/usr/bin/env bash
# Runs the Paho client_test.py sequence N times, each against a broker started fresh for it (issue 12: 20 of 20).
#
# Usage: tests/Conformance/paho-repeat.sh SUITE_DIR [RUNS] [SCRIPT]
#
#   SUITE_DIR  the `interoperability/` folder of your own checkout of github eclipse/paho.mqtt.testing (nothing is
#              fetched, nothing of it lives in this repository)
#   RUNS       how many runs (default 20)
#   SCRIPT     client_test (default, MQTT 3.1.1) or client_test5
#
# Each run starts the built broker (silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll; build it first) with
# --config deploy/paho.json on free loopback ports in a new working directory, runs every test of SCRIPT through
# run-paho.sh (one process per test, each under `timeout`), and stops the broker by its PID. A fresh broker per run
# includes its cold start, where ordering races show. Prints each run's result, then `paho-repeat: P of N runs passed`;
# exits 0 only when every run passed. Logs of failed runs are kept (the path is printed).
set -uo pipefail

[[ $# -ge 1 ]] || { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
suite=$1
runs=${2:-20}
script=${3:-client_test}
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || { echo "paho-repeat.sh: RUNS must be a positive number (got $runs)" >&2; exit 2; }
[[ $script == client_test || $script == client_test5 ]] || { echo "paho-repeat.sh: SCRIPT is client_test or client_test5 (got $script)" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=$root/silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll
[[ -f $dll ]] || { echo "paho-repeat.sh: no $dll: dotnet build silo/RobustMq.Silo -c Release" >&2; exit 2; }

free_port() { # a port nothing listens on, below the ephemeral range
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    ss -Htan | awk '{print $4}' | grep -q ":$port$" || { echo "$port"; return; }
  done
}

pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null' EXIT
passed=0
for ((run = 1; run <= runs; run++)); do
  work=$(mktemp -d -t paho-repeat.XXXXXX)
  port=$(free_port)
  (cd "$work" && exec dotnet "$dll" --config "$root/deploy/paho.json" --Listeners:Tcp:Port="$port" \
    --Admin:Port="$(free_port)" --Cluster:SiloPort="$(free_port)" --Cluster:GatewayPort="$(free_port)") >"$work/broker.log" 2>&1 &
  pid=$!
  if PAHO_SCRIPTS=$script PAHO_LOGS=$work/logs "$root/tests/Conformance/run-paho.sh" "$suite" 127.0.0.1 "$port" >"$work/run.log" 2>&1; then
    passed=$((passed + 1))
    echo "run $run: $(tail -1 "$work/run.log")"
    keep=0
  else
    echo "run $run: FAILED: $(grep -c '^FAIL' "$work/run.log") failed: $(grep '^FAIL' "$work/run.log" | awk '{print $3}' | tr '\n' ' ')(logs in $work)"
    keep=1
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=""
  ((keep)) || rm -rf "$work"
done
echo "paho-repeat: $passed of $runs runs passed"
((passed == runs))
