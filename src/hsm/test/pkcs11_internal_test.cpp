// The PKCS#11 layer underneath Pkcs11KeyStore: CKR_* names and codes, and the
// objects the store leaves in the token, inspected through a second session.
#include <gtest/gtest.h>

#include "hsm/internal/pkcs11_module.h"
#include "hsm/internal/pkcs11_session.h"
#include "hsm/internal/pkcs11_token.h"
#include "hsm/pkcs11_key_store.h"
#include "hsm/test/test_support.h"

namespace mpcc::hsm::internal {
namespace {

using testing::softhsm_config;
using testing::TempDir;

TEST(Ckr, NamesAndCodes) {
  EXPECT_EQ(ckr_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
  EXPECT_EQ(ckr_name(CKR_KEY_UNEXTRACTABLE), "CKR_KEY_UNEXTRACTABLE");
  EXPECT_EQ(ckr_name(0x8000abcdUL), "CKR_0x8000abcd");
  EXPECT_EQ(ckr_status_code(CKR_PIN_INCORRECT), StatusCode::kUnauthenticated);
  EXPECT_EQ(ckr_status_code(CKR_KEY_UNEXTRACTABLE), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ckr_status_code(CKR_OBJECT_HANDLE_INVALID), StatusCode::kNotFound);
  EXPECT_EQ(ckr_status_code(CKR_MECHANISM_INVALID), StatusCode::kUnimplemented);
  EXPECT_EQ(ckr_status_code(CKR_DEVICE_ERROR), StatusCode::kUnavailable);
  EXPECT_EQ(ckr_status_code(CKR_TEMPLATE_INCONSISTENT), StatusCode::kInvalidArgument);
  EXPECT_EQ(ckr_status_code(0x8000abcdUL), StatusCode::kInternal);
  Status s = ckr_error(CKR_DEVICE_REMOVED, "C_Sign");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "PKCS#11: C_Sign failed: CKR_DEVICE_REMOVED");
  EXPECT_THROW((void)ckr_error(CKR_OK, "x"), std::logic_error);
}

TEST(Firewall, ExceptionsBecomeFunctionFailed) {
  auto throws = [](int) -> CK_RV { throw std::runtime_error("escaped"); };
  EXPECT_EQ(call(
                +[](int) -> CK_RV { return CKR_OK; }, 1),
            CKR_OK);
  EXPECT_EQ(call(throws, 1), CKR_FUNCTION_FAILED);
  CK_RV (*none)(int) = nullptr;
  EXPECT_EQ(call(none, 1), CKR_FUNCTION_NOT_SUPPORTED);
}

// A second, independent view of the token the store uses.
class TokenView {
 public:
  explicit TokenView(const std::filesystem::path& dir) {
    std::string conf = prepare_softhsm_state_dir(dir).value();
    module_ = Module::acquire(testing::module_path(), conf).value();
    CK_SLOT_ID slot = find_or_init_token(*module_, "mpcc-test", "", "").value();
    pool_ = std::make_unique<SessionPool>(module_, slot);
  }
  Session session() {
    Session s = pool_->acquire().value();
    EXPECT_TRUE(login_user(*module_, s.handle(), testing::kUserPin).ok());
    return s;
  }

 private:
  std::shared_ptr<Module> module_;
  std::unique_ptr<SessionPool> pool_;
};

CK_OBJECT_HANDLE find_key(Session& s, CK_OBJECT_CLASS cls, std::string_view id) {
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, cls).add_string(CKA_ID, id);
  auto found = s.find(t);
  EXPECT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u) << id;
  return found->empty() ? CK_INVALID_HANDLE : found->front();
}

TEST(Pkcs11Objects, KeysHaveTheDocumentedAttributes) {
  TempDir dir;
  auto store = Pkcs11KeyStore::open(softhsm_config(dir.path())).value();
  ASSERT_TRUE(store->generate_rsa("kept", {.bits = 2048, .extractable = false}).ok());
  ASSERT_TRUE(store->generate_rsa("releasable", {.bits = 2048, .extractable = true}).ok());
  TokenView view(dir.path());
  Session s = view.session();

  for (std::string_view id : {"kept", "releasable"}) {
    SCOPED_TRACE(std::string(id));
    CK_OBJECT_HANDLE priv = find_key(s, CKO_PRIVATE_KEY, id);
    EXPECT_TRUE(*s.bool_attribute(priv, CKA_TOKEN));
    EXPECT_TRUE(*s.bool_attribute(priv, CKA_PRIVATE));
    EXPECT_TRUE(*s.bool_attribute(priv, CKA_SENSITIVE));
    EXPECT_TRUE(*s.bool_attribute(priv, CKA_ALWAYS_SENSITIVE));
    EXPECT_TRUE(*s.bool_attribute(priv, CKA_SIGN));
    EXPECT_EQ(*s.bool_attribute(priv, CKA_EXTRACTABLE), id == "releasable");
    EXPECT_EQ(to_string(*s.attribute(priv, CKA_LABEL)), id);
    // Sensitive: the private exponent cannot be read.
    auto d = s.secret_attribute(priv, CKA_PRIVATE_EXPONENT);
    EXPECT_EQ(d.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(d.status().message().find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos);

    CK_OBJECT_HANDLE pub = find_key(s, CKO_PUBLIC_KEY, id);
    EXPECT_TRUE(*s.bool_attribute(pub, CKA_TOKEN));
    EXPECT_TRUE(*s.bool_attribute(pub, CKA_VERIFY));
    EXPECT_TRUE(*s.bool_attribute(pub, CKA_ENCRYPT));
    EXPECT_EQ(*s.attribute(pub, CKA_MODULUS), *s.attribute(priv, CKA_MODULUS));
  }
}

TEST(Pkcs11Objects, TheTokenItselfRefusesToWrapANonExtractableKey) {
  TempDir dir;
  auto store = Pkcs11KeyStore::open(softhsm_config(dir.path())).value();
  ASSERT_TRUE(store->generate_rsa("kept", {.bits = 2048, .extractable = false}).ok());
  TokenView view(dir.path());
  Session s = view.session();
  AttrTemplate t;
  t.add_ulong(CKA_CLASS, CKO_SECRET_KEY)
      .add_ulong(CKA_KEY_TYPE, CKK_AES)
      .add_ulong(CKA_VALUE_LEN, 32)
      .add_bool(CKA_TOKEN, false)
      .add_bool(CKA_WRAP, true);
  CK_MECHANISM gen{CKM_AES_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE kek = CK_INVALID_HANDLE;
  ASSERT_EQ(call(s.fn()->C_GenerateKey, s.handle(), &gen, t.data(), t.size(), &kek), CKR_OK);
  ScopedObject kek_obj(s, kek);
  CK_MECHANISM kwp{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  CK_ULONG len = 0;
  EXPECT_EQ(call(s.fn()->C_WrapKey, s.handle(), &kwp, kek, find_key(s, CKO_PRIVATE_KEY, "kept"),
                 nullptr, &len),
            CKR_KEY_UNEXTRACTABLE);
}

TEST(Pkcs11Objects, ReleasesLeaveNoSessionObjectsBehind) {
  TempDir dir;
  auto store = Pkcs11KeyStore::open(softhsm_config(dir.path())).value();
  ASSERT_TRUE(store->generate_rsa("rel", {.bits = 2048, .extractable = true}).ok());
  const crypto::PrivateKey& tee = testing::wrapping_private_key();
  for (auto alg :
       {crypto::RsaAesWrapAlg::kCkmRsaAesKeyWrap, crypto::RsaAesWrapAlg::kRsaAesKeyWrap256,
        crypto::RsaAesWrapAlg::kRsaAesKeyWrap384}) {
    ASSERT_TRUE(store->export_wrapped("rel", tee.public_key(), alg).ok());
  }
  TokenView view(dir.path());
  Session s = view.session();
  AttrTemplate session_objects;
  session_objects.add_bool(CKA_TOKEN, false);
  EXPECT_TRUE(s.find(session_objects)->empty());
  AttrTemplate all;
  EXPECT_EQ(s.find(all)->size(), 2u);  // the key pair, nothing else
}

}  // namespace
}  // namespace mpcc::hsm::internal
