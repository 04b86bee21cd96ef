// File: deploy/cleanup.cpp
//
// LocalDeployment::delete_data and remove_state: what `mpcc down` (without
// --keep) and Ctrl-C on `mpcc up` do besides stopping the processes, as the
// seed's -Cleanup deletes the keys and the consolidated blob. Keys go through
// the vault's API (keyvault/key_client.h), blobs through the blob store's.
#include <fmt/format.h>

#include "blobstore/directory_store.h"
#include "deploy/endpoints.h"
#include "deploy/host_resources.h"
#include "deploy/local_deployment.h"
#include "deploy/vault_keys.h"
#include "keyvault/key_client.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;

namespace {

// Every entry a deployment writes under DIR (layout.h).
constexpr const char* kStateEntries[] = {
    "deployment.json", "endpoints.json", "deployment-file.json", "ca",    "psp",
    "identity",        "attestation",    "vaults",               "parties", "blobs",
    "logs",            "run",            "view",                 "browser", ".lock",
};

void delete_keys(const Layout& layout, const DeploymentFile& file, const Endpoints& e,
                 std::vector<std::string>& out) {
  http::ClientOptions o;
  o.ca_cert_path = layout.ca_cert().string();
  o.connect_timeout_ms = 2000;
  const http::Client client(o);
  StatusOr<std::string> bearer =
      fetch_access_token(o, e.identity, layout.credential_file(kDeployerIdentity));
  if (!bearer.ok()) {
    out.push_back("keys: not deleted through the vaults (" + bearer.status().message() +
                  "); they go with the state directory");
    return;
  }
  for (const std::string& vault : file.vaults()) {
    const PartySpec* holder = file.key_holder(vault);
    auto url = e.vaults.find(vault);
    if (holder == nullptr || url == e.vaults.end()) continue;
    Status s = keyvault::KeyClient(client, url->second, *bearer).delete_key(holder->key);
    if (s.ok()) {
      out.push_back(fmt::format("key {} deleted from vault {}", holder->key, vault));
    } else if (s.code() == StatusCode::kNotFound) {
      out.push_back(fmt::format("key {}: not in vault {}", holder->key, vault));
    } else {
      out.push_back(fmt::format("key {} in vault {}: not deleted ({})", holder->key, vault,
                                s.message()));
    }
  }
}

void delete_blobs(const Layout& layout, const DeploymentFile& file,
                  std::vector<std::string>& out) {
  std::error_code ec;
  if (!fs::is_directory(layout.blobs_dir(), ec)) return;
  auto store = blobstore::open_directory_store({layout.blobs_dir(), /*durable=*/false});
  if (!store.ok()) {
    out.push_back("blobs: " + store.status().message());
    return;
  }
  std::size_t deleted = 0;
  std::string marker;
  do {
    blobstore::ListOptions options;
    options.marker = marker;
    auto page = (*store)->list(file.container, options);
    if (!page.ok()) {
      if (page.status().code() != StatusCode::kNotFound) out.push_back("blobs: " + page.status().message());
      break;
    }
    for (const auto& blob : page->blobs) {
      if ((*store)->remove(file.container, blob.name).ok()) ++deleted;
    }
    marker = page->next_marker;
  } while (!marker.empty());
  out.push_back(fmt::format("{} blob(s) deleted from container {}", deleted, file.container));
}

}  // namespace

StatusOr<std::vector<std::string>> LocalDeployment::delete_data() {
  if (!exists()) return not_found("no deployment in " + layout_.root.string());
  MPCC_ASSIGN_OR_RETURN(DeploymentFile file, recorded_deployment_file());
  std::vector<std::string> out;
  if (StatusOr<Endpoints> e = read_endpoints(layout_.endpoints_json()); e.ok()) {
    delete_keys(layout_, file, *e, out);
  } else {
    out.push_back("keys: no endpoints.json (" + e.status().message() +
                  "); they go with the state directory");
  }
  delete_blobs(layout_, file, out);
  return out;
}

StatusOr<std::vector<std::string>> LocalDeployment::remove_state() {
  if (!exists()) return not_found("no deployment in " + layout_.root.string());
  MPCC_ASSIGN_OR_RETURN(std::vector<Component> components, known_components());
  for (const Component& c : components) {
    if (supervisor_.state(c.name, {}).running) {
      return failed_precondition(fmt::format("{} still runs; stop it first", c.name));
    }
  }
  std::vector<std::string> out;
  std::error_code ec;
  for (const char* entry : kStateEntries) {
    const fs::path p = layout_.root / entry;
    if (!fs::exists(fs::symlink_status(p, ec))) continue;
    fs::remove_all(p, ec);
    if (ec) return unavailable(fmt::format("cannot remove {}: {}", p.string(), ec.message()));
  }
  if (fs::is_empty(layout_.root, ec) && !ec) {
    fs::remove(layout_.root, ec);
    out.push_back("removed " + layout_.root.string());
  } else {
    out.push_back(fmt::format("removed the deployment's files; {} holds other files and stays",
                              layout_.root.string()));
  }
  return out;
}

}  // namespace mpcc::deploy
