// jose_tool: a thin command line over mpcc::jose, driven by jose_interop.mjs
// to check mpcc against the npm `jose` package. Test tool only: it prints the
// private JWKs it generates (that is its job), so never point it at real keys.
//
//   jose_tool keygen --kty RSA|EC|oct [--bits 2048] [--crv P-256] [--bytes 32] [--kid K]
//   jose_tool public --jwk FILE
//   jose_tool thumbprint --jwk FILE
//   jose_tool sign --jwk FILE --alg RS256 --claims JSON [--header JSON]
//   jose_tool verify --jwk FILE --token T [--alg A]... [--iss I]... [--aud A] [--now T]
//                    [--leeway S] [--no-exp]
//   jose_tool encrypt --jwk FILE --plaintext TEXT [--header JSON] [--enc A256GCM]
//   jose_tool decrypt --jwk FILE --token T
//
// Exit codes: 0 success, 1 refused or failed (the status on stderr), 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/file_io.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace {

using mpcc::Status;
using mpcc::StatusOr;
using nlohmann::json;
namespace jose = mpcc::jose;
namespace crypto = mpcc::crypto;

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;

StatusOr<jose::Jwk> load_jwk(const std::string& path) {
  MPCC_ASSIGN_OR_RETURN(std::string text, mpcc::read_text_file(path));
  return jose::Jwk::parse(text);
}

StatusOr<json> parse_object(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return mpcc::invalid_argument(std::string(what) + " is not a JSON object");
  }
  return j;
}

struct KeygenArgs {
  std::string kty = "RSA";
  std::size_t bits = 2048;
  std::string crv = "P-256";
  std::size_t bytes = 32;
  std::string kid;
};

Status keygen(const KeygenArgs& a) {
  std::optional<jose::Jwk> jwk;
  if (a.kty == "RSA") {
    MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::generate_rsa(a.bits));
    MPCC_ASSIGN_OR_RETURN(jwk, jose::Jwk::from_private_key(key));
  } else if (a.kty == "EC") {
    MPCC_ASSIGN_OR_RETURN(crypto::Curve curve, crypto::curve_from_jwk_name(a.crv));
    MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::generate_ec(curve));
    MPCC_ASSIGN_OR_RETURN(jwk, jose::Jwk::from_private_key(key));
  } else {
    MPCC_ASSIGN_OR_RETURN(jwk, jose::Jwk::from_oct(crypto::random_secret(a.bytes)));
  }
  if (!a.kid.empty()) jwk->set_kid(a.kid);
  std::cout << jwk->to_json().dump() << "\n";
  return mpcc::ok_status();
}

struct SignArgs {
  std::string jwk, alg, claims, header = "{}";
};

Status sign(const SignArgs& a) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(a.jwk));
  MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey key, jwk.to_private_key());
  MPCC_ASSIGN_OR_RETURN(jose::JwsAlg alg, jose::jws_alg_from_name(a.alg));
  MPCC_ASSIGN_OR_RETURN(json claims, parse_object(a.claims, "--claims"));
  MPCC_ASSIGN_OR_RETURN(json header, parse_object(a.header, "--header"));
  if (!jwk.kid().empty() && !header.contains("kid")) header["kid"] = jwk.kid();
  MPCC_ASSIGN_OR_RETURN(std::string token, jose::jwt_sign(alg, key, claims, header));
  std::cout << token << "\n";
  return mpcc::ok_status();
}

struct VerifyArgs {
  std::string jwk, token;
  std::vector<std::string> algs, issuers;
  std::string audience;
  mpcc::UnixSeconds now = 0;
  bool has_now = false;
  int64_t leeway = 60;
  bool no_exp = false;
};

Status verify(const VerifyArgs& a) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(a.jwk));
  jose::JwtVerifierOptions options;
  for (const std::string& name : a.algs) {
    MPCC_ASSIGN_OR_RETURN(jose::JwsAlg alg, jose::jws_alg_from_name(name));
    options.allowed_algs.push_back(alg);
  }
  options.issuers = a.issuers;
  if (!a.audience.empty()) options.audience = a.audience;
  if (a.has_now) options.clock = std::make_shared<mpcc::FixedClock>(a.now);
  options.leeway_seconds = a.leeway;
  options.require_exp = !a.no_exp;
  const jose::Jwk public_key = jwk.is_private() ? jwk.public_only() : jwk;
  const jose::JwtVerifier verifier(jose::single_key_resolver(public_key), options);
  MPCC_ASSIGN_OR_RETURN(jose::VerifiedJwt jwt, verifier.verify(a.token));
  std::cout << json{{"header", jwt.header}, {"claims", jwt.claims}}.dump() << "\n";
  return mpcc::ok_status();
}

struct EncryptArgs {
  std::string jwk, plaintext, header = "{}", enc = "A256GCM";
};

Status encrypt(const EncryptArgs& a) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(a.jwk));
  MPCC_ASSIGN_OR_RETURN(json header, parse_object(a.header, "--header"));
  MPCC_ASSIGN_OR_RETURN(jose::JweEnc enc, jose::jwe_enc_from_name(a.enc));
  if (!jwk.kid().empty() && !header.contains("kid")) header["kid"] = jwk.kid();
  MPCC_ASSIGN_OR_RETURN(std::string token,
                        jose::jwe_encrypt(jwk, mpcc::as_span(a.plaintext), header, enc));
  std::cout << token << "\n";
  return mpcc::ok_status();
}

struct DecryptArgs {
  std::string jwk, token;
};

Status decrypt(const DecryptArgs& a) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(a.jwk));
  MPCC_ASSIGN_OR_RETURN(jose::JweDecrypted out, jose::jwe_decrypt(a.token, jwk));
  std::cout.write(reinterpret_cast<const char*>(out.plaintext.data()),
                  static_cast<std::streamsize>(out.plaintext.size()));
  std::cout.flush();
  return mpcc::ok_status();
}

Status print_public(const std::string& path) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(path));
  if (jwk.kind() == jose::KeyKind::kOct) {
    return mpcc::invalid_argument("an oct key has no public form");
  }
  std::cout << jwk.public_only().to_json().dump() << "\n";
  return mpcc::ok_status();
}

Status print_thumbprint(const std::string& path) {
  MPCC_ASSIGN_OR_RETURN(jose::Jwk jwk, load_jwk(path));
  std::cout << jwk.thumbprint() << "\n";
  return mpcc::ok_status();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jose_tool: mpcc::jose on the command line (interop tests only)"};
  app.require_subcommand(1);
  std::function<Status()> run;

  KeygenArgs keygen_args;
  CLI::App* kg = app.add_subcommand("keygen", "generate a key, print it as a private JWK");
  kg->add_option("--kty", keygen_args.kty)->check(CLI::IsMember({"RSA", "EC", "oct"}));
  kg->add_option("--bits", keygen_args.bits, "RSA modulus bits");
  kg->add_option("--crv", keygen_args.crv, "EC curve")
      ->check(CLI::IsMember({"P-256", "P-384", "P-521"}));
  kg->add_option("--bytes", keygen_args.bytes, "oct key length");
  kg->add_option("--kid", keygen_args.kid);
  kg->callback([&] { run = [&] { return keygen(keygen_args); }; });

  std::string jwk_path;
  CLI::App* pub = app.add_subcommand("public", "print the public form of a JWK");
  pub->add_option("--jwk", jwk_path)->required();
  pub->callback([&] { run = [&] { return print_public(jwk_path); }; });
  CLI::App* tp = app.add_subcommand("thumbprint", "print the RFC 7638 SHA-256 thumbprint");
  tp->add_option("--jwk", jwk_path)->required();
  tp->callback([&] { run = [&] { return print_thumbprint(jwk_path); }; });

  SignArgs sign_args;
  CLI::App* sg = app.add_subcommand("sign", "issue a JWT");
  sg->add_option("--jwk", sign_args.jwk, "private JWK file")->required();
  sg->add_option("--alg", sign_args.alg)->required();
  sg->add_option("--claims", sign_args.claims, "claims as a JSON object")->required();
  sg->add_option("--header", sign_args.header, "extra header members as a JSON object");
  sg->callback([&] { run = [&] { return sign(sign_args); }; });

  VerifyArgs verify_args;
  CLI::App* vf = app.add_subcommand("verify", "verify a JWT, print its header and claims");
  vf->add_option("--jwk", verify_args.jwk, "JWK file (private keys are reduced to public)")
      ->required();
  vf->add_option("--token", verify_args.token)->required();
  vf->add_option("--alg", verify_args.algs, "allowed alg (repeatable; default all)");
  vf->add_option("--iss", verify_args.issuers, "expected issuer (repeatable)");
  vf->add_option("--aud", verify_args.audience, "expected audience");
  CLI::Option* now_option = vf->add_option("--now", verify_args.now, "current time, Unix seconds");
  vf->add_option("--leeway", verify_args.leeway, "clock skew allowed, seconds");
  vf->add_flag("--no-exp", verify_args.no_exp, "do not require exp");
  vf->callback([&] {
    verify_args.has_now = now_option->count() > 0;
    run = [&] { return verify(verify_args); };
  });

  EncryptArgs encrypt_args;
  CLI::App* en =
      app.add_subcommand("encrypt", "JWE: RSA-OAEP-256 to an RSA JWK, dir to an oct JWK");
  en->add_option("--jwk", encrypt_args.jwk)->required();
  en->add_option("--plaintext", encrypt_args.plaintext)->required();
  en->add_option("--header", encrypt_args.header, "extra protected header members");
  en->add_option("--enc", encrypt_args.enc)
      ->check(CLI::IsMember({"A128GCM", "A192GCM", "A256GCM"}));
  en->callback([&] { run = [&] { return encrypt(encrypt_args); }; });

  DecryptArgs decrypt_args;
  CLI::App* de = app.add_subcommand("decrypt", "JWE: decrypt, print the plaintext");
  de->add_option("--jwk", decrypt_args.jwk, "private RSA JWK or oct JWK")->required();
  de->add_option("--token", decrypt_args.token)->required();
  de->callback([&] { run = [&] { return decrypt(decrypt_args); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  try {
    const Status s = run();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
      return kExitRefused;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jose_tool: internal error: %s\n", e.what());
    return kExitRefused;
  }
  return kExitOk;
}
