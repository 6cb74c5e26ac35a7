#!/usr/bin/env bash
# A RobustMq.Orleans cluster on this machine: a throwaway PostgreSQL and N silos.
#
#   deploy/local-cluster.sh up [N]    build, start PostgreSQL and N silos (default 3), print where they listen
#   deploy/local-cluster.sh add       one more silo joins (scale out; same port variables as at up)
#   deploy/local-cluster.sh down      stop every silo and the PostgreSQL this script started, delete their data
#   deploy/local-cluster.sh status    what is running
#
# Silo i (0-based) listens for MQTT on MQTT_PORT+i (1883, 1884, ...), its admin API on ADMIN_PORT+i (8080, 8081,
# ...), MQTT over WebSocket on WS_PORT+i (18083, ...) and Orleans on SILO_PORT+i / GATEWAY_PORT+i (11111 / 30000, ...),
# all on 127.0.0.1. PostgreSQL (Debian's `postgresql`, installed when missing as root or with sudo) runs from a data
# directory of its own on a free port; its port is printed. Every port can be moved with the variables above, and
# PG_PORT fixes PostgreSQL's. State, logs and PIDs live in STATE_DIR (default /tmp/robustmq-local-cluster).
# BUILD=0 skips building (robustmq.dll must be built already). SILO_ARGS adds arguments to every silo's command line
# (configuration keys, e.g. SILO_ARGS="--Logging:LogLevel:Default=Warning --Mqtt:MaxInflight=1000").
# This is a development cluster on loopback: its silos let anonymous clients in (--Auth:AllowAnonymous=true, which a
# cluster does not by default); SILO_ARGS="--Auth:AllowAnonymous=false --Auth:Sources:0=builtin" turns that off.
#
# A silo's log: $STATE_DIR/silo-<i>.log. Kill one like a crash: kill -9 "$(cat $STATE_DIR/silo-<i>.pid)".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${STATE_DIR:-/tmp/robustmq-local-cluster}
mqtt_port=${MQTT_PORT:-1883}
admin_port=${ADMIN_PORT:-8080}
ws_port=${WS_PORT:-18083}
silo_port=${SILO_PORT:-11111}
gateway_port=${GATEWAY_PORT:-30000}
broker=$root/silo/RobustMq.Silo/bin/Release/net10.0/robustmq.dll

say() { echo "local-cluster: $*"; }
die() { echo "local-cluster: $*" >&2; exit 1; }

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

sudo_cmd() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

pg_bin() {
  local dir
  dir=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
  [[ -n $dir ]] && echo "$dir"
}

ensure_postgres() {
  [[ -n $(pg_bin) ]] && return 0
  say "installing postgresql (its service is not started)"
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | sudo_cmd tee "$policy" >/dev/null
    sudo_cmd chmod 755 "$policy"
    created=1
  fi
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
  [[ $created -eq 1 ]] && sudo_cmd rm -f "$policy"
  [[ -n $(pg_bin) ]] || die "postgresql did not install"
}

# as_pg CMD...: PostgreSQL refuses to run as root; as root its programs run as the postgres user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    port_free "$port" && { echo "$port"; return; }
  done
}

wait_for_line() { # FILE PATTERN SECONDS PID
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# start_silo I: silo I on the ports of its index, against the cluster's PostgreSQL; waits until it serves.
start_silo() {
  local i=$1 connection
  connection=$(cat "$state/connection")
  mkdir -p "$state/silo-$i"
  # shellcheck disable=SC2086  # SILO_ARGS is a word list on purpose
  setsid dotnet "$broker" \
    --Cluster:Mode=AdoNet "--Cluster:ConnectionString=$connection" --Cluster:AdvertisedAddress=127.0.0.1 \
    --Cluster:SiloPort=$((silo_port + i)) --Cluster:GatewayPort=$((gateway_port + i)) \
    --Listeners:Tcp:Address=127.0.0.1 --Listeners:Tcp:Port=$((mqtt_port + i)) \
    --Listeners:WebSocket:Address=127.0.0.1 --Listeners:WebSocket:Port=$((ws_port + i)) \
    --Admin:Address=127.0.0.1 --Admin:Port=$((admin_port + i)) \
    --Node:Name="silo-$i" --Storage:Path="$state/silo-$i" --Auth:AllowAnonymous=true ${SILO_ARGS:-} \
    </dev/null >"$state/silo-$i.log" 2>&1 &
  echo $! >"$state/silo-$i.pid"
  wait_for_line "$state/silo-$i.log" "Application started" 90 "$(cat "$state/silo-$i.pid")" \
    || die "silo $i did not start; see $state/silo-$i.log: $(tail -n 5 "$state/silo-$i.log")"
  say "silo $i: MQTT 127.0.0.1:$((mqtt_port + i)), admin http://127.0.0.1:$((admin_port + i)), pid $(cat "$state/silo-$i.pid")"
}

# add: one more silo (the next index) joins the running cluster, without restarting any.
add() {
  [[ -e $state/connection ]] || die "not up (state in $state); run '$0 up' first"
  local i=0
  while [[ -e $state/silo-$i.pid ]]; do i=$((i + 1)); done
  for port in $((mqtt_port + i)) $((admin_port + i)) $((ws_port + i)) $((silo_port + i)) $((gateway_port + i)); do
    port_free "$port" || die "port $port is taken (set MQTT_PORT, ADMIN_PORT, WS_PORT, SILO_PORT or GATEWAY_PORT as at up)"
  done
  start_silo "$i"
}

up() {
  local count=${1:-3}
  [[ $count =~ ^[1-9][0-9]*$ ]] || usage
  [[ -e $state/postgres.port ]] && die "already up (state in $state); run '$0 down' first"
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is needed"
  ensure_postgres
  for ((i = 0; i < count; i++)); do
    for port in $((mqtt_port + i)) $((admin_port + i)) $((ws_port + i)) $((silo_port + i)) $((gateway_port + i)); do
      port_free "$port" || die "port $port is taken (set MQTT_PORT, ADMIN_PORT, WS_PORT, SILO_PORT or GATEWAY_PORT)"
    done
  done

  mkdir -p "$state"
  if [[ ${BUILD:-1} != 0 ]]; then
    say "building (Release)"
    dotnet build "$root/silo/RobustMq.Silo" -c Release --nologo -v quiet </dev/null >"$state/build.log" 2>&1 \
      || { cat "$state/build.log"; rm -rf "$state"; die "build failed"; }
  fi
  [[ -f $broker ]] || die "$broker is missing (BUILD=0 skips the build)"

  local bin pg_port=${PG_PORT:-$(free_port)}
  bin=$(pg_bin)
  mkdir -p "$state/pg"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$state/pg"
    runuser -u postgres -- test -w "$state/pg" \
      || die "the postgres user cannot reach $state/pg: every directory above it must let others through (chmod o+x), or set STATE_DIR elsewhere"
  fi
  as_pg "$bin/initdb" -D "$state/pg/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  as_pg "$bin/pg_ctl" start -w -t 60 -D "$state/pg/data" -l "$state/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories='$state/pg' -c max_connections=300" >/dev/null \
    || die "PostgreSQL did not start: $(tail -n 5 "$state/pg/server.log")"
  echo "$pg_port" >"$state/postgres.port"
  local connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  echo "$connection" >"$state/connection"
  dotnet "$broker" db init --connection "$connection"

  for ((i = 0; i < count; i++)); do
    start_silo "$i"
  done
  say "PostgreSQL on 127.0.0.1:$pg_port ($connection)"
  say "up: $count silos; '$0 down' stops them"
}

down() {
  local pid file
  for file in "$state"/silo-*.pid; do
    [[ -e $file ]] || continue
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
  done
  if [[ -d $state/pg/data ]]; then
    as_pg "$(pg_bin)/pg_ctl" stop -w -D "$state/pg/data" -m fast >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
  say "down"
}

status() {
  [[ -e $state/postgres.port ]] || { say "not up"; return 0; }
  say "PostgreSQL on 127.0.0.1:$(cat "$state/postgres.port")"
  local file i pid
  for file in "$state"/silo-*.pid; do
    [[ -e $file ]] || continue
    i=${file##*/silo-}; i=${i%.pid}; pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then say "silo $i: running (pid $pid)"; else say "silo $i: not running"; fi
  done
}

case ${1:-} in
  up) up "${2:-3}" ;;
  add) add ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
