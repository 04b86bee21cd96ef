// File: skr/transfer_key.h
//
// TransferKey: the ephemeral RSA-2048 key pair a key release is wrapped to
// (spec 2.5 steps 1-2). Its public half is published as the runtime data
// the attestation binds (REPORT_DATA = SHA-256 of it) and MAA copies into
// the token's x-ms-runtime claim, where the key vault finds it:
//
//   {"keys":[{"e":"AQAB","key_ops":["encrypt"],"kid":"<RFC 7638
//   thumbprint>","kty":"RSA","n":"..."}]}
//
// A fresh key per release; the private half never leaves this process and
// is freed (OpenSSL clears RSA private numbers) when the TransferKey goes.
//
//   MPCC_ASSIGN_OR_RETURN(TransferKey tk, TransferKey::generate());
//   ByteSpan runtime = as_span(tk.runtime_data());
//
// Thread-safety: immutable after generate().
#pragma once

#include <string>

#include "common/status.h"
#include "crypto/keys.h"
#include "jose/jwk.h"

namespace mpcc::skr {

inline constexpr std::size_t kTransferKeyBits = 2048;

class TransferKey {
 public:
  // A new key; crypto errors as kInternal.
  static StatusOr<TransferKey> generate();

  const crypto::PrivateKey& private_key() const { return key_; }
  // kty, n, e, key_ops ["encrypt"], kid = its RFC 7638 SHA-256 thumbprint.
  const jose::Jwk& public_jwk() const { return jwk_; }
  // The compact JSON {"keys":[public_jwk()]}.
  const std::string& runtime_data() const { return runtime_data_; }

 private:
  TransferKey(crypto::PrivateKey key, jose::Jwk jwk, std::string runtime_data)
      : key_(std::move(key)), jwk_(std::move(jwk)), runtime_data_(std::move(runtime_data)) {}

  crypto::PrivateKey key_;
  jose::Jwk jwk_;
  std::string runtime_data_;
};

}  // namespace mpcc::skr
