#!/usr/bin/env bash
# Build RobustMq.Orleans and run every test project: the one test command.
#
# Works on a fresh Debian 12 machine that has only the .NET 10 SDK: missing
# system packages are installed first (root, or sudo without a password).
# Test projects run one after another, each to the end even when an earlier
# one failed. Results: TestResults/latest/<project>.trx (gitignored).
#
# The last line printed is always "N passed, M failed". Exit status is 0 only
# when the build succeeded, at least one test ran and none failed.
#
# Environment: TEST_TIME_BUDGET   seconds for the whole run (default 1380 = 23 min)
#              TEST_HANG_TIMEOUT  one test longer than this is killed (default 10m)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

solution=RobustMq.Orleans.sln
results=$root/TestResults/latest
budget=${TEST_TIME_BUDGET:-1380}
hang_timeout=${TEST_HANG_TIMEOUT:-10m}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# mosquitto lives in /usr/sbin, which is not on every PATH.
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

# Commands the tests need and the Debian package that provides each.
# PostgreSQL's server binaries are not on PATH: Debian keeps them in
# /usr/lib/postgresql/<version>/bin, where the tests' PostgresServer looks.
required=(
  prometheus:prometheus
  mosquitto_pub:mosquitto-clients
  mosquitto_sub:mosquitto-clients
  mosquitto:mosquitto
  initdb:postgresql
  pg_ctl:postgresql
  redis-server:redis-server
  mariadbd:mariadb-server
  mariadb-install-db:mariadb-server
  openssl:openssl
  chromium:chromium
)

log() { echo "test.sh: $*"; }

# have COMMAND: on PATH, or among PostgreSQL's versioned binaries.
have() {
  command -v "$1" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

install_missing() {
  local entry missing=()
  for entry in "${required[@]}"; do
    have "${entry%%:*}" && continue
    [[ " ${missing[*]} " == *" ${entry#*:} "* ]] || missing+=("${entry#*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      log "missing ${missing[*]}; not root and no sudo, tests that need them will fail"
      return 0
    fi
    sudo=(sudo -n)
  fi
  log "installing ${missing[*]}"
  # Keep the packages' maintainer scripts from starting services (mosquitto
  # would take port 1883 and PostgreSQL's main cluster port 5432 on a shared
  # machine); tests start their own brokers and database servers.
  local policy=/usr/sbin/policy-rc.d created=0 status=0
  local apt_log
  apt_log=$(mktemp)
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    created=1
  fi
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"; } </dev/null >"$apt_log" 2>&1 || status=$?
  [[ $created -eq 1 ]] && "${sudo[@]}" rm -f "$policy"
  if [[ $status -ne 0 ]]; then
    cat "$apt_log"
    log "apt-get failed (exit $status); tests that need ${missing[*]} will fail"
  fi
  rm -f "$apt_log"
  return 0
}

xml_unescape() {
  sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
}

# counter NAME <<< '<Counters ...>': the value of one attribute, 0 when absent.
counter() {
  local value
  value=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p")
  echo "${value:-0}"
}

install_missing

rm -rf "$results"
mkdir -p "$results"

log "building $solution (Release, warnings are errors)"
if ! dotnet build "$solution" -c Release --nologo -v minimal \
     -p:TreatWarningsAsErrors=true </dev/null; then
  log "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Test projects: the solution's projects under tests/ that MSBuild calls test
# projects (Microsoft.NET.Test.Sdk sets IsTestProject); benchmarks are not.
projects=()
while IFS= read -r proj; do
  [[ -f $proj ]] || continue
  is_test=$(dotnet msbuild "$proj" -getProperty:IsTestProject -p:Configuration=Release \
              </dev/null 2>/dev/null | tr -d '[:space:]') || is_test=""
  [[ $is_test == true ]] && projects+=("$proj")
done < <(dotnet sln "$solution" list </dev/null | tr '\\' '/' | grep -E '^tests/.+\.csproj$' \
          | awk '{ print (/Cluster|Integration/ ? 1 : 0) "\t" $0 }' | sort | cut -f2-)
# The unit-test projects (seconds each) run before the integration and cluster ones (minutes), so that a run over
# its time budget still gives their results.

passed=0
failed=0
failures=()
summaries=()

# run_tests PROJECT NAME [dotnet test arguments...]: one run, counted under NAME.
run_tests() {
  local proj=$1 name=$2
  shift 2
  trx=$results/$name.trx
  left=$((budget - SECONDS))
  if ((left < 60)); then
    log "$name not run: time budget of ${budget}s used up"
    failed=$((failed + 1))
    failures+=("$name (not run: time budget used up)")
    summaries+=("$name: not run")
    return
  fi

  log "testing $name"
  status=0
  timeout -k 30 "$left" dotnet test "$proj" -c Release --no-build "$@" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none \
    </dev/null 2>&1 | tee "$results/$name.log" || status=$?

  p=0 f=0
  if [[ -f $trx ]]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
    p=$(counter passed <<<"$counters")
    f=$(($(counter failed <<<"$counters") + $(counter error <<<"$counters") \
        + $(counter timeout <<<"$counters") + $(counter aborted <<<"$counters")))
    while IFS= read -r test_name; do
      [[ -n $test_name ]] && failures+=("$name: $test_name")
    done < <(grep -o '<UnitTestResult [^>]*>' "$trx" \
               | grep -E 'outcome="(Failed|Error|Timeout|Aborted)"' \
               | sed -n 's/.* testName="\([^"]*\)".*/\1/p' | xml_unescape || true)
  fi
  # A run that ended badly without a failed test to show for it (crash, hang,
  # killed by the time budget) still counts as one failure.
  if [[ $status -ne 0 && $f -eq 0 ]]; then
    case $status in
      124 | 137) why="killed after ${left}s (time budget)" ;;
      *) why="dotnet test exited with $status" ;;
    esac
    # The blame collector names the test that hung or crashed the test host.
    culprit=$(sed -n '/The test running when the crash occurred:/{n;p;q}' "$results/$name.log")
    [[ -n $culprit ]] && why="$why; test host crashed or hung in $culprit"
    f=1
    failures+=("$name ($why)")
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  summaries+=("$name: $p passed, $f failed")
}

for proj in "${projects[@]}"; do
  # Soak variants ([Trait("Run", "Soak")]) are a separate command (README, Benchmarks): they repeat what the run
  # already proves, at a length the 25-minute budget cannot hold.
  # Quarantined tests ([Trait("Run", "Flaky")], README) fail now and then for a cause not found yet; they run by hand.
  run_tests "$proj" "$(basename "$proj" .csproj)" --filter "Run!=Soak&Run!=Flaky"
  if [[ $(basename "$proj" .csproj) == RobustMq.Integration.Tests ]]; then
    # The same suite against a 2-silo cluster (issue 11): clients alternate between the silos, so publishers and
    # subscribers are on different ones; tests of a single node's view are left out (BrokerFixture.ClusterMode).
    ROBUSTMQ_TEST_TOPOLOGY=cluster run_tests "$proj" "RobustMq.Integration.Tests-cluster" --filter "Topology!=SingleNode&Run!=Soak&Run!=Flaky"
  fi
done

echo
log "results in ${results#"$root"/}"
for line in "${summaries[@]}"; do
  echo "  $line"
done
if [[ ${#projects[@]} -eq 0 ]]; then
  log "no test projects found"
fi
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "failed tests:"
  for line in "${failures[@]}"; do
    echo "  $line"
  done
fi
if ((passed + failed == 0)); then
  log "no tests ran"
fi
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
