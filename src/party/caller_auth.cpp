// File: party/caller_auth.cpp
#include "party/caller_auth.h"

#include <fmt/format.h>

namespace mpcc::party {

CallerAuth::CallerAuth(SecureBytes operator_token, std::vector<PartnerReader> readers,
                       std::shared_ptr<const jose::JwtVerifier> partner_verifier)
    : operator_token_(std::move(operator_token)),
      readers_(std::move(readers)),
      partner_verifier_(std::move(partner_verifier)) {}

StatusOr<std::string> CallerAuth::bearer(const http::Request& request) const {
  auto header = request.header("Authorization");
  if (!header || header->empty()) {
    return unauthenticated("no Authorization header: this route needs the party operator's bearer token");
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (header->size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), header->begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                              std::tolower(static_cast<unsigned char>(b)); })) {
    return unauthenticated("the Authorization header is not a Bearer token");
  }
  return header->substr(kScheme.size());
}

StatusOr<Caller> CallerAuth::require_operator(const http::Request& request) const {
  MPCC_ASSIGN_OR_RETURN(std::string token, bearer(request));
  if (!constant_time_equal(as_span(token), operator_token_)) {
    return unauthenticated("the bearer token is not this party's operator token");
  }
  Caller c;
  c.is_operator = true;
  return c;
}

StatusOr<Caller> CallerAuth::require_operator_or_partner(const http::Request& request) const {
  MPCC_ASSIGN_OR_RETURN(std::string token, bearer(request));
  if (constant_time_equal(as_span(token), operator_token_)) {
    Caller c;
    c.is_operator = true;
    return c;
  }
  if (partner_verifier_ == nullptr || readers_.empty()) {
    return unauthenticated("the bearer token is not this party's operator token (and no partner may read)");
  }
  // Only JWTs get this far; an opaque wrong token is refused without a fetch.
  if (std::count(token.begin(), token.end(), '.') != 2) {
    return unauthenticated("the bearer token is neither the operator token nor a JWT");
  }
  auto verified = partner_verifier_->verify(token);
  if (!verified.ok()) return unauthenticated("partner token: " + verified.status().message());
  const auto& claims = verified->claims;
  const std::string oid = claims.value("oid", std::string());
  if (oid.empty()) return unauthenticated("partner token: no oid claim");
  for (const auto& r : readers_) {
    if (r.object_id == oid) {
      Caller c;
      c.partner = r.name;
      c.object_id = oid;
      return c;
    }
  }
  return permission_denied(fmt::format("partner token: identity {} is not a partner reader here", oid));
}

}  // namespace mpcc::party
