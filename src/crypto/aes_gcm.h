// File: crypto/aes_gcm.h
//
// AES-GCM (AES-128/192/256 by key length; JOSE uses 256) with a 96-bit IV and
// a 128-bit tag. Open fails with kPermissionDenied ("AES-GCM: authentication
// failed") on any tag/AAD/ciphertext mismatch and returns no plaintext.
#pragma once

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::crypto {

inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

struct GcmSealed {
  Bytes ciphertext;
  Bytes tag;  // 16 bytes
};

StatusOr<GcmSealed> aes_gcm_seal(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan plaintext);
StatusOr<SecureBytes> aes_gcm_open(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan ciphertext,
                                   ByteSpan tag);

}  // namespace mpcc::crypto
