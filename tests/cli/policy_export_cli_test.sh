#!/usr/bin/env bash
# Usage: policy_export_cli_test.sh MPCC
# `mpcc policy show|hash` and `mpcc export aci|k8s` against a real `mpcc up
# --detach`: for each confidential party the deployed policy text hashes (with
# `mpcc policy hash`, and by hand with base64 -d | sha256sum) to the host_data
# in endpoints.json and in the release policy its vault holds; `policy hash
# --state-dir` recomputes the same; a tampered policy file makes it exit 1
# naming the difference; the Snooper has no policy (exit 2). Both exports
# exit 0, write the documents, hash their ccePolicy / annotation to the
# release policies' values, and contain none of the deployment's secrets.
# Bad arguments exit 2. `mpcc down` runs at the end whatever happens.
set -u
MPCC=$1
source "$(dirname "$0")/lib.sh"
DIR=$TMP/state
stop_deployment() {
  "$MPCC" down --state-dir "$DIR" >/dev/null 2>&1
  cleanup
}
trap stop_deployment EXIT
unset MPCC_SEV_GUEST UVM_SECURITY_CONTEXT_DIR UVM_SECURITY_POLICY UVM_HOST_AMD_CERTIFICATE UVM_REFERENCE_INFO

# expect NAME CODE TEXT CMD...: CMD exits CODE and its stderr contains TEXT.
expect() {
  local name=$1 code=$2 text=$3
  shift 3
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  local rc=$?
  if [[ $rc -ne $code ]]; then
    fail "$name: exit $rc, expected $code"; sed 's/^/    /' "$TMP/$name.err" | head -5
  elif ! grep -qF -- "$text" "$TMP/$name.err"; then
    fail "$name: stderr lacks: $text"; sed 's/^/    /' "$TMP/$name.err" | head -5
  else
    echo "ok   $name"
  fi
}
same() {  # same NAME A B
  [[ -n "$2" && "$2" == "$3" ]] && echo "ok   $1" || fail "$1: '$2' != '$3'"
}

# Before any deployment.
mkdir -p "$TMP/empty"
expect no_deployment 2 "no deployment" "$MPCC" policy show --state-dir "$TMP/empty" --party contoso
expect export_no_deployment 2 "no deployment" "$MPCC" export aci --state-dir "$TMP/empty" --out "$TMP/x"

if ! timeout 300 "$MPCC" up --detach --timeout 120 --state-dir "$DIR" >"$TMP/up.out" 2>&1; then
  fail "up"; tail -20 "$TMP/up.out"; exit 1
fi
echo "ok   up"

# A vault's release policy, read with the deployer's token (identity service, then vault).
E=$DIR/endpoints.json
CA=$(jq -r .ca_cert "$E")
TOKEN=$(curl -s --cacert "$CA" -H 'Metadata: true' \
  -H "X-IDENTITY-HEADER: $(cat "$(jq -r .identities.deployer.credential_file "$E")")" \
  "$(jq -r .identity "$E")/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net" |
  jq -r .access_token)
release_hostdata() {  # release_hostdata VAULT KEY: the hostdata values its release policy names
  local data
  data=$(curl -s --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
    "$(jq -r ".vaults.$1" "$E")/keys/$2?api-version=7.4" | jq -r .release_policy.data | tr '_-' '/+')
  while (( ${#data} % 4 )); do data+="="; done
  printf '%s' "$data" | base64 -d | jq -r '.anyOf[].allOf[] | select(.claim == "x-ms-sevsnpvm-hostdata") | .equals'
}

for p in contoso fabrikam woodgrove; do
  expected=$(jq -r ".parties.$p.host_data" "$E")
  "$MPCC" policy show --state-dir "$DIR" --party "$p" >"$TMP/$p.rego" || fail "show $p"
  same "hash_$p" "$("$MPCC" policy hash "$TMP/$p.rego")" "$expected"
  same "hash_stdin_$p" "$("$MPCC" policy hash - <"$TMP/$p.rego")" "$expected"
  same "hash_base64_$p" \
    "$("$MPCC" policy show --state-dir "$DIR" --party "$p" --base64 | "$MPCC" policy hash --base64)" "$expected"
  by_hand=$(base64 -d "$DIR/parties/$p/security-context/security-policy-base64" | sha256sum | cut -d' ' -f1)
  same "by_hand_$p" "$by_hand" "$expected"
  recomputed=$("$MPCC" policy hash --state-dir "$DIR" --party "$p" 2>"$TMP/$p.check")
  rc=$?
  [[ $rc -eq 0 ]] && same "recompute_$p" "$recomputed" "$expected" \
    || { fail "recompute_$p: exit $rc"; sed 's/^/    /' "$TMP/$p.check" | head -8; }
  key=$(jq -r ".parties.$p.key" "$E")
  release_hostdata "$p" "$key" | grep -qx "$expected" && echo "ok   release_policy_$p" \
    || fail "release_policy_$p: $key does not name $expected"
done
woodgrove=$(jq -r .parties.woodgrove.host_data "$E")
release_hostdata contoso contoso-secret-key | grep -qx "$woodgrove" && echo "ok   release_policy_woodgrove_in_contoso" \
  || fail "contoso-secret-key does not name woodgrove's host_data"

expect snooper_show 2 "no security policy" "$MPCC" policy show --state-dir "$DIR" --party snooper
expect snooper_hash 2 "no security policy" "$MPCC" policy hash --state-dir "$DIR" --party snooper
expect unknown_party 2 "no party \"nobody\"" "$MPCC" policy show --state-dir "$DIR" --party nobody
expect party_without_dir 2 "--party needs --state-dir" "$MPCC" policy hash --party contoso
expect missing_file 2 "no such" "$MPCC" policy hash "$TMP/nope.rego"
printf 'not base64 !' >"$TMP/bad.b64"
expect bad_base64 2 "not base64" "$MPCC" policy hash --base64 "$TMP/bad.b64"

# Tampering with the deployed policy: the recomputation names the difference.
policy_file=$DIR/parties/contoso/security-context/security-policy-base64
cp -p "$policy_file" "$TMP/policy.orig"
sed 's/"allow_elevated": false/"allow_elevated": true/' "$TMP/contoso.rego" | base64 -w0 >"$policy_file"
expect tampered 1 "first difference, line" "$MPCC" policy hash --state-dir "$DIR" --party contoso
grep -qF "allow_elevated" "$TMP/tampered.err" && echo "ok   tampered_line" || fail "tampered: the line is not shown"
cp -p "$TMP/policy.orig" "$policy_file"
"$MPCC" policy hash --state-dir "$DIR" --party contoso >/dev/null 2>&1 && echo "ok   restored" || fail "restored"

# The exports.
for platform in aci k8s; do
  out=$TMP/export-$platform
  if ! "$MPCC" export "$platform" --state-dir "$DIR" --out "$out" --image example.azurecr.io/mpcc \
      >"$TMP/$platform.out" 2>&1; then
    fail "export_$platform"; head -5 "$TMP/$platform.out"; continue
  fi
  echo "ok   export_$platform ($(ls "$out" | wc -l) files)"
  for p in contoso fabrikam woodgrove; do
    if [[ $platform == aci ]]; then
      doc=$(jq -r '.resources[0].properties.confidentialComputeProperties.ccePolicy' "$out/deployment-template-$p.json")
    else
      doc=$(jq -r '.items[1].spec.template.metadata.annotations["io.katacontainers.config.agent.policy"]' "$out/party-$p.json")
    fi
    hd=$(printf '%s' "$doc" | "$MPCC" policy hash --base64)
    same "${platform}_manifest_$p" "$(jq -r ".parties.$p.host_data" "$out/manifest.json")" "$hd"
    same "${platform}_rego_$p" "$("$MPCC" policy hash "$out/security-policy-$p.rego")" "$hd"
    jq -r '.anyOf[].allOf[1].equals' "$out/release-policy-$(jq -r ".parties.$p.key" "$E").json" | grep -qx "$hd" \
      && echo "ok   ${platform}_release_$p" || fail "${platform}_release_$p"
  done
  # No secret of the deployment in any exported file.
  cat "$DIR"/parties/*/operator-token "$DIR"/parties/*/group-token "$DIR"/identity/credentials/* >"$TMP/secrets"
  if grep -rqF -f "$TMP/secrets" "$out"; then fail "${platform}_no_secrets"; else echo "ok   ${platform}_no_secrets"; fi
  "$MPCC" export "$platform" --state-dir "$DIR" --out "$out-again" --image example.azurecr.io/mpcc >/dev/null 2>&1
  diff -r "$out" "$out-again" >/dev/null && echo "ok   ${platform}_deterministic" || fail "${platform}_deterministic"
done

: >"$TMP/a-file"
expect export_out_is_file 2 "not a directory" "$MPCC" export aci --state-dir "$DIR" --out "$TMP/a-file"
expect export_tag 2 "pinned by digest" "$MPCC" export aci --state-dir "$DIR" --out "$TMP/o" --image mpcc:latest
expect export_scheme 2 "without https://" "$MPCC" export k8s --state-dir "$DIR" --out "$TMP/o" \
  --maa-endpoint https://sharedeus.eus.attest.azure.net
expect export_two_sources 2 "exactly one of" "$MPCC" export k8s --state-dir "$DIR" \
  --deployment-file "$DIR/deployment-file.json" --out "$TMP/o"
expect export_no_out 2 "--out" "$MPCC" export aci --state-dir "$DIR"
expect export_object_id 2 "IDENTITY=GUID" "$MPCC" export aci --state-dir "$DIR" --out "$TMP/o" --object-id woodgrove

[[ $failures -eq 0 ]] && echo "all passed" || { echo "$failures failed"; exit 1; }
