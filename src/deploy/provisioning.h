// File: deploy/provisioning.h
//
// The on-disk preparation of a local deployment, each step idempotent (a
// second call keeps what exists): the local CA and server certificates, the
// simulated chip and its chain file, the managed identities with their
// credentials, and the vaults' access policies.
//
// Thread-safety: reentrant functions; the caller serialises runs on one
// directory (LocalDeployment holds DIR/.lock).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/endpoints.h"
#include "deploy/layout.h"
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

// Provisions each missing identity in DIR/identity and keeps its credential
// in DIR/identity/credentials/<name> (0600, directory 0700); existing
// identities are kept as they are. Returns every identity's endpoint entry;
// `notes` gets a line for an existing identity whose credential file is gone
// (its secret cannot be recovered: only its hash is stored).
StatusOr<std::map<std::string, IdentityEndpoint>> ensure_identities(
    const Layout& layout, const std::vector<std::string>& names, std::vector<std::string>& notes);

// One access-policy grant of the default model.
struct AccessGrant {
  std::string identity;                  // identity name
  std::vector<std::string> permissions;  // Key Vault key permission names
};

// The default model's grants on `party`'s vault: the deployer may do
// everything, the party get/list/release, Woodgrove Bank (the partner
// granted both parties' keys) get/release on Contoso's and Fabrikam's.
std::vector<AccessGrant> default_access_grants(const std::string& party);

// Writes (create or replace) each grant into DIR/vaults/<party>/vault.db
// through keyvault::KeyRegistry; creates the vault directory (0700).
// kNotFound when a grant names an identity not in `identities`.
Status apply_access_policies(const Layout& layout, const std::string& party,
                             const std::vector<AccessGrant>& grants,
                             const std::map<std::string, IdentityEndpoint>& identities);

}  // namespace mpcc::deploy
