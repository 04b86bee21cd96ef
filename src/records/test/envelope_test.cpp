// The envelope: data keys wrapped to the party's RSA key, records sealed under
// the data key, record ids.
#include <gtest/gtest.h>

#include <set>

#include "crypto/encoding.h"
#include "jose/jwe.h"
#include "records/data_key.h"
#include "records/generator.h"
#include "records/record_codec.h"
#include "records/record_id.h"
#include "records/test/test_util.h"

namespace mpcc::records {
namespace {

using nlohmann::json;
using test::expect_status;
using test::must;

constexpr std::string_view kTs = "2026-11-27T19:20:13.123456Z";
constexpr std::string_view kDecryptFailed = ": decryption failed (tampered or wrong key)";

DataKey contoso_key() { return must(DataKey::generate("contoso", "v1")); }

Record sample() { return generate_records(1, 42)[0]; }

std::vector<std::string> split(const std::string& jwe) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = jwe.find('.', start);
    parts.push_back(jwe.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

json header_of(const std::string& jwe) {
  return json::parse(to_string(must(crypto::base64url_decode(split(jwe)[0]))));
}

TEST(DataKey, GenerateChecksNamesAndMakesFreshKeys) {
  const DataKey a = contoso_key();
  EXPECT_EQ(a.id, "contoso/v1");
  EXPECT_EQ(a.key.size(), 32u);
  EXPECT_NE(a.key, contoso_key().key);
  expect_status(DataKey::generate("", "v1").status(), StatusCode::kInvalidArgument,
                "data key: owner is empty");
  expect_status(DataKey::generate("con/toso", "v1").status(), StatusCode::kInvalidArgument,
                "data key: owner must not contain '/'");
  expect_status(DataKey::generate("contoso", "").status(), StatusCode::kInvalidArgument,
                "data key: key version is empty");
  expect_status(DataKey::from_bytes("contoso", "v1", SecureBytes(16, 1)).status(),
                StatusCode::kInvalidArgument, "data key: key is 16 bytes, expected 32");
}

TEST(DataKey, WrapUnwrapRoundTripWithHeader) {
  const DataKey key = contoso_key();
  const crypto::PrivateKey& rsa = test::party_rsa_key(0);
  const std::string jwe = must(wrap_data_key(key, rsa.public_key(), "https://a.vault/keys/contoso-key/v1"));
  EXPECT_EQ(header_of(jwe), json({{"alg", "RSA-OAEP-256"},
                                  {"enc", "A256GCM"},
                                  {"kid", "https://a.vault/keys/contoso-key/v1"},
                                  {"mpcc_owner", "contoso"},
                                  {"mpcc_data_key", "contoso/v1"}}));
  const DataKey back = must(unwrap_data_key(jwe, rsa, "contoso"));
  EXPECT_EQ(back.owner, "contoso");
  EXPECT_EQ(back.key_version, "v1");
  EXPECT_EQ(back.id, "contoso/v1");
  EXPECT_EQ(back.key, key.key);
  // Without an RSA kid, the kid is the key version.
  EXPECT_EQ(header_of(must(wrap_data_key(key, rsa.public_key())))["kid"], "v1");
}

TEST(DataKey, WrongRsaKeyAndTamperingAreRefused) {
  const std::string jwe = must(wrap_data_key(contoso_key(), test::party_rsa_key(0).public_key()));
  expect_status(unwrap_data_key(jwe, test::party_rsa_key(1), "contoso").status(),
                StatusCode::kPermissionDenied,
                "data key: decryption failed (wrong RSA key or tampered)");
  std::vector<std::string> parts = split(jwe);
  parts[3][0] = parts[3][0] == 'A' ? 'B' : 'A';
  expect_status(unwrap_data_key(join(parts), test::party_rsa_key(0), "contoso").status(),
                StatusCode::kPermissionDenied,
                "data key: decryption failed (wrong RSA key or tampered)");
}

TEST(DataKey, OwnerAndIdMismatchAreRefused) {
  const crypto::PrivateKey& rsa = test::party_rsa_key(0);
  const std::string jwe = must(wrap_data_key(contoso_key(), rsa.public_key()));
  expect_status(unwrap_data_key(jwe, rsa, "fabrikam").status(), StatusCode::kPermissionDenied,
                "data key: owner is 'contoso', expected 'fabrikam'");
  // A JWE made by hand (anyone with the public key can) whose id names another owner.
  const std::string forged = must(jose::jwe_encrypt_rsa_oaep_256(
      rsa.public_key(), SecureBytes(32, 7),
      json{{"kid", "v1"}, {"mpcc_owner", "contoso"}, {"mpcc_data_key", "fabrikam/v1"}}));
  expect_status(unwrap_data_key(forged, rsa, "contoso").status(), StatusCode::kPermissionDenied,
                "data key: id 'fabrikam/v1' does not belong to owner 'contoso'");
  const std::string no_owner = must(jose::jwe_encrypt_rsa_oaep_256(
      rsa.public_key(), SecureBytes(32, 7), json{{"mpcc_data_key", "contoso/v1"}}));
  expect_status(unwrap_data_key(no_owner, rsa, "contoso").status(), StatusCode::kInvalidArgument,
                "data key: header has no string mpcc_owner");
}

TEST(RecordCodec, SealOpenRoundTripWithAuthenticatedHeader) {
  const RecordCodec codec(contoso_key());
  const Record record = sample();
  const std::string rid = record_id_for(codec.data_key(), record);
  const std::string jwe = must(codec.seal(rid, record, kTs));
  EXPECT_EQ(header_of(jwe), json({{"alg", "dir"},
                                  {"enc", "A256GCM"},
                                  {"cty", "application/vnd.mpcc.record+json"},
                                  {"kid", "contoso/v1"},
                                  {"mpcc_owner", "contoso"},
                                  {"mpcc_rid", rid},
                                  {"mpcc_ts", kTs}}));
  EXPECT_TRUE(split(jwe)[1].empty());  // dir: no encrypted key
  EXPECT_EQ(jwe.find(record.name), std::string::npos);
  const OpenedRecord opened = must(codec.open(jwe, "contoso", rid));
  EXPECT_EQ(opened.record, record);
  EXPECT_EQ(opened.owner, "contoso");
  EXPECT_EQ(opened.record_id, rid);
  EXPECT_EQ(opened.timestamp, kTs);
  // Sealing twice gives different ciphertexts (fresh IV).
  EXPECT_NE(must(codec.seal(rid, record, kTs)), jwe);

  const SealedRecordHeader peeked = must(peek_header(jwe));
  EXPECT_EQ(peeked.owner, "contoso");
  EXPECT_EQ(peeked.record_id, rid);
  EXPECT_EQ(peeked.timestamp, kTs);
  EXPECT_EQ(peeked.kid, "contoso/v1");
}

TEST(RecordCodec, SealRefusesBadInput) {
  const RecordCodec codec(contoso_key());
  Record bad = sample();
  bad.age = "old";
  expect_status(codec.seal("r1", bad, kTs).status(), StatusCode::kInvalidArgument,
                "record r1: age is not a non-negative integer");
  expect_status(codec.seal("", sample(), kTs).status(), StatusCode::kInvalidArgument,
                "record: empty record id");
  expect_status(codec.seal("r1", sample(), "").status(), StatusCode::kInvalidArgument,
                "record r1: empty timestamp");
}

TEST(RecordCodec, EverySingleByteChangeIsRefused) {
  const RecordCodec codec(contoso_key());
  const std::string jwe = must(codec.seal("r1", sample(), kTs));
  std::size_t tried = 0;
  for (std::size_t i = 0; i < jwe.size(); ++i) {
    for (const char replacement : {'A', 'g', '-', '.'}) {
      if (jwe[i] == replacement) continue;
      std::string changed = jwe;
      changed[i] = replacement;
      const Status s = codec.open(changed, "contoso", "r1").status();
      ++tried;
      ASSERT_EQ(s.code(), StatusCode::kPermissionDenied) << "offset " << i << ": " << s.to_string();
      ASSERT_TRUE(s.message().starts_with(std::string("record r1") + std::string(kDecryptFailed)))
          << s.message();
    }
  }
  EXPECT_GT(tried, 3 * jwe.size());
  // Inserted or dropped bytes, and an extra character in the empty key segment.
  std::vector<std::string> parts = split(jwe);
  for (std::size_t seg = 0; seg < 5; ++seg) {
    std::vector<std::string> longer = parts;
    longer[seg] += "A";
    EXPECT_FALSE(codec.open(join(longer), "contoso", "r1").ok()) << "segment " << seg;
    if (parts[seg].empty()) continue;
    std::vector<std::string> shorter = parts;
    shorter[seg].pop_back();
    EXPECT_FALSE(codec.open(join(shorter), "contoso", "r1").ok()) << "segment " << seg;
  }
}

TEST(RecordCodec, WrongDataKeyIsRefused) {
  const RecordCodec codec(contoso_key());
  const std::string jwe = must(codec.seal("r1", sample(), kTs));
  const RecordCodec other(contoso_key());  // same owner and version, another key
  expect_status(other.open(jwe, "contoso", "r1").status(), StatusCode::kPermissionDenied,
                "record r1" + std::string(kDecryptFailed));
  const RecordCodec fabrikam(must(DataKey::generate("fabrikam", "v1")));
  expect_status(fabrikam.open(jwe, "fabrikam", "r1").status(), StatusCode::kPermissionDenied,
                "record r1" + std::string(kDecryptFailed));
}

TEST(RecordCodec, RecordMovedToAnotherIdIsRefused) {
  const RecordCodec codec(contoso_key());
  const std::string jwe = must(codec.seal("r1", sample(), kTs));
  expect_status(codec.open(jwe, "contoso", "r2").status(), StatusCode::kPermissionDenied,
                "record swapped: blob 'r2' holds record 'r1'");
}

TEST(RecordCodec, SwappedBlobsAreRefused) {
  const RecordCodec codec(contoso_key());
  const std::vector<Record> rows = generate_records(2, 9);
  const std::string id_a = record_id_for(codec.data_key(), rows[0]);
  const std::string id_b = record_id_for(codec.data_key(), rows[1]);
  const std::string blob_a = must(codec.seal(id_a, rows[0], kTs));
  const std::string blob_b = must(codec.seal(id_b, rows[1], kTs));
  // The store now holds blob_b under id_a and blob_a under id_b.
  expect_status(codec.open(blob_b, "contoso", id_a).status(), StatusCode::kPermissionDenied,
                "record swapped: blob '" + id_a + "' holds record '" + id_b + "'");
  expect_status(codec.open(blob_a, "contoso", id_b).status(), StatusCode::kPermissionDenied,
                "record swapped: blob '" + id_b + "' holds record '" + id_a + "'");
}

TEST(RecordCodec, OwnerChangedInTheHeaderIsRefused) {
  const RecordCodec codec(contoso_key());
  const std::string jwe = must(codec.seal("r1", sample(), kTs));
  std::vector<std::string> parts = split(jwe);
  json header = header_of(jwe);
  header["mpcc_owner"] = "fabrikam";
  parts[0] = crypto::base64url_encode(header.dump());
  const std::string relabelled = join(parts);
  EXPECT_EQ(must(peek_header(relabelled)).owner, "fabrikam");  // peek does not authenticate
  for (const char* owner : {"fabrikam", "contoso"}) {
    expect_status(codec.open(relabelled, owner, "r1").status(), StatusCode::kPermissionDenied,
                  "record r1" + std::string(kDecryptFailed));
  }
}

TEST(RecordCodec, AuthenticOwnerOrKidMismatchIsRefused) {
  // A JWE made with the right key but another owner/kid in its header: it
  // decrypts, and the header checks refuse it.
  const DataKey key = contoso_key();
  const RecordCodec codec(key);
  const std::string plaintext = sample().to_json().dump();
  const auto sealed = [&](const char* owner, const char* kid, const char* cty) {
    return must(jose::jwe_encrypt_dir(key.key, as_span(plaintext),
                                      json{{"cty", cty}, {"kid", kid}, {"mpcc_owner", owner},
                                           {"mpcc_rid", "r1"}, {"mpcc_ts", kTs}}));
  };
  const char* cty = "application/vnd.mpcc.record+json";
  expect_status(codec.open(sealed("fabrikam", "contoso/v1", cty), "contoso", "r1").status(),
                StatusCode::kPermissionDenied, "record r1: owner is 'fabrikam', expected 'contoso'");
  expect_status(codec.open(sealed("contoso", "contoso/v0", cty), "contoso", "r1").status(),
                StatusCode::kPermissionDenied,
                "record r1: sealed under data key 'contoso/v0', expected 'contoso/v1'");
  expect_status(codec.open(sealed("contoso", "contoso/v1", "text/plain"), "contoso", "r1").status(),
                StatusCode::kInvalidArgument,
                "record r1: content type is not application/vnd.mpcc.record+json");
  // Expecting another owner than the one sealed.
  expect_status(codec.open(must(codec.seal("r1", sample(), kTs)), "fabrikam", "r1").status(),
                StatusCode::kPermissionDenied, "record r1: owner is 'contoso', expected 'fabrikam'");
}

TEST(RecordCodec, PeekHeaderRefusesNonJwe) {
  expect_status(peek_header("a.b.c").status(), StatusCode::kInvalidArgument,
                "record header: not a compact JWE (5 segments)");
  expect_status(peek_header("%%.a.b.c.d").status(), StatusCode::kInvalidArgument,
                "record header: not base64url");
  expect_status(peek_header(crypto::base64url_encode("[1]") + ".a.b.c.d").status(),
                StatusCode::kInvalidArgument, "record header: not a JSON object");
  expect_status(peek_header(crypto::base64url_encode("{\"mpcc_owner\":\"x\"}") + ".a.b.c.d").status(),
                StatusCode::kInvalidArgument, "record header: header has no string mpcc_rid");
}

TEST(RecordId, DeterministicPerKeyDifferentAcrossKeys) {
  const DataKey key = contoso_key();
  const std::vector<Record> rows = generate_records(100, 3);
  std::set<std::string> ids;
  for (const Record& r : rows) {
    const std::string id = record_id_for(key, r);
    EXPECT_EQ(id.size(), kRecordIdHexSize);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(id, record_id_for(key, r));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), rows.size());
  // RecordIds (the id key derived once) gives the same ids.
  const RecordIds bulk(key);
  for (const Record& r : rows) EXPECT_EQ(bulk.id_for(r), record_id_for(key, r));
  // Same key bytes give the same ids (a re-imported CSV is recognised).
  const DataKey copy = must(DataKey::from_bytes("contoso", "v1", key.key));
  EXPECT_EQ(record_id_for(copy, rows[0]), record_id_for(key, rows[0]));
  // Another key gives other ids.
  EXPECT_NE(record_id_for(contoso_key(), rows[0]), record_id_for(key, rows[0]));
  // Any field change changes the id.
  Record changed = rows[0];
  changed.favorite_color += "x";
  EXPECT_NE(record_id_for(key, changed), record_id_for(key, rows[0]));
}

TEST(RecordId, RandomIdsAreUniqueHex) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_record_id();
    EXPECT_EQ(id.size(), kRecordIdHexSize);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace mpcc::records
