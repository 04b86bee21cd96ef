// File: blobstore/azure_config.cpp
//
// Connection string parsing. Setting values are echoed in no message (one of
// them is the key); setting names only when they look like names.
#include "blobstore/azure_config.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "blobstore/internal/ascii.h"
#include "crypto/encoding.h"

namespace mpcc::blobstore {

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view trim(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

Status bad(std::string_view why) {
  return invalid_argument(fmt::format("connection string: {}", why));
}

// A setting name as a message may show it: only when it is a plain word.
std::string shown_name(std::string_view name, std::size_t index) {
  const bool word =
      !name.empty() && name.size() <= 32 &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
          std::string_view::npos;
  return word ? fmt::format("'{}'", name) : fmt::format("number {}", index + 1);
}

StatusOr<std::map<std::string, std::string>> split_settings(std::string_view text) {
  static const std::set<std::string> kKnown = {
      "accountname",           "accountkey",           "blobendpoint",  "defaultendpointsprotocol",
      "endpointsuffix",        "queueendpoint",        "tableendpoint", "fileendpoint",
      "usedevelopmentstorage", "sharedaccesssignature"};
  std::map<std::string, std::string> settings;
  std::size_t index = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view segment = trim(text.substr(start, end - start));
    start = end + 1;
    if (segment.empty()) continue;
    const std::size_t eq = segment.find('=');
    if (eq == std::string_view::npos) {
      return bad(fmt::format("setting number {} is not Name=Value", index + 1));
    }
    const std::string_view name = trim(segment.substr(0, eq));
    std::string key = internal::ascii_lower(name);
    if (kKnown.count(key) == 0)
      return bad(fmt::format("unknown setting {}", shown_name(name, index)));
    if (settings.count(key) != 0) return bad(fmt::format("setting '{}' given twice", name));
    settings.emplace(std::move(key), std::string(trim(segment.substr(eq + 1))));
    ++index;
  }
  return settings;
}

AzureBlobConfig development_storage() {
  AzureBlobConfig config;
  config.account_name = std::string(kAzuriteAccountName);
  StatusOr<Bytes> key = crypto::base64_decode(kAzuriteAccountKey);
  if (!key.ok()) throw std::logic_error("the Azurite account key constant is not base64");
  config.account_key = to_secure(*key);
  config.blob_endpoint = std::string(kAzuriteBlobEndpoint);
  return config;
}

bool valid_account_name(std::string_view name) {
  return name.size() >= 3 && name.size() <= 24 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos;
}

StatusOr<std::string> blob_endpoint(const std::map<std::string, std::string>& settings,
                                    const std::string& account) {
  std::string endpoint;
  if (auto it = settings.find("blobendpoint"); it != settings.end()) {
    endpoint = it->second;
  } else {
    auto protocol_it = settings.find("defaultendpointsprotocol");
    const std::string protocol =
        protocol_it == settings.end() ? "https" : internal::ascii_lower(protocol_it->second);
    if (protocol != "http" && protocol != "https") {
      return bad("DefaultEndpointsProtocol must be http or https");
    }
    auto suffix_it = settings.find("endpointsuffix");
    const std::string suffix = suffix_it == settings.end() ? "core.windows.net" : suffix_it->second;
    if (suffix.empty() || suffix.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                              std::string::npos) {
      return bad("EndpointSuffix is not a DNS suffix");
    }
    endpoint = fmt::format("{}://{}.blob.{}", protocol, account, suffix);
  }
  while (endpoint.ends_with('/')) endpoint.pop_back();
  StatusOr<http::Url> url = http::Url::parse(endpoint);
  if (!url.ok()) return bad("BlobEndpoint is not a valid http or https URL");
  if (url->path_and_query.find('?') != std::string::npos) {
    return bad("BlobEndpoint must not have a query (SAS is not supported)");
  }
  return endpoint;
}

}  // namespace

StatusOr<AzureBlobConfig> parse_connection_string(std::string_view connection_string) {
  MPCC_ASSIGN_OR_RETURN(auto settings, split_settings(connection_string));
  if (auto it = settings.find("usedevelopmentstorage"); it != settings.end()) {
    if (internal::ascii_lower(it->second) != "true")
      return bad("UseDevelopmentStorage must be true when given");
    if (settings.size() != 1) return bad("UseDevelopmentStorage=true takes no other setting");
    return development_storage();
  }
  if (settings.count("sharedaccesssignature") != 0) {
    return bad("SharedAccessSignature is not supported (Shared Key only)");
  }
  AzureBlobConfig config;
  auto name = settings.find("accountname");
  if (name == settings.end() || name->second.empty()) return bad("AccountName is missing");
  if (!valid_account_name(name->second)) {
    return bad("AccountName must be 3-24 lowercase letters and digits");
  }
  config.account_name = name->second;
  auto key = settings.find("accountkey");
  if (key == settings.end() || key->second.empty()) return bad("AccountKey is missing");
  StatusOr<Bytes> decoded = crypto::base64_decode(key->second);
  if (!decoded.ok() || decoded->empty()) return bad("AccountKey is not valid base64");
  config.account_key = to_secure(*decoded);
  secure_wipe(decoded->data(), decoded->size());
  secure_wipe(key->second.data(), key->second.size());
  MPCC_ASSIGN_OR_RETURN(config.blob_endpoint, blob_endpoint(settings, config.account_name));
  return config;
}

}  // namespace mpcc::blobstore
