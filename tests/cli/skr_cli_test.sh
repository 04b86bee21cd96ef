#!/usr/bin/env bash
# Usage: skr_cli_test.sh MPCC
# `mpcc serve skr` as a process: a non-loopback --host is refused (exit 2);
# with --port 0 it prints its URL, answers GET /status without the group
# token, refuses other routes without it (403), answers a container without a
# TEE with 500 "not running in a TEE", and exits 0 on SIGTERM. Unusable
# inputs (empty group token file, missing credential file, a malformed
# --allow-endpoint) exit 2 naming the problem.
set -u
MPCC=$1
source "$(dirname "$0")/lib.sh"
# No device and no context, whatever the caller's environment says.
unset MPCC_SEV_GUEST UVM_SECURITY_CONTEXT_DIR UVM_SECURITY_POLICY UVM_HOST_AMD_CERTIFICATE UVM_REFERENCE_INFO

# refused NAME TEXT ARGS...: exit 2 and stderr contains TEXT.
refused() {
  local name=$1 text=$2
  shift 2
  timeout 20 "$MPCC" serve skr --port 0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  local rc=$?
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit $rc, expected 2"; sed 's/^/    /' "$TMP/$name.err" | head -3
  elif ! grep -qF -- "$text" "$TMP/$name.err"; then
    fail "$name: stderr lacks: $text"; sed 's/^/    /' "$TMP/$name.err" | head -3
  else
    echo "ok   $name"
  fi
}
refused host_any "the sidecar listens on loopback only" --host 0.0.0.0
refused host_lan "the sidecar listens on loopback only" --host 192.168.1.10
: > "$TMP/empty-token"
refused empty_group_token "is empty" --group-token-file "$TMP/empty-token"
refused missing_credential "no such file" --identity-endpoint https://127.0.0.1:9 \
  --identity-credential-file "$TMP/nope"
refused credential_without_endpoint "need --identity-endpoint" \
  --identity-credential-file "$TMP/empty-token"
refused bad_allow_endpoint "has a scheme" --allow-endpoint https://127.0.0.1:8443

# serving: URL printed, /status open, other routes behind the group token.
printf 'group-secret\n' > "$TMP/token"
"$MPCC" serve skr --port 0 --group-token-file "$TMP/token" --allow-endpoint 127.0.0.1:9 \
  >"$TMP/serve.out" 2>"$TMP/serve.err" &
PID=$!
url=$(wait_for_url "$TMP/serve.out")
if [[ "$url" != http://127.0.0.1:* ]]; then
  fail "serve: no URL printed"; sed 's/^/    /' "$TMP/serve.err" | head -5
else
  echo "ok   serve ($url)"
  body=$(curl -s "$url/status")
  [[ "$body" == '{"message":"Status OK"}' ]] && echo "ok   status" || fail "status: $body"
  code=$(curl -s -o "$TMP/refused.json" -w '%{http_code}' -X POST -d '{"runtime_data":"eA=="}' \
    "$url/attest/raw")
  if [[ "$code" == 403 ]] && grep -q 'not a member of this container group' "$TMP/refused.json"; then
    echo "ok   no_group_token"
  else
    fail "no_group_token: $code $(cat "$TMP/refused.json")"
  fi
  code=$(curl -s -o "$TMP/device.json" -w '%{http_code}' -X POST -H 'X-Mpcc-Group-Token: group-secret' \
    -d '{"runtime_data":"eA=="}' "$url/attest/raw")
  if [[ "$code" == 500 ]] && grep -q 'not running in a TEE' "$TMP/device.json"; then
    echo "ok   no_device"
  else
    fail "no_device: $code $(cat "$TMP/device.json")"
  fi
  grep -q "no group token" "$TMP/serve.err" && fail "warned about a missing group token although one was given"
fi
kill -TERM "$PID" 2>/dev/null
wait "$PID"
rc=$?
PID=""
[[ $rc -eq 0 ]] && echo "ok   sigterm" || fail "sigterm: exit $rc"

# Without a group token it warns that any local process can use it.
"$MPCC" serve skr --port 0 >"$TMP/open.out" 2>"$TMP/open.err" &
PID=$!
for _ in $(seq 100); do
  [[ -s "$TMP/open.out" ]] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
grep -q "ANY local process can use this sidecar" "$TMP/open.err" && echo "ok   open_warning" \
  || fail "open_warning: $(head -3 "$TMP/open.err")"
kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=""

[[ $failures -eq 0 ]] && echo "all passed" || { echo "$failures failed"; exit 1; }
