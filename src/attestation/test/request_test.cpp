// parse_attest_body / parse_attest_request: the body shapes real clients send (the sidecar's and
// the MAA documentation's) and one refusal per malformation, each naming the
// field.
#include "attestation/request.h"

#include <gtest/gtest.h>

#include "attestation/test/test_util.h"
#include "snp/report.h"

namespace mpcc::attestation {
namespace {

using nlohmann::json;
using testing::BodyParts;
using testing::Encoding;

BodyParts aci_parts() {
  testing::Evidence e = testing::aci_evidence();
  BodyParts p;
  p.snp_report = e.report;
  p.vcek_chain_pem = e.chain_pem;
  p.runtime_data = to_bytes(std::string_view(testing::kAciRuntimeData));
  return p;
}

void expect_invalid(const json& body, const std::string& substring) {
  auto r = parse_attest_body(body.dump());
  ASSERT_FALSE(r.ok()) << "accepted: " << body.dump().substr(0, 200);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(substring), std::string::npos)
      << "message: " << r.status().message() << "\nexpected: " << substring;
}

// Replaces the inner report JSON of `body`.
json with_inner(json body, const json& inner) {
  body["report"] = testing::encode(inner.dump(), Encoding::kBase64UrlPadded);
  return body;
}

json aci_inner() {
  testing::Evidence e = testing::aci_evidence();
  return {{"SnpReport", testing::encode(e.report, Encoding::kBase64UrlPadded)},
          {"VcekCertChain", testing::encode(e.chain_pem, Encoding::kBase64UrlPadded)}};
}

TEST(AttestRequest, SidecarShapePaddedBase64UrlAndNumericNonce) {
  BodyParts p = aci_parts();
  p.nonce = json(uint64_t{7394904505194784658ull});
  auto r = parse_attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->snp_report, p.snp_report);
  EXPECT_EQ(r->snp_report_trailing_bytes, 0u);
  EXPECT_EQ(r->vcek_chain.size(), 3u);
  EXPECT_EQ(r->vcek_chain[0].subject_common_name(), "SEV-VCEK");
  EXPECT_EQ(r->runtime_data.type, DataType::kJson);
  EXPECT_EQ(to_string(r->runtime_data.data), testing::kAciRuntimeData);
  EXPECT_EQ(r->runtime_data.parsed, json({{"akey", "avalue"}}));
  ASSERT_TRUE(r->nonce.has_value());
  EXPECT_EQ(*r->nonce, "7394904505194784658");
  EXPECT_FALSE(r->init_time_data.has_value());
  EXPECT_FALSE(r->endorsements.has_value());
}

TEST(AttestRequest, DocumentationShapeUnpaddedReportPlainBase64ChainStringNonce) {
  BodyParts p = aci_parts();
  p.encoding = Encoding::kBase64UrlUnpadded;
  p.chain_encoding = Encoding::kBase64;
  p.nonce = json("abc-123");
  auto r = parse_attest_body(testing::make_body(p).dump());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->snp_report, p.snp_report);
  EXPECT_EQ(r->vcek_chain.size(), 3u);
  EXPECT_EQ(*r->nonce, "abc-123");
}

TEST(AttestRequest, NegativeIntegerNonceIsKeptAsDecimalText) {
  BodyParts p = aci_parts();
  p.nonce = json(-42);
  auto r = parse_attest_request(testing::make_body(p));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r->nonce, "-42");
}

TEST(AttestRequest, TrailingBytesAfterTheReportAreDropped) {
  // MAA's documented example carries 36 bytes after the 1184-byte report.
  BodyParts p = aci_parts();
  Bytes original = p.snp_report;
  p.snp_report.resize(snp::kReportSize + 36, 0xAB);
  auto r = parse_attest_request(testing::make_body(p));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->snp_report, original);
  EXPECT_EQ(r->snp_report_trailing_bytes, 36u);
}

TEST(AttestRequest, DataTypeIsCaseInsensitiveAndBinaryIsNotParsed) {
  BodyParts p = aci_parts();
  p.data_type = "json";
  EXPECT_TRUE(parse_attest_request(testing::make_body(p)).ok());
  p.data_type = "Binary";
  p.runtime_data = {0x00, 0xff, 0x10};
  auto r = parse_attest_request(testing::make_body(p));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->runtime_data.type, DataType::kBinary);
  EXPECT_EQ(r->runtime_data.data, (Bytes{0x00, 0xff, 0x10}));
  EXPECT_TRUE(r->runtime_data.parsed.is_null());
}

TEST(AttestRequest, InitTimeDataAndEndorsementsAreParsed) {
  BodyParts p = aci_parts();
  p.init_time_data = to_bytes(std::string_view(R"({"policy":"x"})"));
  json body = testing::make_body(p);
  json inner = aci_inner();
  inner["Endorsements"] =
      testing::encode(json({{"Uvm", json::array({"AAAA"})}}).dump(), Encoding::kBase64UrlPadded);
  body = with_inner(body, inner);
  auto r = parse_attest_request(body);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_TRUE(r->init_time_data.has_value());
  EXPECT_EQ(r->init_time_data->parsed, json({{"policy", "x"}}));
  ASSERT_TRUE(r->endorsements.has_value());
  EXPECT_TRUE(r->endorsements->contains("Uvm"));
}

TEST(AttestRequest, BodyNotJson) {
  auto r = parse_attest_body("{not json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("request body is not JSON"), std::string::npos);
  expect_invalid(json::array({1, 2}), "request body must be a JSON object");
}

TEST(AttestRequest, MissingOrMalformedReport) {
  json body = testing::make_body(aci_parts());
  json b = body;
  b.erase("report");
  expect_invalid(b, "report: is required");
  b = body;
  b["report"] = 12;
  expect_invalid(b, "report: must be a string");
  b["report"] = "!!!not base64!!!";
  expect_invalid(b, "report: is not base64url or base64");
  b["report"] = testing::encode(std::string_view("not json"), Encoding::kBase64UrlPadded);
  expect_invalid(b, "report: does not decode to JSON");
  b["report"] = testing::encode(std::string_view("[1]"), Encoding::kBase64UrlPadded);
  expect_invalid(b, "report: does not decode to a JSON object");
}

TEST(AttestRequest, MissingOrMalformedSnpReport) {
  json body = testing::make_body(aci_parts());
  json inner = aci_inner();
  inner.erase("SnpReport");
  expect_invalid(with_inner(body, inner), "report.SnpReport: is required");
  inner = aci_inner();
  inner["SnpReport"] = "%%%";
  expect_invalid(with_inner(body, inner), "report.SnpReport: is not base64url or base64");
  inner["SnpReport"] = "";
  expect_invalid(with_inner(body, inner), "report.SnpReport: is empty");
  inner["SnpReport"] = testing::encode(Bytes(1000, 0), Encoding::kBase64UrlPadded);
  expect_invalid(with_inner(body, inner), "report.SnpReport: decodes to 1000 bytes");
  inner["SnpReport"] = testing::encode(Bytes(snp::kReportSize - 1, 0), Encoding::kBase64);
  expect_invalid(with_inner(body, inner), "report.SnpReport: decodes to 1183 bytes");
  inner["SnpReport"] = testing::encode(Bytes(kMaxSnpReportBytes + 1, 0), Encoding::kBase64);
  expect_invalid(with_inner(body, inner), "report.SnpReport: decodes to 8193 bytes");
}

TEST(AttestRequest, MissingOrGarbageCertChain) {
  json body = testing::make_body(aci_parts());
  json inner = aci_inner();
  inner.erase("VcekCertChain");
  expect_invalid(with_inner(body, inner), "report.VcekCertChain: is required");
  inner["VcekCertChain"] = testing::encode(std::string_view("garbage, not a certificate"),
                                           Encoding::kBase64UrlPadded);
  expect_invalid(with_inner(body, inner), "report.VcekCertChain: is not a PEM certificate chain");
  inner["VcekCertChain"] = testing::encode(
      std::string_view("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
      Encoding::kBase64);
  expect_invalid(with_inner(body, inner), "report.VcekCertChain: is not a PEM certificate chain");
  inner["VcekCertChain"] = "***";
  expect_invalid(with_inner(body, inner), "report.VcekCertChain: is not base64url or base64");
}

TEST(AttestRequest, MalformedEndorsements) {
  json body = testing::make_body(aci_parts());
  json inner = aci_inner();
  inner["Endorsements"] = testing::encode(std::string_view("nope"), Encoding::kBase64UrlPadded);
  expect_invalid(with_inner(body, inner), "report.Endorsements: does not decode to JSON");
  inner["Endorsements"] = 5;
  expect_invalid(with_inner(body, inner), "report.Endorsements: must be a string");
}

TEST(AttestRequest, MissingOrMalformedRuntimeData) {
  json body = testing::make_body(aci_parts());
  json b = body;
  b.erase("runtimeData");
  expect_invalid(b, "runtimeData: is required");
  b["runtimeData"] = "eyJ9";
  expect_invalid(b, "runtimeData: must be an object");
  b = body;
  b["runtimeData"].erase("data");
  expect_invalid(b, "runtimeData.data: is required");
  b = body;
  b["runtimeData"].erase("dataType");
  expect_invalid(b, "runtimeData.dataType: is required");
  b = body;
  b["runtimeData"]["dataType"] = "XML";
  expect_invalid(b, "runtimeData.dataType: must be JSON or Binary, got 'XML'");
  b = body;
  b["runtimeData"]["data"] = "@@@";
  expect_invalid(b, "runtimeData.data: is not base64url or base64");
  b = body;
  b["runtimeData"]["data"] = testing::encode(std::string_view("{oops"), Encoding::kBase64);
  expect_invalid(b, "runtimeData.data: does not decode to JSON");
  b["runtimeData"]["data"] = testing::encode(std::string_view("[1,2]"), Encoding::kBase64);
  expect_invalid(b, "runtimeData.data: dataType is JSON but the data is not a JSON object");
}

TEST(AttestRequest, MalformedInitTimeData) {
  json body = testing::make_body(aci_parts());
  body["initTimeData"] = {{"data", "e30"}, {"dataType", "YAML"}};
  expect_invalid(body, "initTimeData.dataType: must be JSON or Binary");
  body["initTimeData"] = {{"dataType", "JSON"}};
  expect_invalid(body, "initTimeData.data: is required");
}

TEST(AttestRequest, MalformedNonce) {
  json body = testing::make_body(aci_parts());
  body["nonce"] = 1.5;
  expect_invalid(body, "nonce: must be a string or an integer");
  body["nonce"] = true;
  expect_invalid(body, "nonce: must be a string or an integer");
  body["nonce"] = json::object();
  expect_invalid(body, "nonce: must be a string or an integer");
  body["nonce"] = std::string(kMaxNonceLength + 1, 'n');
  expect_invalid(body, "nonce: is longer than");
}

}  // namespace
}  // namespace mpcc::attestation
