// File: blobstore/test/blob_rules_test.cpp
//
// Unit tests of the shared rules and the internal codecs: name validation,
// ETag handling, percent-encoding, HTTP dates, blob file names, and the
// List Blobs XML reader.
#include "blobstore/blob_rules.h"

#include <gtest/gtest.h>

#include <chrono>

#include "blobstore/internal/blob_file.h"
#include "blobstore/internal/http_date.h"
#include "blobstore/internal/list_xml.h"
#include "blobstore/internal/percent_encoding.h"

namespace mpcc::blobstore {
namespace {

TEST(BlobRules, ContainerNames) {
  for (const char* ok : {"abc", "a-b-c", "privateappdata", "t1-123", "0ab"}) {
    EXPECT_TRUE(validate_container_name(ok).ok()) << ok;
  }
  EXPECT_TRUE(validate_container_name(std::string(63, 'a')).ok());
  for (const char* bad : {"ab", "Abc", "a--b", "-ab", "ab-", "a_b", "a b", "a.b", ""}) {
    Status s = validate_container_name(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("invalid container name"), std::string::npos);
  }
}

TEST(BlobRules, BlobNames) {
  for (const char* ok : {"a", "dir/a.txt", "hello world", "..a", "a..b", ".hidden", "%2e%2e",
                         "caf\xc3\xa9", "\xf0\x9f\x98\x80"}) {
    EXPECT_TRUE(validate_blob_name(ok).ok()) << ok;
  }
  // 1024 characters, counted as code points, not bytes.
  std::string e_acute_1024;
  for (int i = 0; i < 1024; ++i) e_acute_1024 += "\xc3\xa9";
  EXPECT_TRUE(validate_blob_name(e_acute_1024).ok());
  EXPECT_FALSE(validate_blob_name(e_acute_1024 + "x").ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"/a", "starts with '/'"},
      {"a//b", "empty path segment"},
      {"a/", "empty path segment"},
      {"../x", "'.' or '..'"},
      {"a/../../b", "'.' or '..'"},
      {"a/.", "'.' or '..'"},
      {"a./b", "ending in '.'"},
      {"a\\b", "backslash"},
      {"a\nb", "control character"},
      {std::string("a\0b", 3), "control character"},
      {"\xff", "not valid UTF-8"},
      {"\xc0\xaf", "not valid UTF-8"},          // overlong '/'
      {"\xed\xa0\x80", "not valid UTF-8"},      // surrogate
      {"\xe6\x97", "not valid UTF-8"},          // truncated
      {"\xf4\x90\x80\x80", "not valid UTF-8"},  // above U+10FFFF
  };
  for (const auto& [name, why] : bad) {
    Status s = validate_blob_name(name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << why;
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
    // Control bytes are escaped in messages.
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

TEST(BlobRules, PutAndGetOptions) {
  PutOptions both;
  both.if_match = "0x1";
  both.if_none_match_any = true;
  EXPECT_EQ(validate_put("abc", "n", both).code(), StatusCode::kInvalidArgument);
  PutOptions metadata;
  metadata.metadata = {{"_ok1", "v a l"}};
  EXPECT_TRUE(validate_put("abc", "n", metadata).ok());
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"1abc", "v"},
                                                        {"a-b", "v"},
                                                        {"", "v"},
                                                        {"ok", ""},
                                                        {"ok", "caf\xc3\xa9"},
                                                        {"ok", "v "},
                                                        {"ok", std::string(9000, 'v')}}) {
    metadata.metadata = {{k, v}};
    EXPECT_EQ(validate_put("abc", "n", metadata).code(), StatusCode::kInvalidArgument) << k;
  }
  GetOptions get;
  get.if_none_match = "";
  EXPECT_EQ(validate_get("abc", "n", get).code(), StatusCode::kInvalidArgument);
  get.if_none_match = "*";
  EXPECT_EQ(validate_get("abc", "n", get).code(), StatusCode::kInvalidArgument);
  get.if_none_match = "\"0x1\"";
  EXPECT_TRUE(validate_get("abc", "n", get).ok());
  EXPECT_EQ(effective_max_results(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*effective_max_results(1), 1);
  EXPECT_EQ(*effective_max_results(100000), 5000);
}

TEST(BlobRules, Etags) {
  EXPECT_EQ(normalize_etag("\"0x8DC\""), "0x8DC");
  EXPECT_EQ(normalize_etag("W/\"0x8DC\""), "0x8DC");
  EXPECT_EQ(normalize_etag("0x8DC"), "0x8DC");
  EXPECT_TRUE(etag_matches("\"0x1\"", "0x1"));
  EXPECT_TRUE(etag_matches("0x1", "\"0x1\""));
  EXPECT_FALSE(etag_matches("*", "0x1"));
  EXPECT_FALSE(etag_matches("0x2", "0x1"));
}

TEST(BlobRules, ErrorStatuses) {
  EXPECT_EQ(blob_not_found("c1c", "a/b").message(), "blob 'c1c/a/b' not found");
  EXPECT_EQ(container_not_found("c1c").message(), "container 'c1c' not found");
  EXPECT_EQ(condition_not_met("c1c", "a", "If-Match").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(blob_already_exists("c1c", "a").code(), StatusCode::kAlreadyExists);
}

TEST(PercentEncoding, EncodesAndDecodes) {
  using internal::KeepSet;
  EXPECT_EQ(internal::percent_encode("dir/hello world.txt", KeepSet::kUrlPath),
            "dir/hello%20world.txt");
  EXPECT_EQ(internal::percent_encode("dir/", KeepSet::kUrlQuery), "dir%2F");
  EXPECT_EQ(internal::percent_encode("caf\xc3\xa9", KeepSet::kUrlPath), "caf%C3%A9");
  EXPECT_EQ(internal::percent_encode(".a.b~", KeepSet::kFileName), "%2Ea.b%7E");
  EXPECT_EQ(*internal::percent_decode("a%2Fb%20c%c3%a9"), "a/b c\xc3\xa9");
  EXPECT_FALSE(internal::percent_decode("%2").ok());
  EXPECT_FALSE(internal::percent_decode("%zz").ok());
}

TEST(HttpDate, FormatsRfc1123InGmt) {
  // 2026-11-24T18:29:05Z
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795544945));
  EXPECT_EQ(internal::format_http_date(t), "Tue, 24 Nov 2026 18:29:05 GMT");
  EXPECT_EQ(internal::format_http_date(std::chrono::system_clock::time_point()),
            "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(BlobFile, NamesAreFlatAndReversible) {
  using internal::BlobFileKind;
  EXPECT_EQ(internal::blob_file_name("dir/a b.txt"), "dir%2Fa%20b.txt");
  EXPECT_EQ(internal::blob_file_name(".lock"), "%2Elock");
  EXPECT_EQ(internal::blob_file_name("~x"), "%7Ex");
  internal::ClassifiedFile f = internal::classify_file_name("dir%2Fa%20b.txt");
  EXPECT_EQ(f.kind, BlobFileKind::kNamed);
  EXPECT_EQ(f.blob_name, "dir/a b.txt");
  EXPECT_EQ(internal::classify_file_name(".lock").kind, BlobFileKind::kNotABlob);
  EXPECT_EQ(internal::classify_file_name(".tmp-1").kind, BlobFileKind::kNotABlob);
  EXPECT_EQ(internal::classify_file_name("a%2fb").kind, BlobFileKind::kNotABlob);
  EXPECT_EQ(internal::classify_file_name("a b").kind, BlobFileKind::kNotABlob);
  const std::string hashed = internal::blob_file_name(std::string(300, 'x'));
  EXPECT_EQ(hashed.size(), 65u);
  EXPECT_EQ(internal::classify_file_name(hashed).kind, BlobFileKind::kHashed);
  EXPECT_EQ(internal::classify_file_name("~abc").kind, BlobFileKind::kNotABlob);
}

TEST(ListXml, ReadsBlobsMetadataAndNextMarker) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<EnumerationResults ServiceEndpoint=\"http://127.0.0.1:10000/devstoreaccount1\" "
      "ContainerName=\"mycontainer\"><Prefix>dir/</Prefix><Marker/><MaxResults>2</MaxResults>"
      "<Blobs><Blob><Name>dir/hello world &amp; more.txt</Name><Properties>"
      "<Creation-Time>Tue, 24 Nov 2026 18:29:16 GMT</Creation-Time>"
      "<Last-Modified>Tue, 24 Nov 2026 18:29:16 GMT</Last-Modified>"
      "<Etag>0x24227308D51C4E0</Etag><Content-Length>15</Content-Length>"
      "<Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType>"
      "</Properties><Metadata><Owner>contoso</Owner></Metadata></Blob>"
      "<Blob><Name Encoded=\"true\">dir%2Fb%01</Name><Properties><Etag>\"0x1\"</Etag>"
      "<Content-Length>0</Content-Length><Content-Type/></Properties></Blob></Blobs>"
      "<NextMarker>dir/b</NextMarker></EnumerationResults>";
  StatusOr<ListPage> page = internal::parse_list_blobs_xml(xml);
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  ASSERT_EQ(page->blobs.size(), 2u);
  EXPECT_EQ(page->blobs[0].name, "dir/hello world & more.txt");
  EXPECT_EQ(page->blobs[0].etag, "0x24227308D51C4E0");
  EXPECT_EQ(page->blobs[0].size, 15u);
  EXPECT_EQ(page->blobs[0].content_type, "application/octet-stream");
  EXPECT_EQ(page->blobs[0].last_modified, "Tue, 24 Nov 2026 18:29:16 GMT");
  EXPECT_EQ(page->blobs[0].metadata, (std::map<std::string, std::string>{{"owner", "contoso"}}));
  EXPECT_EQ(page->blobs[1].name, "dir/b\x01");
  EXPECT_EQ(page->blobs[1].etag, "0x1");
  EXPECT_EQ(page->next_marker, "dir/b");

  StatusOr<ListPage> end = internal::parse_list_blobs_xml(
      "<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>");
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->blobs.empty());
  EXPECT_EQ(end->next_marker, "");

  for (const char* bad : {"", "<notxml", "<Other/>",
                          "<EnumerationResults><Blobs><Blob><Name>a</Name></Blob></Blobs>"
                          "</EnumerationResults>",
                          "<EnumerationResults><Blobs><Blob><Name>a</Name><Properties>"
                          "<Content-Length>x</Content-Length></Properties></Blob></Blobs>"
                          "</EnumerationResults>"}) {
    EXPECT_EQ(internal::parse_list_blobs_xml(bad).status().code(), StatusCode::kInternal) << bad;
  }
}

}  // namespace
}  // namespace mpcc::blobstore
