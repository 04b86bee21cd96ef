#!/usr/bin/python3
"""Writes the committed seed corpora, fuzz/corpus/<target>/, from the tests'
fixtures and the spec's examples (standard library only; run from anywhere):

    fuzz/make_seeds.py [--vectors DIR] [--data DIR]

DIR defaults: ../shared/vectors and ../shared/data next to the repository
(MPCC_VECTORS_DIR / MPCC_DATA_DIR override). A selector byte in front of a
seed picks the entry point or route of targets that have several (see each
fuzz_<target>.cpp). The real vectors themselves are not copied: the build
passes their directories to libFuzzer as extra, read-only seeds. Regression
seeds for fixed findings (files named regression-*) are kept as they are.
"""
import argparse
import base64
import json
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc_vectors() -> dict:
    text = (ROOT / "src/jose/test/rfc_vectors.h").read_text()
    out = {}
    for m in re.finditer(r'constexpr std::string_view (\w+) =\s*((?:(?:R"json\(.*?\)json"|"(?:[^"\\]|\\.)*")\s*)+);',
                         text, re.S):
        parts = re.findall(r'R"json\((.*?)\)json"|"((?:[^"\\]|\\.)*)"', m.group(2), re.S)
        value = "".join(raw if raw else q.encode().decode("unicode_escape") for raw, q in parts)
        out[m.group(1)] = value
    return out


class Writer:
    def __init__(self):
        self.counts = {}

    def reset(self, target):
        d = CORPUS / target
        d.mkdir(parents=True, exist_ok=True)
        for f in d.iterdir():
            if not f.name.startswith("regression-"):
                f.unlink()

    def put(self, target, name, data, selector=None):
        if isinstance(data, str):
            data = data.encode()
        if selector is not None:
            data = bytes([selector]) + data
        (CORPUS / target / name).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1


def policy(hostdata="73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20",
           authority="https://sharedeus2.eus2.attest.azure.net"):
    return {"version": "1.0.0", "anyOf": [{"authority": authority, "allOf": [
        {"claim": "x-ms-isolation-tee.x-ms-attestation-type", "equals": "sevsnpvm"},
        {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-hostdata", "equals": hostdata},
        {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable", "equals": "false"}]}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", default=os.environ.get("MPCC_VECTORS_DIR", ROOT.parent / "shared/vectors"))
    ap.add_argument("--data", default=os.environ.get("MPCC_DATA_DIR", ROOT.parent / "shared/data"))
    args = ap.parse_args()
    vectors, data = Path(args.vectors), Path(args.data)
    w = Writer()
    targets = ["snp_report", "snp_hcl", "cert_chain", "jose", "release_policy",
               "attestation_request", "csv_import", "vault_http", "sidecar_http", "party_http"]
    for t in targets:
        w.reset(t)

    # snp_report / snp_hcl: the vectors are passed at run time; a few edge shapes here.
    report = bytearray((vectors / "snp/go-sev-guest/attestation.bin").read_bytes())
    w.put("snp_report", "hex-go-sev-guest.txt", report.hex() + "\n")
    w.put("snp_report", "zero-v2.bin", bytes([2]) + bytes(0x4A0 - 1))
    w.put("snp_report", "short.bin", bytes(100))
    hcl = (vectors / "snp/trustee/az-snp-vtpm/hcl-report.bin").read_bytes()
    w.put("snp_hcl", "trustee-hcl.bin", hcl)
    w.put("snp_hcl", "truncated.bin", hcl[:0x4D4])
    w.put("snp_report", "trustee-hcl.bin", hcl)

    # cert_chain: a THIM JSON and a KDS bundle (the vectors' PEM/DER files come at run time).
    vcek = (vectors / "snp/constellation/snp/vcek.pem").read_text()
    chain = (vectors / "snp/constellation/snp/certchain.pem").read_text()
    w.put("cert_chain", "thim.json", json.dumps({"vcekCert": vcek, "certificateChain": chain,
                                                 "tcbm": "DB18000000000004", "cacheControl": "86400"}))
    w.put("cert_chain", "bundle.pem", vcek + chain)
    w.put("cert_chain", "vcek.der", (vectors / "snp/virtee-sev/vcek_milan.der").read_bytes())

    # jose: the RFC examples, each with the selector of its entry point.
    v = rfc_vectors()
    w.put("jose", "jws-rs256", v["kRfc7515A2Token"], 0)
    w.put("jose", "jws-es256", v["kRfc7515A3Token"], 0)
    w.put("jose", "jwt-rs256", v["kRfc7515A2Token"], 1)
    w.put("jose", "jwt-es256", v["kRfc7515A3Token"], 2)
    w.put("jose", "jws-hs256", v["kRfc7515A1Token"], 0)
    w.put("jose", "jwe-rsa-oaep", v["kRfc7516A1Token"], 3)
    w.put("jose", "jwe-dir", v["kRfc7520S56Token"], 4)
    for name in ("kRfc7515A2Jwk", "kRfc7515A3Jwk", "kRfc7520S56Jwk", "kRfc7517BX5cKey"):
        w.put("jose", "jwk-" + name, v[name], 5)
    w.put("jose", "jwks-public", v["kRfc7517A1PublicKeys"], 6)
    w.put("jose", "jwks-private", v["kRfc7517A2PrivateKeys"], 6)

    # release_policy: the spec's example (10.1), the vault tests' policy, the
    # legacy form, nesting, every operator; some with claims after a NUL.
    spec = {"version": "1.0.0", "anyOf": [{"authority": "https://sharedeus.eus.attest.azure.net", "allOf": [
        {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"},
        {"claim": "x-ms-compliance-status", "equals": "azure-compliant-uvm"},
        {"claim": "x-ms-sevsnpvm-hostdata", "equals": "ab" * 32},
        {"claim": "x-ms-sevsnpvm-is-debuggable", "equals": "false"},
        {"claim": "x-ms-sevsnpvm-vmpl", "equals": "0"}]}]}
    w.put("release_policy", "spec-10.1.json", json.dumps(spec, indent=1))
    w.put("release_policy", "vault-test.json", json.dumps(policy()))
    legacy = {"version": "0.2", "anyOf": [{"authority": "https://sharedeus2.eus2.attest.azure.net/", "allOf": [
        {"claim": "x-ms-sevsnpvm-is-debuggable", "condition": "equals", "value": False},
        {"claim": "x-ms-sevsnpvm-guestsvn", "condition": "greaterOrEquals", "value": 1}]}]}
    w.put("release_policy", "legacy.json", json.dumps(legacy))
    ops = {"version": "1.0.0", "anyOf": [
        {"authority": "https://other.attest.azure.net:443", "anyOf": [{"claim": "a", "exists": True}]},
        {"authority": "HTTPS://SharedEus2.eus2.attest.azure.net", "allOf": [
            {"anyOf": [{"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-vmpl", "lessOrEquals": 0},
                       {"claim": "x-ms-ver", "notEquals": "2.0"}]},
            {"allOf": [{"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-guestsvn", "greater": 0},
                       {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-guestsvn", "less": 10.5},
                       {"claim": "missing.claim", "exists": "false"}]}]}]}
    w.put("release_policy", "operators.json", json.dumps(ops))
    claims = {"iss": "https://sharedeus2.eus2.attest.azure.net", "x-ms-ver": "1.0",
              "x-ms-isolation-tee": {"x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-vmpl": 0,
                                     "x-ms-sevsnpvm-guestsvn": 1, "x-ms-sevsnpvm-is-debuggable": False,
                                     "x-ms-sevsnpvm-hostdata": "73973b78d70cc68353426de188db5dfc57e5b766e399935fb73a61127ea26d20"}}
    w.put("release_policy", "operators-with-claims", json.dumps(ops) + "\0" + json.dumps(claims))
    w.put("release_policy", "vault-with-claims", json.dumps(policy()) + "\0" + json.dumps(claims))

    # attestation_request: MAA request bodies (spec 8.1) around a real report and chain.
    snp = (vectors / "snp/confidential-sidecar-containers/snp_report.bin").read_bytes()
    certs = (vectors / "snp/confidential-sidecar-containers/uvm_host_amd_certificate.pem").read_bytes()
    runtime = json.dumps({"keys": [{"kty": "RSA", "kid": "TpmEphemeralEncryptionKey", "e": "AQAB", "n": "AQAB"}]}).encode()
    inner = {"SnpReport": b64url(snp), "VcekCertChain": b64url(certs),
             "Endorsements": b64url(json.dumps({"Uvm": ["x"]}).encode())}
    body = {"report": b64url(json.dumps(inner).encode()),
            "runtimeData": {"data": b64url(runtime), "dataType": "JSON"},
            "initTimeData": {"data": b64url(b"init"), "dataType": "Binary"}, "nonce": "1234"}
    w.put("attestation_request", "full.json", json.dumps(body))
    inner2 = {"SnpReport": base64.b64encode(snp + bytes(36)).decode(),
              "VcekCertChain": base64.b64encode(certs).decode()}
    w.put("attestation_request", "plain-b64-trailing.json", json.dumps(
        {"report": base64.b64encode(json.dumps(inner2).encode()).decode(),
         "runtimeData": {"data": base64.b64encode(b"\x00\x01binary").decode(), "dataType": "binary"},
         "nonce": 42}))

    # csv_import: the seed's data (first rows), quoting and CRLF forms.
    header = "name,phone,age,salary,eye_color,favorite_color,address,postal_code,city,country"
    for f in sorted(data.glob("*.csv")):
        lines = f.read_text().splitlines()
        w.put("csv_import", f.stem + "-head.csv", "\n".join(lines[:8]) + "\n")
    w.put("csv_import", "quoted-crlf.csv",
          "\ufeff" + header + "\r\n" + '"Doe, Jane","+1 555 0100",34,52000,blue,green,'
          '"1 Main St\r\nApt ""2""",12345,Springfield,US\r\n,,,,,,,,,\r\n')
    w.put("csv_import", "reordered.csv", "country,city,postal_code,address,favorite_color,eye_color,"
          "salary,age,phone,name\nNL,Delft,2611,Markt 1,red,brown,,,,Jan\n")

    # vault_http: selector 0 create, 1 update, 2 release, 3 release of a version.
    create = {"kty": "RSA-HSM", "key_size": 2048, "key_ops": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
              "attributes": {"exportable": True, "enabled": True},
              "release_policy": {"contentType": "application/json; charset=utf-8", "data": "$POLICY_DATA"},
              "tags": {"party": "contoso"}}
    w.put("vault_http", "create", json.dumps(create), 0)
    w.put("vault_http", "create-plain", json.dumps({"kty": "RSA", "key_size": 3072}), 0)
    w.put("vault_http", "create-immutable", json.dumps(dict(create, release_policy={
        "data": b64url(json.dumps(policy()).encode()), "immutable": True})), 0)
    w.put("vault_http", "update", json.dumps({"attributes": {"enabled": True, "exp": 4102444800},
                                              "release_policy": {"data": "$POLICY_DATA"},
                                              "tags": {"k": "v"}}), 1)
    w.put("vault_http", "update-policy-json", json.dumps({"release_policy": {
        "contentType": "application/json; charset=utf-8",
        "data": base64.b64encode(json.dumps(policy()).encode()).decode()}}), 1)
    w.put("vault_http", "release", json.dumps({"target": "$ATTESTATION_TOKEN"}), 2)
    w.put("vault_http", "release-enc", json.dumps({"target": "$ATTESTATION_TOKEN", "enc": "RSA_AES_KEY_WRAP_384",
                                                   "nonce": "abc"}), 2)
    w.put("vault_http", "release-version", json.dumps({"target": "$ATTESTATION_TOKEN"}), 3)

    # sidecar_http: 0 /attest/raw, 1 /attest/combined, 2 /attest/maa, 3 /key/release.
    rd = base64.b64encode(b'{"nonce":"1234"}').decode()
    w.put("sidecar_http", "attest-raw", json.dumps({"runtime_data": rd}), 0)
    w.put("sidecar_http", "attest-combined", json.dumps({"runtime_data": rd}), 1)
    w.put("sidecar_http", "attest-maa", json.dumps({"maa_endpoint": "127.0.0.1:1", "runtime_data": rd}), 2)
    w.put("sidecar_http", "key-release", json.dumps({"maa_endpoint": "127.0.0.1:1", "akv_endpoint": "127.0.0.1:1",
                                                      "kid": "contoso-key", "access_token": "x.y.z"}), 3)
    w.put("sidecar_http", "key-release-elsewhere", json.dumps({"maa_endpoint": "evil.example:443",
                                                                "akv_endpoint": "127.0.0.1:1", "kid": "k"}), 3)

    # party_http: selector % 14 = route (fuzz_party_http.cpp kRoutes), + 14: the analyst.
    party = [
        (0, {"runtime_data": rd}), (1, {"runtime_data": rd}), (2, {}), (3, {"partner": "contoso"}), (4, {}),
        (5, {"plaintext": "hello"}), (6, {"ciphertext": "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..a.b.c"}),
        (7, {"name": "Jane Doe", "phone": "+1 555 0100", "age": "34", "salary": "52000", "eye_color": "blue",
             "favorite_color": "green", "address": "1 Main St", "postal_code": "12345", "city": "Springfield",
             "country": "US"}),
        (8, {"count": 3}), (9, {"partners": ["contoso", "fabrikam"]}), (10, {"partners": ["contoso"]}),
        (11, {"claims": claims, "policy": policy()}), (12, {}), (13, {})]
    for sel, body in party:
        w.put("party_http", f"route-{sel}", json.dumps(body), sel)
    w.put("party_http", "analyst-analyze", json.dumps({"partners": ["contoso", "fabrikam"]}), 14 + 9)
    w.put("party_http", "analyst-release-partner", json.dumps({"partner": "fabrikam"}), 14 + 3)
    w.put("party_http", "what-if-token", json.dumps({"token": v["kRfc7515A2Token"]}), 11)

    for t in targets:
        print(f"make_seeds: {t}: {w.counts.get(t, 0)} seeds")


if __name__ == "__main__":
    main()
