#!/usr/bin/env bash
# compare.sh: RobustMq.Orleans against Mosquitto on this machine, same load, same run (issue 4).
#
#   tests/RobustMq.Benchmarks/compare.sh
#
# What it does:
#   1. Builds the silo and the benchmarks in Release; installs `mosquitto` (Debian) and `jq` when missing.
#   2. Each round starts a fresh RobustMq broker (`dotnet silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll`) and a
#      fresh Mosquitto 2.0 (`mosquitto -c <tmp conf>`), both on free loopback ports picked at random below the
#      ephemeral range (never fixed ports: the machine is shared), with generous limits on both sides.
#   3. Runs every scenario of the load generator (`robustmq-bench load ...`, see Load/LoadCommand.cs) against both,
#      alternating the order per scenario and round (A B, then B A). Ours runs its embedded default: RocksDB under
#      the work directory with Storage:Sync=Always, so "fanin 4->1 q1 persistent" (a subscriber whose session outlives
#      its connection) stores every message before its publisher's PUBACK; Mosquitto keeps it in memory only.
#   4. Prints per-scenario medians over the rounds for both brokers and the ratio ours / Mosquitto, then any QoS 1/2
#      loss and any failed run.
#   The brokers are stopped by PID on exit (trap), never by name: other engineers run brokers on this machine.
#
#   connect first connects and closes WARMUP_CLIENTS clients on each broker, twice (ours compiles its connect path
#   on the first ones and recompiles the hot part in the background; the flow scenarios warm up for WARMUP seconds
#   the same way); WARMUP_CLIENTS=0 measures a cold start. Each connect scenario (clean, persistent) gets fresh brokers.
#   "ping-pong q1 500/s" is light load: one ping every 2 ms, with the broker's CPU (percent of one core, from
#   /proc/<pid>/stat) over the measured window.
# Tunables (environment): ROUNDS=3 DURATION=5 WARMUP=1 CLIENTS=10000 WARMUP_CLIENTS=2000 FANOUT=1000 TOPICS=100000
#   ONLY="fanin-q1 latency" (run a subset of the scenario keys below).
#   CLUSTER=N (N >= 2): ours is a cluster of N silos on one PostgreSQL (deploy/local-cluster.sh, fresh each round, its
#   storage the cluster default: PostgreSQL), publishers connect to silo 0 and subscribers to silo 1, so every message
#   crosses silos (issue 11's target: fan-in QoS 1 at least 1.0x Mosquitto on one node).
#   PROMETHEUS=1: Debian's prometheus (installed when missing) scrapes ours' /metrics every 2 s through the whole run,
#   and at the end every query of the Grafana dashboard deploy/grafana/robustmq.json is run over the run's window
#   (deploy/grafana/check-dashboard.sh): which panels show the run's traffic. PROMETHEUS_PORT=N keeps it on that
#   port and running after the script ends (point Grafana at it: http://127.0.0.1:N); otherwise a free port, stopped.
# Output: the table on stdout; every JSON line and both broker logs under the work directory printed at the end.
# Takes about 10-12 minutes on 2 cores with the defaults (352-381 s in the issue 4 runs, before the persistent
# connect and light-load scenarios and the fresh brokers per connect scenario; 7 of the scenarios took 320 s in issue 12).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CLIENTS=${CLIENTS:-10000}
WARMUP_CLIENTS=${WARMUP_CLIENTS:-2000}
FANOUT=${FANOUT:-1000}
TOPICS=${TOPICS:-100000}
ONLY=${ONLY:-}
CLUSTER=${CLUSTER:-0}
PROMETHEUS=${PROMETHEUS:-0}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-}
PROM_PID=""
SILO_DLL=$ROOT/silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll
BENCH_DLL=$ROOT/tests/RobustMq.Benchmarks/bin/Release/net10.0/RobustMq.Benchmarks.dll
WORK=$(mktemp -d "${TMPDIR:-/tmp}/robustmq-compare.XXXXXX")
STARTED=$SECONDS
((CLUSTER >= 2)) && chmod 755 "$WORK" # the cluster's PostgreSQL runs as the postgres user under it

# key | load arguments | what the table calls it
SCENARIOS=(
  "connect|connect --clients $CLIENTS --inflight 100 --hold 3 --warmup-clients $WARMUP_CLIENTS|connect ${CLIENTS}"
  "connect-p|connect --clients $CLIENTS --inflight 100 --hold 3 --session-expiry 3600|connect ${CLIENTS} persistent"
  "fanin-q0|fanin --publishers 4 --subscribers 1 --qos 0 --payload 64|fanin 4->1 q0"
  "fanin-q1|fanin --publishers 4 --subscribers 1 --qos 1 --payload 64|fanin 4->1 q1"
  "fanin-q1p|fanin --publishers 4 --subscribers 1 --qos 1 --payload 64 --session-expiry 3600|fanin 4->1 q1 persistent"
  "fanin-q2|fanin --publishers 4 --subscribers 1 --qos 2 --payload 64|fanin 4->1 q2"
  "fanout|fanout --subscribers $FANOUT --qos 0 --payload 64|fanout 1->${FANOUT} q0"
  "shared|shared --publishers 4 --subscribers 4 --qos 1 --payload 64|shared 4->\$share(4) q1"
  "latency|latency --qos 1 --payload 64|ping-pong q1"
  "light|latency --qos 1 --payload 64 --rate 500|ping-pong q1 500/s"
  "topics|topics --topics $TOPICS --subscribers 10 --publishers 4 --qos 0 --payload 64|topics ${TOPICS} 1:1 q0"
  "subscribe|subscribe --subscribers 4 --qos 1|route change (4 clients)"
)
# key | JSON field | label | which way is better
METRICS=(
  "connect|conn_per_s|conn/s|higher"
  "connect|connack_p99_ms|CONNACK p99 ms|lower"
  "connect|rss_per_conn_kb|RSS per idle conn kB|lower"
  "connect-p|conn_per_s|conn/s|higher"
  "connect-p|rss_per_conn_kb|RSS per idle conn kB|lower"
  "fanin-q0|msg_per_s|msg/s|higher"
  "fanin-q1|msg_per_s|msg/s|higher"
  "fanin-q1|latency_p99_ms|e2e p99 ms|lower"
  "fanin-q1p|msg_per_s|msg/s|higher"
  "fanin-q1p|latency_p99_ms|e2e p99 ms|lower"
  "fanin-q2|msg_per_s|msg/s|higher"
  "fanout|msg_per_s|deliveries/s|higher"
  "shared|msg_per_s|msg/s|higher"
  "latency|rtt_p50_ms|RTT p50 ms|lower"
  "latency|rtt_p99_ms|RTT p99 ms|lower"
  "latency|rtt_p999_ms|RTT p99.9 ms|lower"
  "light|rtt_p50_ms|RTT p50 ms|lower"
  "light|rtt_p99_ms|RTT p99 ms|lower"
  "light|broker_cpu_pct|broker CPU % of a core|lower"
  "topics|msg_per_s|msg/s|higher"
  "topics|subscriptions_per_s|subscribe/s|higher"
  "subscribe|suback_p50_ms|SUBACK p50 ms|lower"
  "subscribe|suback_p99_ms|SUBACK p99 ms|lower"
  "subscribe|subscribes_per_s|SUBSCRIBE/s|higher"
)

log() { echo "compare: $*" >&2; }

OURS_PID=""
MOSQ_PID=""
stop_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_brokers() {
  if ((CLUSTER >= 2)) && [[ -d $WORK/cluster ]]; then
    STATE_DIR=$WORK/cluster "$ROOT/deploy/local-cluster.sh" down >>"$WORK/ours.log" 2>&1 || true
  fi
  stop_pid "$OURS_PID"; OURS_PID=""
  stop_pid "$MOSQ_PID"; MOSQ_PID=""
}
stop_all() {
  stop_brokers
  if [[ -z $PROMETHEUS_PORT ]]; then stop_pid "$PROM_PID"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# --- prerequisites -----------------------------------------------------------------------------------------
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log "open-file limit $(ulimit -n); work directory $WORK"

need_apt=()
command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]] || need_apt+=(mosquitto)
command -v jq >/dev/null || need_apt+=(jq)
if [[ $PROMETHEUS == 1 ]]; then command -v prometheus >/dev/null || need_apt+=(prometheus); fi
if ((${#need_apt[@]})); then
  log "installing ${need_apt[*]} (apt-get)"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

build() {
  local project=$1
  for attempt in 1 2 3; do
    if dotnet build "$ROOT/$project" -c Release -nologo -v q >"$WORK/build.log" 2>&1; then return 0; fi
    log "build of $project failed (attempt $attempt), retrying (file locks from parallel builds)"
    sleep 5
  done
  cat "$WORK/build.log" >&2
  return 1
}
log "building Release"
build silo/RobustMq.Silo
build tests/RobustMq.Benchmarks

# --- brokers -------------------------------------------------------------------------------------------------
declare -A TAKEN=()
free_port() {
  # Below the ephemeral range (32768+) so that the load generator's own connections never collide with it.
  local used port
  used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
  while true; do
    port=$((20000 + RANDOM % 12000))
    [[ -z ${TAKEN[$port]:-} ]] || continue
    grep -qx "$port" <<<"$used" && continue
    TAKEN[$port]=1
    echo "$port"
    return
  done
}
wait_port() {
  local port=$1 pid=$2 name=$3
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { log "$name exited during start-up; see $WORK/$name.log"; tail -20 "$WORK/$name.log" >&2; return 1; }
    sleep 0.5
  done
  log "$name did not listen on $port within 60 s"
  return 1
}
free_range() { # N -> the first of N consecutive ports free now (below the ephemeral range)
  local first i ok
  while true; do
    first=$((20000 + RANDOM % 12000)); ok=1
    for ((i = 0; i < $1; i++)); do
      if [[ -n ${TAKEN[$((first + i))]:-} ]] || ss -Htan | awk '{print $4}' | grep -q ":$((first + i))$"; then ok=0; break; fi
    done
    ((ok)) || continue
    for ((i = 0; i < $1; i++)); do TAKEN[$((first + i))]=1; done
    echo "$first"
    return
  done
}
start_cluster() {
  # Five blocks of CLUSTER consecutive ports: MQTT, admin, WebSocket, silo-to-silo, Orleans gateway. The lifetime log
  # stays at Information: local-cluster.sh waits for its "Application started".
  local base n=$CLUSTER
  base=$(free_range $((5 * n)))
  OURS_PORT=$base
  OURS_SUB_PORT=$((base + 1))
  if ! STATE_DIR=$WORK/cluster BUILD=0 MQTT_PORT=$base ADMIN_PORT=$((base + n)) WS_PORT=$((base + 2 * n)) \
    SILO_PORT=$((base + 3 * n)) GATEWAY_PORT=$((base + 4 * n)) \
    SILO_ARGS="--Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information --Sys:IntervalSeconds=0 --Mqtt:MaxQueuedMessages=100000 --Mqtt:MaxInflight=1000" \
    "$ROOT/deploy/local-cluster.sh" up "$n" >>"$WORK/ours.log" 2>&1; then
    log "the cluster did not start; see $WORK/ours.log"; tail -20 "$WORK/ours.log" >&2; return 1
  fi
  OURS_PID=$(cat "$WORK/cluster/silo-0.pid")
  OURS_ADMIN=$((base + n))
  local targets="" i
  for ((i = 0; i < n; i++)); do targets+="${targets:+,}\"127.0.0.1:$((base + n + i))\""; done
  scrape_targets "$targets"
}
start_ours() {
  if ((CLUSTER >= 2)); then start_cluster; return; fi
  OURS_PORT=$(free_port)
  local ws admin silo gateway
  ws=$(free_port); admin=$(free_port); silo=$(free_port); gateway=$(free_port)
  rm -rf "$WORK/data" # each round starts from an empty store (Storage:Path ./data under $WORK)
  (cd "$WORK" && exec dotnet "$SILO_DLL" \
    --Listeners:Tcp:Address=127.0.0.1 --Listeners:Tcp:Port="$OURS_PORT" \
    --Listeners:WebSocket:Address=127.0.0.1 --Listeners:WebSocket:Port="$ws" \
    --Admin:Port="$admin" --Cluster:SiloPort="$silo" --Cluster:GatewayPort="$gateway" \
    --Logging:LogLevel:Default=Warning --Sys:IntervalSeconds=0 \
    --Mqtt:MaxQueuedMessages=100000 --Mqtt:MaxInflight=1000) >>"$WORK/ours.log" 2>&1 &
  OURS_PID=$!
  OURS_ADMIN=$admin
  scrape_targets "\"127.0.0.1:$admin\""
  wait_port "$OURS_PORT" "$OURS_PID" ours
}
# Prometheus (PROMETHEUS=1): scrapes whatever targets file start_ours wrote last (file_sd, read on change).
scrape_targets() { # "\"host:port\",..." -> the targets file
  [[ $PROMETHEUS == 1 ]] || return 0
  echo "[{\"targets\": [$1], \"labels\": {\"job\": \"robustmq\"}}]" >"$WORK/prometheus/targets.tmp"
  mv "$WORK/prometheus/targets.tmp" "$WORK/prometheus/targets.json"
}
register_topic_metric() { # topic -> POST /api/v1/topic_metrics on ours (admin/public, from loopback)
  local token
  token=$(curl -sS --max-time 10 -X POST "http://127.0.0.1:$OURS_ADMIN/api/v1/login" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"public"}' | jq -r '.token // empty') || true
  [[ -n $token ]] || { log "could not log in to ours' admin API to register topic metrics"; return 0; }
  curl -sS --max-time 10 -o /dev/null -X POST "http://127.0.0.1:$OURS_ADMIN/api/v1/topic_metrics" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"topic\":\"$1\"}" || true
}
start_prometheus() {
  [[ $PROMETHEUS == 1 ]] || return 0
  local port=${PROMETHEUS_PORT:-$(free_port)}
  mkdir -p "$WORK/prometheus"
  echo "[]" >"$WORK/prometheus/targets.json"
  cat >"$WORK/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: robustmq
    file_sd_configs:
      - files: ["$WORK/prometheus/targets.json"]
EOF
  prometheus --config.file="$WORK/prometheus/prometheus.yml" --storage.tsdb.path="$WORK/prometheus/data" \
    --web.listen-address="127.0.0.1:$port" >>"$WORK/prometheus.log" 2>&1 &
  PROM_PID=$!
  PROM_URL=http://127.0.0.1:$port
  wait_port "$port" "$PROM_PID" prometheus
  log "prometheus $PROM_URL (pid $PROM_PID) scrapes ours every 2 s"
}
start_mosquitto() {
  MOSQ_PORT=$(free_port)
  # set_tcp_nodelay: Kestrel sets TCP_NODELAY too; without it Nagle + delayed ACK add ~40 ms to every ping-pong.
  cat >"$WORK/mosquitto.conf" <<EOF
listener $MOSQ_PORT 127.0.0.1
allow_anonymous true
max_inflight_messages 1000
max_queued_messages 100000
max_connections -1
persistence false
set_tcp_nodelay true
log_type error
log_type warning
EOF
  "$MOSQUITTO" -c "$WORK/mosquitto.conf" >>"$WORK/mosquitto.log" 2>&1 &
  MOSQ_PID=$!
  wait_port "$MOSQ_PORT" "$MOSQ_PID" mosquitto
}

# --- runs ----------------------------------------------------------------------------------------------------
selected() { [[ -z $ONLY ]] || [[ " $ONLY " == *" $1 "* ]]; }

run_one() {
  local broker=$1 key=$2 args=$3 port pid line
  local extra=""
  if [[ $broker == ours ]]; then port=$OURS_PORT; pid=$OURS_PID; else port=$MOSQ_PORT; pid=$MOSQ_PID; fi
  if [[ $broker == ours && $CLUSTER -ge 2 && $key != connect ]]; then extra="--subscriber-port $OURS_SUB_PORT"; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "{\"scenario\":\"$key\",\"error\":\"broker not running\"}" >>"$WORK/$broker.$key.jsonl"
    log "$broker is not running; skipped $key"
    return
  fi
  local run_id=""
  if [[ $broker == ours && $PROMETHEUS == 1 ]]; then
    # The fan-in topic is registered for topic metrics (the dashboard's per-topic panels): its name is known beforehand.
    run_id=cmp$RANDOM$RANDOM
    register_topic_metric "lg/$run_id/fanin"
  fi
  # shellcheck disable=SC2086  # args is a word list on purpose
  line=$(LOAD_RUN_ID=$run_id timeout -k 5 400 dotnet "$BENCH_DLL" load $args $extra --port "$port" --duration "$DURATION" --warmup "$WARMUP" \
    --broker-pid "$pid" 2>>"$WORK/load.log" | tail -1) || true
  [[ $line == \{* ]] || line="{\"scenario\":\"$key\",\"error\":\"no JSON line (load generator crashed or was killed)\"}"
  echo "$line" >>"$WORK/$broker.$key.jsonl"
  log "$(printf '%-9s %-9s' "$broker" "$key") $(jq -c 'del(.version,.payload,.duration_s,.warmup_s) | with_entries(select(.value != null))' <<<"$line" | cut -c1-220)"
}

start_prometheus
RUN_START=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  log "round $round of $ROUNDS: starting fresh brokers"
  stop_brokers
  start_ours
  start_mosquitto
  log "ours pid $OURS_PID port $OURS_PORT; mosquitto pid $MOSQ_PID port $MOSQ_PORT"
  index=0
  for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r key args _ <<<"$entry"
    selected "$key" || continue
    if [[ $key == connect* ]] && ((index > 0)); then
      # A connect scenario reads the RSS its connections add: it gets brokers that have served nothing yet.
      log "round $round: fresh brokers for $key"
      stop_brokers
      start_ours
      start_mosquitto
    fi
    if (((round + index) % 2 == 1)); then order=(ours mosquitto); else order=(mosquitto ours); fi
    for broker in "${order[@]}"; do run_one "$broker" "$key" "$args"; done
    index=$((index + 1))
  done
done
stop_brokers

# --- table ---------------------------------------------------------------------------------------------------
median() { # file field -> median over the runs without an error, or empty
  [[ -f $1 ]] || return 0
  jq -s --arg f "$2" '[.[] | select(.error == null) | .[$f] | select(type == "number")] | sort
    | if length == 0 then empty elif length % 2 == 1 then .[length / 2 | floor]
      else (.[length / 2 - 1] + .[length / 2]) / 2 end | . * 10000 | round / 10000' "$1"
}
label_of() { local e; for e in "${SCENARIOS[@]}"; do [[ ${e%%|*} == "$1" ]] && { echo "${e##*|}"; return; }; done; }

echo
((CLUSTER >= 2)) && echo "ours: $CLUSTER silos on PostgreSQL, publishers on silo 0, subscribers on silo 1; Mosquitto: one node"
echo "RobustMq.Orleans vs Mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}'): medians of $ROUNDS rounds," \
  "${DURATION} s measured after ${WARMUP} s warm-up, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-26s %-22s %-7s %14s %14s %9s\n' scenario metric better ours mosquitto ours/mosq
printf '%-26s %-22s %-7s %14s %14s %9s\n' -------- ------ ------ ---- --------- ---------
for entry in "${METRICS[@]}"; do
  IFS='|' read -r key field label better <<<"$entry"
  selected "$key" || continue
  ours=$(median "$WORK/ours.$key.jsonl" "$field")
  mosq=$(median "$WORK/mosquitto.$key.jsonl" "$field")
  ratio=$(jq -n --argjson a "${ours:-null}" --argjson b "${mosq:-null}" \
    'if $a == null or $b == null or $b == 0 then "n/a" else ($a / $b * 100 | round / 100 | tostring) end' -r)
  printf '%-26s %-22s %-7s %14s %14s %9s\n' "$(label_of "$key")" "$label" "$better" "${ours:-n/a}" "${mosq:-n/a}" "$ratio"
done

echo
problems=0
for file in "$WORK"/*.jsonl; do
  name=$(basename "$file" .jsonl)
  lost=$(jq -s '[.[] | .lost | select(type == "number")] | add // 0' "$file")
  dups=$(jq -s '[.[] | .duplicates | select(type == "number")] | add // 0' "$file")
  ooo=$(jq -s '[.[] | .out_of_order | select(type == "number")] | add // 0' "$file")
  errors=$(jq -r 'select(.error != null) | .error' "$file" | sort | uniq -c | sed 's/^ */    /')
  if [[ $lost != 0 || $dups != 0 || $ooo != 0 || -n $errors ]]; then
    problems=1
    echo "$name: lost $lost, duplicates $dups, out of order $ooo (sums over rounds)"
    [[ -z $errors ]] || { echo "  failed runs:"; echo "$errors"; }
  fi
done
((problems)) || echo "no QoS 1/2 loss, no duplicates, no failed runs"
if [[ $PROMETHEUS == 1 ]]; then
  echo
  "$ROOT/deploy/grafana/check-dashboard.sh" "$PROM_URL" "$ROOT/deploy/grafana/robustmq.json" "$RUN_START" "$(date +%s)" || true
  [[ -z $PROMETHEUS_PORT ]] || echo "prometheus keeps running at $PROM_URL (pid $PROM_PID): kill $PROM_PID when done"
fi
echo "total $((SECONDS - STARTED)) s; JSON lines and logs in $WORK"
