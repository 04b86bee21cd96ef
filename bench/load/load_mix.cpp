// File: bench/load/load_mix.cpp
//
// The mix's weights, endpoints.json reading, and one call per Op.
#include "load/load_mix.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace mpcc::load {

namespace {

using nlohmann::json;

struct MixEntry {
  Op op;
  const char* name;
  int per_mille;
};

// Reads dominate, as in the demo; key release is the expensive path (~0.3-0.6 s
// of CPU each), so it stays rare but present.
constexpr std::array<MixEntry, kOpCount> kMix = {{
    {Op::kHealth, "contoso GET /health", 100},
    {Op::kListContoso, "contoso GET /company/list (50)", 90},
    {Op::kListFabrikam, "fabrikam GET /company/list (50)", 40},
    {Op::kDecrypt, "contoso POST /decrypt (record)", 200},
    {Op::kKeyStatus, "contoso GET /skr/key-status", 100},
    {Op::kEncrypt, "contoso POST /encrypt", 150},
    {Op::kSaveContoso, "contoso POST /company/save", 60},
    {Op::kSaveFabrikam, "fabrikam POST /company/save", 40},
    {Op::kStorageList, "snooper GET /storage/list", 10},
    {Op::kIdentityToken, "identity GET token (vault)", 50},
    {Op::kVaultGetKey, "vault GET /keys/<key>", 158},
    {Op::kRelease, "contoso POST /skr/release", 2},
}};
static_assert(
    [] {
      int total = 0;
      for (std::size_t i = 0; i < kMix.size(); ++i) {
        if (kMix[i].op != static_cast<Op>(i)) return false;
        total += kMix[i].per_mille;
      }
      return total == 1000;
    }(),
    "kMix lists every Op in enum order and its weights sum to 1000");

// Below the servers' keep-alive timeout (cpp-httplib's default, 5 s).
constexpr auto kMaxIdle = std::chrono::seconds(4);

constexpr const char* kVaultResourceQuery = "resource=https%3A%2F%2Fvault.azure.net";
constexpr const char* kVaultKeyPath = "/keys/contoso-secret-key?api-version=7.4";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const json& at(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw std::runtime_error("endpoints.json: " + where + key + " is missing");
  return j.at(key);
}

Service party_service(const json& parties, const std::string& party) {
  const json& p = at(parties, party, "parties.");
  return {at(p, "app", "parties." + party + ".").get<std::string>(),
          read_text(at(p, "credential_file", "parties." + party + ".").get<std::string>())};
}

}  // namespace

const char* op_name(Op op) { return kMix.at(static_cast<std::size_t>(op)).name; }
int op_weight(Op op) { return kMix.at(static_cast<std::size_t>(op)).per_mille; }

std::unique_ptr<Deployment> Deployment::load(const std::string& state_dir) {
  json e = json::parse(read_text(state_dir + "/endpoints.json"));
  auto d = std::make_unique<Deployment>();
  d->state_dir = state_dir;
  d->ca_cert = at(e, "ca_cert", "").get<std::string>();
  const json& parties = at(e, "parties", "");
  d->contoso = party_service(parties, "contoso");
  d->fabrikam = party_service(parties, "fabrikam");
  d->snooper = party_service(parties, "snooper");
  d->identity_url = at(e, "identity", "").get<std::string>();
  d->vault_url = at(at(e, "vaults", ""), "contoso", "vaults.").get<std::string>();
  const json& id = at(at(e, "identities", ""), "contoso", "identities.");
  d->identity_credential = read_text(at(id, "credential_file", "identities.contoso.").get<std::string>());
  return d;
}

void SharedState::set_vault_token(std::string token) {
  std::lock_guard lock(mu_);
  vault_token_ = std::move(token);
}

std::string SharedState::vault_token() const {
  std::lock_guard lock(mu_);
  return vault_token_;
}

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

Worker::Worker(const Deployment& d, SharedState& shared, unsigned seed)
    : d_(d), shared_(shared), rng_(seed), seed_(seed) {}

Op Worker::pick() {
  int x = dist_(rng_);
  for (const auto& m : kMix) {
    if (x < m.per_mille) return m.op;
    x -= m.per_mille;
  }
  return Op::kHealth;
}

httplib::Client& Worker::client(const std::string& base) {
  Connection& conn = connections_[base];
  const auto now = std::chrono::steady_clock::now();
  auto& c = conn.client;
  if (c && now - conn.last_used > kMaxIdle) c->stop();
  conn.last_used = now;
  if (!c) {
    c = std::make_unique<httplib::Client>(base);
    c->set_ca_cert_path(d_.ca_cert.c_str());
    c->enable_server_certificate_verification(true);
    c->set_keep_alive(true);
    // Without it, a POST's body waits for the ACK of its headers (Nagle
    // against delayed ACK): ~40 ms per call, the driver's own latency.
    c->set_tcp_nodelay(true);
    c->set_connection_timeout(10);
    c->set_read_timeout(120);
    c->set_write_timeout(30);
  }
  return *c;
}

Outcome Worker::call(const std::string& base, const std::string& method, const std::string& path,
                     const std::string& body, const httplib::Headers& headers, std::string* response_body) {
  httplib::Client& c = client(base);
  httplib::Result r = method == "GET" ? c.Get(path.c_str(), headers)
                                      : c.Post(path.c_str(), headers, body, "application/json");
  Outcome o;
  if (!r) {
    o.error = httplib::to_string(r.error());
    return o;
  }
  o.status = r->status;
  if (response_body != nullptr) *response_body = std::move(r->body);
  return o;
}

Outcome Worker::run(Op op) {
  const Service& c = d_.contoso;
  auto save = [&](const Service& s) {
    const unsigned long n = ++saves_;
    json body = {{"name", "Load " + std::to_string(seed_) + "-" + std::to_string(n)},
                 {"phone", "+1 555-" + std::to_string(seed_ % 1000) + "-" + std::to_string(n % 10000)}};
    std::string answer;
    Outcome o = call(s.url, "POST", "/company/save", body.dump(), bearer(s.token), &answer);
    if (o.status == 200) {
      json j = json::parse(answer, nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.contains("record_id") && j["record_id"].is_string()) {
        o.record_id = j["record_id"].get<std::string>();
      }
    }
    return o;
  };
  switch (op) {
    case Op::kHealth: return call(c.url, "GET", "/health", "", {}, nullptr);
    case Op::kListContoso: return call(c.url, "GET", "/company/list?max_results=50", "", bearer(c.token), nullptr);
    case Op::kListFabrikam:
      return call(d_.fabrikam.url, "GET", "/company/list?max_results=50", "", bearer(d_.fabrikam.token), nullptr);
    case Op::kDecrypt:
      return call(c.url, "POST", "/decrypt", json{{"ciphertext", shared_.record_jwe}}.dump(), bearer(c.token), nullptr);
    case Op::kKeyStatus: return call(c.url, "GET", "/skr/key-status", "", bearer(c.token), nullptr);
    case Op::kEncrypt:
      return call(c.url, "POST", "/encrypt", R"({"plaintext":"Khadija Abubakar"})", bearer(c.token), nullptr);
    case Op::kSaveContoso: return save(c);
    case Op::kSaveFabrikam: return save(d_.fabrikam);
    case Op::kStorageList:
      return call(d_.snooper.url, "GET", "/storage/list?prefix=" + d_.storage_prefix, "", bearer(d_.snooper.token),
                  nullptr);
    case Op::kIdentityToken: {
      std::string answer;
      Outcome o = call(d_.identity_url, "GET",
                       std::string("/metadata/identity/oauth2/token?api-version=2018-02-01&") + kVaultResourceQuery,
                       "", {{"Metadata", "true"}, {"X-IDENTITY-HEADER", d_.identity_credential}}, &answer);
      if (o.status == 200) {
        json j = json::parse(answer, nullptr, false);
        if (j.is_object() && j.contains("access_token")) shared_.set_vault_token(j["access_token"].get<std::string>());
      }
      return o;
    }
    case Op::kVaultGetKey: return call(d_.vault_url, "GET", kVaultKeyPath, "", bearer(shared_.vault_token()), nullptr);
    case Op::kRelease: return call(c.url, "POST", "/skr/release", "", bearer(c.token), nullptr);
    case Op::kCount: break;
  }
  return {};
}

}  // namespace mpcc::load
