# Shared by the CLI tests (sourced): a temp dir, the background process's
# cleanup, failure counting, and waiting for a server's URL line.
#   source "$(dirname "$0")/lib.sh"     sets TMP, PID, failures; fail; wait_for_url
TMP=$(mktemp -d)
PID=""
cleanup() {
  if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# wait_for_url OUT: the first line of OUT (a server's URL) once written, or ""
# when process $PID exits first or 10 s pass.
wait_for_url() {
  local out=$1 url=""
  for _ in $(seq 100); do
    url=$(head -1 "$out" 2>/dev/null)
    [[ -n "$url" ]] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  printf '%s' "$url"
}
