// Upstream outages under a running deployment (`mpcc up --detach`): the
// attestation service, Contoso's key vault or Contoso's SKR sidecar is killed
// (SIGKILL). Contoso's key release then answers 503 naming the service that
// is down, with Retry-After; the sidecar backs off (a second release inside
// the window is refused at once, without trying); what needs no upstream
// (the records, already decrypted with the key held in memory) keeps
// working; and once the service is started again, with the same command
// line, the release succeeds again without restarting anything else.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/parties/running_deployment.h"

namespace {

using mpcc::parties_test::Reply;
using mpcc::parties_test::RunningDeployment;
using nlohmann::json;
using std::chrono::steady_clock;

class Outage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployment_ = new RunningDeployment("mpcc_outage");
    if (!deployment_->ok()) return;
    const Reply release = d().call("contoso", "POST", "/skr/release");
    const Reply populate = d().call("contoso", "POST", "/company/populate");
    warm_ = release.status == 200 && populate.status == 200;
    if (!warm_) std::cerr << release.text << "\n" << populate.text << "\n";
  }
  static void TearDownTestSuite() {
    delete deployment_;
    deployment_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(deployment_->ok()) << deployment_->up_result().output;
    ASSERT_TRUE(warm_) << "the first release or populate failed";
  }
  static const RunningDeployment& d() { return *deployment_; }

  // While `component` is down: Contoso's release is a 503 that names
  // `service`, with Retry-After; the records can still be read.
  static void expect_release_unavailable(const std::string& service) {
    const Reply down = d().call("contoso", "POST", "/skr/release");
    EXPECT_EQ(down.status, 503) << down.text;
    EXPECT_NE(down.text.find(service), std::string::npos) << down.text;
    EXPECT_FALSE(down.retry_after.empty()) << down.text;
    EXPECT_GE(std::stoi(down.retry_after.empty() ? "0" : down.retry_after), 1);

    const Reply list = d().call("contoso", "GET", "/company/list?max_results=5");
    EXPECT_EQ(list.status, 200) << list.text;
  }

  // Polls Contoso's release until it succeeds; the time it took.
  static std::chrono::milliseconds release_until_ok(std::chrono::seconds limit) {
    const auto start = steady_clock::now();
    Reply last;
    while (steady_clock::now() - start < limit) {
      last = d().call("contoso", "POST", "/skr/release");
      if (last.status == 200) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
      }
      EXPECT_EQ(last.status, 503) << last.text;  // nothing but "not yet"
      int wait_s = 1;
      if (!last.retry_after.empty()) wait_s = std::stoi(last.retry_after);
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_s, 2) * 500));
    }
    ADD_FAILURE() << "no successful release within " << limit.count() << " s: " << last.text;
    return std::chrono::duration_cast<std::chrono::milliseconds>(limit);
  }

  static inline RunningDeployment* deployment_ = nullptr;
  static inline bool warm_ = false;
};

TEST_F(Outage, AttestationServiceDownThenBack) {
  const std::vector<std::string> argv = d().kill_component("attestation");
  ASSERT_FALSE(argv.empty());
  expect_release_unavailable("attestation service");

  // Inside the backoff window the sidecar does not even try.
  const Reply again = d().call("contoso", "POST", "/skr/release");
  EXPECT_EQ(again.status, 503) << again.text;
  EXPECT_NE(again.text.find("not retried for another"), std::string::npos) << again.text;

  ASSERT_TRUE(d().restart_component("attestation", argv));
  const auto took = release_until_ok(std::chrono::seconds(45));
  std::cout << "outage: release recovered " << took.count()
            << " ms after the attestation service was restarted\n";
}

TEST_F(Outage, KeyVaultDownThenBack) {
  const Reply before = d().call("contoso", "GET", "/skr/key-status");
  ASSERT_EQ(before.status, 200) << before.text;

  const std::vector<std::string> argv = d().kill_component("vault-contoso");
  ASSERT_FALSE(argv.empty());
  expect_release_unavailable("key vault");

  ASSERT_TRUE(d().restart_component("vault-contoso", argv));
  const auto took = release_until_ok(std::chrono::seconds(45));
  std::cout << "outage: release recovered " << took.count()
            << " ms after the key vault was restarted\n";
  // The same key came back (nothing was lost by the vault's crash).
  const Reply after = d().call("contoso", "GET", "/skr/key-status");
  EXPECT_EQ(after.body.value("key_id", "a"), before.body.value("key_id", "b")) << after.text;
}

TEST_F(Outage, SidecarDownThenBack) {
  const std::vector<std::string> argv = d().kill_component("sidecar-contoso");
  ASSERT_FALSE(argv.empty());
  expect_release_unavailable("SKR sidecar not available");

  ASSERT_TRUE(d().restart_component("sidecar-contoso", argv));
  const auto took = release_until_ok(std::chrono::seconds(20));
  std::cout << "outage: release recovered " << took.count()
            << " ms after the sidecar was restarted\n";
}

}  // namespace
