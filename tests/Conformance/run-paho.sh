#!/usr/bin/env bash
# Run the Eclipse Paho MQTT interoperability suite against a running broker.
#
# Usage: tests/Conformance/run-paho.sh SUITE_DIR [HOST] [PORT] [TEST_NAME...]
#
#   SUITE_DIR  the `interoperability/` folder of a checkout of
#              github eclipse/paho.mqtt.testing that you made yourself: this
#              script fetches nothing, and none of the suite lives in this
#              repository.
#   HOST PORT  the broker (default 127.0.0.1 1883); start it with
#              `--config deploy/paho.json` (docs/conformance.md says why).
#   TEST_NAME  run only these tests (e.g. test_will_delay); default: all 37.
#
# PAHO_USERNAME and PAHO_PASSWORD, when set, go with every CONNECT of the suite's
# clients: the run against a broker with anonymous clients off and a
# deny-by-default ACL (deploy/paho-secure.json, docs/conformance.md).
#
# Each test runs in its own python3 process under `timeout` (PAHO_TIMEOUT
# seconds, default 60), because some tests loop forever against a broker that
# does not do what they wait for. PAHO_SCRIPTS picks the scripts (default
# "client_test client_test5"). Per-test logs go to PAHO_LOGS (default: a
# new temporary folder). Prints PASS/FAIL per test, then
# `client_test.py: N/10` and `client_test5.py: N/27`; exits 0 only when every
# test that ran passed.
set -uo pipefail

usage() {
  sed -n '3,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
case $1 in -h | --help) usage ;; esac
suite=$(cd "$1" 2>/dev/null && pwd) || { echo "run-paho.sh: no folder $1" >&2; usage; }
[[ -f $suite/client_test.py && -f $suite/client_test5.py ]] ||
  { echo "run-paho.sh: $suite has no client_test.py and client_test5.py" >&2; usage; }
host=${2:-127.0.0.1}
port=${3:-1883}
[[ $port =~ ^[0-9]+$ ]] || { echo "run-paho.sh: PORT must be a number (got $port)" >&2; usage; }
shift $(($# < 3 ? $# : 3))
only=("$@")
timeout_s=${PAHO_TIMEOUT:-60}
logs=${PAHO_LOGS:-$(mktemp -d -t paho-logs.XXXXXX)}
mkdir -p "$logs"

# Imports a suite script as a module, sets the globals its __main__ block
# would set (the scripts hand their whole command line to unittest.main(),
# which rejects --hostname/--port), and runs one Test.<name>.
runner=$(cat <<'PY'
import importlib, sys, unittest
suite_dir, script, name, host, port = sys.argv[1:6]
sys.path.insert(0, suite_dir)
sys.argv = [script]
mod = importlib.import_module(script)
mod.host, mod.port = host, int(port)
prefix = "client_test5/" if script == "client_test5" else ""
mod.topic_prefix = prefix
mod.topics = [prefix + t for t in ("TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA")]
mod.wildtopics = [prefix + t for t in ("TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#")]
mod.nosubscribe_topics = ("test/nosubscribe",)
# PAHO_USERNAME / PAHO_PASSWORD: every CONNECT of the suite's clients carries them (a broker with anonymous clients
# off); the suite itself has no option for it.
import os
user = os.environ.get("PAHO_USERNAME")
if user:
    password = os.environ.get("PAHO_PASSWORD", "").encode("utf-8")
    original = mod.mqtt_client.Client.connect
    def connect(self, *args, **kwargs):
        kwargs.setdefault("username", user)
        kwargs.setdefault("password", password)
        return original(self, *args, **kwargs)
    mod.mqtt_client.Client.connect = connect
result = unittest.TextTestRunner(verbosity=2).run(
    unittest.defaultTestLoader.loadTestsFromName("Test." + name, mod))
sys.exit(0 if result.wasSuccessful() and result.testsRun == 1 else 1)
PY
)

# The suite's 5.0 client allows a CONNACK only 0.3 s: wait until the broker
# answers one CONNECT (MQTT 3.1.1, clean session) before the first test.
python3 - "$host" "$port" <<'PY' || { echo "run-paho.sh: no CONNACK from $host:$port" >&2; exit 1; }
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
connect = bytes([0x10, 13, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 60, 0, 1]) + b"w"
deadline = time.time() + 60
while True:
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(connect)
            if s.recv(4)[:1] == b"\x20":
                s.sendall(b"\xe0\x00")
                break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.5)
PY

status=0
for script in ${PAHO_SCRIPTS:-client_test client_test5}; do
  mapfile -t names < <(sed -n 's/^ *def \(test[A-Za-z0-9_]*\)(self.*/\1/p' "$suite/$script.py")
  ran=0 passed=0
  for name in "${names[@]}"; do
    if [[ ${#only[@]} -gt 0 && " ${only[*]} " != *" $name "* ]]; then
      continue
    fi
    ran=$((ran + 1))
    log=$logs/$script.$name.log
    if (cd "$suite" && timeout -k 5 "$timeout_s" python3 -c "$runner" "$suite" "$script" "$name" "$host" "$port") >"$log" 2>&1; then
      passed=$((passed + 1))
      echo "PASS $script.py $name"
    else
      status=1
      echo "FAIL $script.py $name (log: $log)"
    fi
  done
  [[ $ran -gt 0 ]] && echo "$script.py: $passed/$ran"
done
exit $status
