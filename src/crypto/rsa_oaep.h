// File: crypto/rsa_oaep.h
//
// RSAES-OAEP (RFC 8017 §7.1) with SHA-1, SHA-256 or SHA-384 for both the
// label hash and MGF1, empty label unless given. Decryption errors are
// reported uniformly ("RSA-OAEP: decryption failed") to avoid an oracle.
#pragma once

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "crypto/keys.h"

namespace mpcc::crypto {

StatusOr<Bytes> rsa_oaep_encrypt(const PublicKey& key, HashAlg hash, ByteSpan plaintext,
                                 ByteSpan label = {});
StatusOr<SecureBytes> rsa_oaep_decrypt(const PrivateKey& key, HashAlg hash, ByteSpan ciphertext,
                                       ByteSpan label = {});

}  // namespace mpcc::crypto
