// File: blobstore/azure_config.h
//
// Where and how the Azure Blob client connects: account, Shared Key, blob
// endpoint, x-ms-version, HTTP client options; and the parser of Azure
// Storage connection strings that fills it.
//
//   MPCC_ASSIGN_OR_RETURN(AzureBlobConfig config, parse_connection_string(
//       "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=...;"
//       "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"));
//   MPCC_ASSIGN_OR_RETURN(std::unique_ptr<BlobStore> store, open_azure_store(std::move(config)));
//
// Accepted settings (names case-insensitive, "Name=Value" separated by ';'):
//   AccountName, AccountKey (base64), BlobEndpoint, DefaultEndpointsProtocol
//   (http|https, default https), EndpointSuffix (default core.windows.net);
//   QueueEndpoint/TableEndpoint/FileEndpoint are ignored. Without BlobEndpoint
//   the endpoint is <protocol>://<account>.blob.<suffix>. The shorthand
//   "UseDevelopmentStorage=true" (alone) means Azurite's defaults.
//   SharedAccessSignature is refused (SAS is not supported).
//
// Errors: kInvalidArgument naming the missing or bad setting; a message never
// contains the key or any part of it.
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "http/client.h"

namespace mpcc::blobstore {

// Azurite's fixed, public development account.
inline constexpr std::string_view kAzuriteAccountName = "devstoreaccount1";
inline constexpr std::string_view kAzuriteAccountKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
inline constexpr std::string_view kAzuriteBlobEndpoint = "http://127.0.0.1:10000/devstoreaccount1";

struct AzureBlobConfig {
  std::string account_name;
  SecureBytes account_key;    // decoded base64 key
  std::string blob_endpoint;  // "http://127.0.0.1:10000/devstoreaccount1" or
                              // "https://acct.blob.core.windows.net"
  std::string api_version = "2025-11-05";
  http::ClientOptions client;  // CA file, timeouts
};

StatusOr<AzureBlobConfig> parse_connection_string(std::string_view connection_string);

}  // namespace mpcc::blobstore
