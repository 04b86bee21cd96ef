// File: deploy/deployment_record.h
//
// DeploymentRecord: what `mpcc up` must remember between runs, in
// DIR/deployment.json. Today that is the TCP port of every network service:
// the first up picks them (ephemeral, or --base-port N, N+1, ...) and every
// later up reuses them, because URLs end up elsewhere (the attestation
// service's issuer in release policies, the identity service's issuer in the
// vaults' configuration).
//
//   {"format": "mpcc-local-deployment-v1",
//    "components": {"identity": {"port": 40123}, "attestation": {"port": 40124}, ...}}
//
// Thread-safety: plain value and reentrant functions.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace mpcc::deploy {

inline constexpr const char* kDeploymentFormat = "mpcc-local-deployment-v1";

struct DeploymentRecord {
  std::map<std::string, int> ports;  // component name -> TCP port (1-65535)
  bool operator==(const DeploymentRecord&) const = default;
};

nlohmann::json deployment_record_to_json(const DeploymentRecord& r);
// kInvalidArgument "deployment.json: ..." for a wrong format or a bad port.
StatusOr<DeploymentRecord> deployment_record_from_json(const nlohmann::json& j);

// nullopt when the file does not exist; kInvalidArgument when malformed.
StatusOr<std::optional<DeploymentRecord>> read_deployment_record(const std::filesystem::path& path);
// Atomic write, mode 0600.
Status write_deployment_record(const std::filesystem::path& path, const DeploymentRecord& r);

}  // namespace mpcc::deploy
