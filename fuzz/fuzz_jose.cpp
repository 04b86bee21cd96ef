// File: fuzz/fuzz_jose.cpp
//
// JOSE parsing and verification with fixed keys (the RFC examples of
// src/jose/test/rfc_vectors.h, so the seeds carry tokens that really verify).
// The first input byte picks the entry point for the rest:
//   0  jws_verify with the RFC 7515 A.2 RSA key and the A.3 EC P-256 key
//   1  JwtVerifier (single key: A.2 RSA, clock before the tokens' exp)
//   2  JwtVerifier (single key: A.3 EC)
//   3  jwe_decrypt with the RFC 7516 A.1 RSA key (RSA-OAEP)
//   4  jwe_decrypt with the RFC 7520 5.6 oct key (dir)
//   5  Jwk::parse, 6 JwkSet::parse (JSON text)
// Asserts: a JWS/JWT that verifies has the signing input of one of the RFC
// tokens (nobody can forge a signature over anything else); a JWE that
// decrypts gives the RFC plaintext; a parsed JWK's to_json() parses again to
// the same JSON (and a key set to the same number of keys).
// Thread-safety: libFuzzer's single thread; the keys are parsed once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "jose/test/rfc_vectors.h"
#include "support/fuzz_support.h"

using namespace mpcc;
namespace rfc = mpcc::jose::test;

namespace {

// Before exp (1300819380) of the RFC 7515 tokens; iat/nbf are absent.
constexpr UnixSeconds kTokenTime = 1300819000;

jose::Jwk parse_jwk(std::string_view text) {
  auto jwk = jose::Jwk::parse(text);
  FUZZ_CHECK(jwk.ok(), "fixture: an RFC JWK does not parse");
  return *jwk;
}

std::string_view signing_input(std::string_view compact) {
  return compact.substr(0, compact.rfind('.'));
}

struct Fixture {
  jose::Jwk rsa_sig = parse_jwk(rfc::kRfc7515A2Jwk);
  jose::Jwk ec_sig = parse_jwk(rfc::kRfc7515A3Jwk);
  jose::Jwk rsa_enc = parse_jwk(rfc::kRfc7516A1Jwk);
  jose::Jwk oct_enc = parse_jwk(rfc::kRfc7520S56Jwk);
  crypto::PublicKey rsa_public = rsa_sig.to_public_key().value();
  crypto::PublicKey ec_public = ec_sig.to_public_key().value();
  std::set<std::string_view> signed_inputs{signing_input(rfc::kRfc7515A2Token),
                                           signing_input(rfc::kRfc7515A3Token)};
  jose::JwtVerifier rsa_jwt = verifier(rsa_sig);
  jose::JwtVerifier ec_jwt = verifier(ec_sig);

  static jose::JwtVerifier verifier(const jose::Jwk& key) {
    jose::JwtVerifierOptions options;
    options.clock = std::make_shared<FixedClock>(kTokenTime);
    return jose::JwtVerifier(jose::single_key_resolver(key), options);
  }
};

const Fixture& fixture() {
  static const Fixture* f = new Fixture;
  return *f;
}

void check_signed(const Fixture& f, const std::string& signing_input_text) {
  FUZZ_CHECK(f.signed_inputs.count(signing_input_text) == 1,
             "a JWS verified whose signing input no key ever signed");
}

void fuzz_jws(const Fixture& f, std::string_view token) {
  auto parsed = jose::jws_parse(token);
  if (!parsed.ok()) return;
  FUZZ_CHECK(parsed->header.is_object(), "jws_parse: header is not an object");
  for (const crypto::PublicKey* key : {&f.rsa_public, &f.ec_public}) {
    auto verified = jose::jws_verify(token, *key);
    if (verified.ok()) check_signed(f, verified->signing_input);
  }
}

void fuzz_jwt(const Fixture& f, const jose::JwtVerifier& verifier, std::string_view token) {
  auto verified = verifier.verify(token);
  if (!verified.ok()) return;
  FUZZ_CHECK(verified->claims.is_object(), "a verified JWT's claims are not an object");
  check_signed(f, std::string(signing_input(token)));
}

void fuzz_jwe(const jose::Jwk& key, std::string_view token, std::string_view plaintext) {
  auto decrypted = jose::jwe_decrypt(token, key);
  if (!decrypted.ok()) return;
  std::string_view got(reinterpret_cast<const char*>(decrypted->plaintext.data()),
                       decrypted->plaintext.size());
  FUZZ_CHECK(got == plaintext, "a JWE decrypted to something no one encrypted");
}

void fuzz_jwk(std::string_view text, bool set) {
  if (!set) {
    auto jwk = jose::Jwk::parse(text);
    if (!jwk.ok()) return;
    nlohmann::json once = jwk->to_json();
    auto again = jose::Jwk::from_json(once);
    FUZZ_CHECK(again.ok() && again->to_json() == once, "Jwk: to_json does not round-trip");
    (void)jwk->to_redacted_json();
    return;
  }
  auto keys = jose::JwkSet::parse(text);
  if (!keys.ok()) return;
  auto again = jose::JwkSet::from_json(keys->to_json());
  FUZZ_CHECK(again.ok() && again->keys().size() == keys->keys().size() && again->skipped() == 0,
             "JwkSet: to_json does not round-trip");
}

}  // namespace

FUZZ_SETUP(fixture)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = fixture();
  fuzz::Input in = fuzz::split_input(data, size);
  switch (in.selector % 7) {
    case 0: fuzz_jws(f, in.rest); break;
    case 1: fuzz_jwt(f, f.rsa_jwt, in.rest); break;
    case 2: fuzz_jwt(f, f.ec_jwt, in.rest); break;
    case 3: fuzz_jwe(f.rsa_enc, in.rest, rfc::kRfc7516A1Plaintext); break;
    case 4: fuzz_jwe(f.oct_enc, in.rest, rfc::kRfc7520S5Plaintext); break;
    case 5: fuzz_jwk(in.rest, false); break;
    default: fuzz_jwk(in.rest, true); break;
  }
  return 0;
}
