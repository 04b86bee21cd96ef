// File: blobstore/azure_store.cpp
//
// AzureStore: one REST call per operation (see azure_store.h), signed with
// Shared Key over exactly the headers that are sent, and the answer mapped
// to the shared error statuses (blob_rules.h).
#include "blobstore/azure_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "blobstore/blob_rules.h"
#include "blobstore/internal/ascii.h"
#include "blobstore/internal/http_date.h"
#include "blobstore/internal/list_xml.h"
#include "blobstore/internal/percent_encoding.h"
#include "blobstore/shared_key.h"
#include "http/client.h"

namespace mpcc::blobstore {

namespace {

using internal::KeepSet;
using internal::percent_encode;
using Query = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kMetaPrefix = "x-ms-meta-";

// One REST request, before the headers every request carries.
struct Call {
  std::string method;
  std::string path;  // under the endpoint's path, percent-encoded: "/c" or "/c/dir/a.txt"
  Query query;       // decoded values
  http::Headers headers;
  std::string body;
};

// An ETag as a condition header carries it: quoted, or "*".
std::string condition_value(std::string_view etag) {
  const std::string e = normalize_etag(etag);
  return e == "*" ? e : "\"" + e + "\"";
}

bool is_api_version(std::string_view v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

// The properties an answer's headers carry (Get Blob, Get Blob Properties).
BlobProperties properties_from_headers(const http::ClientResponse& r, const std::string& name) {
  BlobProperties p;
  p.name = name;
  p.etag = normalize_etag(r.header("ETag").value_or(""));
  p.content_type = r.header("Content-Type").value_or("");
  p.last_modified = r.header("Last-Modified").value_or("");
  const std::string length = r.header("Content-Length").value_or("");
  std::uint64_t size = 0;
  auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), size);
  if (ec == std::errc() && ptr == length.data() + length.size()) p.size = size;
  for (const auto& [header, value] : r.headers) {
    std::string h = internal::ascii_lower(header);
    if (h.starts_with(kMetaPrefix)) p.metadata[h.substr(kMetaPrefix.size())] = value;
  }
  return p;
}

// The shared error mapping for an answer that is not the operation's success.
Status upstream_error(const http::ClientResponse& r, std::string_view operation,
                      const std::string& container, const std::optional<std::string>& name) {
  const std::string code = r.header("x-ms-error-code").value_or("");
  const std::string what = name ? quoted_blob(container, *name) : "'" + container + "'";
  const std::string detail = fmt::format("Azure Blob {} {}: HTTP {}{}{}", operation, what, r.status,
                                         code.empty() ? "" : " ", code);
  switch (r.status) {
    case 404:
      if (!name || code == "ContainerNotFound") return container_not_found(container);
      return blob_not_found(container, *name);
    case 412:
      if (name) return condition_not_met(container, *name, "If-Match");
      break;
    case 409:
      if (name && code == "BlobAlreadyExists") return blob_already_exists(container, *name);
      break;
    case 401:
    case 403:
      return permission_denied(detail + " (is the account key right?)");
    default:
      if (r.status >= 500) return unavailable(detail);
      break;
  }
  return internal_error(detail);
}

class AzureStore final : public BlobStore {
 public:
  AzureStore(AzureBlobConfig config, std::string origin, std::string base_path)
      : config_(std::move(config)),
        origin_(std::move(origin)),
        base_path_(std::move(base_path)),
        client_(config_.client) {}

  std::string kind() const override { return "azure"; }
  std::string describe() const override { return "azure " + config_.blob_endpoint; }
  std::string account() const override { return config_.account_name; }
  std::string blob_url(const std::string& container, const std::string& name) const override {
    return config_.blob_endpoint + blob_path(container, name);
  }

  Status create_container(const std::string& container) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    Call call;
    call.method = "PUT";
    call.path = "/" + container;
    call.query = {{"restype", "container"}};
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    const bool exists =
        r.status == 409 && r.header("x-ms-error-code").value_or("") == "ContainerAlreadyExists";
    if (r.status == 201 || exists) return ok_status();
    return upstream_error(r, "create container", container, std::nullopt);
  }

  StatusOr<BlobProperties> put(const std::string& container, const std::string& name,
                               std::string_view data, const PutOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_put(container, name, options));
    BlobProperties p;
    p.name = name;
    p.size = data.size();
    p.content_type = effective_content_type(options.content_type);
    p.metadata = options.metadata;
    Call call;
    call.method = "PUT";
    call.path = blob_path(container, name);
    call.headers = {{"x-ms-blob-type", "BlockBlob"}, {"Content-Type", p.content_type}};
    if (options.if_match) call.headers.emplace_back("If-Match", condition_value(*options.if_match));
    if (options.if_none_match_any) call.headers.emplace_back("If-None-Match", "*");
    for (const auto& [key, value] : options.metadata) {
      call.headers.emplace_back(std::string(kMetaPrefix) + key, value);
    }
    call.body = std::string(data);
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    if (r.status != 201) return upstream_error(r, "put", container, name);
    p.etag = normalize_etag(r.header("ETag").value_or(""));
    p.last_modified = r.header("Last-Modified").value_or("");
    return p;
  }

  StatusOr<Blob> get(const std::string& container, const std::string& name,
                     const GetOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_get(container, name, options));
    Call call;
    call.method = "GET";
    call.path = blob_path(container, name);
    if (options.if_match) call.headers.emplace_back("If-Match", condition_value(*options.if_match));
    if (options.if_none_match) {
      call.headers.emplace_back("If-None-Match", condition_value(*options.if_none_match));
    }
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    Blob blob;
    if (r.status == 304) {
      blob.properties = properties_from_headers(r, name);
      // Azurite's 304 has no ETag: it is the one the condition named.
      if (blob.properties.etag.empty() && options.if_none_match) {
        blob.properties.etag = normalize_etag(*options.if_none_match);
      }
      blob.not_modified = true;
      return blob;
    }
    if (r.status != 200) return upstream_error(r, "get", container, name);
    blob.properties = properties_from_headers(r, name);
    blob.properties.size = r.body.size();
    blob.data = std::move(r.body);
    return blob;
  }

  StatusOr<BlobProperties> properties(const std::string& container,
                                      const std::string& name) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_RETURN_IF_ERROR(validate_blob_name(name));
    Call call;
    call.method = "HEAD";
    call.path = blob_path(container, name);
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    if (r.status != 200) return upstream_error(r, "properties", container, name);
    return properties_from_headers(r, name);
  }

  StatusOr<ListPage> list(const std::string& container, const ListOptions& options) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_ASSIGN_OR_RETURN(int max_results, effective_max_results(options.max_results));
    Call call;
    call.method = "GET";
    call.path = "/" + container;
    call.query = {{"restype", "container"}, {"comp", "list"}, {"include", "metadata"}};
    if (!options.prefix.empty()) call.query.emplace_back("prefix", options.prefix);
    if (!options.marker.empty()) call.query.emplace_back("marker", options.marker);
    call.query.emplace_back("maxresults", std::to_string(max_results));
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    if (r.status != 200) return upstream_error(r, "list", container, std::nullopt);
    return internal::parse_list_blobs_xml(r.body);
  }

  Status remove(const std::string& container, const std::string& name,
                const std::optional<std::string>& if_match) override {
    MPCC_RETURN_IF_ERROR(validate_container_name(container));
    MPCC_RETURN_IF_ERROR(validate_blob_name(name));
    if (if_match) MPCC_RETURN_IF_ERROR(validate_etag_argument("If-Match", *if_match));
    Call call;
    call.method = "DELETE";
    call.path = blob_path(container, name);
    if (if_match) call.headers.emplace_back("If-Match", condition_value(*if_match));
    MPCC_ASSIGN_OR_RETURN(http::ClientResponse r, send(call));
    if (r.status != 202) return upstream_error(r, "delete", container, name);
    return ok_status();
  }

 private:
  static std::string blob_path(const std::string& container, const std::string& name) {
    return "/" + container + "/" + percent_encode(name, KeepSet::kUrlPath);
  }

  // Sends the call, once more after a transport failure when it is a read.
  StatusOr<http::ClientResponse> send(const Call& call) const {
    StatusOr<http::ClientResponse> r = send_once(call);
    const bool idempotent = call.method == "GET" || call.method == "HEAD";
    if (r.ok() || !idempotent || r.status().code() != StatusCode::kUnavailable) return r;
    spdlog::debug("azure blob: retrying {} {}{} after: {}", call.method, base_path_, call.path,
                  r.status().message());
    return send_once(call);
  }

  StatusOr<http::ClientResponse> send_once(const Call& call) const {
    SharedKeyRequest request;
    request.method = call.method;
    request.path = base_path_ + call.path;
    request.query = call.query;
    request.headers = call.headers;
    request.headers.emplace_back("x-ms-date",
                                 internal::format_http_date(std::chrono::system_clock::now()));
    request.headers.emplace_back("x-ms-version", config_.api_version);
    request.content_length = call.body.size();
    std::string url = origin_ + request.path;
    char separator = '?';
    for (const auto& [key, value] : call.query) {
      url += separator + key + "=" + percent_encode(value, KeepSet::kUrlQuery);
      separator = '&';
    }
    http::Headers headers = request.headers;
    headers.emplace_back(
        "Authorization",
        shared_key_authorization(config_.account_name,
                                 ByteSpan(config_.account_key.data(), config_.account_key.size()),
                                 request));
    return client_.request(call.method, url, call.body, "", headers);
  }

  const AzureBlobConfig config_;
  const std::string origin_;     // scheme://host[:port]
  const std::string base_path_;  // the endpoint's path ("/devstoreaccount1" or "")
  const http::Client client_;
};

}  // namespace

StatusOr<std::unique_ptr<BlobStore>> open_azure_store(AzureBlobConfig config) {
  if (config.account_name.empty()) return invalid_argument("Azure Blob: account name is empty");
  if (config.account_key.empty()) return invalid_argument("Azure Blob: account key is empty");
  if (!is_api_version(config.api_version)) {
    return invalid_argument(
        fmt::format("Azure Blob: api_version '{}' is not YYYY-MM-DD", config.api_version));
  }
  while (config.blob_endpoint.ends_with('/')) config.blob_endpoint.pop_back();
  StatusOr<http::Url> url = http::Url::parse(config.blob_endpoint);
  if (!url.ok()) return url.status().with_context("Azure Blob endpoint");
  if (url->path_and_query.find('?') != std::string::npos) {
    return invalid_argument("Azure Blob endpoint must not have a query (SAS is not supported)");
  }
  std::string base_path = url->path_and_query == "/" ? "" : url->path_and_query;
  std::string origin = url->origin();
  return std::unique_ptr<BlobStore>(
      std::make_unique<AzureStore>(std::move(config), std::move(origin), std::move(base_path)));
}

}  // namespace mpcc::blobstore
