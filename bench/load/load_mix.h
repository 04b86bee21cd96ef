// File: bench/load/load_mix.h
//
// The load driver's request mix against a running `mpcc up` deployment:
// which calls, their weights, and one worker's connections to make them.
//
//   auto d = Deployment::load("/tmp/dir");             // DIR/endpoints.json
//   SharedState shared;  shared.record = ...;  shared.set_vault_token(...);
//   Worker w(*d, shared, /*seed=*/1);
//   Outcome o = w.run(w.pick());                         // one weighted call
//
// Every call goes over TLS 1.3 to the deployment's services with the
// deployment's CA, on a keep-alive connection per service per Worker
// (cpp-httplib's SSLClient reconnects when the server closes one). mpcc's
// servers close a connection idle for 5 s (cpp-httplib's default) and
// cpp-httplib 0.11's client cannot see that before it writes, so a Worker
// closes a connection it left idle for 4 s and opens a new one: without this,
// a quiet connection's next call fails with no answer, which a browser would
// retry but this driver counts as a failure.
// Errors: Deployment::load throws std::runtime_error naming the missing field.
// Thread-safety: a Worker belongs to one thread; SharedState is thread-safe.
#pragma once

#include <httplib.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

namespace mpcc::load {

// The mix. Weights are per mille of calls (see kMix in load_mix.cpp).
enum class Op {
  kHealth,          // contoso GET /health
  kListContoso,     // contoso GET /company/list?max_results=50
  kListFabrikam,    // fabrikam GET /company/list?max_results=50
  kDecrypt,         // contoso POST /decrypt {a stored record}
  kKeyStatus,       // contoso GET /skr/key-status
  kEncrypt,         // contoso POST /encrypt {plaintext}
  kSaveContoso,     // contoso POST /company/save {name, phone}
  kSaveFabrikam,    // fabrikam POST /company/save {name, phone}
  kStorageList,     // snooper GET /storage/list?prefix=<Deployment::storage_prefix> (ciphertext)
  kIdentityToken,   // identity service GET /metadata/identity/oauth2/token (vault audience)
  kVaultGetKey,     // contoso's vault GET /keys/contoso-secret-key (bearer token)
  kRelease,         // contoso POST /skr/release: sidecar, PSP, attestation, identity, vault
  kCount
};
inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::kCount);

const char* op_name(Op op);
int op_weight(Op op);  // per mille

struct Service {
  std::string url;    // https://127.0.0.1:P
  std::string token;  // operator bearer token (party apps), empty otherwise
};

struct Deployment {
  std::string ca_cert;
  Service contoso, fabrikam, snooper;
  std::string identity_url;
  std::string vault_url;            // contoso's vault
  std::string identity_credential;  // contoso's workload identity credential
  std::string state_dir;
  // What the Snooper's /storage/list calls list: "datakeys/" (a constant
  // size) by default, so that the soak's saves do not grow every listing;
  // "" lists the whole container.
  std::string storage_prefix = "datakeys/";

  static std::unique_ptr<Deployment> load(const std::string& state_dir);
};

// What the workers share: the record /decrypt opens, and the latest vault
// token (kIdentityToken calls replace it).
class SharedState {
 public:
  std::string record_jwe;
  void set_vault_token(std::string token);
  std::string vault_token() const;

 private:
  mutable std::mutex mu_;
  std::string vault_token_;
};

struct Outcome {
  int status = 0;        // HTTP status; 0 = transport error
  std::string error;     // transport error text when status == 0
  std::string record_id; // an acknowledged save's record id
};

class Worker {
 public:
  Worker(const Deployment& d, SharedState& shared, unsigned seed);
  Op pick();
  Outcome run(Op op);
  // Plain calls for setup and checks (same connections).
  Outcome call(const std::string& base, const std::string& method, const std::string& path,
               const std::string& body, const httplib::Headers& headers, std::string* response_body);

 private:
  struct Connection {
    std::unique_ptr<httplib::Client> client;
    std::chrono::steady_clock::time_point last_used;
  };
  httplib::Client& client(const std::string& base);

  const Deployment& d_;
  SharedState& shared_;
  std::mt19937 rng_;
  std::uniform_int_distribution<int> dist_{0, 999};
  std::map<std::string, Connection> connections_;
  unsigned long saves_ = 0;
  unsigned seed_;
};

httplib::Headers bearer(const std::string& token);

}  // namespace mpcc::load
