// File: party/routes_storage.cpp
//
// /storage/config, /storage/list, /storage/download/<blob> (seed-app.md
// 6.17-6.19): what anyone holding storage read access sees — the Snooper's
// view. Only the configured container is reachable (not a proxy for other
// URLs), and what it holds is ciphertext.
#include <fmt/format.h>

#include "party/party_app.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxListed = 10000;

bool printable_text(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
  }
  return true;
}

}  // namespace

http::Response PartyApp::storage_config(const http::Request&) {
  const bool azure = store_.blobs().kind() == "azure";
  return http::Response::json(
      200, {{"storage_account", store_.blobs().account()},
            {"container_name", store_.container()},
            {"blob_endpoint", store_.blobs().describe()},
            {"container_url", store_.blobs().blob_url(store_.container(), "")},
            {"consolidated_blob_name", "records/"},
            {"storage_type", store_.blobs().kind()},
            {"authenticated", true},
            {"auth_method", azure ? "Shared Key" : "Local directory (file permissions)"},
            {"sas_expiry", nullptr}});
}

http::Response PartyApp::storage_list(const http::Request& request) {
  blobstore::ListOptions options;
  options.prefix = request.query_param("prefix").value_or("");
  json blobs = json::array();
  for (;;) {
    auto page = store_.blobs().list(store_.container(), options);
    if (!page.ok()) {
      return error_response(http_status_for(page.status()),
                            "Cannot list the storage container: " + page.status().message());
    }
    for (const auto& b : page->blobs) {
      blobs.push_back({{"name", b.name},
                       {"size", b.size},
                       {"content_type", b.content_type},
                       {"last_modified", b.last_modified},
                       {"etag", b.etag},
                       {"url", store_.blobs().blob_url(store_.container(), b.name)}});
    }
    if (page->next_marker.empty() || blobs.size() >= kMaxListed) break;
    options.marker = page->next_marker;
  }
  return http::Response::json(
      200, {{"status", "success"},
            {"storage_account", store_.blobs().account()},
            {"container", store_.container()},
            {"blob_count", blobs.size()},
            {"blobs", blobs},
            {"message", "Successfully listed blobs from the shared storage"},
            {"security_note", "Anyone with storage access can list and read these blobs; every record "
                              "and data key in them is a JWE (ciphertext)."},
            {"authenticated", true}});
}

http::Response PartyApp::storage_download(const http::Request& request) {
  const std::string& name = request.path_params.at(0);
  auto blob = store_.blobs().get(store_.container(), name);
  if (!blob.ok()) {
    return error_response(http_status_for(blob.status()),
                          fmt::format("Failed to download blob: {}", blob.status().message()),
                          {{"blob_name", name}});
  }
  const bool text = printable_text(blob->data);
  return http::Response::json(
      200, {{"status", "success"},
            {"blob_name", name},
            {"content", text ? blob->data : std::string()},
            {"is_text", text},
            {"size", blob->properties.size},
            {"content_type", blob->properties.content_type},
            {"etag", blob->properties.etag},
            {"security_note", "Read with storage access only, without attestation: what you see is "
                              "ciphertext."},
            {"authenticated", true}});
}

}  // namespace mpcc::party
