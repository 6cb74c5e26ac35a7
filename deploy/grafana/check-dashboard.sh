#!/usr/bin/env bash
# check-dashboard.sh: runs every query of a Grafana dashboard against a Prometheus server and tells which return data.
#
#   deploy/grafana/check-dashboard.sh PROMETHEUS_URL [DASHBOARD_JSON] [START END]
#
#   PROMETHEUS_URL  e.g. http://127.0.0.1:9090
#   DASHBOARD_JSON  default: deploy/grafana/robustmq.json beside this script
#   START END       Unix seconds of the window to query (query_range, 5 s steps); default: the last 10 minutes
#
# Grafana's variables are replaced as Grafana would for a whole-cluster view: $__rate_interval and $__interval by
# 30s, $__range by the window, any other $var, ${var} or [[var]] (template variables such as the node) by ".*"
# (they are used in =~ matchers). Prints one line per query: "ok N" (N series with data in the window) or "EMPTY",
# the panel title and the query; exits 1 when a query returned no data or failed, 2 on a usage error.
# Needs curl and jq.
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
url=${1%/}
dashboard=${2:-$(dirname "${BASH_SOURCE[0]}")/robustmq.json}
end=${4:-$(date +%s)}
start=${3:-$((end - 600))}
[[ -f $dashboard ]] || { echo "check-dashboard: no dashboard at $dashboard" >&2; exit 2; }
command -v jq >/dev/null || { echo "check-dashboard: jq is needed (apt-get install jq)" >&2; exit 2; }

range=$((end - start))s
empty=0
total=0
# Every target with an expr, with the title of its panel (rows' nested panels too), one JSON object a line.
while IFS= read -r target; do
  title=$(jq -r '.title' <<<"$target")
  expr=$(jq -r '.expr' <<<"$target")
  query=$(sed -e 's/\$__rate_interval/30s/g; s/\$__interval/30s/g' -e "s/\\\$__range/$range/g" \
    -e 's/\${[A-Za-z_][A-Za-z0-9_]*\(:[a-z]*\)\{0,1\}}/.*/g; s/\$[A-Za-z_][A-Za-z0-9_]*/.*/g; s/\[\[[A-Za-z_][A-Za-z0-9_]*\]\]/.*/g' <<<"$expr")
  total=$((total + 1))
  answer=$(curl -sS --max-time 30 -G "$url/api/v1/query_range" --data-urlencode "query=$query" \
    --data-urlencode "start=$start" --data-urlencode "end=$end" --data-urlencode "step=5" 2>&1) || answer='{"status":"error","error":"curl failed"}'
  status=$(jq -r '.status // "error"' <<<"$answer" 2>/dev/null || echo error)
  if [[ $status != success ]]; then
    printf 'FAILED  %-40s %s\n        %s\n' "$title" "$query" "$(jq -r '.error // .' <<<"$answer" 2>/dev/null | head -c 300 || true)"
    empty=$((empty + 1))
    continue
  fi
  series=$(jq '[.data.result[] | select((.values | length) > 0)] | length' <<<"$answer")
  if ((series > 0)); then
    printf 'ok %-4s %-40s %s\n' "$series" "$title" "$query"
  else
    printf 'EMPTY   %-40s %s\n' "$title" "$query"
    empty=$((empty + 1))
  fi
done < <(jq -c '.. | objects | select(has("targets")) | (.title // "(untitled)") as $t | .targets[]
  | select(.expr != null and .expr != "") | {title: $t, expr: .expr}' "$dashboard")

echo "check-dashboard: $((total - empty)) of $total queries returned data between $(date -u -d @"$start" +%H:%M:%S) and $(date -u -d @"$end" +%H:%M:%S) UTC"
((total > 0 && empty == 0))
