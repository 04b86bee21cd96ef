// A vault on its default key store (PKCS#11, SoftHSM2 under DIR/hsm) is
// stopped and opened again from the same state directory: keys (same
// versions, same key material), policies, access policies, the release
// signer and the audit chain survive; then a tampered audit row is found.
//
// PKCS#11 is process-global (one SoftHSM2 configuration per process at a
// time): every PKCS#11 use of keyvault_test is in this file, and the store is
// closed (stop_vault) before it is opened again.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "keyvault/audit_log.h"
#include "keyvault/test/vault_test_env.h"
#include "keyvault/vault_setup.h"

namespace mpcc::keyvault {
namespace {

using nlohmann::json;
using test_env::Reply;
using test_env::UnwrappedRelease;
using test_env::VaultTestEnv;

std::string version_of(const json& bundle) {
  const std::string kid = bundle.at("key").at("kid").get<std::string>();
  return kid.substr(kid.rfind('/') + 1);
}

// Runs SQL on the vault's database directly, as an attacker with write
// access to the file could.
Status exec_sql(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.string().c_str(), &db) != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return internal_error("sqlite3_open: " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  std::string why = msg != nullptr ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return internal_error("sqlite3_exec: " + why);
  return ok_status();
}

TEST(VaultRestartTest, KeysPoliciesAndAuditSurviveARestartOnSoftHsm) {
  test_env::EnvOptions options;
  options.pkcs11 = true;
  std::unique_ptr<VaultTestEnv> env;
  try {
    env = std::make_unique<VaultTestEnv>(options);
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  ASSERT_EQ(env->vault().options().keys->backend(), "pkcs11");
  const std::filesystem::path db_path = env->state_dir() / kVaultDbFile;

  // ---- before the restart
  const json a1 = env->create_key("persist-a");
  const json a2 = env->create_key("persist-a", 3072);
  const json b = env->create_key("persist-b", 2048, /*exportable=*/false);
  const std::string other_policy = env->policy_data(test_env::kOtherHostData);
  ASSERT_EQ(env->patch("/keys/persist-b", json{{"tags", {{"team", "contoso"}}}}).status, 200);
  const json c = env->create_key("persist-c");
  Reply patched = env->patch("/keys/persist-c",
                             json{{"release_policy", {{"data", other_policy}, {"immutable", true}}}});
  ASSERT_EQ(patched.status, 200) << patched.describe();

  const std::string token = env->attestation_token();
  Reply first = env->release("persist-a", token, json{{"enc", "RSA_AES_KEY_WRAP_256"}},
                             version_of(a1));
  ASSERT_EQ(first.status, 200) << first.describe();
  const UnwrappedRelease before = VaultTestEnv::unwrap(first.body["value"]);
  const Bytes signer_before = before.signer.der();
  const std::size_t records_before = env->audit_records().size();
  ASSERT_GE(records_before, 6u);

  // ---- restart: everything closed (the PKCS#11 store included), reopened
  env->stop_vault();
  env->start_vault();
  ASSERT_EQ(env->vault().options().keys->backend(), "pkcs11");

  // Same versions, same key material, same attributes and policies. The
  // origin is the new listener's, the rest of the kid is unchanged.
  for (const json* old : {&a1, &a2, &b, &c}) {
    const std::string kid = old->at("key").at("kid").get<std::string>();
    const std::string name = kid.substr(kid.find("/keys/") + 6, kid.rfind('/') - kid.find("/keys/") - 6);
    SCOPED_TRACE(name + "/" + version_of(*old));
    Reply got = env->get("/keys/" + name + "/" + version_of(*old));
    ASSERT_EQ(got.status, 200) << got.describe();
    EXPECT_EQ(got.body["key"]["kid"],
              env->vault_url() + "/keys/" + name + "/" + version_of(*old));
    EXPECT_EQ(got.body["key"]["n"], old->at("key").at("n"));
    EXPECT_EQ(got.body["key"]["e"], old->at("key").at("e"));
    EXPECT_EQ(got.body["attributes"]["exportable"], old->at("attributes").at("exportable"));
    EXPECT_EQ(got.body["attributes"]["created"], old->at("attributes").at("created"));
  }
  EXPECT_EQ(version_of(env->get("/keys/persist-a/").body), version_of(a2)) << "latest stays latest";
  EXPECT_EQ(env->get("/keys/persist-a/versions").body["value"].size(), 2u);
  EXPECT_EQ(env->get("/keys/persist-a/" + version_of(a1)).body["release_policy"],
            a1["release_policy"]);
  EXPECT_EQ(env->get("/keys/persist-b").body["tags"], json({{"team", "contoso"}}));
  const json c_after = env->get("/keys/persist-c").body;
  EXPECT_EQ(c_after["release_policy"]["data"], other_policy);
  EXPECT_EQ(c_after["release_policy"]["immutable"], true);
  EXPECT_EQ(env->patch("/keys/persist-c", json{{"release_policy", {{"data", env->policy_data()}}}})
                .layer(),
            "key")
      << "immutability survives the restart";

  // Release still works, gives the same private key, signed by the same
  // release-signing certificate.
  Reply again = env->release("persist-a", env->attestation_token(),
                             json{{"enc", "RSA_AES_KEY_WRAP_384"}}, version_of(a1));
  ASSERT_EQ(again.status, 200) << again.describe();
  const UnwrappedRelease after = VaultTestEnv::unwrap(again.body["value"]);
  EXPECT_TRUE(after.key.public_key().equals(before.key.public_key()));
  EXPECT_EQ(after.key.rsa()->d, before.key.rsa()->d);
  EXPECT_EQ(after.signer.der(), signer_before);
  Reply latest = env->release("persist-a", env->attestation_token());
  ASSERT_EQ(latest.status, 200) << latest.describe();
  EXPECT_EQ(VaultTestEnv::unwrap(latest.body["value"]).key.bits(), 3072u);
  // The stored policies are in force: persist-c's wants the other HOST_DATA.
  EXPECT_EQ(env->release("persist-c", env->attestation_token()).layer(), "release_policy");
  EXPECT_EQ(env->release("persist-c", env->maa().sign(VaultTestEnv::attestation_claims(
                                          env->maa().url(), test_env::kOtherHostData)))
                .status,
            200);
  // Non-exportable stays non-exportable; access policies survive.
  EXPECT_EQ(env->release("persist-b", env->attestation_token()).layer(), "key");
  EXPECT_EQ(env->release("persist-a", env->attestation_token(), json::object(), "",
                         env->bearer(env->no_release()))
                .layer(),
            "access_policy");

  // ---- the audit chain spans both runs and verifies
  {
    auto log = AuditLog::open(db_path);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    auto all = (*log)->list();
    ASSERT_TRUE(all.ok()) << all.status().to_string();
    // After the restart: the refused PATCH, 3 releases, 3 refused releases.
    EXPECT_EQ(all->size(), records_before + 7);
    auto report = (*log)->verify();
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    EXPECT_TRUE(report->ok) << report->problem;
    EXPECT_EQ(report->records, static_cast<int64_t>(all->size()));
    for (std::size_t i = 0; i < all->size(); ++i) {
      EXPECT_EQ((*all)[i].id, static_cast<int64_t>(i + 1));
    }
  }

  // ---- tampering: rewrite one record's reasons behind the log's back
  env->stop_vault();
  ASSERT_TRUE(exec_sql(db_path,
                       "DROP TRIGGER audit_log_no_update;"
                       "UPDATE audit_log SET reasons = '[\"nothing to see here\"]' WHERE id = 2;")
                  .ok());
  auto log = AuditLog::open(db_path);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->bad_record, 2);
  EXPECT_NE(report->problem.find("record 2"), std::string::npos) << report->problem;
  EXPECT_NE(report->problem.find("altered"), std::string::npos) << report->problem;
}

}  // namespace
}  // namespace mpcc::keyvault
