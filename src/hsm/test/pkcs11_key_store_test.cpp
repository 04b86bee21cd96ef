// Pkcs11KeyStore behaviour beyond the shared contract: SoftHSM2 state
// directory, persistence, PINs, module loading, where the release wrap runs.
#include "hsm/pkcs11_key_store.h"

#include <gtest/gtest.h>

#include <optional>

#include "common/file_io.h"
#include "crypto/key_wrap.h"
#include "crypto/signature.h"
#include "hsm/test/test_support.h"

namespace mpcc::hsm {
namespace {

using crypto::RsaAesWrapAlg;
using testing::softhsm_config;
using testing::TempDir;

std::unique_ptr<Pkcs11KeyStore> open_ok(const Pkcs11Config& config) {
  auto store = Pkcs11KeyStore::open(config);
  if (!store.ok()) throw std::runtime_error(store.status().to_string());
  return std::move(store).value();
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Pkcs11KeyStore, FirstStartWritesSoftHsmConfigAndToken) {
  TempDir dir;
  auto store = open_ok(softhsm_config(dir.path()));
  auto conf = read_text_file(dir.path() / "softhsm2.conf");
  ASSERT_TRUE(conf.ok());
  EXPECT_TRUE(contains(*conf, "directories.tokendir = " + (dir.path() / "tokens").string()));
  EXPECT_TRUE(contains(*conf, "objectstore.backend = file"));
  EXPECT_FALSE(std::filesystem::is_empty(dir.path() / "tokens"));  // the token's directory
  EXPECT_EQ(std::filesystem::status(dir.path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  EXPECT_TRUE(contains(store->module_description(), "SoftHSM")) << store->module_description();
  EXPECT_EQ(store->backend(), "pkcs11");
}

TEST(Pkcs11KeyStore, KeysPersistAcrossReopen) {
  TempDir dir;
  std::optional<KeyInfo> made;
  {
    auto store = open_ok(softhsm_config(dir.path()));
    made = store->generate_rsa("persistent", {.bits = 2048, .extractable = true}).value();
  }  // store closed: module finalised
  Pkcs11Config again = softhsm_config(dir.path());
  again.so_pin.clear();  // the token exists now: no SO PIN needed
  auto store = open_ok(again);
  auto got = store->get("persistent");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_TRUE(got->public_key.equals(made->public_key));
  EXPECT_TRUE(got->extractable);
  EXPECT_EQ(*store->list(), std::vector<std::string>{"persistent"});
  const Bytes m = to_bytes("after restart");
  auto sig = store->sign("persistent", crypto::SignatureAlg::kRsaPkcs1Sha256, m);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      crypto::verify(made->public_key, crypto::SignatureAlg::kRsaPkcs1Sha256, m, *sig).ok());
}

TEST(Pkcs11KeyStore, WrongPinIsUnauthenticated) {
  TempDir dir;
  { open_ok(softhsm_config(dir.path())); }
  Pkcs11Config wrong = softhsm_config(dir.path());
  wrong.user_pin = "not-the-pin";
  auto store = Pkcs11KeyStore::open(wrong);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store.status().message(), "PKCS#11: C_Login(user) failed: CKR_PIN_INCORRECT");
  // The right PIN still works afterwards (the failed open finalised cleanly).
  EXPECT_TRUE(Pkcs11KeyStore::open(softhsm_config(dir.path())).ok());
}

TEST(Pkcs11KeyStore, MissingModuleIsFailedPrecondition) {
  TempDir dir;
  Pkcs11Config c = softhsm_config(dir.path());
  c.module_path = (dir.path() / "no-such-module.so").string();
  auto store = Pkcs11KeyStore::open(c);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(contains(store.status().message(), "PKCS#11: cannot load module '" + c.module_path))
      << store.status().message();
}

TEST(Pkcs11KeyStore, NonModuleFileIsFailedPrecondition) {
  TempDir dir;
  const auto fake = dir.path() / "fake.so";
  ASSERT_TRUE(write_file_atomic(fake, as_span("not an ELF object")).ok());
  Pkcs11Config c = softhsm_config(dir.path() / "state");
  c.module_path = fake.string();
  auto store = Pkcs11KeyStore::open(c);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(contains(store.status().message(), "cannot load module")) << store.status().message();
}

TEST(Pkcs11KeyStore, NoTokenAndNoSoPinIsFailedPrecondition) {
  TempDir dir;
  Pkcs11Config c = softhsm_config(dir.path());
  c.so_pin.clear();
  auto store = Pkcs11KeyStore::open(c);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            "PKCS#11: no token labelled 'mpcc-test' and no SO PIN to initialise one");
}

TEST(Pkcs11KeyStore, RefusesBadConfig) {
  TempDir dir;
  Pkcs11Config c = softhsm_config(dir.path());
  c.user_pin.clear();
  EXPECT_EQ(Pkcs11KeyStore::open(c).status().code(), StatusCode::kInvalidArgument);
  c = softhsm_config(dir.path());
  c.token_label = std::string(33, 'l');
  EXPECT_EQ(Pkcs11KeyStore::open(c).status().code(), StatusCode::kInvalidArgument);
}

TEST(Pkcs11KeyStore, StoresOnOneStateDirectoryShareTheModule) {
  TempDir dir;
  auto first = open_ok(softhsm_config(dir.path()));
  auto second = open_ok(softhsm_config(dir.path()));
  ASSERT_TRUE(first->generate_rsa("shared", {}).ok());
  EXPECT_TRUE(second->get("shared").ok());
  first.reset();  // the module stays initialised for the second store
  EXPECT_TRUE(second->sign("shared", crypto::SignatureAlg::kRsaPssSha256, to_bytes("m")).ok());
}

TEST(Pkcs11KeyStore, AnotherStateDirectoryWhileOpenIsRefused) {
  TempDir dir1;
  TempDir dir2;
  auto first = open_ok(softhsm_config(dir1.path()));
  auto second = Pkcs11KeyStore::open(softhsm_config(dir2.path()));
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(contains(second.status().message(), "already initialised in this process"))
      << second.status().message();
  first.reset();
  EXPECT_TRUE(Pkcs11KeyStore::open(softhsm_config(dir2.path())).ok());
}

TEST(Pkcs11KeyStore, ReleaseWrapRunsOaepInTheModuleWhereItCan) {
  TempDir dir;
  auto store = open_ok(softhsm_config(dir.path()));
  ASSERT_TRUE(store->generate_rsa("rel", {.bits = 2048, .extractable = true}).ok());
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  for (RsaAesWrapAlg alg : {RsaAesWrapAlg::kCkmRsaAesKeyWrap, RsaAesWrapAlg::kRsaAesKeyWrap256,
                            RsaAesWrapAlg::kRsaAesKeyWrap384}) {
    EXPECT_EQ(store->oaep_site(alg), OaepSite::kNotProbed);
    for (int round = 0; round < 2; ++round) {  // the second uses the cached site
      auto blob = store->export_wrapped("rel", tee.public_key(), alg);
      ASSERT_TRUE(blob.ok()) << blob.status().to_string();
      EXPECT_TRUE(crypto::rsa_aes_key_unwrap(tee, alg, *blob).ok());
    }
    EXPECT_NE(store->oaep_site(alg), OaepSite::kNotProbed);
  }
  // Every PKCS#11 module with CKM_RSA_PKCS_OAEP offers SHA-1.
  EXPECT_EQ(store->oaep_site(RsaAesWrapAlg::kCkmRsaAesKeyWrap), OaepSite::kModule);
  EXPECT_NE(store->kwp_mode(), KwpMode::kNotProbed);
}

TEST(Pkcs11KeyStore, WithoutHostKwpCorrectionPaddingModulesRefuseReleases) {
  TempDir dir;
  Pkcs11Config c = softhsm_config(dir.path());
  c.allow_host_kwp_correction = false;
  auto store = open_ok(c);
  EXPECT_EQ(store->kwp_mode(), KwpMode::kNotProbed);
  ASSERT_TRUE(store->generate_rsa("rel", {.bits = 2048, .extractable = true}).ok());
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  auto blob = store->export_wrapped("rel", tee.public_key(), RsaAesWrapAlg::kCkmRsaAesKeyWrap);
  if (store->kwp_mode() == KwpMode::kExact) {
    EXPECT_TRUE(blob.ok()) << blob.status().to_string();
  } else {
    ASSERT_EQ(store->kwp_mode(), KwpMode::kHostCorrected);
    EXPECT_EQ(blob.status().code(), StatusCode::kUnimplemented);
    EXPECT_TRUE(contains(blob.status().message(), "counts zero padding"))
        << blob.status().message();
  }
}

TEST(Pkcs11KeyStore, WithoutHostOaepUnsupportedHashesAreUnimplemented) {
  TempDir dir;
  Pkcs11Config c = softhsm_config(dir.path());
  c.allow_host_oaep = false;
  auto store = open_ok(c);
  ASSERT_TRUE(store->generate_rsa("rel", {.bits = 2048, .extractable = true}).ok());
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  EXPECT_TRUE(
      store->export_wrapped("rel", tee.public_key(), RsaAesWrapAlg::kCkmRsaAesKeyWrap).ok());
  auto blob = store->export_wrapped("rel", tee.public_key(), RsaAesWrapAlg::kRsaAesKeyWrap256);
  if (store->oaep_site(RsaAesWrapAlg::kRsaAesKeyWrap256) == OaepSite::kModule) {
    EXPECT_TRUE(blob.ok()) << blob.status().to_string();
  } else {
    EXPECT_EQ(blob.status().code(), StatusCode::kUnimplemented);
    EXPECT_EQ(blob.status().message(),
              "HSM: the module has no RSA-OAEP with SHA-256 for RSA_AES_KEY_WRAP_256 and "
              "host-side OAEP is disabled");
  }
}

}  // namespace
}  // namespace mpcc::hsm
