// File: party/caller_auth.h
//
// CallerAuth: who is calling a party app.
//  - The party's operator: "Authorization: Bearer <operator token>" (the
//    token in the operator_token_file the launcher wrote; constant-time
//    comparison). Needed for every data and key route.
//  - A partner reader (Woodgrove reading Contoso's ciphertext): a managed-
//    identity access token (JWT, RS256) from the configured identity issuer,
//    audience = this app's URL, not expired, whose oid is in
//    partner_readers. Accepted only where a route says so (/company/list).
// The UI shell ("/") and /health need nothing.
//
// Refusals name the failed check ("no Authorization header", "the bearer
// token is not this party's operator token", "partner token: <JWT check>",
// "partner token: identity <oid> is not a partner reader of contoso").
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "http/server.h"
#include "jose/jwt.h"
#include "party/party_config.h"

namespace mpcc::party {

struct Caller {
  bool is_operator = false;
  std::string partner;    // partner reader's name when !operator_
  std::string object_id;  // partner reader's oid
};

class CallerAuth {
 public:
  // `partner_verifier` may be null (no partner readers configured).
  CallerAuth(SecureBytes operator_token, std::vector<PartnerReader> readers,
             std::shared_ptr<const jose::JwtVerifier> partner_verifier);

  // kUnauthenticated when the request is not from the operator.
  StatusOr<Caller> require_operator(const http::Request& request) const;
  // The operator, or a partner reader; kUnauthenticated / kPermissionDenied.
  StatusOr<Caller> require_operator_or_partner(const http::Request& request) const;

 private:
  StatusOr<std::string> bearer(const http::Request& request) const;

  SecureBytes operator_token_;
  std::vector<PartnerReader> readers_;
  std::shared_ptr<const jose::JwtVerifier> partner_verifier_;
};

}  // namespace mpcc::party
