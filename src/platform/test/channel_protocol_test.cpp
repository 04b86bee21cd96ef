#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "platform/sim/channel_protocol.h"
#include "platform/sim/simulated_psp.h"
#include "platform/test/test_support.h"

namespace mpcc::platform::sim {
namespace {

using nlohmann::json;

Bytes bytes_of(const json& j) { return to_bytes(j.dump()); }

TEST(ChannelProtocol, ReportRequestRoundTrip) {
  const auto data = testing::test_report_data();
  auto decoded = decode_report_request(encode_report_request(data));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, data);
}

TEST(ChannelProtocol, ReportRequestRefusesAnythingButReportData) {
  const std::string hex = hex_encode(testing::test_report_data());
  auto extra = decode_report_request(
      bytes_of({{"op", "get_report"}, {"report_data", hex}, {"host_data", std::string(64, '0')}}));
  EXPECT_EQ(extra.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(extra.status().message().find("unexpected member 'host_data'"), std::string::npos);
  EXPECT_FALSE(decode_report_request(bytes_of({{"op", "get_report"}, {"report_data", hex + "00"}})).ok());
  EXPECT_FALSE(decode_report_request(bytes_of({{"op", "GET_REPORT"}, {"report_data", hex}})).ok());
  EXPECT_FALSE(decode_report_request(to_bytes(std::string_view("{\"op\":\"get_report\""))).ok());
  EXPECT_FALSE(decode_report_request(to_bytes(std::string_view("\xff\xfe"))).ok());
}

TEST(ChannelProtocol, EvidenceResponseRoundTrip) {
  SimulatedPsp psp(testing::shared_test_chip());
  auto e = psp.evidence(testing::test_launch_params(), testing::test_report_data());
  ASSERT_TRUE(e.ok());
  auto decoded = decode_evidence_response(encode_evidence_response(*e));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->format, EvidenceFormat::kSimSevSnpV1);
  EXPECT_EQ(decoded->report, e->report);
  ASSERT_EQ(decoded->endorsements.size(), 3u);
  EXPECT_EQ(decoded->endorsements[2], e->endorsements[2]);
}

TEST(ChannelProtocol, MalformedEvidenceResponsesAreInternalErrors) {
  EXPECT_EQ(decode_evidence_response(to_bytes(std::string_view("[]"))).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(decode_evidence_response(bytes_of({{"ok", true}, {"format", "sim_sev_snp_v1"},
                                                {"report", "AAAA"}, {"endorsements", json::array()}}))
                .status()
                .code(),
            StatusCode::kInternal);
  EXPECT_EQ(decode_evidence_response(bytes_of({{"ok", true}, {"format", "tdx"}, {"report", ""}}))
                .status()
                .code(),
            StatusCode::kInternal);
}

TEST(ChannelProtocol, ErrorResponsesCarryTheirCode) {
  auto decoded =
      decode_response(encode_error_response(already_exists("guest 'contoso' is already launched")));
  EXPECT_EQ(decoded.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(decoded.status().message(), "simulated PSP: guest 'contoso' is already launched");
  auto odd = decode_response(bytes_of({{"ok", false}, {"error", {{"code", "WHAT"}, {"message", "x"}}}}));
  EXPECT_EQ(odd.status().code(), StatusCode::kUnknown);
  EXPECT_EQ(decode_response(bytes_of({{"ok", false}})).status().code(), StatusCode::kInternal);
}

TEST(ChannelProtocol, LaunchRequestRoundTripAndStrictness) {
  LaunchRequest r;
  r.guest = "contoso";
  r.params.measurement.fill(0xAB);
  r.params.host_data.fill(0xCD);
  r.params.policy = 0x3001F;
  r.params.vmpl = 2;
  r.params.guest_svn = 7;
  r.replace = true;
  auto decoded = decode_control_request(encode_launch_request(r));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  const auto& d = std::get<LaunchRequest>(*decoded);
  EXPECT_EQ(d.guest, "contoso");
  EXPECT_EQ(d.params.measurement, r.params.measurement);
  EXPECT_EQ(d.params.host_data, r.params.host_data);
  EXPECT_EQ(d.params.policy, 0x3001Fu);
  EXPECT_EQ(d.params.vmpl, 2u);
  EXPECT_EQ(d.params.guest_svn, 7u);
  EXPECT_TRUE(d.replace);

  json j = json::parse(to_string(encode_launch_request(r)));
  json negative = j;
  negative["vmpl"] = -1;
  EXPECT_FALSE(decode_control_request(bytes_of(negative)).ok());
  json big = j;
  big["vmpl"] = 4;
  EXPECT_FALSE(decode_control_request(bytes_of(big)).ok());
  json extra = j;
  extra["report_data"] = "00";
  EXPECT_FALSE(decode_control_request(bytes_of(extra)).ok());
  json text_policy = j;
  text_policy["policy"] = "0x30000";
  EXPECT_FALSE(decode_control_request(bytes_of(text_policy)).ok());
  EXPECT_TRUE(std::holds_alternative<StatusRequest>(*decode_control_request(encode_status_request())));
}

TEST(ChannelProtocol, GuestNames) {
  EXPECT_TRUE(validate_guest_name("Contoso-1_a").ok());
  EXPECT_FALSE(validate_guest_name("").ok());
  EXPECT_FALSE(validate_guest_name("../x").ok());
  EXPECT_FALSE(validate_guest_name("a b").ok());
  EXPECT_FALSE(validate_guest_name(std::string(65, 'a')).ok());
}

}  // namespace
}  // namespace mpcc::platform::sim
