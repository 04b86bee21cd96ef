// The KeyStore contract, run unchanged against MemoryKeyStore and
// Pkcs11KeyStore (SoftHSM2 in a temporary state directory).
#include "hsm/key_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/key_wrap.h"
#include "crypto/rsa_oaep.h"
#include "crypto/signature.h"
#include "hsm/memory_key_store.h"
#include "hsm/pkcs11_key_store.h"
#include "hsm/test/test_support.h"

namespace mpcc::hsm {
namespace {

using crypto::RsaAesWrapAlg;
using crypto::SignatureAlg;
using testing::TempDir;

struct MemoryBackend {
  static constexpr bool kEveryOaepHashInDecrypt = true;
  static std::unique_ptr<KeyStore> open(const std::filesystem::path&) {
    return std::make_unique<MemoryKeyStore>();
  }
};

struct SoftHsmBackend {
  // SoftHSM2 2.6.1 decrypts RSA-OAEP with SHA-1 only.
  static constexpr bool kEveryOaepHashInDecrypt = false;
  static std::unique_ptr<KeyStore> open(const std::filesystem::path& dir) {
    auto store = Pkcs11KeyStore::open(testing::softhsm_config(dir));
    if (!store.ok()) throw std::runtime_error(store.status().to_string());
    return std::move(store).value();
  }
};

template <typename Backend>
class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Backend::open(dir_.path()); }
  void TearDown() override { store_.reset(); }

  KeyInfo make(std::string_view id, bool extractable = false, std::size_t bits = 2048) {
    auto info = store_->generate_rsa(id, {.bits = bits, .extractable = extractable});
    EXPECT_TRUE(info.ok()) << info.status().to_string();
    return std::move(info).value();
  }

  // Stores a pre-made key under `id` (cheaper than generating one) for tests
  // about names rather than key material.
  KeyInfo put(std::string_view id, bool extractable = false) {
    static const crypto::PrivateKey spare = crypto::PrivateKey::generate_rsa(2048).value();
    auto info = store_->import_rsa(id, spare, extractable);
    EXPECT_TRUE(info.ok()) << info.status().to_string();
    return std::move(info).value();
  }

  TempDir dir_;
  std::unique_ptr<KeyStore> store_;
};

using Backends = ::testing::Types<MemoryBackend, SoftHsmBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryBackend> ? "Memory" : "SoftHsm";
  }
};
TYPED_TEST_SUITE(KeyStoreTest, Backends, BackendNames);

TYPED_TEST(KeyStoreTest, GenerateThenGetGivesTheSamePublicKey) {
  KeyInfo made = this->make("key-1");
  EXPECT_EQ(made.id, "key-1");
  EXPECT_EQ(made.bits, 2048u);
  EXPECT_FALSE(made.extractable);
  EXPECT_EQ(made.public_key.type(), crypto::KeyType::kRsa);
  EXPECT_EQ(made.public_key.rsa()->e, (Bytes{0x01, 0x00, 0x01}));

  auto got = this->store_->get("key-1");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->id, "key-1");
  EXPECT_EQ(got->bits, 2048u);
  EXPECT_FALSE(got->extractable);
  EXPECT_TRUE(got->public_key.equals(made.public_key));

  KeyInfo other = this->make("key-2", /*extractable=*/true);
  EXPECT_TRUE(other.extractable);
  EXPECT_TRUE(this->store_->get("key-2")->extractable);
  EXPECT_FALSE(other.public_key.equals(made.public_key));
}

TYPED_TEST(KeyStoreTest, Generates3072BitKeys) {
  KeyInfo made = this->make("big", false, 3072);
  EXPECT_EQ(made.bits, 3072u);
  EXPECT_EQ(this->store_->get("big")->public_key.bits(), 3072u);
}

TYPED_TEST(KeyStoreTest, SignaturesVerifyWithTheStoredPublicKey) {
  KeyInfo k = this->make("signer");
  const Bytes message = to_bytes("attestation token header.payload");
  for (SignatureAlg alg : {SignatureAlg::kRsaPkcs1Sha256, SignatureAlg::kRsaPssSha256,
                           SignatureAlg::kRsaPkcs1Sha384, SignatureAlg::kRsaPssSha384}) {
    SCOPED_TRACE(std::string(crypto::signature_alg_name(alg)));
    auto sig = this->store_->sign("signer", alg, message);
    ASSERT_TRUE(sig.ok()) << sig.status().to_string();
    EXPECT_EQ(sig->size(), 256u);
    EXPECT_TRUE(crypto::verify(k.public_key, alg, message, *sig).ok());
    Bytes tampered = message;
    tampered[0] ^= 1;
    EXPECT_EQ(crypto::verify(k.public_key, alg, tampered, *sig).code(),
              StatusCode::kPermissionDenied);
  }
  // PKCS#1 v1.5 is deterministic, PSS is not.
  EXPECT_EQ(*this->store_->sign("signer", SignatureAlg::kRsaPkcs1Sha256, message),
            *this->store_->sign("signer", SignatureAlg::kRsaPkcs1Sha256, message));
  EXPECT_NE(*this->store_->sign("signer", SignatureAlg::kRsaPssSha256, message),
            *this->store_->sign("signer", SignatureAlg::kRsaPssSha256, message));
}

TYPED_TEST(KeyStoreTest, SignRefusesEcAlgorithms) {
  this->put("signer");
  auto sig = this->store_->sign("signer", SignatureAlg::kEcdsaP256Sha256, to_bytes("m"));
  EXPECT_EQ(sig.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sig.status().message().find("does not fit an RSA key"), std::string::npos);
}

TYPED_TEST(KeyStoreTest, ExportWrappedUnwrapsToThePkcs8OfTheStoredKey) {
  KeyInfo k = this->make("releasable", /*extractable=*/true);
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  for (RsaAesWrapAlg alg : {RsaAesWrapAlg::kCkmRsaAesKeyWrap, RsaAesWrapAlg::kRsaAesKeyWrap256,
                            RsaAesWrapAlg::kRsaAesKeyWrap384}) {
    SCOPED_TRACE(std::string(crypto::rsa_aes_wrap_name(alg)));
    auto blob = this->store_->export_wrapped("releasable", tee.public_key(), alg);
    ASSERT_TRUE(blob.ok()) << blob.status().to_string();
    auto pkcs8 = crypto::rsa_aes_key_unwrap(tee, alg, *blob);
    ASSERT_TRUE(pkcs8.ok()) << pkcs8.status().to_string();
    // Spec 9.5: modulus bytes of OAEP, then RFC 5649 output of the PKCS#8.
    EXPECT_EQ(blob->size(), 256 + 8 * ((pkcs8->size() + 7) / 8 + 1));
    auto released = crypto::PrivateKey::from_pkcs8_der(*pkcs8);
    ASSERT_TRUE(released.ok()) << released.status().to_string();
    EXPECT_TRUE(released->public_key().equals(k.public_key));
    // The released key signs like the stored one.
    const Bytes m = to_bytes("m");
    auto sig = crypto::sign(*released, SignatureAlg::kRsaPkcs1Sha256, m);
    EXPECT_EQ(*sig, *this->store_->sign("releasable", SignatureAlg::kRsaPkcs1Sha256, m));
  }
  // The OAEP hash is part of the format: a SHA-1 blob does not open as SHA-256.
  auto blob = this->store_->export_wrapped("releasable", tee.public_key(),
                                           RsaAesWrapAlg::kCkmRsaAesKeyWrap);
  ASSERT_TRUE(blob.ok());
  EXPECT_FALSE(crypto::rsa_aes_key_unwrap(tee, RsaAesWrapAlg::kRsaAesKeyWrap256, *blob).ok());
  // Another private key cannot open it.
  auto stranger = crypto::PrivateKey::generate_rsa(2048);
  EXPECT_FALSE(crypto::rsa_aes_key_unwrap(*stranger, RsaAesWrapAlg::kCkmRsaAesKeyWrap, *blob).ok());
}

// The released plaintext is exactly the PKCS#8 DER, whatever its length modulo
// 8 (RFC 5649 pads, and its length field must not count the padding).
TYPED_TEST(KeyStoreTest, ReleasedPkcs8IsExactForAnyLength) {
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  std::set<std::size_t> residues;
  for (int i = 0; i < 20 && residues.size() < 3; ++i) {
    auto own = crypto::PrivateKey::generate_rsa(2048);
    ASSERT_TRUE(own.ok());
    const SecureBytes pkcs8 = own->to_pkcs8_der();
    if (!residues.insert(pkcs8.size() % 8).second) continue;
    const std::string id = "len-" + std::to_string(pkcs8.size());
    ASSERT_TRUE(this->store_->import_rsa(id, *own, /*extractable=*/true).ok());
    auto blob =
        this->store_->export_wrapped(id, tee.public_key(), RsaAesWrapAlg::kCkmRsaAesKeyWrap);
    ASSERT_TRUE(blob.ok()) << blob.status().to_string();
    auto released = crypto::rsa_aes_key_unwrap(tee, RsaAesWrapAlg::kCkmRsaAesKeyWrap, *blob);
    ASSERT_TRUE(released.ok());
    EXPECT_EQ(hex_encode(*released), hex_encode(pkcs8)) << "PKCS#8 of " << pkcs8.size() << " bytes";
  }
  EXPECT_GE(residues.size(), 2u);
}

TYPED_TEST(KeyStoreTest, ExportWrappedRefusesNonExtractableKeys) {
  this->put("kept");
  for (RsaAesWrapAlg alg : {RsaAesWrapAlg::kCkmRsaAesKeyWrap, RsaAesWrapAlg::kRsaAesKeyWrap256}) {
    auto blob =
        this->store_->export_wrapped("kept", testing::wrapping_private_key().public_key(), alg);
    EXPECT_EQ(blob.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(blob.status().message(), "HSM: key 'kept' is not extractable");
  }
}

TYPED_TEST(KeyStoreTest, ExportWrappedChecksTheWrappingKeyFirst) {
  auto ec = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  ASSERT_TRUE(ec.ok());
  // Arguments are checked before the key is looked up.
  auto blob =
      this->store_->export_wrapped("absent", ec->public_key(), RsaAesWrapAlg::kCkmRsaAesKeyWrap);
  EXPECT_EQ(blob.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(blob.status().message().find("wrapping key must be an RSA"), std::string::npos);
}

TYPED_TEST(KeyStoreTest, UnknownIdIsNotFound) {
  const crypto::PublicKey tee = testing::wrapping_private_key().public_key();
  auto expect_not_found = [](const Status& s) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.to_string();
    EXPECT_EQ(s.message(), "HSM: no key 'absent'");
  };
  expect_not_found(this->store_->get("absent").status());
  expect_not_found(this->store_->destroy("absent"));
  expect_not_found(
      this->store_->sign("absent", SignatureAlg::kRsaPkcs1Sha256, to_bytes("m")).status());
  expect_not_found(this->store_->decrypt("absent", crypto::HashAlg::kSha1, Bytes(256)).status());
  expect_not_found(
      this->store_->export_wrapped("absent", tee, RsaAesWrapAlg::kCkmRsaAesKeyWrap).status());
}

TYPED_TEST(KeyStoreTest, DestroyRemovesTheKey) {
  this->put("a");
  this->put("b");
  ASSERT_TRUE(this->store_->destroy("a").ok());
  EXPECT_EQ(this->store_->get("a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->sign("a", SignatureAlg::kRsaPssSha256, to_bytes("m")).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(*this->store_->list(), std::vector<std::string>{"b"});
  EXPECT_EQ(this->store_->destroy("a").code(), StatusCode::kNotFound);
  // The id can be used again, for a new key.
  KeyInfo again = this->make("a");
  EXPECT_TRUE(this->store_->get("a")->public_key.equals(again.public_key));
}

TYPED_TEST(KeyStoreTest, DuplicateIdIsAlreadyExists) {
  KeyInfo first = this->make("dup");
  auto second = this->store_->generate_rsa("dup", {.bits = 2048, .extractable = true});
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(second.status().message(), "HSM: key 'dup' already exists");
  auto imported = this->store_->import_rsa("dup", testing::wrapping_private_key(), true);
  EXPECT_EQ(imported.status().code(), StatusCode::kAlreadyExists);
  auto still = this->store_->get("dup");
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE(still->public_key.equals(first.public_key));
  EXPECT_FALSE(still->extractable);
}

TYPED_TEST(KeyStoreTest, ListIsSorted) {
  EXPECT_TRUE(this->store_->list()->empty());
  this->put("kv-b");
  this->put("kv-a");
  this->put("kv-c");
  EXPECT_EQ(*this->store_->list(), (std::vector<std::string>{"kv-a", "kv-b", "kv-c"}));
}

TYPED_TEST(KeyStoreTest, RefusesBadIdsAndSizes) {
  for (std::string bad : {std::string(), std::string("has space"), std::string("tab\t"),
                          std::string(kMaxKeyIdSize + 1, 'x'), std::string("caf\xc3\xa9")}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(this->store_->generate_rsa(bad, {}).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(this->store_->get(bad).status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(this->store_->generate_rsa(std::string(kMaxKeyIdSize, 'x'), {}).ok());
  for (std::size_t bits : {1024u, 2047u, 8192u}) {
    auto r = this->store_->generate_rsa("sized", {.bits = bits});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bits;
  }
  EXPECT_EQ(this->store_->get("sized").status().code(), StatusCode::kNotFound);
}

TYPED_TEST(KeyStoreTest, ImportedKeysSignAndRelease) {
  auto own = crypto::PrivateKey::generate_rsa(2048);
  ASSERT_TRUE(own.ok());
  auto info = this->store_->import_rsa("byok", *own, /*extractable=*/true);
  ASSERT_TRUE(info.ok()) << info.status().to_string();
  EXPECT_TRUE(info->public_key.equals(own->public_key()));
  const Bytes m = to_bytes("imported");
  auto sig = this->store_->sign("byok", SignatureAlg::kRsaPssSha384, m);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(crypto::verify(own->public_key(), SignatureAlg::kRsaPssSha384, m, *sig).ok());
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  auto blob =
      this->store_->export_wrapped("byok", tee.public_key(), RsaAesWrapAlg::kRsaAesKeyWrap256);
  ASSERT_TRUE(blob.ok()) << blob.status().to_string();
  auto pkcs8 = crypto::rsa_aes_key_unwrap(tee, RsaAesWrapAlg::kRsaAesKeyWrap256, *blob);
  ASSERT_TRUE(pkcs8.ok());
  EXPECT_EQ(crypto::PrivateKey::from_pkcs8_der(*pkcs8)->rsa()->d, own->rsa()->d);

  auto ec = crypto::PrivateKey::generate_ec(crypto::Curve::kP384);
  EXPECT_EQ(this->store_->import_rsa("ec", *ec, false).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(KeyStoreTest, DecryptsRsaOaep) {
  KeyInfo k = this->make("decrypter");
  const Bytes secret = to_bytes("a 32-byte content encryption key");
  auto ct = crypto::rsa_oaep_encrypt(k.public_key, crypto::HashAlg::kSha1, secret);
  ASSERT_TRUE(ct.ok());
  auto pt = this->store_->decrypt("decrypter", crypto::HashAlg::kSha1, *ct);
  ASSERT_TRUE(pt.ok()) << pt.status().to_string();
  EXPECT_EQ(Bytes(pt->begin(), pt->end()), secret);

  Bytes bad = *ct;
  bad[10] ^= 1;
  auto refused = this->store_->decrypt("decrypter", crypto::HashAlg::kSha1, bad);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(), "RSA-OAEP: decryption failed");

  auto ct256 = crypto::rsa_oaep_encrypt(k.public_key, crypto::HashAlg::kSha256, secret);
  auto pt256 = this->store_->decrypt("decrypter", crypto::HashAlg::kSha256, *ct256);
  if (TypeParam::kEveryOaepHashInDecrypt || pt256.ok()) {
    ASSERT_TRUE(pt256.ok()) << pt256.status().to_string();
    EXPECT_EQ(Bytes(pt256->begin(), pt256->end()), secret);
  } else {
    EXPECT_EQ(pt256.status().code(), StatusCode::kUnimplemented);
    EXPECT_NE(pt256.status().message().find("no RSA-OAEP with SHA-256"), std::string::npos);
  }
  EXPECT_EQ(this->store_->decrypt("decrypter", crypto::HashAlg::kSha512, *ct).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(KeyStoreTest, ConcurrentUse) {
  KeyInfo k = this->make("shared", /*extractable=*/true);
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  std::atomic<int> failures{0};
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const Bytes m = to_bytes("message " + std::to_string(t));
      for (int i = 0; i < 5; ++i) {
        auto sig = this->store_->sign("shared", SignatureAlg::kRsaPssSha256, m);
        if (!sig.ok() || !crypto::verify(k.public_key, SignatureAlg::kRsaPssSha256, m, *sig).ok()) {
          ++failures;
        }
      }
      auto blob = this->store_->export_wrapped("shared", tee.public_key(),
                                               RsaAesWrapAlg::kCkmRsaAesKeyWrap);
      if (!blob.ok() ||
          !crypto::rsa_aes_key_unwrap(tee, RsaAesWrapAlg::kCkmRsaAesKeyWrap, *blob).ok()) {
        ++failures;
      }
      auto made = this->store_->generate_rsa("race", {});
      if (made.ok()) {
        ++created;
      } else if (made.status().code() == StatusCode::kAlreadyExists) {
        ++refused;
      } else {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 3);
  EXPECT_EQ(*this->store_->list(), (std::vector<std::string>{"race", "shared"}));
}

}  // namespace
}  // namespace mpcc::hsm
