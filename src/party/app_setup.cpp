// File: party/app_setup.cpp
#include "party/app_setup.h"

#include "blobstore/azure_store.h"
#include "blobstore/directory_store.h"
#include "common/file_io.h"
#include "keyvault/issuer_keys.h"

namespace mpcc::party {

namespace {

StatusOr<std::shared_ptr<blobstore::BlobStore>> open_store(const StorageConfig& storage,
                                                           const http::ClientOptions& client) {
  if (storage.type == "directory") {
    blobstore::DirectoryStoreOptions options;
    options.root = storage.path;
    MPCC_ASSIGN_OR_RETURN(auto store, blobstore::open_directory_store(options));
    return std::shared_ptr<blobstore::BlobStore>(std::move(store));
  }
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(storage.connection_string_file, 8192));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  MPCC_ASSIGN_OR_RETURN(blobstore::AzureBlobConfig azure, blobstore::parse_connection_string(text));
  azure.client = client;
  MPCC_ASSIGN_OR_RETURN(auto store, blobstore::open_azure_store(std::move(azure)));
  return std::shared_ptr<blobstore::BlobStore>(std::move(store));
}

}  // namespace

StatusOr<PartyAppDeps> prepare_party_app(PartyConfig config) {
  PartyAppDeps deps;
  MPCC_ASSIGN_OR_RETURN(deps.secrets, load_party_secrets(config));
  deps.client.ca_cert_path = config.ca_cert.string();
  MPCC_ASSIGN_OR_RETURN(deps.blobs, open_store(config.storage, deps.client));
  if (!config.partner_readers.empty()) {
    keyvault::IssuerKeysOptions options;
    options.client = deps.client;
    auto keys = std::make_shared<keyvault::IssuerKeys>(options);
    jose::JwtVerifierOptions verify;
    verify.allowed_algs = {jose::JwsAlg::kRs256};
    verify.issuers = {config.identity_issuer};
    verify.audience = config.audience;
    // The resolver refers to `keys`: the lambda keeps it alive as long as
    // the verifier.
    auto resolver = keys->resolver(config.identity_issuer);
    deps.partner_verifier = std::make_shared<jose::JwtVerifier>(
        [keys, resolver](const std::optional<std::string>& kid) { return resolver(kid); }, verify);
  }
  deps.config = std::move(config);
  return deps;
}

}  // namespace mpcc::party
