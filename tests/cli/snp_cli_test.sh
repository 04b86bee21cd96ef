#!/usr/bin/env bash
# Usage: snp_cli_test.sh MPCC VECTORS_DIR
# Runs `mpcc snp show|verify` on the shared vectors and checks exit codes,
# --at behaviour on the two VLEKs that expired on 2025-12-10, and the JSON.
set -u
MPCC=$1
V=$2/snp
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

# run NAME EXPECTED_RC ARGS...: runs mpcc, keeps stdout/stderr in $TMP/NAME.{out,err}.
run() {
  local name=$1 want=$2
  shift 2
  "$MPCC" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  local rc=$?
  if [[ $rc -ne $want ]]; then
    echo "FAIL $name: exit $rc, expected $want ($*)"
    sed 's/^/    stderr: /' "$TMP/$name.err" | head -5
    failures=$((failures + 1))
  else
    echo "ok   $name (exit $rc)"
  fi
}

# expect NAME out|err TEXT: the output contains TEXT (fixed string).
expect() {
  if ! grep -qF -- "$3" "$TMP/$1.$2"; then
    echo "FAIL $1: $2 lacks: $3"
    sed 's/^/    '"$2"': /' "$TMP/$1.$2" | head -8
    failures=$((failures + 1))
  fi
}

VLEK_REPORT=$V/trustee/snp/test-vlek-report.bin
VLEK=$V/trustee/snp/test-vlek.der

# ---- exit 0 / 1 and --at on the expired VLEKs ------------------------------
run vlek_now 1 snp verify "$VLEK_REPORT" --certs "$VLEK"
expect vlek_now err "SEV-SNP: VLEK certificate (SEV-VLEK) is not valid at"
expect vlek_now err "valid from 2024-12-10T22:14:21Z to 2025-12-10T22:14:21Z"

run vlek_at 0 snp verify "$VLEK_REPORT" --certs "$VLEK" --at 2025-06-01T00:00:00Z
expect vlek_at out '"verified": true'
expect vlek_at out '"signing_key": "VLEK"'
expect vlek_at out '"simulated": false'
expect vlek_at out '"product": "Milan"'
expect vlek_at out '"csp_id": "CN=cc-us-east-2.amazonaws.com"'
expect vlek_at out '"verified_at": "2025-06-01T00:00:00Z"'
expect vlek_at out '"label": "AMD ARK-Milan"'

run vlek_at_after_expiry 1 snp verify "$VLEK_REPORT" --certs "$VLEK" --at 2025-12-11
expect vlek_at_after_expiry err "is not valid at 2025-12-11T00:00:00Z"

run vlek_json 1 snp verify "$VLEK_REPORT" --certs "$VLEK" --json
expect vlek_json out '"verified": false'
expect vlek_json out '"code": "PERMISSION_DENIED"'
expect vlek_json out 'SEV-SNP: VLEK certificate (SEV-VLEK) is not valid at'

AWS=$V/constellation/aws-snp
run aws_vlek_now 1 snp verify "$V/constellation/derived/aws-report.bin" --certs "$AWS/vlek.pem" "$AWS/certchain.pem"
expect aws_vlek_now err "is not valid at"
run aws_vlek_at 0 snp verify "$V/constellation/derived/aws-report.bin" --certs "$AWS/vlek.pem" --certs "$AWS/certchain.pem" --at 2025-01-15T12:00:00+01:00
expect aws_vlek_at out '"csp_id": "CN=cc-eu-west-1.amazonaws.com"'

# ---- report encodings: hex text and Azure HCL -------------------------------
run hex_report 0 snp verify "$V/virtee-sev/report_milan.hex" --certs "$V/virtee-sev/vcek_milan.der" --at 2024-01-01
expect hex_report out '"encoding": "hex"'
expect hex_report out '"chip_id"'
run hcl_report 0 snp verify "$V/trustee/az-snp-vtpm/hcl-report.bin" --certs "$V/trustee/az-snp-vtpm/vcek.pem" --at 2024-01-01
expect hcl_report out '"encoding": "azure-hcl"'
expect hcl_report out '"runtime_data_bound": true'

# ---- refusals (exit 1) -------------------------------------------------------
run wrong_chip 1 snp verify "$V/automata/derived/report.bin" --certs "$V/automata/vcek.pem" --at 2025-01-01
expect wrong_chip err "SEV-SNP: report signature does not verify with the VCEK"
run version_zero 1 snp verify "$V/confidential-sidecar-containers/derived/CorruptedProductionSNPReportBytes.bin" --certs "$V/confidential-sidecar-containers/uvm_host_amd_certificate.pem" --at 2024-01-01
expect version_zero err "SEV-SNP: unsupported report version 0"
run debug_guest 1 snp verify "$V/go-sev-guest/attestation.bin" --certs "$V/go-sev-guest/vcek.testcer" --at 2022-09-25
expect debug_guest err "allows debugging"
run debug_allowed 0 snp verify "$V/go-sev-guest/attestation.bin" --certs "$V/go-sev-guest/vcek.testcer" --at 2022-09-25 --allow-debug
MEAS=a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c
TR=$V/trustee/snp/test-report.bin
TV=$V/trustee/snp/test-vcek.der
run policy_ok 0 snp verify "$TR" --certs "$TV" --at 2024-01-01 --expect-measurement "$MEAS" --min-tcb 7308000000000003 --max-vmpl 0 --expect-host-data "$(printf '0%.0s' {1..64})"
expect policy_ok out '"measurement"'
run policy_measurement 1 snp verify "$TR" --certs "$TV" --at 2024-01-01 --expect-measurement "${MEAS%??}00"
expect policy_measurement err "SEV-SNP: MEASUREMENT"
run policy_min_tcb 1 snp verify "$TR" --certs "$TV" --at 2024-01-01 --min-tcb 7309000000000003
expect policy_min_tcb err "is below the minimum TCB"
run policy_report_data 1 snp verify "$TR" --certs "$TV" --at 2024-01-01 --expect-report-data "$(printf '0%.0s' {1..128})"
expect policy_report_data err "SEV-SNP: REPORT_DATA"

# ---- usage / unreadable input (exit 2) --------------------------------------
printf 'not a report' >"$TMP/garbage.bin"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$TMP/bad.pem"
run missing_report 2 snp verify "$TMP/does-not-exist.bin" --certs "$TV"
run garbage_report 2 snp verify "$TMP/garbage.bin" --certs "$TV"
expect garbage_report err "expected a raw 1184-byte report"
run bad_pem 2 snp verify "$TR" --certs "$TMP/bad.pem"
run missing_cert 2 snp verify "$TR" --certs "$TMP/does-not-exist.pem"
run bad_at 2 snp verify "$TR" --certs "$TV" --at "yesterday"
run bad_hex 2 snp verify "$TR" --certs "$TV" --expect-measurement "xyz"
run short_hex 2 snp verify "$TR" --certs "$TV" --expect-host-data "00"
run bad_tcbm 2 snp verify "$TR" --certs "$TV" --min-tcb 73
run bad_vmpl 2 snp verify "$TR" --certs "$TV" --max-vmpl 9
run no_certs 2 snp verify "$TR"
expect no_certs err "SEV-SNP: no VCEK certificate given"
run trust_root_not_ca 2 snp verify "$TR" --certs "$TV" --trust-root "$TV"
run no_report 2 snp verify
run unknown_flag 2 snp verify "$TR" --bogus

# ---- show ---------------------------------------------------------------------
run show 0 snp show "$TR"
for field in '"version": 2' '"guest_svn": 4' '"vmpl": 0' '"signature_algo": 1' \
    '"measurement": "a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c"' \
    '"chip_id": "c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e"' \
    '"reported_tcb"' '"raw": "7308000000000003"' '"raw": "ce08000000000003"' '"boot_loader": 3' \
    '"microcode": 115' '"microcode": 206' '"report_data"' '"host_data"' '"id_key_digest"' \
    '"family_id": "01000000000000000000000000000000"' '"signing_key": "VCEK"' '"debug_allowed": false'; do
  expect show out "$field"
done
run show_v5 0 snp show "$V/teekit/sev-gcp.bin"
expect show_v5 out '"version": 5'
expect show_v5 out '"launch_mit_vector": 11'
expect show_v5 out '"cpuid_fam_id": 25'
run show_hcl 0 snp show "$V/trustee/az-snp-vtpm/hcl-report.bin"
expect show_hcl out '"chip_id"'
run show_garbage 2 snp show "$TMP/garbage.bin"
run show_missing 2 snp show "$TMP/none.bin"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all mpcc snp CLI checks passed"
