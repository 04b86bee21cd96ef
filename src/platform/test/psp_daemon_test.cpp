#include <gtest/gtest.h>
#include <sys/socket.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "platform/sim/channel_protocol.h"
#include "platform/sim/psp_control_client.h"
#include "platform/sim/psp_daemon.h"
#include "platform/sim/simulated_attester.h"
#include "platform/sim/unix_socket.h"
#include "platform/test/test_support.h"
#include "snp/report.h"

namespace mpcc::platform::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shared_test_chip;
using testing::test_report_data;

LaunchRequest launch_request(const std::string& guest, uint8_t fill) {
  LaunchRequest r;
  r.guest = guest;
  r.params.measurement.fill(fill);
  r.params.host_data.fill(static_cast<uint8_t>(fill + 1));
  r.params.policy = 0x30000;
  r.params.vmpl = 0;
  return r;
}

class PspDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PspDaemonOptions options;
    options.io_timeout = std::chrono::milliseconds(2000);
    auto d = PspDaemon::open(tmp_.path(), shared_test_chip(), options);
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    daemon_ = std::move(d).value();
    thread_ = std::thread([this] { run_status_ = daemon_->run(); });
  }
  void TearDown() override {
    if (daemon_) daemon_->stop();
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.to_string();
    daemon_.reset();
  }

  fs::path launch(const std::string& guest, uint8_t fill) {
    auto r = request_launch(daemon_->control_socket(), launch_request(guest, fill));
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? r->channel : fs::path();
  }

  // Sends raw bytes on a fresh connection and reads one response frame.
  StatusOr<json> raw_exchange(const fs::path& path, ByteSpan bytes) {
    MPCC_ASSIGN_OR_RETURN(Socket s, connect_unix(path));
    MPCC_RETURN_IF_ERROR(set_timeouts(s, std::chrono::milliseconds(3000)));
    if (::send(s.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
      return unavailable("send failed");
    }
    MPCC_ASSIGN_OR_RETURN(Bytes frame, read_frame(s, kMaxResponseFrame));
    return json::parse(frame.begin(), frame.end());
  }

  static Bytes framed(std::string_view body) {
    Bytes out = {static_cast<uint8_t>(body.size() >> 24), static_cast<uint8_t>(body.size() >> 16),
                 static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
    out.insert(out.end(), body.begin(), body.end());
    return out;
  }

  void expect_still_serves(const fs::path& channel, uint8_t measurement_fill) {
    SimulatedSnpAttester attester(channel, std::chrono::milliseconds(3000));
    auto e = attester.get_report(test_report_data(9));
    ASSERT_TRUE(e.ok()) << e.status().to_string();
    auto r = snp::AttestationReport::parse(e->report);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->measurement[0], measurement_fill);
  }

  testing::TempDir tmp_;
  std::unique_ptr<PspDaemon> daemon_;
  std::thread thread_;
  Status run_status_;
};

TEST_F(PspDaemonTest, RoundTripThroughTheGuestChannel) {
  const fs::path channel = launch("contoso", 0x44);
  EXPECT_EQ(channel, tmp_.path() / "guests" / "contoso.sock");
  EXPECT_EQ(fs::status(channel).permissions() & fs::perms::mask,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(daemon_->control_socket()).permissions() & fs::perms::mask,
            fs::perms::owner_read | fs::perms::owner_write);

  SimulatedSnpAttester attester(channel);
  auto e = attester.get_report(test_report_data(1));
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->format, EvidenceFormat::kSimSevSnpV1);
  ASSERT_EQ(e->endorsements.size(), 3u);
  EXPECT_EQ(e->endorsements[0], shared_test_chip()->vcek());
  auto r = snp::AttestationReport::parse(e->report);
  ASSERT_TRUE(r.ok());
  std::array<uint8_t, 48> m;
  m.fill(0x44);
  std::array<uint8_t, 32> h;
  h.fill(0x45);
  EXPECT_EQ(r->measurement, m);
  EXPECT_EQ(r->host_data, h);
  EXPECT_EQ(r->report_data, test_report_data(1));
  EXPECT_TRUE(testing::verify_report_signature(e->report, e->endorsements[0]).ok());

  // A second report of the same guest has the same REPORT_ID.
  auto e2 = attester.get_report(test_report_data(2));
  ASSERT_TRUE(e2.ok());
  EXPECT_EQ(snp::AttestationReport::parse(e2->report)->report_id, r->report_id);
}

TEST_F(PspDaemonTest, GuestCannotAlterLaunchParameters) {
  const fs::path channel = launch("fabrikam", 0x10);
  json attempt = {{"op", "get_report"},
                  {"report_data", hex_encode(test_report_data())},
                  {"measurement", std::string(96, 'f')},
                  {"host_data", std::string(64, 'f')},
                  {"vmpl", 3},
                  {"policy", 0xF0000}};
  auto answer = raw_exchange(channel, framed(attempt.dump()));
  ASSERT_TRUE(answer.ok()) << answer.status().to_string();
  EXPECT_FALSE(answer->at("ok").get<bool>());
  EXPECT_EQ(answer->at("error").at("code"), "INVALID_ARGUMENT");
  EXPECT_NE(answer->at("error").at("message").get<std::string>().find("fixed by the launcher"),
            std::string::npos);

  SimulatedSnpAttester attester(channel);
  auto e = attester.get_report(test_report_data());
  ASSERT_TRUE(e.ok());
  auto r = snp::AttestationReport::parse(e->report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->measurement[0], 0x10);
  EXPECT_EQ(r->host_data[0], 0x11);
  EXPECT_EQ(r->vmpl, 0u);
  EXPECT_EQ(r->policy, 0x30000u);
}

TEST_F(PspDaemonTest, MalformedGuestRequestsGetErrorsAndTheDaemonSurvives) {
  const fs::path channel = launch("woodgrove", 0x20);
  // Garbage inside a well-formed frame.
  auto garbage = raw_exchange(channel, framed("\x01\x02not json at all"));
  ASSERT_TRUE(garbage.ok());
  EXPECT_EQ(garbage->at("error").at("code"), "INVALID_ARGUMENT");
  // Valid JSON, wrong shapes.
  for (const char* body : {"[1,2,3]", "{\"op\":\"get_report\"}", "{\"op\":\"derive_key\"}",
                           "{\"op\":\"get_report\",\"report_data\":\"abcd\"}",
                           "{\"op\":\"get_report\",\"report_data\":12}"}) {
    auto answer = raw_exchange(channel, framed(body));
    ASSERT_TRUE(answer.ok()) << body;
    EXPECT_FALSE(answer->at("ok").get<bool>()) << body;
    EXPECT_EQ(answer->at("error").at("code"), "INVALID_ARGUMENT") << body;
  }
  // An oversize frame is refused from its header alone.
  auto oversize = raw_exchange(channel, Bytes{0x00, 0xA0, 0x00, 0x00, '{'});
  ASSERT_TRUE(oversize.ok());
  EXPECT_EQ(oversize->at("error").at("code"), "RESOURCE_EXHAUSTED");
  // A zero-length frame.
  auto empty = raw_exchange(channel, Bytes{0, 0, 0, 0});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->at("error").at("code"), "INVALID_ARGUMENT");
  // Short writes: half a header, and a body cut off; the daemon just hangs up.
  for (Bytes partial : {Bytes{0x00, 0x00}, Bytes{0x00, 0x00, 0x00, 0x40, '{', '"'}}) {
    auto s = connect_unix(channel);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(::send(s->fd(), partial.data(), partial.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(partial.size()));
    ::shutdown(s->fd(), SHUT_WR);
    EXPECT_FALSE(read_frame(*s, kMaxResponseFrame).ok());
  }
  // A client that connects and says nothing does not block others.
  auto silent = connect_unix(channel);
  ASSERT_TRUE(silent.ok());
  expect_still_serves(channel, 0x20);
}

TEST_F(PspDaemonTest, MalformedControlRequestsAreRefused) {
  for (const char* body :
       {"nope", "{\"op\":\"launch\"}", "{\"op\":\"reboot\"}",
        "{\"op\":\"launch\",\"guest\":\"../etc\",\"measurement\":\"\",\"host_data\":\"\"}"}) {
    auto answer = raw_exchange(daemon_->control_socket(), framed(body));
    ASSERT_TRUE(answer.ok()) << body;
    EXPECT_EQ(answer->at("error").at("code"), "INVALID_ARGUMENT") << body;
  }
  LaunchRequest bad = launch_request("x", 1);
  bad.params.policy = 0x10000;  // reserved bit 17 clear
  auto r = request_launch(daemon_->control_socket(), bad);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bit 17"), std::string::npos);
  bad = launch_request("bad/name", 1);
  EXPECT_EQ(request_launch(daemon_->control_socket(), bad).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(tmp_.path() / "guests" / "x.sock"));
}

TEST_F(PspDaemonTest, RelaunchNeedsReplaceAndThenServesTheNewParameters) {
  const fs::path channel = launch("contoso", 0x01);
  auto again = request_launch(daemon_->control_socket(), launch_request("contoso", 0x02));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  expect_still_serves(channel, 0x01);

  LaunchRequest replace = launch_request("contoso", 0x02);
  replace.replace = true;
  auto replaced = request_launch(daemon_->control_socket(), replace);
  ASSERT_TRUE(replaced.ok()) << replaced.status().to_string();
  EXPECT_EQ(replaced->channel, channel);
  expect_still_serves(channel, 0x02);
}

TEST_F(PspDaemonTest, StatusListsGuestsWithoutSecrets) {
  launch("contoso", 0x01);
  launch("fabrikam", 0x02);
  auto status = request_status(daemon_->control_socket());
  ASSERT_TRUE(status.ok()) << status.status().to_string();
  ASSERT_EQ(status->at("guests").size(), 2u);
  EXPECT_EQ(status->at("guests")[0].at("name"), "contoso");
  EXPECT_EQ(status->at("chip").at("chip_id"),
            hex_encode(ByteSpan(shared_test_chip()->chip_id().data(), 64)));
  EXPECT_EQ(status->dump().find("PRIVATE"), std::string::npos);
}

TEST_F(PspDaemonTest, ConcurrentGuestsGetTheirOwnReports) {
  const fs::path a = launch("a", 0xA0);
  const fs::path b = launch("b", 0xB0);
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const bool even = i % 2 == 0;
      SimulatedSnpAttester attester(even ? a : b);
      auto e = attester.get_report(test_report_data(static_cast<uint8_t>(i)));
      if (!e.ok()) return;
      auto r = snp::AttestationReport::parse(e->report);
      if (r.ok() && r->measurement[0] == (even ? 0xA0 : 0xB0) &&
          r->report_data == test_report_data(static_cast<uint8_t>(i))) {
        ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 8);
}

TEST_F(PspDaemonTest, SecondDaemonOnTheSameDirectoryIsRefused) {
  auto second = PspDaemon::open(tmp_.path(), shared_test_chip());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another psp daemon"), std::string::npos);
}

TEST(PspDaemon, StopRemovesSocketsAndChannelsBecomeUnavailable) {
  testing::TempDir tmp;
  auto d = PspDaemon::open(tmp.path(), shared_test_chip());
  ASSERT_TRUE(d.ok());
  auto launched = (*d)->launch(launch_request("g", 1));
  ASSERT_TRUE(launched.ok());
  std::thread t([&] { (void)(*d)->run(); });
  (*d)->stop();
  t.join();
  d->reset();
  EXPECT_FALSE(fs::exists(*launched));
  EXPECT_FALSE(fs::exists(tmp.path() / kControlSocketName));
  SimulatedSnpAttester attester(*launched);
  auto e = attester.get_report(test_report_data());
  EXPECT_EQ(e.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mpcc::platform::sim
