#include "skr/vault_release.h"

#include <nlohmann/json.hpp>

#include "skr/upstream.h"

namespace mpcc::skr {

namespace {

constexpr std::size_t kMaxKeyIdPart = 127;

bool key_id_part(std::string_view part) {
  if (part.empty() || part.size() > kMaxKeyIdPart) return false;
  for (char c : part) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status check_key_id(std::string_view kid) {
  const std::size_t slash = kid.find('/');
  const bool ok = slash == std::string_view::npos
                      ? key_id_part(kid)
                      : key_id_part(kid.substr(0, slash)) && key_id_part(kid.substr(slash + 1));
  if (!ok) {
    return invalid_argument("kid: '" + std::string(kid) +
                            "' is not a key name or name/version (letters, digits and '-', "
                            "at most 127 each)");
  }
  return ok_status();
}

Outcome<std::string> request_key_release(const http::Client& client, const Endpoint& akv,
                                         const std::string& kid, const std::string& bearer_token,
                                         const std::string& maa_token,
                                         const std::string& user_agent) {
  const std::string url =
      akv.https_url("/keys/" + kid + "/release?api-version=" + kKeyVaultApiVersion);
  const http::Headers headers = {{"Authorization", "Bearer " + bearer_token},
                                 {"User-Agent", user_agent}};
  return expect_string_member(Step::kRelease, "key vault " + akv.authority(),
                              client.post_json(url, nlohmann::json{{"target", maa_token}}, headers),
                              "value");
}

}  // namespace mpcc::skr
