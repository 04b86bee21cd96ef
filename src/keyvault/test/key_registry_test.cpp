#include "keyvault/key_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/temp_dir.h"
#include "keyvault/audit_log.h"
#include "keyvault/test/raw_db.h"

namespace mpcc::keyvault {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

using mpcc::keyvault::test_support::RawDb;

std::string version_of(unsigned n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", n);
  return buf;
}

KeyRecord record(const std::string& name, unsigned n) {
  KeyRecord r;
  r.name = name;
  r.version = version_of(n);
  r.kty = "RSA-HSM";
  r.key_size = 2048;
  r.key_ops = {"wrapKey", "unwrapKey"};
  r.attributes.created = 1000 + n;
  r.attributes.updated = 1000 + n;
  r.tags = json{{"party", "contoso"}};
  r.hsm_id = "hsm-" + name + "-" + std::to_string(n);
  return r;
}

void expect_same(const KeyRecord& a, const KeyRecord& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.kty, b.kty);
  EXPECT_EQ(a.key_size, b.key_size);
  EXPECT_EQ(a.key_ops, b.key_ops);
  EXPECT_EQ(a.attributes.enabled, b.attributes.enabled);
  EXPECT_EQ(a.attributes.exportable, b.attributes.exportable);
  EXPECT_EQ(a.attributes.not_before, b.attributes.not_before);
  EXPECT_EQ(a.attributes.expires, b.attributes.expires);
  EXPECT_EQ(a.attributes.created, b.attributes.created);
  EXPECT_EQ(a.attributes.updated, b.attributes.updated);
  EXPECT_EQ(a.tags, b.tags);
  ASSERT_EQ(a.release_policy.has_value(), b.release_policy.has_value());
  if (a.release_policy) {
    EXPECT_EQ(a.release_policy->content_type, b.release_policy->content_type);
    EXPECT_EQ(a.release_policy->data, b.release_policy->data);
    EXPECT_EQ(a.release_policy->immutable, b.release_policy->immutable);
  }
  EXPECT_EQ(a.hsm_id, b.hsm_id);
}

std::vector<std::string> versions_of(const std::vector<KeyRecord>& v) {
  std::vector<std::string> out;
  for (const KeyRecord& r : v) out.push_back(r.version);
  return out;
}

class KeyRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyRegistry> open_registry() {
    auto reg = KeyRegistry::open(path_);
    EXPECT_TRUE(reg.ok()) << reg.status().to_string();
    return reg.ok() ? std::move(*reg) : nullptr;
  }
  void SetUp() override {
    reg_ = open_registry();
    ASSERT_NE(reg_, nullptr);
  }

  mpcc::testing::TempDir dir_{"mpcc-keyreg"};
  fs::path path_ = dir_.path() / "vault.db";
  std::unique_ptr<KeyRegistry> reg_;
};

// ------------------------------------------------------------------- keys

TEST_F(KeyRegistryTest, InsertThenFindReturnsEverythingAsGiven) {
  KeyRecord r = record("contoso-key", 1);
  r.kty = "RSA";
  r.key_size = 3072;
  r.key_ops = {"encrypt", "decrypt", "wrapKey", "unwrapKey"};
  r.attributes.enabled = false;
  r.attributes.exportable = true;
  r.attributes.not_before = 1700000000;
  r.attributes.expires = 1800000000;
  r.tags = json{{"party", "contoso"}, {"env", ""}};
  r.release_policy = StoredReleasePolicy{"application/json; charset=utf-8", "eyJhbnlPZiI6W119", true};
  ASSERT_TRUE(reg_->insert(r).ok());

  auto got = reg_->find("contoso-key", r.version);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  expect_same(*got, r);
}

TEST_F(KeyRegistryTest, AbsentOptionalsStayAbsent) {
  KeyRecord r = record("plain", 1);
  r.key_ops.clear();
  r.tags = json::object();
  ASSERT_TRUE(reg_->insert(r).ok());
  auto got = reg_->find("plain", r.version);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->attributes.not_before.has_value());
  EXPECT_FALSE(got->attributes.expires.has_value());
  EXPECT_FALSE(got->release_policy.has_value());
  EXPECT_TRUE(got->key_ops.empty());
  EXPECT_EQ(got->tags, json::object());
}

TEST_F(KeyRegistryTest, LatestIsTheLastInsertedVersion) {
  // Versions are random in practice: insertion order, not version order, decides.
  ASSERT_TRUE(reg_->insert(record("k", 9)).ok());
  auto first = reg_->latest("k");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->version, version_of(9));

  ASSERT_TRUE(reg_->insert(record("k", 2)).ok());
  auto second = reg_->latest("k");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, version_of(2));
  EXPECT_EQ(second->hsm_id, "hsm-k-2");

  // The old version is still there.
  EXPECT_TRUE(reg_->find("k", version_of(9)).ok());
}

TEST_F(KeyRegistryTest, VersionsAreOldestFirst) {
  for (unsigned n : {5u, 1u, 3u}) ASSERT_TRUE(reg_->insert(record("k", n)).ok());
  ASSERT_TRUE(reg_->insert(record("other", 4)).ok());
  auto v = reg_->versions("k");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(versions_of(*v), (std::vector<std::string>{version_of(5), version_of(1), version_of(3)}));
}

TEST_F(KeyRegistryTest, ListLatestGivesNewestVersionOfEachKeySortedByName) {
  auto empty = reg_->list_latest();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(reg_->insert(record("woodgrove", 1)).ok());
  ASSERT_TRUE(reg_->insert(record("contoso", 2)).ok());
  ASSERT_TRUE(reg_->insert(record("fabrikam", 3)).ok());
  ASSERT_TRUE(reg_->insert(record("contoso", 4)).ok());
  ASSERT_TRUE(reg_->insert(record("woodgrove", 0)).ok());

  auto all = reg_->list_latest();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "contoso");
  EXPECT_EQ((*all)[0].version, version_of(4));
  EXPECT_EQ((*all)[1].name, "fabrikam");
  EXPECT_EQ((*all)[1].version, version_of(3));
  EXPECT_EQ((*all)[2].name, "woodgrove");
  EXPECT_EQ((*all)[2].version, version_of(0));
}

TEST_F(KeyRegistryTest, NotFoundUsesAzureWords) {
  auto latest = reg_->latest("missing-key");
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(latest.status().message(),
            "A key with (name/id) missing-key was not found in this key vault.");

  auto versions = reg_->versions("missing-key");
  EXPECT_EQ(versions.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(versions.status().message(),
            "A key with (name/id) missing-key was not found in this key vault.");

  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  auto find = reg_->find("k", version_of(2));
  ASSERT_FALSE(find.ok());
  EXPECT_EQ(find.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(find.status().message(), "A key with (name/id) k/" + version_of(2) +
                                         " was not found in this key vault.");
  // Same version under another name is another key.
  EXPECT_EQ(reg_->find("k2", version_of(1)).status().code(), StatusCode::kNotFound);

  // A 127-character name plus version is quoted whole.
  std::string long_name(127, 'a');
  EXPECT_EQ(reg_->find(long_name, version_of(1)).status().message(),
            "A key with (name/id) " + long_name + "/" + version_of(1) +
                " was not found in this key vault.");
}

TEST_F(KeyRegistryTest, UpdateRewritesOnlyTheMutableFields) {
  KeyRecord r = record("k", 1);
  ASSERT_TRUE(reg_->insert(r).ok());
  ASSERT_TRUE(reg_->insert(record("k", 2)).ok());

  KeyRecord changed = r;
  // Mutable.
  changed.key_ops = {"sign"};
  changed.attributes.enabled = false;
  changed.attributes.not_before = 5;
  changed.attributes.expires = 6;
  changed.attributes.updated = 7777;
  changed.tags = json{{"new", "tag"}};
  changed.release_policy = StoredReleasePolicy{"application/json", "e30", false};
  // Immutable: must be ignored.
  changed.kty = "EC";
  changed.key_size = 1;
  changed.attributes.exportable = true;
  changed.attributes.created = 42;
  changed.hsm_id = "elsewhere";
  ASSERT_TRUE(reg_->update(changed).ok());

  auto got = reg_->find("k", r.version);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->key_ops, std::vector<std::string>{"sign"});
  EXPECT_FALSE(got->attributes.enabled);
  EXPECT_EQ(got->attributes.not_before, 5);
  EXPECT_EQ(got->attributes.expires, 6);
  EXPECT_EQ(got->attributes.updated, 7777);
  EXPECT_EQ(got->tags, (json{{"new", "tag"}}));
  ASSERT_TRUE(got->release_policy.has_value());
  EXPECT_EQ(got->release_policy->content_type, "application/json");
  EXPECT_EQ(got->release_policy->data, "e30");
  EXPECT_FALSE(got->release_policy->immutable);

  EXPECT_EQ(got->kty, r.kty);
  EXPECT_EQ(got->key_size, r.key_size);
  EXPECT_EQ(got->attributes.exportable, r.attributes.exportable);
  EXPECT_EQ(got->attributes.created, r.attributes.created);
  EXPECT_EQ(got->hsm_id, r.hsm_id);

  // The other version is untouched and still the latest.
  auto other = reg_->find("k", version_of(2));
  ASSERT_TRUE(other.ok());
  expect_same(*other, record("k", 2));
  EXPECT_EQ(reg_->latest("k")->version, version_of(2));

  // Clearing optionals.
  changed.attributes.not_before.reset();
  changed.attributes.expires.reset();
  changed.release_policy.reset();
  ASSERT_TRUE(reg_->update(changed).ok());
  got = reg_->find("k", r.version);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->attributes.not_before.has_value());
  EXPECT_FALSE(got->attributes.expires.has_value());
  EXPECT_FALSE(got->release_policy.has_value());
}

TEST_F(KeyRegistryTest, UpdateOfAbsentVersionIsNotFound) {
  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  Status s = reg_->update(record("k", 2));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "A key with (name/id) k/" + version_of(2) + " was not found in this key vault.");
  EXPECT_EQ(reg_->update(record("nope", 1)).code(), StatusCode::kNotFound);
}

TEST_F(KeyRegistryTest, UpdateRefusesBadTags) {
  KeyRecord r = record("k", 1);
  ASSERT_TRUE(reg_->insert(r).ok());
  r.tags = json{{"n", 1}};
  EXPECT_EQ(reg_->update(r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->find("k", r.version)->tags, (json{{"party", "contoso"}}));
}

TEST_F(KeyRegistryTest, RemoveReturnsEveryVersionThenNotFound) {
  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  ASSERT_TRUE(reg_->insert(record("other", 2)).ok());
  ASSERT_TRUE(reg_->insert(record("k", 3)).ok());

  auto removed = reg_->remove("k");
  ASSERT_TRUE(removed.ok()) << removed.status().to_string();
  EXPECT_EQ(versions_of(*removed), (std::vector<std::string>{version_of(1), version_of(3)}));
  EXPECT_EQ((*removed)[0].hsm_id, "hsm-k-1");
  EXPECT_EQ((*removed)[1].hsm_id, "hsm-k-3");

  EXPECT_EQ(reg_->latest("k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reg_->find("k", version_of(1)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reg_->versions("k").status().code(), StatusCode::kNotFound);
  auto again = reg_->remove("k");
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(again.status().message(), "A key with (name/id) k was not found in this key vault.");

  // Other keys are untouched.
  EXPECT_TRUE(reg_->latest("other").ok());
  auto all = reg_->list_latest();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);

  // The name and its hsm ids can be used again.
  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  EXPECT_EQ(reg_->versions("k")->size(), 1u);
}

TEST_F(KeyRegistryTest, DuplicatesAreAlreadyExists) {
  KeyRecord r = record("k", 1);
  ASSERT_TRUE(reg_->insert(r).ok());

  KeyRecord same_version = record("k", 1);
  same_version.hsm_id = "fresh";
  Status s = reg_->insert(same_version);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("k/" + version_of(1)));

  KeyRecord same_hsm = record("other", 2);
  same_hsm.hsm_id = r.hsm_id;
  s = reg_->insert(same_hsm);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("hsm_id"));

  // Nothing of the refused inserts was stored.
  EXPECT_EQ(reg_->find("k", version_of(1))->hsm_id, r.hsm_id);
  EXPECT_EQ(reg_->latest("other").status().code(), StatusCode::kNotFound);
}

TEST_F(KeyRegistryTest, InvalidNamesAreRefused) {
  const std::vector<std::string> bad = {
      "", std::string(128, 'a'), "under_score", "a/b", "ключ", "sp ace", "dot.ted", std::string("nul\0x", 5)};
  for (const std::string& name : bad) {
    Status s = check_key_name(name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(s.message(), HasSubstr("is invalid")) << name;
    KeyRecord r = record("x", 1);
    r.name = name;
    EXPECT_EQ(reg_->insert(r).code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_THAT(check_key_name("a_b").message(), HasSubstr("key name \"a_b\" is invalid: "));
  auto all = reg_->list_latest();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(KeyRegistryTest, InvalidNameMessageIsBoundedAndAscii) {
  std::string huge(5000, '_');
  Status s = check_key_name(huge);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_LT(s.message().size(), 250u);

  std::string binary = "\xff\xfe-key";
  s = check_key_name(binary);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\\xff\\xfe-key"));
  EXPECT_NO_THROW((void)json(s.message()).dump());
}

TEST_F(KeyRegistryTest, ValidNames) {
  for (const std::string& name :
       {std::string("a"), std::string("0"), std::string("-"), std::string("Contoso-Key-01"),
        std::string(127, 'Z')}) {
    EXPECT_TRUE(check_key_name(name).ok()) << name;
  }
  KeyRecord r = record(std::string(127, 'Z'), 1);
  ASSERT_TRUE(reg_->insert(r).ok());
  EXPECT_TRUE(reg_->latest(std::string(127, 'Z')).ok());
}

TEST_F(KeyRegistryTest, KeyVersions) {
  EXPECT_TRUE(is_key_version("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(is_key_version(version_of(7)));
  for (const std::string v : {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
                              "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdeg",
                              "0123456789abcdef-123456789abcdef"}) {
    EXPECT_FALSE(is_key_version(v)) << v;
    KeyRecord r = record("k", 1);
    r.version = v;
    Status s = reg_->insert(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << v;
    EXPECT_THAT(s.message(), HasSubstr("version")) << v;
  }
}

TEST_F(KeyRegistryTest, TagsKtyAndHsmIdAreChecked) {
  const std::vector<json> bad_tags = {json::array({"a"}), json("text"), json(nullptr),
                                      json{{"n", 1}}, json{{"b", true}},
                                      json{{"o", json::object()}}, json{{"ok", "x"}, {"z", nullptr}}};
  for (const json& tags : bad_tags) {
    KeyRecord r = record("k", 1);
    r.tags = tags;
    Status s = reg_->insert(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << tags.dump();
    EXPECT_THAT(s.message(), HasSubstr("tags")) << tags.dump();
  }
  KeyRecord no_kty = record("k", 1);
  no_kty.kty.clear();
  EXPECT_EQ(reg_->insert(no_kty).code(), StatusCode::kInvalidArgument);
  KeyRecord no_hsm = record("k", 1);
  no_hsm.hsm_id.clear();
  EXPECT_EQ(reg_->insert(no_hsm).code(), StatusCode::kInvalidArgument);
  KeyRecord bad_utf8 = record("k", 1);
  bad_utf8.tags = json{{"t", "\xff"}};
  EXPECT_EQ(reg_->insert(bad_utf8).code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(reg_->latest("k").status().code(), StatusCode::kNotFound);
  KeyRecord fine = record("k", 1);
  fine.tags = json{{"a", ""}, {"b", "two"}};
  EXPECT_TRUE(reg_->insert(fine).ok());
}

// ------------------------------------------------------------ the file

TEST_F(KeyRegistryTest, ReopenKeepsEverything) {
  KeyRecord r1 = record("contoso", 1);
  r1.release_policy = StoredReleasePolicy{};
  r1.release_policy->data = "eyJ2ZXJzaW9uIjoiMS4wLjAifQ";
  KeyRecord r2 = record("contoso", 2);
  KeyRecord r3 = record("fabrikam", 3);
  for (const KeyRecord& r : {r1, r2, r3}) ASSERT_TRUE(reg_->insert(r).ok());
  AccessPolicy p{"oid-1", "contoso", {"get", "release"}};
  ASSERT_TRUE(reg_->set_access_policy(p).ok());
  reg_.reset();

  auto reopened = open_registry();
  ASSERT_NE(reopened, nullptr);
  auto v = reopened->versions("contoso");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 2u);
  expect_same((*v)[0], r1);
  expect_same((*v)[1], r2);
  expect_same(*reopened->latest("fabrikam"), r3);
  auto got = reopened->access_policy("oid-1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->key_permissions, (std::set<std::string>{"get", "release"}));

  // Insertion order survives too: a new version becomes the latest.
  ASSERT_TRUE(reopened->insert(record("contoso", 0)).ok());
  EXPECT_EQ(reopened->latest("contoso")->version, version_of(0));
}

TEST_F(KeyRegistryTest, SharesTheFileWithTheAuditLogRegistryFirst) {
  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  AuditEntry e;
  e.actor = "oid-1";
  e.action = "create";
  e.vault = "contoso";
  e.key_name = "k";
  e.key_version = version_of(1);
  e.decision = AuditDecision::kAllow;
  {
    auto log = AuditLog::open(path_);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    ASSERT_TRUE((*log)->append(e).ok());
    ASSERT_TRUE(reg_->insert(record("k", 2)).ok());
    ASSERT_TRUE((*log)->append(e).ok());
  }
  reg_.reset();

  auto reg = open_registry();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->versions("k")->size(), 2u);
  auto log = AuditLog::open(path_);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 2);
}

TEST(KeyRegistryFile, SharesTheFileWithTheAuditLogAuditFirst) {
  mpcc::testing::TempDir dir("mpcc-keyreg");
  fs::path path = dir.path() / "vault.db";
  AuditEntry e;
  e.actor = "oid-1";
  e.action = "get";
  e.decision = AuditDecision::kDeny;
  {
    auto log = AuditLog::open(path);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    ASSERT_TRUE((*log)->append(e).ok());
    auto reg = KeyRegistry::open(path);
    ASSERT_TRUE(reg.ok()) << reg.status().to_string();
    ASSERT_TRUE((*reg)->insert(record("k", 1)).ok());
    ASSERT_TRUE((*log)->append(e).ok());
  }
  auto reg = KeyRegistry::open(path);
  ASSERT_TRUE(reg.ok()) << reg.status().to_string();
  EXPECT_TRUE((*reg)->latest("k").ok());
  auto log = AuditLog::open(path, nullptr, AuditLog::Mode::kReadOnly);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 2);
}

TEST(KeyRegistryFile, NotADatabaseIsDataLoss) {
  mpcc::testing::TempDir dir("mpcc-keyreg");
  fs::path path = dir.path() / "vault.db";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto reg = KeyRegistry::open(path);
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(reg.status().message(), HasSubstr(path.string()));
}

TEST(KeyRegistryFile, UnknownFormatIsRefused) {
  mpcc::testing::TempDir dir("mpcc-keyreg");
  fs::path path = dir.path() / "vault.db";
  {
    RawDb raw(path);
    raw.must("CREATE TABLE vault_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    raw.must("INSERT INTO vault_meta VALUES ('format', 'mpcc-vault-v9')");
  }
  auto reg = KeyRegistry::open(path);
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reg.status().message(), HasSubstr("mpcc-vault-v9"));
}

TEST(KeyRegistryFile, UnopenablePathIsFailedPrecondition) {
  mpcc::testing::TempDir dir("mpcc-keyreg");
  auto reg = KeyRegistry::open(dir.path() / "no" / "such" / "dir" / "vault.db");
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyRegistryTest, DamagedKeyRowIsDataLoss) {
  ASSERT_TRUE(reg_->insert(record("good", 1)).ok());
  ASSERT_TRUE(reg_->insert(record("bad", 2)).ok());
  {
    RawDb raw(path_);
    raw.must("UPDATE vault_keys SET key_ops = '[\"wrapKey\",' WHERE name = 'bad'");
  }
  auto find = reg_->find("bad", version_of(2));
  ASSERT_FALSE(find.ok());
  EXPECT_EQ(find.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(find.status().message(), HasSubstr("bad/" + version_of(2)));
  EXPECT_THAT(find.status().message(), HasSubstr("key_ops"));
  EXPECT_EQ(reg_->latest("bad").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(reg_->versions("bad").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(reg_->list_latest().status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(reg_->remove("bad").status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(reg_->latest("good").ok());

  {
    RawDb raw(path_);
    raw.must("UPDATE vault_keys SET key_ops = '[]', tags = '{\"n\": 1}' WHERE name = 'bad'");
  }
  auto tags = reg_->find("bad", version_of(2));
  EXPECT_EQ(tags.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(tags.status().message(), HasSubstr("tags"));
  {
    RawDb raw(path_);
    raw.must("UPDATE vault_keys SET tags = '{}' WHERE name = 'bad'");
  }
  // remove() refused above and deleted nothing; repaired, the row reads again.
  EXPECT_TRUE(reg_->find("bad", version_of(2)).ok());
}

// ------------------------------------------------------- access policies

TEST(KeyPermissions, ParseIsCaseInsensitiveAndLowercases) {
  auto p = parse_key_permissions({"unwrapKey", "UnwrapKey", "GET", "Release", "getRotationPolicy"});
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(*p, (std::set<std::string>{"get", "getrotationpolicy", "release", "unwrapkey"}));
}

TEST(KeyPermissions, AllExpandsToEveryPermission) {
  const auto& all = all_key_permissions();
  EXPECT_EQ(all.size(), 20u);
  auto p = parse_key_permissions({"All"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, std::set<std::string>(all.begin(), all.end()));
  auto mixed = parse_key_permissions({"get", "all"});
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->size(), 20u);
  for (const char* name : {"unwrapkey", "wrapkey", "release", "purge", "setrotationpolicy"}) {
    EXPECT_EQ(p->count(name), 1u) << name;
  }
}

TEST(KeyPermissions, UnknownIsInvalidArgumentNamingIt) {
  auto p = parse_key_permissions({"get", "unwrap", "bogus"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("\"unwrap\""));
  EXPECT_EQ(parse_key_permissions({""}).status().code(), StatusCode::kInvalidArgument);
  // Secret permissions are not key permissions.
  EXPECT_EQ(parse_key_permissions({"set"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(KeyPermissions, EmptyListIsEmptySet) {
  auto p = parse_key_permissions({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST(KeyPermissions, AllowsAndJson) {
  AccessPolicy p{"oid-1", "contoso", {"get", "unwrapkey"}};
  EXPECT_TRUE(p.allows("get"));
  EXPECT_TRUE(p.allows("unwrapkey"));
  EXPECT_TRUE(p.allows("unwrapKey"));
  EXPECT_FALSE(p.allows("release"));
  EXPECT_FALSE(p.allows(""));
  EXPECT_FALSE(AccessPolicy{}.allows("get"));
  EXPECT_EQ(p.to_json(), (json{{"objectId", "oid-1"},
                               {"displayName", "contoso"},
                               {"permissions", {{"keys", {"get", "unwrapkey"}}}}}));
  AccessPolicy nothing{"o", "", {}};
  EXPECT_EQ(nothing.to_json()["permissions"]["keys"], json::array());
}

TEST_F(KeyRegistryTest, AccessPolicySetReplaceGetListRemove) {
  auto none = reg_->access_policy("oid-1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(reg_->set_access_policy({"oid-2", "fabrikam", {"get"}}).ok());
  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "contoso", {"get", "release"}}).ok());
  auto got = reg_->access_policy("oid-1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->display_name, "contoso");
  EXPECT_EQ((*got)->key_permissions, (std::set<std::string>{"get", "release"}));

  // Replace: the new set, not a union.
  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "contoso-app", {"wrapkey"}}).ok());
  got = reg_->access_policy("oid-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->display_name, "contoso-app");
  EXPECT_EQ((*got)->key_permissions, (std::set<std::string>{"wrapkey"}));

  // An empty permission set is a policy that allows nothing.
  ASSERT_TRUE(reg_->set_access_policy({"oid-3", "", {}}).ok());
  got = reg_->access_policy("oid-3");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->key_permissions.empty());

  auto list = reg_->access_policies();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].object_id, "oid-1");
  EXPECT_EQ((*list)[1].object_id, "oid-2");
  EXPECT_EQ((*list)[2].object_id, "oid-3");

  ASSERT_TRUE(reg_->remove_access_policy("oid-1").ok());
  got = reg_->access_policy("oid-1");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  Status again = reg_->remove_access_policy("oid-1");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("oid-1"));
  EXPECT_EQ(reg_->access_policies()->size(), 2u);
}

TEST_F(KeyRegistryTest, AccessPolicyInputIsChecked) {
  EXPECT_EQ(reg_->set_access_policy({"", "x", {"get"}}).code(), StatusCode::kInvalidArgument);
  Status s = reg_->set_access_policy({"oid-1", "x", {"get", "fly"}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("fly"));
  EXPECT_FALSE(reg_->access_policy("oid-1")->has_value());
  // Names given in Azure's spelling are stored lowercase.
  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "x", {"UnwrapKey", "all"}}).ok());
  EXPECT_EQ((*reg_->access_policy("oid-1"))->key_permissions.size(), 20u);
}

TEST_F(KeyRegistryTest, SecondInstanceSeesPoliciesWithoutCaching) {
  auto other = open_registry();
  ASSERT_NE(other, nullptr);
  // Read once before the change, so a cache would be stale.
  EXPECT_FALSE(other->access_policy("oid-1")->has_value());

  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "contoso", {"release"}}).ok());
  auto seen = other->access_policy("oid-1");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_TRUE((*seen)->allows("release"));

  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "contoso", {"get"}}).ok());
  seen = other->access_policy("oid-1");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_FALSE((*seen)->allows("release"));

  ASSERT_TRUE(reg_->remove_access_policy("oid-1").ok());
  EXPECT_FALSE(other->access_policy("oid-1")->has_value());

  // Keys too.
  ASSERT_TRUE(reg_->insert(record("k", 1)).ok());
  EXPECT_TRUE(other->latest("k").ok());
}

TEST_F(KeyRegistryTest, DamagedPolicyRowIsDataLoss) {
  ASSERT_TRUE(reg_->set_access_policy({"oid-1", "contoso", {"get"}}).ok());
  {
    RawDb raw(path_);
    raw.must("UPDATE vault_access_policies SET key_permissions = 'get,release' "
             "WHERE object_id = 'oid-1'");
  }
  auto got = reg_->access_policy("oid-1");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("oid-1"));
  EXPECT_EQ(reg_->access_policies().status().code(), StatusCode::kDataLoss);
  {
    RawDb raw(path_);
    raw.must("UPDATE vault_access_policies SET key_permissions = '[\"fly\"]' "
             "WHERE object_id = 'oid-1'");
  }
  EXPECT_EQ(reg_->access_policy("oid-1").status().code(), StatusCode::kDataLoss);
}

// ---------------------------------------------------------- concurrency

TEST_F(KeyRegistryTest, ConcurrentInsertsOfOneNameAllLand) {
  auto second = open_registry();  // two connections as well as two threads per connection
  ASSERT_NE(second, nullptr);
  constexpr unsigned kThreads = 4;
  constexpr unsigned kEach = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      KeyRegistry& reg = t % 2 == 0 ? *reg_ : *second;
      for (unsigned i = 0; i < kEach; ++i) {
        if (!reg.insert(record("shared", t * 1000 + i)).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (unsigned t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

  auto v = reg_->versions("shared");
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  std::vector<std::string> all = versions_of(*v);
  std::set<std::string> unique(all.begin(), all.end());
  ASSERT_EQ(unique.size(), kThreads * kEach);
  for (unsigned t = 0; t < kThreads; ++t) {
    for (unsigned i = 0; i < kEach; ++i) {
      EXPECT_EQ(unique.count(version_of(t * 1000 + i)), 1u);
    }
  }
  // Each thread's versions appear in the order it inserted them.
  for (unsigned t = 0; t < kThreads; ++t) {
    std::vector<std::string> mine;
    for (const std::string& ver : all) {
      unsigned n = static_cast<unsigned>(std::stoul(ver, nullptr, 16));
      if (n / 1000 == t) mine.push_back(ver);
    }
    ASSERT_EQ(mine.size(), kEach);
    for (unsigned i = 0; i < kEach; ++i) EXPECT_EQ(mine[i], version_of(t * 1000 + i));
  }
  EXPECT_EQ(reg_->latest("shared")->version, all.back());
}

}  // namespace
}  // namespace mpcc::keyvault
