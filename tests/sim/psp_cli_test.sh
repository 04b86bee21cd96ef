#!/usr/bin/env bash
# CLI round trip of the simulated SEV-SNP platform:
#   psp init -> psp serve (background) -> psp launch -> psp report (as the
#   guest) -> snp verify: exit 1 without --trust-root, exit 0 and "simulated"
#   with it; and the "no SEV-SNP guest device" error without a channel.
# Usage: psp_cli_test.sh PATH/TO/mpcc
set -euo pipefail

MPCC="${1:?usage: psp_cli_test.sh PATH/TO/mpcc}"
WORK="$(mktemp -d /tmp/mpcc-psp-cli-XXXXXX)"
STATE="$WORK/state"
SERVE_PID=""

cleanup() {
  if [[ -n "$SERVE_PID" ]]; then
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "psp_cli_test: FAIL: $*" >&2
  for f in "$WORK"/*.err; do [[ -f "$f" ]] && { echo "--- $f" >&2; cat "$f" >&2; }; done
  exit 1
}

expect_exit() {  # expect_exit CODE NAME -- command...
  local want="$1" name="$2"
  shift 3
  set +e
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
  local rc=$?
  set -e
  [[ $rc -eq $want ]] || fail "$name: exit $rc, expected $want"
}

repeat_hex() { printf "%0.s$1" $(seq "$2"); }

# 1. The host creates a simulated chip and starts the PSP daemon.
expect_exit 0 init -- "$MPCC" psp init --state-dir "$STATE"
grep -q '"simulated": true' "$WORK/init.out" || fail "init: chip not marked simulated"
[[ "$(stat -c %a "$STATE/vcek.key")" == "600" ]] || fail "vcek.key is not 0600"
expect_exit 2 init-again -- "$MPCC" psp init --state-dir "$STATE"

"$MPCC" psp serve --state-dir "$STATE" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do
  [[ -S "$STATE/psp.sock" ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || fail "psp serve exited early"
  sleep 0.1
done
[[ -S "$STATE/psp.sock" ]] || fail "psp serve did not create its control socket"
grep -q "SIMULATED" "$WORK/serve.err" || fail "psp serve did not warn that the chip is simulated"

# 2. The launcher launches a guest: HOST_DATA = SHA-256 of its policy text.
printf 'package policy\n\napi_version := "0.10.0"\n' > "$WORK/policy.rego"
MEASUREMENT="$(repeat_hex ab 48)"
HOST_DATA="$(sha256sum "$WORK/policy.rego" | cut -d' ' -f1)"
expect_exit 0 launch -- "$MPCC" psp launch --state-dir "$STATE" --guest contoso \
  --measurement "$MEASUREMENT" --policy-file "$WORK/policy.rego"
CHANNEL="$(cat "$WORK/launch.out")"
[[ -S "$CHANNEL" ]] || fail "launch did not print a channel socket: $CHANNEL"

# 3. The guest asks for a report through its channel (the env var is its device handle).
REPORT_DATA="$(repeat_hex cd 64)"
expect_exit 0 report -- env MPCC_SEV_GUEST="$CHANNEL" "$MPCC" psp report \
  --report-data "$REPORT_DATA" --out "$WORK/report.bin" --certs-out "$WORK/chain.pem"
[[ "$(stat -c %s "$WORK/report.bin")" == "1184" ]] || fail "report is not 1184 bytes"

# 4. The verifier refuses it while the simulated root is not trusted...
expect_exit 1 untrusted -- "$MPCC" snp verify "$WORK/report.bin" --certs "$WORK/chain.pem"
grep -q "ARK is not a trusted root" "$WORK/untrusted.err" || fail "untrusted: wrong message"

# 5. ...and accepts it, labelled simulated, once the root is given explicitly.
expect_exit 0 trusted -- "$MPCC" snp verify "$WORK/report.bin" \
  --certs "$STATE/vcek.pem" --certs "$STATE/ask.pem" --trust-root "$STATE/ark.pem" \
  --expect-measurement "$MEASUREMENT" --expect-host-data "$HOST_DATA" \
  --expect-report-data "$REPORT_DATA"
grep -q '"simulated": true' "$WORK/trusted.out" || fail "trusted: verdict does not say simulated"

# 6. A guest with no channel (the Snooper) has no SEV-SNP device.
expect_exit 5 no-device -- env -u MPCC_SEV_GUEST "$MPCC" psp report --platform sim \
  --report-data 00
if [[ ! -e /dev/sev-guest ]]; then
  expect_exit 5 no-device-auto -- env -u MPCC_SEV_GUEST "$MPCC" psp report --report-data 00
  grep -q "no SEV-SNP guest device" "$WORK/no-device-auto.err" || fail "no-device: wrong message"
fi

# 7. The daemon stops cleanly on SIGTERM and removes its sockets.
kill -TERM "$SERVE_PID"
set +e
wait "$SERVE_PID"
rc=$?
set -e
SERVE_PID=""
[[ $rc -eq 0 ]] || fail "psp serve exited $rc on SIGTERM"
[[ ! -e "$STATE/psp.sock" ]] || fail "control socket left behind"

echo "psp CLI round trip: OK"
