// Secure key release round trip over loopback TLS, services already running
// (in this process, each on its own port): what one TEE start-up costs.
//
//   attest   the guest's report (simulated PSP, REPORT_DATA = SHA-256 of the
//            runtime data holding the transfer key) -> POST /attest/SevSnpVm
//            -> MAA-shaped token
//   token    GET /metadata/identity/oauth2/token (managed identity, IMDS shape)
//   release  POST /keys/{name}/release with both tokens: bearer check, token
//            discovery + verification, policy, PKCS#11 (SoftHSM2) wrap, JWS
//   unwrap   verify the JWS with x5c[0], decode key_hsm, RSA-OAEP + AES-KWP
//            unwrap with the transfer key, parse the PKCS#8 key
//
// Each step's p50/p99 (ms) is reported as counters; see docs/benchmarks.md.
//   build/default/bench/bench_release --benchmark_counters_tabular=true  (default preset: -O2)
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attestation/service.h"
#include "common/bytes.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key_wrap.h"
#include "crypto/keys.h"
#include "crypto/signature.h"
#include "crypto/x509.h"
#include "http/client.h"
#include "http/server.h"
#include "http/tls.h"
#include "identity/identity_registry.h"
#include "identity/identity_service.h"
#include "identity/token_issuer.h"
#include "jose/issuer_key.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "keyvault/service.h"
#include "keyvault/vault_setup.h"
#include "platform/sim/simulated_chip.h"
#include "platform/sim/simulated_psp.h"
#include "verifier/trust_store.h"

namespace {

using namespace mpcc;  // NOLINT: a benchmark file
using nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_release: %s: %s\n", what.c_str(), s.message().c_str());
  std::exit(1);
}
template <typename T>
T must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) die(what, v.status());
  return std::move(v).value();
}

// Everything the round trip talks to, started once.
struct Deployment {
  fs::path dir;
  http::ClientOptions client_options;
  std::shared_ptr<platform::sim::SimulatedPsp> psp;
  platform::sim::LaunchParams launch;
  std::unique_ptr<attestation::AttestationService> attestation;
  std::unique_ptr<http::Server> identity_server, vault_server;
  std::shared_ptr<identity::IdentityService> identity;
  std::unique_ptr<keyvault::VaultService> vault_service;
  std::string credential, client_id, object_id;
  crypto::PrivateKey transfer_key = must(crypto::PrivateKey::generate_rsa(2048), "transfer key");
  std::string runtime_json;
  std::shared_ptr<keyvault::KeyVault> vault;

  Deployment() {
    spdlog::set_level(spdlog::level::warn);  // the services log every token at info
    char tmpl[] = "/tmp/mpcc-bench-release-XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto ca = must(http::ensure_local_ca(dir / "ca"), "ca");
    http::TlsFiles tls = must(
        http::ensure_server_certificate(ca, dir / "ca", "loopback", {"localhost"}, {"127.0.0.1"}),
        "server certificate");
    client_options.ca_cert_path = ca.ca_cert.string();
    http::ServerOptions server_options;
    server_options.tls = tls;

    // Simulated chip and attestation service trusting its root.
    platform::sim::ChipConfig chip_config;
    auto chip = std::make_shared<const platform::sim::SimulatedChip>(
        must(platform::sim::SimulatedChip::create(chip_config), "chip"));
    psp = std::make_shared<platform::sim::SimulatedPsp>(chip);
    launch.measurement.fill(0x5c);
    launch.host_data.fill(0x7d);
    auto trust = std::make_shared<verifier::TrustStore>();
    if (Status s = trust->add_configured_anchor(chip->ark(), "bench simulated root"); !s.ok()) {
      die("trust", s);
    }
    attestation::ServiceConfig att;
    att.state_dir = dir / "attestation";
    att.server = server_options;
    att.trust = trust;
    attestation = must(attestation::AttestationService::create(att), "attestation");
    if (Status s = attestation->start(); !s.ok()) die("attestation start", s);

    // Identity service with one identity.
    auto registry =
        std::shared_ptr<identity::IdentityRegistry>(must(identity::IdentityRegistry::open(dir / "id"), "registry"));
    auto who = must(registry->provision("contoso"), "provision");
    credential = who.credential;
    client_id = who.identity.client_id;
    object_id = who.identity.object_id;
    // The issuer is the identity server's origin, so its port is chosen first.
    http::ServerOptions id_options = server_options;
    id_options.port = pick_port();
    identity_server = std::make_unique<http::Server>(id_options);
    const std::string identity_url = "https://127.0.0.1:" + std::to_string(id_options.port);
    auto issuer = std::make_shared<identity::TokenIssuer>(
        must(jose::load_or_create_issuer_key(dir / "id", "token-signing", "bench identity"),
             "identity key"),
        identity_url, system_clock());
    identity = std::make_shared<identity::IdentityService>(registry, issuer);
    identity->register_routes(*identity_server);
    if (Status s = identity_server->start(); !s.ok()) die("identity start", s);

    // The vault on SoftHSM2, a key with a policy naming the attestation service.
    keyvault::IssuerKeysOptions issuers;
    issuers.client = client_options;
    keyvault::VaultSetup setup;
    setup.state_dir = dir / "vault";
    setup.name = "contoso";
    setup.attestation_issuers = issuers;
    vault = must(keyvault::open_vault(setup), "vault");
    keyvault::AccessPolicy access;
    access.object_id = who.identity.object_id;
    access.key_permissions = must(keyvault::parse_key_permissions({"all"}), "permissions");
    if (Status s = vault->options().registry->set_access_policy(access); !s.ok()) die("access", s);
    keyvault::ServiceOptions vault_options;
    vault_options.identity_issuer = identity_url;
    vault_options.identity_keys = std::make_shared<keyvault::IssuerKeys>(issuers);
    vault_service = must(keyvault::VaultService::create(vault, vault_options), "vault service");
    vault_server = std::make_unique<http::Server>(server_options);
    vault_service->register_routes(*vault_server);
    if (Status s = vault_server->start(); !s.ok()) die("vault start", s);

    const std::string policy =
        json{{"version", "1.0.0"},
             {"anyOf",
              {{{"authority", attestation->base_url()},
                {"allOf",
                 {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}},
                  {{"claim", "x-ms-sevsnpvm-hostdata"},
                   {"equals", hex_encode(launch.host_data)}},
                  {{"claim", "x-ms-sevsnpvm-is-debuggable"},
                   {"equals", "false"}}}}}}}}
            .dump();
    json create = {{"kty", "RSA-HSM"},
                   {"key_size", 2048},
                   {"attributes", {{"exportable", true}}},
                   {"release_policy", {{"data", crypto::base64url_encode(to_bytes(policy))}}}};
    auto r = must(client().request("POST", vault_url("/keys/bench/create"), create.dump(),
                                   "application/json", bearer()),
                  "create key");
    if (r.status != 200) die("create key", internal_error(r.body));

    auto jwk = must(jose::Jwk::from_public_key(transfer_key.public_key()), "transfer jwk");
    jwk.set_kid("TpmEphemeralEncryptionKey");
    jwk.set_key_ops({"encrypt"});
    runtime_json = json{{"keys", json::array({jwk.to_json()})}}.dump();
  }

  ~Deployment() {
    vault_server->stop();
    identity_server->stop();
    attestation->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  static int pick_port() {
    http::ServerOptions o;
    http::Server probe(o);
    if (Status s = probe.start(); !s.ok()) die("probe", s);
    const int port = probe.port();
    probe.stop();
    return port;
  }

  http::Client client() const { return http::Client(client_options); }
  std::string vault_url(const std::string& path) const {
    return vault_server->base_url() + path + "?api-version=7.4";
  }
  http::Headers bearer() const {
    auto token = must(fetch_identity_token(), "identity token");
    return {{"Authorization", "Bearer " + token}};
  }

  // ---- the four steps

  std::string attest() const {
    std::array<uint8_t, 64> report_data{};
    const Bytes digest = crypto::sha256(runtime_json);
    std::copy(digest.begin(), digest.end(), report_data.begin());
    auto evidence = must(psp->evidence(launch, report_data), "evidence");
    json report = {{"SnpReport", crypto::base64url_encode(evidence.report)},
                   {"VcekCertChain", crypto::base64url_encode(to_bytes(evidence.endorsements_pem()))}};
    json body = {{"report", crypto::base64url_encode(to_bytes(report.dump()))},
                 {"runtimeData",
                  {{"data", crypto::base64url_encode(to_bytes(runtime_json))}, {"dataType", "JSON"}}}};
    auto r = must(client().post_json(attestation->base_url() +
                                         "/attest/SevSnpVm?api-version=2022-08-01",
                                     body),
                  "attest");
    if (r.status != 200) die("attest", internal_error(r.body));
    return must(r.json(), "attest json")["token"].get<std::string>();
  }

  StatusOr<std::string> fetch_identity_token() const {
    MPCC_ASSIGN_OR_RETURN(
        http::ClientResponse r,
        client().get(identity_server->base_url() +
                         "/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                         "https%3A%2F%2Fvault.azure.net",
                     {{"Metadata", "true"}, {identity::kCredentialHeader, credential}}));
    if (r.status != 200) return internal_error("identity: " + r.body);
    MPCC_ASSIGN_OR_RETURN(json j, r.json());
    return j["access_token"].get<std::string>();
  }

  std::string release(const std::string& bearer_token, const std::string& maa) const {
    auto r = must(client().request("POST", vault_url("/keys/bench/release"),
                                   json{{"target", maa}}.dump(), "application/json",
                                   {{"Authorization", "Bearer " + bearer_token}}),
                  "release");
    if (r.status != 200) die("release", internal_error(r.body));
    return must(r.json(), "release json")["value"].get<std::string>();
  }

  std::size_t unwrap(const std::string& value) const {
    auto parsed = must(jose::jws_parse(value), "jws");
    const std::string x5c = parsed.header["x5c"][0].get<std::string>();
    auto cert = must(crypto::Certificate::from_der(must(crypto::base64_decode(x5c), "x5c")), "cert");
    if (Status s = jose::jws_verify_signature(parsed, cert.public_key()); !s.ok()) die("jws", s);
    json payload = json::parse(parsed.payload.begin(), parsed.payload.end());
    const std::string key_hsm = payload["response"]["key"]["key"]["key_hsm"].get<std::string>();
    const Bytes blob_bytes = must(crypto::base64url_decode(key_hsm), "key_hsm");
    json blob = json::parse(blob_bytes.begin(), blob_bytes.end());
    const Bytes ct = must(crypto::base64url_decode(blob["ciphertext"].get<std::string>()), "ct");
    SecureBytes pkcs8 = must(crypto::rsa_aes_key_unwrap(transfer_key,
                                                        crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap, ct),
                             "unwrap");
    auto key = must(crypto::PrivateKey::from_pkcs8_der(pkcs8), "pkcs8");
    return key.bits();
  }
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Deployment& shared_deployment();

void BM_ReleaseRoundTrip(benchmark::State& state) {
  Deployment* d = &shared_deployment();  // once per process, kept running
  std::vector<double> attest, token, release, unwrap, total;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string maa = d->attest();
    const auto t1 = std::chrono::steady_clock::now();
    std::string bearer_token = must(d->fetch_identity_token(), "token");
    const auto t2 = std::chrono::steady_clock::now();
    std::string value = d->release(bearer_token, maa);
    const auto t3 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(d->unwrap(value));
    attest.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    token.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    release.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
    unwrap.push_back(ms_since(t3));
    total.push_back(ms_since(t0));
  }
  auto report = [&](const char* name, const std::vector<double>& v) {
    state.counters[std::string(name) + "_p50_ms"] = percentile(v, 0.50);
    state.counters[std::string(name) + "_p99_ms"] = percentile(v, 0.99);
  };
  report("attest", attest);
  report("token", token);
  report("release", release);
  report("unwrap", unwrap);
  report("total", total);
}
BENCHMARK(BM_ReleaseRoundTrip)->Iterations(200)->Unit(benchmark::kMillisecond);

Deployment& shared_deployment() {
  static Deployment* d = new Deployment();
  return *d;
}

// Where the release step's time goes, part 1: one request on a fresh TLS
// connection (what every step above pays: each call opens its own).
void BM_FreshTlsHealthRequest(benchmark::State& state) {
  Deployment& d = shared_deployment();
  http::Client c = d.client();
  for (auto _ : state) {
    auto r = must(c.get(d.vault_server->base_url() + "/health"), "health");
    benchmark::DoNotOptimize(r.status);
  }
}
BENCHMARK(BM_FreshTlsHealthRequest)->Unit(benchmark::kMillisecond)->UseRealTime();

// Part 2: the PKCS#11 wrap alone (SoftHSM2: AES key, C_WrapKey of the RSA
// private key under it, OAEP of the AES key to the transfer key).
void BM_SoftHsmExportWrapped(benchmark::State& state) {
  Deployment& d = shared_deployment();
  auto ids = must(d.vault->options().keys->list(), "list");
  const crypto::PublicKey target = d.transfer_key.public_key();
  for (auto _ : state) {
    auto w = must(d.vault->options().keys->export_wrapped(ids.front(), target,
                                                         crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap),
                  "wrap");
    benchmark::DoNotOptimize(w.size());
  }
}
BENCHMARK(BM_SoftHsmExportWrapped)->Unit(benchmark::kMillisecond)->UseRealTime();

// Part 3: one audit record (SQLite, WAL, synchronous=FULL: an fsync per
// record, so a release is on disk before its answer leaves).
void BM_AuditAppend(benchmark::State& state) {
  Deployment& d = shared_deployment();
  keyvault::AuditEntry e;
  e.actor = "bench";
  e.action = "bench";
  e.vault = "contoso";
  e.decision = keyvault::AuditDecision::kAllow;
  for (auto _ : state) {
    auto r = must(d.vault->options().audit->append(e), "append");
    benchmark::DoNotOptimize(r.id);
  }
}
BENCHMARK(BM_AuditAppend)->Unit(benchmark::kMillisecond)->UseRealTime();

// Part 4: the vault's release without HTTP (access policy, token layer,
// policy, wrap, JWS, audit).
void BM_VaultReleaseInProcess(benchmark::State& state) {
  Deployment& d = shared_deployment();
  keyvault::Caller caller;
  caller.object_id = d.object_id;
  keyvault::ReleaseRequest request;
  request.target = d.attest();
  for (auto _ : state) {
    auto out = d.vault->release(caller, "https://127.0.0.1", "bench", "", request, "7.4");
    if (std::holds_alternative<keyvault::Refusal>(out)) {
      die("release", std::get<keyvault::Refusal>(out).status);
    }
  }
}
BENCHMARK(BM_VaultReleaseInProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
