// File: deploy/layout.h
//
// Layout: where a local deployment keeps everything under its state
// directory DIR (always absolute here). Nothing outside DIR is written.
//
//   DIR/deployment.json        the deployment's record (ports), see deployment_record.h
//   DIR/endpoints.json         what clients need (URLs, CA, identities), see endpoints.h
//   DIR/ca/                    local CA (ca.pem, ca.key) and per-service certificates
//   DIR/psp/                   the simulated chip, the daemon's sockets, chain.pem
//   DIR/identity/              identities.json, token-signing key, credentials/<name> (0600)
//   DIR/attestation/           the attestation service's token-signing key
//   DIR/vaults/<vault>/        one key vault per key-holding party (vault.db, its token)
//   DIR/deployment-file.json   the deployment file the last up used (csv paths absolute)
//   DIR/parties/<party>/       party.json (the app's config), group-token, operator-token
//                              (0600), security-context/ (confidential parties only)
//   DIR/blobs/                 the directory blob store all party apps share
//   DIR/view/view.json         the four-pane view's config (web/view_service.h)
//   DIR/browser/               the profile of the browser `mpcc up --open` starts
//   DIR/logs/<component>.log   stdout+stderr of each process (appended)
//   DIR/run/<component>.pid    pid of each running process
//   DIR/.lock                  held by `up` and `down` while they change things
//
// Thread-safety: plain value.
#pragma once

#include <filesystem>
#include <string>

namespace mpcc::deploy {

struct Layout {
  explicit Layout(std::filesystem::path root_dir) : root(std::move(root_dir)) {}

  std::filesystem::path root;

  std::filesystem::path deployment_json() const { return root / "deployment.json"; }
  std::filesystem::path endpoints_json() const { return root / "endpoints.json"; }
  std::filesystem::path lock_file() const { return root / ".lock"; }
  std::filesystem::path ca_dir() const { return root / "ca"; }
  std::filesystem::path ca_cert() const { return ca_dir() / "ca.pem"; }
  std::filesystem::path psp_dir() const { return root / "psp"; }
  std::filesystem::path psp_chain() const { return psp_dir() / "chain.pem"; }
  std::filesystem::path identity_dir() const { return root / "identity"; }
  std::filesystem::path credentials_dir() const { return identity_dir() / "credentials"; }
  std::filesystem::path credential_file(const std::string& identity) const {
    return credentials_dir() / identity;
  }
  std::filesystem::path attestation_dir() const { return root / "attestation"; }
  std::filesystem::path vaults_dir() const { return root / "vaults"; }
  std::filesystem::path vault_dir(const std::string& party) const { return vaults_dir() / party; }
  std::filesystem::path vault_db(const std::string& party) const {
    return vault_dir(party) / "vault.db";
  }
  std::filesystem::path deployment_file_copy() const { return root / "deployment-file.json"; }
  std::filesystem::path parties_dir() const { return root / "parties"; }
  std::filesystem::path party_dir(const std::string& party) const { return parties_dir() / party; }
  std::filesystem::path party_config(const std::string& party) const {
    return party_dir(party) / "party.json";
  }
  std::filesystem::path group_token(const std::string& party) const {
    return party_dir(party) / "group-token";
  }
  std::filesystem::path operator_token(const std::string& party) const {
    return party_dir(party) / "operator-token";
  }
  std::filesystem::path security_context_dir(const std::string& party) const {
    return party_dir(party) / "security-context";
  }
  // The psp daemon's channel for guest `party` (platform/sim/psp_daemon.h).
  std::filesystem::path guest_channel(const std::string& party) const {
    return psp_dir() / "guests" / (party + ".sock");
  }
  std::filesystem::path blobs_dir() const { return root / "blobs"; }
  std::filesystem::path view_dir() const { return root / "view"; }
  std::filesystem::path view_config() const { return view_dir() / "view.json"; }
  std::filesystem::path browser_dir() const { return root / "browser"; }
  std::filesystem::path logs_dir() const { return root / "logs"; }
  std::filesystem::path run_dir() const { return root / "run"; }
};

}  // namespace mpcc::deploy
