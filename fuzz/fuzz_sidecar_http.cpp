// File: fuzz/fuzz_sidecar_http.cpp
//
// The SKR sidecar's JSON request bodies through its real route handlers, in
// process (http::Server::handle on a server that never listens). The first
// input byte picks the route, the rest is the body:
//   0  POST /attest/raw        1  POST /attest/combined
//   2  POST /attest/maa        3  POST /key/release
// with the right X-Mpcc-Group-Token. The sidecar is a confidential one: a
// simulated secure processor (PspDaemon on the shared test chip, over its
// unix socket) launched with a security policy, and the security context
// (policy, THIM certificates). Its upstreams are not there: the allowlist
// and the identity endpoint name 127.0.0.1:1 (a closed port), so an
// attestation or release that gets that far answers 503 (documented:
// upstream unreachable), and nothing leaves the machine.
// Asserts (fuzz::check_answer): no 5xx but 503, error bodies are JSON objects.
// Thread-safety: libFuzzer's single thread (the PSP daemon has its own).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/bytes.h"
#include "common/testing/temp_dir.h"
#include "crypto/encoding.h"
#include "http/server.h"
#include "platform/sim/launch_params.h"
#include "platform/sim/psp_daemon.h"
#include "platform/sim/thim.h"
#include "platform/test/test_support.h"
#include "skr/security_context.h"
#include "skr/sidecar.h"
#include "support/fuzz_support.h"
#include "support/http_check.h"

using namespace mpcc;

namespace {

constexpr const char* kGroupToken = "fuzz-group-token";
constexpr const char* kClosedEndpoint = "127.0.0.1:1";
constexpr const char* kPolicy = "package policy\n\napi_version := \"0.10.0\"\n";

struct Fixture {
  testing::TempDir dir{"mpcc-fuzz-skr"};
  std::unique_ptr<platform::sim::PspDaemon> psp;
  std::thread psp_thread;
  std::unique_ptr<skr::Sidecar> sidecar;
  http::Server server{http::ServerOptions{}};

  Fixture() {
    auto chip = platform::testing::shared_test_chip();
    std::filesystem::path psp_dir = dir.path() / "psp";
    std::filesystem::create_directory(psp_dir);
    std::filesystem::permissions(psp_dir, std::filesystem::perms::owner_all);
    psp = platform::sim::PspDaemon::open(psp_dir, chip).value();
    psp_thread = std::thread([this] { (void)psp->run(); });
    platform::sim::LaunchRequest launch;
    launch.guest = "fuzz";
    launch.params.measurement.fill(0x5c);
    launch.params.host_data = platform::sim::host_data_for_policy(as_span(std::string(kPolicy)));
    std::filesystem::path channel = psp->launch(launch).value();

    std::string policy_b64 = crypto::base64_encode(as_span(std::string(kPolicy)));
    std::string thim_b64 = crypto::base64_encode(as_span(platform::sim::thim_certification(*chip).dump()));
    skr::Environment env = [&](const std::string& name) -> std::optional<std::string> {
      if (name == skr::kSecurityPolicyEnv) return policy_b64;
      if (name == skr::kHostAmdCertEnv) return thim_b64;
      return std::nullopt;
    };
    skr::SidecarConfig config;
    config.attester.platform = platform::PlatformChoice::kSim;
    config.attester.sim_channel = channel;
    config.attester.read_environment = false;
    config.context = skr::SecurityContext::load(std::nullopt, env).value();
    config.identity_endpoint = std::string("https://") + kClosedEndpoint;
    config.identity_credential = to_secure(as_span(std::string("fuzz-credential")));
    config.group_token = kGroupToken;
    config.allowed_endpoints = {kClosedEndpoint};
    // No background key generation: the fixture lives until exit, and a
    // thread still making keys would race OpenSSL's exit-time cleanup.
    config.transfer_keys_ahead = 0;
    sidecar = skr::Sidecar::create(std::move(config)).value();
    sidecar->register_routes(server);
  }
};

constexpr const char* kRoutes[] = {"/attest/raw", "/attest/combined", "/attest/maa",
                                   "/key/release"};

}  // namespace

FUZZ_HTTP_SETUP(Fixture)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = fuzz::fixture_of<Fixture>();
  fuzz::Input in = fuzz::split_input(data, size);
  fuzz::post_and_check(f.server, kRoutes[in.selector % 4], {{skr::kGroupTokenHeader, kGroupToken}},
                       std::string(in.rest), {503});
  return 0;
}
