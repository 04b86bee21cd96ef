// File: blobstore/azure_store.h
//
// A BlobStore over the Azure Blob REST API with Shared Key authorization:
// Azurite (path-style, http://127.0.0.1:10000/devstoreaccount1) or Azure
// Storage (host-style, https://<account>.blob.core.windows.net). Requests
// (spec azure-sdk-interop.md Part B4): Create Container, Put Blob (BlockBlob,
// Content-Type, x-ms-meta-*, If-Match / If-None-Match: *), Get Blob, Get Blob
// Properties (HEAD), List Blobs (restype=container&comp=list&include=metadata,
// prefix/marker/maxresults, XML read with tinyxml2), Delete Blob. Every
// request carries x-ms-date (now), the pinned x-ms-version and the Shared Key
// signature (shared_key.h) of exactly what is sent. Blob names are
// percent-encoded in the path ('/' kept); ETags are returned unquoted and sent
// quoted in conditions.
//
//   MPCC_ASSIGN_OR_RETURN(AzureBlobConfig config,
//   parse_connection_string("UseDevelopmentStorage=true"));
//   MPCC_ASSIGN_OR_RETURN(std::unique_ptr<BlobStore> store, open_azure_store(std::move(config)));
//
// Errors: the mapping of blob_store.h from the HTTP status and the
// x-ms-error-code header (403 -> kPermissionDenied, 5xx -> kUnavailable,
// other unexpected answers -> kInternal, each with the status and code);
// transport failures kUnavailable (http::Client). GET and HEAD are retried
// once after a transport failure (a connection the server closed).
// Blob reads are bounded by config.client.max_response_bytes
// (kResourceExhausted beyond it). The account key and signatures are never
// logged or put in messages.
//
// Thread-safety: thread-safe (immutable configuration; http::Client opens a
// connection per request).
#pragma once

#include <memory>

#include "blobstore/azure_config.h"
#include "blobstore/blob_store.h"
#include "common/status.h"

namespace mpcc::blobstore {

// kInvalidArgument for a missing account name or key, an api_version that is
// not a date, or an endpoint that is not an http(s) URL without a query.
// Sends nothing: the first operation finds out whether the service answers.
StatusOr<std::unique_ptr<BlobStore>> open_azure_store(AzureBlobConfig config);

}  // namespace mpcc::blobstore
