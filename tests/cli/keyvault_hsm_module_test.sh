#!/usr/bin/env bash
# Usage: keyvault_hsm_module_test.sh MPCC
# `mpcc serve keyvault` with a configured PKCS#11 module (--hsm-module,
# --hsm-pin-file), as with a real HSM: here SoftHSM2 with a token that an
# administrator initialised beforehand (softhsm2-util), not one the vault made.
# Checks: it serves with the right PIN; a wrong PIN, a missing PIN file, a
# module that is not a PKCS#11 library, and --hsm-module without a PIN file
# are refused at start with exit 2 and a message naming the problem.
set -u
MPCC=$1
MODULE=/usr/lib/softhsm/libsofthsm2.so
source "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$TMP" \
  > "$TMP/softhsm2.conf"
export SOFTHSM2_CONF="$TMP/softhsm2.conf"
softhsm2-util --init-token --free --label admin-token --so-pin 87654321 --pin 12345678 >/dev/null \
  || { echo "FAIL softhsm2-util could not initialise a token"; exit 1; }
printf '12345678\n' > "$TMP/pin"
printf '00000000\n' > "$TMP/wrong-pin"

COMMON=(serve keyvault --name contoso --insecure-http --port 0
        --identity-issuer http://127.0.0.1:9 --allow-http-issuers
        --hsm-token-label admin-token)

# start_ok: the vault prints its URL and answers /health.
"$MPCC" "${COMMON[@]}" --state-dir "$TMP/kv" --hsm-module "$MODULE" --hsm-pin-file "$TMP/pin" \
  >"$TMP/ok.out" 2>"$TMP/ok.err" &
PID=$!
url=$(wait_for_url "$TMP/ok.out")
if [[ "$url" != http://127.0.0.1:* ]]; then
  fail "start_ok: no URL printed"; sed 's/^/    /' "$TMP/ok.err" | head -5
else
  echo "ok   start_ok ($url)"
  if command -v node >/dev/null; then
    body=$(node -e "fetch(process.argv[1] + '/health').then(r => r.text()).then(t => console.log(t))" "$url")
    [[ "$body" == *'"ok"'* ]] && echo "ok   health" || fail "health: $body"
  fi
  [[ -e "$TMP/kv/hsm" ]] && fail "start_ok: made its own SoftHSM2 state although a module was configured"
fi
kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=""

# refused NAME TEXT ARGS...: exit 2 and stderr contains TEXT.
refused() {
  local name=$1 text=$2
  shift 2
  "$MPCC" "${COMMON[@]}" --state-dir "$TMP/$name" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  local pid=$!
  ( sleep 20; kill "$pid" 2>/dev/null ) &
  local guard=$!
  wait "$pid"
  local rc=$?
  kill "$guard" 2>/dev/null
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit $rc, expected 2"; sed 's/^/    /' "$TMP/$name.err" | head -3
  elif ! grep -qF -- "$text" "$TMP/$name.err"; then
    fail "$name: stderr lacks: $text"; sed 's/^/    /' "$TMP/$name.err" | head -3
  else
    echo "ok   $name"
  fi
}
refused wrong_pin "CKR_PIN_INCORRECT" --hsm-module "$MODULE" --hsm-pin-file "$TMP/wrong-pin"
refused missing_pin_file "does not exist" --hsm-module "$MODULE" --hsm-pin-file "$TMP/nope"
printf 'not a library' > "$TMP/fake.so"
refused not_a_module "cannot load module" --hsm-pin-file "$TMP/pin" --hsm-module "$TMP/fake.so"
refused module_without_pin "--hsm-module needs --hsm-pin-file" --hsm-module "$MODULE"

if [[ $failures -ne 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all keyvault --hsm-module checks passed"
