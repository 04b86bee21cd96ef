// File: deploy/endpoints.h
//
// Endpoints: what a running local deployment tells its clients, written to
// DIR/endpoints.json by `mpcc up` (absolute paths, https URLs):
//
//   {"ca_cert": "/abs/DIR/ca/ca.pem",
//    "attestation": "https://127.0.0.1:P", "identity": "https://127.0.0.1:P",
//    "vaults": {"contoso": "https://127.0.0.1:P", ...},
//    "identities": {"deployer": {"client_id", "object_id", "credential_file"}, ...},
//    "psp": {"state_dir": "/abs/DIR/psp", "chain": "/abs/DIR/psp/chain.pem"},
//    "parties": {}, "view": null}
//
// "parties" and "view" belong to later stages (party apps, the multiparty
// view); they are carried through unchanged.
//
// Thread-safety: plain values and reentrant functions.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace mpcc::deploy {

struct IdentityEndpoint {
  std::string client_id;
  std::string object_id;
  std::filesystem::path credential_file;  // 0600; the identity's secret
  bool operator==(const IdentityEndpoint&) const = default;
};

struct Endpoints {
  std::filesystem::path ca_cert;
  std::string attestation;
  std::string identity;
  std::map<std::string, std::string> vaults;  // party -> URL
  std::map<std::string, IdentityEndpoint> identities;
  std::filesystem::path psp_state_dir;
  std::filesystem::path psp_chain;
  nlohmann::json parties = nlohmann::json::object();
  nlohmann::json view = nullptr;
  bool operator==(const Endpoints&) const = default;
};

nlohmann::json endpoints_to_json(const Endpoints& e);
// kInvalidArgument "endpoints.json: ..." naming the first missing or
// mistyped field.
StatusOr<Endpoints> endpoints_from_json(const nlohmann::json& j);

// Writes atomically, mode 0600. Errors from write_file_atomic.
Status write_endpoints(const std::filesystem::path& path, const Endpoints& e);
// kNotFound when absent; kInvalidArgument when not JSON or malformed.
StatusOr<Endpoints> read_endpoints(const std::filesystem::path& path);

}  // namespace mpcc::deploy
