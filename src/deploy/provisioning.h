// File: deploy/provisioning.h
//
// The on-disk preparation of a local deployment, each step idempotent (a
// second call keeps what exists): the local CA and server certificates, the
// simulated chip and its chain file, the managed identities with their
// credentials, the vaults' access policies, and each party's directory
// (tokens, config file, security context).
//
// Thread-safety: reentrant functions; the caller serialises runs on one
// directory (LocalDeployment holds DIR/.lock).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/deployment_file.h"
#include "deploy/endpoints.h"
#include "deploy/layout.h"
#include "deploy/party_plan.h"
#include "http/server.h"
#include "http/tls.h"

namespace mpcc::deploy {

// DIR/ca: the local CA (created once) and a certificate for `service`
// (localhost, 127.0.0.1), reissued only when no longer valid.
StatusOr<http::LocalCaFiles> ensure_ca(const Layout& layout);
StatusOr<http::TlsFiles> ensure_service_certificate(const Layout& layout,
                                                    const http::LocalCaFiles& ca,
                                                    const std::string& service);

// Creates the simulated chip in DIR/psp when there is none (as `mpcc psp
// init` with its defaults: Milan; two RSA-4096 keys, seconds), then writes
// VCEK||ASK||ARK to DIR/psp/chain.pem (0644) unless it already holds exactly
// that. Sets `created` when a chip was made. Errors from the chip (a damaged
// chip is kDataLoss, never replaced).
Status ensure_chip(const Layout& layout, bool& created);

// The chip's certificates in the THIM shape (platform/sim/thim.h), for the
// parties' security-context folders. Errors from loading the chip.
StatusOr<nlohmann::json> host_certification(const Layout& layout);

// Provisions each missing identity in DIR/identity and keeps its credential
// in DIR/identity/credentials/<name> (0600, directory 0700); existing
// identities are kept as they are. Returns every identity's endpoint entry;
// `notes` gets a line for an existing identity whose credential file is gone
// (its secret cannot be recovered: only its hash is stored).
StatusOr<std::map<std::string, IdentityEndpoint>> ensure_identities(
    const Layout& layout, const std::vector<std::string>& names, std::vector<std::string>& notes);

// Writes (create or replace) each grant (DeploymentFile::access_grants) into
// DIR/vaults/<vault>/vault.db through keyvault::KeyRegistry; creates the
// vault directory (0700). kNotFound when a grant names an identity not in
// `identities`.
Status apply_access_policies(const Layout& layout, const std::string& vault,
                             const std::vector<AccessGrant>& grants,
                             const std::map<std::string, IdentityEndpoint>& identities);

// DIR/parties/<party> (0700) for a plan: group-token and operator-token
// (created once, kept), party.json (0600, rewritten only when it changes),
// and for a confidential party security-context/ with its policy and `thim`;
// a standard party's leftover security-context/ is removed. Also DIR/blobs
// (0700). Returns whether party.json or the security policy changed (a
// running party then runs with stale settings).
StatusOr<bool> write_party_files(const Layout& layout, const PartyPlan& plan,
                                 const nlohmann::json& thim);

}  // namespace mpcc::deploy
