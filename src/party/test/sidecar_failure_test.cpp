// describe_sidecar_failure: the sidecar's error and step, the vault's
// innererror passed on, and a one-line reason per cause.
#include <gtest/gtest.h>

#include "party/party_app.h"
#include "party/sidecar_failure.h"

namespace mpcc::party {
namespace {

using nlohmann::json;

skr::SidecarReply reply(int status, const json& body) {
  skr::SidecarReply r;
  r.status = status;
  r.body = body.dump();
  return r;
}

TEST(SidecarFailure, NoDeviceMeansNoTee) {
  auto f = describe_sidecar_failure(
      reply(500, {{"error", "no SEV-SNP guest device"}, {"step", "device"}}), "key release");
  EXPECT_TRUE(f.no_tee);
  EXPECT_NE(f.failure_reason.find("not running in a TEE"), std::string::npos);
  EXPECT_EQ(f.to_json()["sidecar_response"], "no SEV-SNP guest device");
}

TEST(SidecarFailure, PassesTheVaultsReasonOn) {
  json detail = {{"error",
                  {{"code", "Forbidden"},
                   {"message", "release policy not satisfied"},
                   {"innererror",
                    {{"code", "ReleasePolicyNotSatisfied"},
                     {"layer", "release_policy"},
                     {"evaluation", {{"failed", json::array({"x-ms-sevsnpvm-hostdata"})}}}}}}}};
  auto f = describe_sidecar_failure(reply(403, {{"error", "key release refused by the vault"},
                                                {"step", "release"},
                                                {"upstream_status", 403},
                                                {"detail", detail}}),
                                    "key release");
  EXPECT_FALSE(f.no_tee);
  EXPECT_EQ(f.upstream_status.value_or(0), 403);
  EXPECT_EQ(f.vault_reason["layer"], "release_policy");
  EXPECT_EQ(f.vault_reason["message"], "release policy not satisfied");
  EXPECT_NE(f.failure_reason.find("release policy"), std::string::npos);
  const json j = f.to_json();
  EXPECT_EQ(j["vault_reason"]["evaluation"]["failed"][0], "x-ms-sevsnpvm-hostdata");

  detail["error"]["innererror"]["layer"] = "access_policy";
  auto access = describe_sidecar_failure(
      reply(403, {{"error", "refused"}, {"step", "release"}, {"detail", detail}}), "key release");
  EXPECT_NE(access.failure_reason.find("access policy"), std::string::npos);
}

TEST(SidecarFailure, NonJsonBodiesAndEmptyErrorsStillSaySomething) {
  skr::SidecarReply r;
  r.status = 502;
  r.body = "<html>bad gateway</html>";
  auto f = describe_sidecar_failure(r, "attestation");
  EXPECT_EQ(f.error, "<html>bad gateway</html>");
  auto empty = describe_sidecar_failure(reply(500, json::object()), "attestation");
  EXPECT_EQ(empty.error, "attestation failed with status 500");
}

TEST(SidecarFailure, AnUnavailableUpstreamSaysWhenToRetry) {
  auto f = describe_sidecar_failure(
      reply(503, {{"error", "attestation service 127.0.0.1:9 is unavailable"},
                  {"step", "attest"},
                  {"retry_after_s", 4}}),
      "key release");
  EXPECT_FALSE(f.no_tee);
  EXPECT_EQ(f.retry_after_s.value_or(0), 4);
  EXPECT_NE(f.failure_reason.find("attestation service 127.0.0.1:9 is unavailable"),
            std::string::npos)
      << f.failure_reason;
  EXPECT_NE(f.failure_reason.find("try again in 4 s"), std::string::npos) << f.failure_reason;
  EXPECT_EQ(f.to_json()["retry_after_s"], 4);
}

TEST(SidecarFailure, RetryAfterHeaderOnEvery503) {
  http::Response from_body = http::Response::json(503, {{"retry_after_s", 7}});
  with_retry_after(from_body);
  http::Response plain = http::Response::json(503, {{"error", "x"}});
  with_retry_after(plain);
  auto header = [](const http::Response& r) {
    std::string v;
    for (const auto& [name, value] : r.headers) {
      if (name == "Retry-After") v += value + ";";
    }
    return v;
  };
  EXPECT_EQ(header(from_body), "7;");
  EXPECT_EQ(header(plain), "1;");
  with_retry_after(from_body);  // never twice
  EXPECT_EQ(header(from_body), "7;");
}

}  // namespace
}  // namespace mpcc::party
