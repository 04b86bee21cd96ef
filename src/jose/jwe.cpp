#include "jose/jwe.h"

#include <stdexcept>
#include <utility>

#include "crypto/aes_gcm.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/rsa_oaep.h"
#include "jose/internal/compact.h"

namespace mpcc::jose {

using nlohmann::json;

namespace {

// A structurally valid compact JWE, not yet decrypted.
struct ParsedJwe {
  json header;
  JweAlg alg;
  JweEnc enc;
  std::string aad;  // ASCII(BASE64URL(UTF8(protected header))), as received
  Bytes encrypted_key;
  Bytes iv;
  Bytes ciphertext;
  Bytes tag;
};

StatusOr<ParsedJwe> parse(std::string_view compact) {
  const std::vector<std::string_view> parts = internal::split_compact(compact);
  if (parts.size() != 5) {
    return invalid_argument("JWE: expected 5 segments, got " + std::to_string(parts.size()));
  }
  MPCC_ASSIGN_OR_RETURN(Bytes header_bytes, internal::decode_segment(parts[0], "JWE", "header"));
  MPCC_ASSIGN_OR_RETURN(json header,
                        internal::parse_json_object(to_string(header_bytes), "JWE", "header"));
  MPCC_ASSIGN_OR_RETURN(std::string alg_name, internal::header_string(header, "alg", "JWE"));
  MPCC_ASSIGN_OR_RETURN(std::string enc_name, internal::header_string(header, "enc", "JWE"));
  MPCC_ASSIGN_OR_RETURN(JweAlg alg, jwe_alg_from_name(alg_name));
  MPCC_ASSIGN_OR_RETURN(JweEnc enc, jwe_enc_from_name(enc_name));
  if (header.contains("zip")) return invalid_argument("JWE: zip is not supported");
  MPCC_RETURN_IF_ERROR(internal::check_crit(header, "JWE"));

  ParsedJwe jwe{std::move(header), alg, enc, std::string(parts[0]), {}, {}, {}, {}};
  MPCC_ASSIGN_OR_RETURN(jwe.encrypted_key,
                        internal::decode_segment(parts[1], "JWE", "encrypted key"));
  MPCC_ASSIGN_OR_RETURN(jwe.iv, internal::decode_segment(parts[2], "JWE", "IV"));
  MPCC_ASSIGN_OR_RETURN(jwe.ciphertext, internal::decode_segment(parts[3], "JWE", "ciphertext"));
  MPCC_ASSIGN_OR_RETURN(jwe.tag, internal::decode_segment(parts[4], "JWE", "authentication tag"));
  if (jwe.iv.size() != crypto::kGcmIvSize) {
    return invalid_argument("JWE: IV must be 12 bytes, got " + std::to_string(jwe.iv.size()));
  }
  if (jwe.tag.size() != crypto::kGcmTagSize) {
    return invalid_argument("JWE: authentication tag must be 16 bytes, got " +
                            std::to_string(jwe.tag.size()));
  }
  return jwe;
}

StatusOr<JweDecrypted> open(ParsedJwe jwe, ByteSpan cek) {
  StatusOr<SecureBytes> plaintext =
      crypto::aes_gcm_open(cek, jwe.iv, as_span(jwe.aad), jwe.ciphertext, jwe.tag);
  if (!plaintext.ok()) return permission_denied("JWE: decryption failed");
  return JweDecrypted{std::move(jwe.header), jwe.alg, jwe.enc, std::move(*plaintext)};
}

Status check_extras(const json& extras) {
  if (!extras.is_object()) return invalid_argument("JWE: header extras must be a JSON object");
  for (const char* name : {"alg", "enc", "zip", "crit"}) {
    if (extras.contains(name)) {
      return invalid_argument(std::string("JWE: header extras must not set ") + name);
    }
  }
  return ok_status();
}

// Seals `plaintext` under `cek` and assembles the five segments.
StatusOr<std::string> seal(JweAlg alg, JweEnc enc, const json& extras, ByteSpan encrypted_key,
                           ByteSpan cek, ByteSpan plaintext) {
  json header = extras;
  header["alg"] = std::string(jwe_alg_name(alg));
  header["enc"] = std::string(jwe_enc_name(enc));
  const std::string header_b64 = crypto::base64url_encode(header.dump());
  const Bytes iv = crypto::random_bytes(crypto::kGcmIvSize);
  MPCC_ASSIGN_OR_RETURN(crypto::GcmSealed sealed,
                        crypto::aes_gcm_seal(cek, iv, as_span(header_b64), plaintext));
  return header_b64 + "." + crypto::base64url_encode(encrypted_key) + "." +
         crypto::base64url_encode(iv) + "." + crypto::base64url_encode(sealed.ciphertext) + "." +
         crypto::base64url_encode(sealed.tag);
}

}  // namespace

std::string_view jwe_alg_name(JweAlg alg) {
  switch (alg) {
    case JweAlg::kRsaOaep:
      return "RSA-OAEP";
    case JweAlg::kRsaOaep256:
      return "RSA-OAEP-256";
    case JweAlg::kDir:
      return "dir";
  }
  throw std::logic_error("jwe_alg_name: bad JweAlg");
}

std::string_view jwe_enc_name(JweEnc enc) {
  switch (enc) {
    case JweEnc::kA128Gcm:
      return "A128GCM";
    case JweEnc::kA192Gcm:
      return "A192GCM";
    case JweEnc::kA256Gcm:
      return "A256GCM";
  }
  throw std::logic_error("jwe_enc_name: bad JweEnc");
}

StatusOr<JweAlg> jwe_alg_from_name(std::string_view name) {
  for (JweAlg alg : {JweAlg::kRsaOaep, JweAlg::kRsaOaep256, JweAlg::kDir}) {
    if (jwe_alg_name(alg) == name) return alg;
  }
  return invalid_argument("JWE: unsupported alg '" + std::string(name) + "'");
}

StatusOr<JweEnc> jwe_enc_from_name(std::string_view name) {
  for (JweEnc enc : {JweEnc::kA128Gcm, JweEnc::kA192Gcm, JweEnc::kA256Gcm}) {
    if (jwe_enc_name(enc) == name) return enc;
  }
  return invalid_argument("JWE: unsupported enc '" + std::string(name) + "'");
}

std::size_t jwe_enc_key_size(JweEnc enc) {
  switch (enc) {
    case JweEnc::kA128Gcm:
      return 16;
    case JweEnc::kA192Gcm:
      return 24;
    case JweEnc::kA256Gcm:
      return 32;
  }
  throw std::logic_error("jwe_enc_key_size: bad JweEnc");
}

StatusOr<std::string> jwe_encrypt_rsa_oaep_256(const crypto::PublicKey& recipient,
                                               ByteSpan plaintext, const json& header_extras,
                                               JweEnc enc) {
  MPCC_RETURN_IF_ERROR(check_extras(header_extras));
  if (recipient.type() != crypto::KeyType::kRsa) {
    return invalid_argument("JWE: RSA-OAEP-256 needs an RSA key");
  }
  const SecureBytes cek = crypto::random_secret(jwe_enc_key_size(enc));
  MPCC_ASSIGN_OR_RETURN(Bytes encrypted_key,
                        crypto::rsa_oaep_encrypt(recipient, crypto::HashAlg::kSha256, cek));
  return seal(JweAlg::kRsaOaep256, enc, header_extras, encrypted_key, cek, plaintext);
}

StatusOr<std::string> jwe_encrypt_dir(ByteSpan cek, ByteSpan plaintext, const json& header_extras,
                                      JweEnc enc) {
  MPCC_RETURN_IF_ERROR(check_extras(header_extras));
  if (cek.size() != jwe_enc_key_size(enc)) {
    return invalid_argument("JWE: key is " + std::to_string(cek.size()) + " bytes, enc " +
                            std::string(jwe_enc_name(enc)) + " needs " +
                            std::to_string(jwe_enc_key_size(enc)));
  }
  return seal(JweAlg::kDir, enc, header_extras, {}, cek, plaintext);
}

StatusOr<std::string> jwe_encrypt(const Jwk& recipient, ByteSpan plaintext,
                                  const json& header_extras, JweEnc enc) {
  switch (recipient.kind()) {
    case KeyKind::kRsa: {
      MPCC_ASSIGN_OR_RETURN(crypto::PublicKey key, recipient.to_public_key());
      return jwe_encrypt_rsa_oaep_256(key, plaintext, header_extras, enc);
    }
    case KeyKind::kOct:
      return jwe_encrypt_dir(recipient.k(), plaintext, header_extras, enc);
    case KeyKind::kEc:
      break;
  }
  return invalid_argument("JWE: cannot encrypt to an EC key (ECDH-ES is not supported)");
}

StatusOr<JweDecrypted> jwe_decrypt_rsa(std::string_view compact, const crypto::PrivateKey& key) {
  MPCC_ASSIGN_OR_RETURN(ParsedJwe jwe, parse(compact));
  if (jwe.alg == JweAlg::kDir) return invalid_argument("JWE: alg dir needs a symmetric key");
  if (key.type() != crypto::KeyType::kRsa) {
    return invalid_argument("JWE: alg " + std::string(jwe_alg_name(jwe.alg)) + " needs an RSA key");
  }
  const crypto::HashAlg hash =
      jwe.alg == JweAlg::kRsaOaep ? crypto::HashAlg::kSha1 : crypto::HashAlg::kSha256;
  const std::size_t cek_size = jwe_enc_key_size(jwe.enc);
  StatusOr<SecureBytes> cek = crypto::rsa_oaep_decrypt(key, hash, jwe.encrypted_key);
  if (!cek.ok() || cek->size() != cek_size) {
    // RFC 7516 §11.5: carry on with a random CEK so that a bad encrypted key
    // and a bad tag are indistinguishable to the sender.
    cek = crypto::random_secret(cek_size);
  }
  return open(std::move(jwe), *cek);
}

StatusOr<JweDecrypted> jwe_decrypt_dir(std::string_view compact, ByteSpan cek) {
  MPCC_ASSIGN_OR_RETURN(ParsedJwe jwe, parse(compact));
  if (jwe.alg != JweAlg::kDir) {
    return invalid_argument("JWE: alg " + std::string(jwe_alg_name(jwe.alg)) +
                            " needs an RSA private key");
  }
  if (!jwe.encrypted_key.empty()) {
    return invalid_argument("JWE: alg dir needs an empty encrypted key");
  }
  if (cek.size() != jwe_enc_key_size(jwe.enc)) {
    return invalid_argument("JWE: key is " + std::to_string(cek.size()) + " bytes, enc " +
                            std::string(jwe_enc_name(jwe.enc)) + " needs " +
                            std::to_string(jwe_enc_key_size(jwe.enc)));
  }
  return open(std::move(jwe), cek);
}

StatusOr<JweDecrypted> jwe_decrypt(std::string_view compact, const Jwk& key) {
  switch (key.kind()) {
    case KeyKind::kOct:
      return jwe_decrypt_dir(compact, key.k());
    case KeyKind::kRsa: {
      if (!key.is_private()) return invalid_argument("JWE: the RSA key has no private part");
      MPCC_ASSIGN_OR_RETURN(crypto::PrivateKey private_key, key.to_private_key());
      return jwe_decrypt_rsa(compact, private_key);
    }
    case KeyKind::kEc:
      break;
  }
  return invalid_argument("JWE: cannot decrypt with an EC key (ECDH-ES is not supported)");
}

}  // namespace mpcc::jose
