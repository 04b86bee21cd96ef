#!/usr/bin/env bash
# Party app throughput with wrk: GET /health (open) and an authenticated
# GET /company/list page (Contoso's 50 imported records, operator token),
# over TLS with keep-alive, against a fresh `mpcc up` deployment.
#
#   bench/party_http.sh [path/to/mpcc]   (default: build/default/apps/mpcc/mpcc)
#
# Needs wrk (Debian package "wrk"; installed when missing). Prints wrk's
# summary per endpoint; docs/benchmarks.md records the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
MPCC=${1:-build/default/apps/mpcc/mpcc}
DURATION=${DURATION:-10s}
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
[ -x "$MPCC" ] || { echo "party_http: $MPCC is not built (cmake --build --preset default)" >&2; exit 2; }

DIR=$(mktemp -d /tmp/mpcc-bench-party-XXXXXX)
cleanup() { "$MPCC" down --state-dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"$MPCC" up --detach --timeout 120 --state-dir "$DIR" >/dev/null

app=$(jq -r .parties.contoso.app "$DIR/endpoints.json")
token=$(cat "$(jq -r .parties.contoso.credential_file "$DIR/endpoints.json")")
ca=$(jq -r .ca_cert "$DIR/endpoints.json")
post() { curl -sS --fail --cacert "$ca" -H "Authorization: Bearer $token" -X POST "$app$1" >/dev/null; }
post /skr/release
post /company/populate

echo "== GET /health (open)"
wrk -t2 -c16 -d"$DURATION" --latency "$app/health"
echo "== GET /company/list?max_results=50 (operator token, 50 JWE records)"
wrk -t2 -c16 -d"$DURATION" --latency -H "Authorization: Bearer $token" "$app/company/list?max_results=50"
