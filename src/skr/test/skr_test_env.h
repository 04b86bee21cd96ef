// File: skr/test/skr_test_env.h
//
// Test support for skr_service_test (tests only): everything a confidential
// party's sidecar talks to, in this process, on 127.0.0.1 over TLS from one
// local CA:
//   - the SIMULATED secure processor (PspDaemon on the shared test chip) with
//     one launched guest whose HOST_DATA = SHA-256 of the policy text written
//     into a security-context directory (with the chip's THIM JSON and a
//     reference-info blob), as `mpcc up` prepares a confidential party;
//   - the attestation service, trusting the simulated root;
//   - the identity service with identities "contoso" (every key permission
//     on the vault) and "fabrikam" (none);
//   - a vault (open_vault: SoftHSM2 in a temp dir) with exportable RSA-HSM
//     keys "contoso-key" (release policy: sevsnpvm, this HOST_DATA, not
//     debuggable) and "other-host-key" (another HOST_DATA);
//   - a "tripwire": a TLS server that counts the requests it gets (to show
//     that a refused caller causes no upstream call).
// Sidecars are started per test from sidecar_config().
//
// Thread-safety: used from the test thread; servers answer on their own.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "attestation/service.h"
#include "common/testing/temp_dir.h"
#include "http/client.h"
#include "http/server.h"
#include "http/tls.h"
#include "identity/identity_registry.h"
#include "identity/identity_service.h"
#include "keyvault/service.h"
#include "keyvault/vault.h"
#include "platform/sim/psp_daemon.h"
#include "skr/sidecar.h"

namespace mpcc::skr::test_env {

using nlohmann::json;

inline constexpr const char* kGroupToken = "group-token-of-contoso";
inline constexpr const char* kContosoKey = "contoso-key";
inline constexpr const char* kOtherHostKey = "other-host-key";
inline constexpr const char* kOtherHostData =
    "1111111111111111111111111111111111111111111111111111111111111111";

// A sidecar serving on 127.0.0.1:<ephemeral>.
struct RunningSidecar {
  std::unique_ptr<Sidecar> sidecar;
  std::unique_ptr<http::Server> server;
  std::string url;  // http://127.0.0.1:PORT
  ~RunningSidecar();
};

class SkrTestEnv {
 public:
  // Builds and starts everything; throws std::runtime_error on failure.
  SkrTestEnv();
  ~SkrTestEnv();
  SkrTestEnv(const SkrTestEnv&) = delete;
  SkrTestEnv& operator=(const SkrTestEnv&) = delete;

  // "127.0.0.1:PORT" of each upstream, as callers name them.
  std::string maa_endpoint() const;
  std::string akv_endpoint() const;
  std::string tripwire_endpoint() const;
  int tripwire_hits() const { return tripwire_hits_.load(); }

  const std::string& policy_text() const { return policy_text_; }
  std::string host_data_hex() const;
  const std::filesystem::path& context_dir() const { return context_dir_; }
  const std::filesystem::path& channel() const { return channel_; }
  const std::string& ca_cert() const { return ca_cert_; }
  const platform::sim::SimulatedChip& chip() const;
  const std::string& contoso_credential() const { return contoso_credential_; }
  const std::string& fabrikam_credential() const { return fabrikam_credential_; }
  const std::string& identity_url() const { return identity_url_; }

  // A confidential party's configuration: the guest channel, the security
  // context, contoso's identity, group token kGroupToken, allowlist = the
  // attestation service, the vault and the tripwire.
  SidecarConfig sidecar_config() const;
  // A standard container's: no device, no context, contoso's identity, no
  // group token, no allowlist.
  SidecarConfig standard_config() const;
  // Creates and starts a sidecar (throws on failure).
  std::unique_ptr<RunningSidecar> start_sidecar(SidecarConfig config) const;

  // A vault bearer token of contoso (for GET key).
  std::string contoso_bearer() const;
  // GET /keys/{name} on the vault as contoso: the KeyBundle.
  json get_key(const std::string& name) const;

 private:
  void start_psp();
  void write_security_context();
  void start_attestation();
  void start_identity();
  void start_vault();
  void start_tripwire();
  json create_key(const std::string& name, const std::string& host_data_hex) const;

  ::mpcc::testing::TempDir dir_{"mpcc-skr"};
  http::LocalCaFiles ca_;
  http::TlsFiles tls_;
  std::string ca_cert_;
  http::ClientOptions client_options_;

  std::unique_ptr<platform::sim::PspDaemon> psp_;
  std::thread psp_thread_;
  std::filesystem::path channel_;
  std::string policy_text_;
  std::filesystem::path context_dir_;

  std::unique_ptr<attestation::AttestationService> attestation_;

  std::shared_ptr<identity::IdentityRegistry> identities_;
  std::shared_ptr<identity::IdentityService> identity_service_;
  std::unique_ptr<http::Server> identity_server_;
  std::string identity_url_;
  identity::Identity contoso_, fabrikam_;
  std::string contoso_credential_, fabrikam_credential_;

  std::shared_ptr<keyvault::KeyVault> vault_;
  std::unique_ptr<keyvault::VaultService> vault_service_;
  std::unique_ptr<http::Server> vault_server_;

  std::unique_ptr<http::Server> tripwire_;
  std::atomic<int> tripwire_hits_{0};
};

}  // namespace mpcc::skr::test_env
