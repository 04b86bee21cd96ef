// `mpcc up/status/down` end to end with the built binary: one deployment in a
// temp directory shared by the tests below, which run in order: the services
// and the four parties (sidecars and apps) of the built-in deployment file.
// Every process of the deployment has the directory in its command line, so
// the suite's teardown finds and kills anything left behind by a failed test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/bytes.h"
#include "common/file_io.h"
#include "common/testing/run_command.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "deploy/endpoints.h"
#include "deploy/supervisor.h"
#include "http/client.h"
#include "keyvault/key_registry.h"
#include "platform/sim/psp_control_client.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

using CliResult = mpcc::testing::CommandResult;

CliResult run_mpcc(const std::string& args) {
  return mpcc::testing::run_command(std::string(MPCC_EXE) + " " + args);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// {"component": pid} of the running components, from `mpcc status --json`.
std::map<std::string, pid_t> running_pids(const fs::path& dir) {
  CliResult r = run_mpcc("status --json --state-dir " + dir.string());
  std::map<std::string, pid_t> out;
  json j = json::parse(r.output, nullptr, false);
  if (j.is_discarded() || !j.contains("components")) return out;
  for (const json& c : j["components"]) {
    if (c.value("running", false) && c["pid"].is_number()) out[c["name"]] = c["pid"].get<pid_t>();
  }
  return out;
}

const std::vector<std::string> kParties = {"contoso", "fabrikam", "woodgrove", "snooper"};
const std::vector<std::string> kConfidential = {"contoso", "fabrikam", "woodgrove"};
// psp, identity, attestation, 3 vaults, 4 sidecars, 4 apps, the view.
constexpr std::size_t kComponents = 15;

// The environment variables of a live process.
std::vector<std::string> process_environ(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::vector<std::string> out;
  std::string var;
  while (std::getline(in, var, '\0')) out.push_back(var);
  return out;
}

class DeployCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("mpcc_deploy_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  static void TearDownTestSuite() {
    run_mpcc("down --state-dir " + dir_.string());
    run_mpcc("down --state-dir " + second_dir().string());
    // Also matches second_dir(), whose name starts with dir_'s.
    for (pid_t pid : mpcc::deploy::processes_naming(dir_.string())) {
      std::cerr << "deploy test: killing leftover pid " << pid << "\n";
      ::kill(pid, SIGKILL);
    }
    fs::remove_all(dir_);
    fs::remove_all(second_dir());
  }
  static fs::path second_dir() { return dir_.string() + "-second"; }
  static std::string dir_arg() { return "--state-dir " + dir_.string(); }
  // A generous timeout: the point is function, and sanitizer builds under a
  // loaded machine start slowly (the default is 30 s).
  static std::string up_detach() { return "up --detach --timeout 120 " + dir_arg(); }
  static mpcc::deploy::Endpoints endpoints() {
    mpcc::StatusOr<mpcc::deploy::Endpoints> e =
        mpcc::deploy::read_endpoints(dir_ / "endpoints.json");
    EXPECT_TRUE(e.ok()) << e.status().to_string();
    return e.ok() ? *e : mpcc::deploy::Endpoints{};
  }
  static mpcc::http::Client client() {
    mpcc::http::ClientOptions o;
    o.ca_cert_path = (dir_ / "ca" / "ca.pem").string();
    o.connect_timeout_ms = 2000;
    o.read_timeout_ms = 5000;
    return mpcc::http::Client(o);
  }
  // An access token from the running identity service, proving `name` with its credential.
  static std::string token_for(const std::string& name) {
    mpcc::deploy::Endpoints e = endpoints();
    const std::string credential = read_text(e.identities.at(name).credential_file);
    auto r = client().get(e.identity +
                              "/metadata/identity/oauth2/"
                              "token?api-version=2018-02-01&resource=https://vault.azure.net",
                          {{"Metadata", "true"}, {"X-IDENTITY-HEADER", credential}});
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    auto j = r->json();
    return j.ok() ? j->value("access_token", "") : "";
  }
  // The release policy of a key, as the vault returns it (GET with the deployer's token).
  static json key_release_policy(const std::string& vault, const std::string& key) {
    auto r = client().get(endpoints().vaults.at(vault) + "/keys/" + key + "?api-version=7.4",
                          {{"Authorization", "Bearer " + token_for("deployer")}});
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->status, 200) << r->body;
    json bundle = json::parse(r->body, nullptr, false);
    if (bundle.is_discarded() || !bundle.contains("release_policy")) return nullptr;
    auto data =
        mpcc::crypto::base64_decode_any(bundle["release_policy"]["data"].get<std::string>());
    EXPECT_TRUE(data.ok());
    return data.ok() ? json::parse(mpcc::to_string(*data)) : json(nullptr);
  }
  // The x-ms-sevsnpvm-hostdata values a release policy names, in order.
  static std::vector<std::string> hostdata_in(const json& policy) {
    std::vector<std::string> out;
    if (!policy.is_object()) return out;
    for (const json& entry : policy["anyOf"]) {
      EXPECT_EQ(entry["authority"], endpoints().attestation);
      for (const json& c : entry["allOf"]) {
        if (c["claim"] == "x-ms-sevsnpvm-hostdata") out.push_back(c["equals"]);
      }
    }
    return out;
  }
  // Everything up must keep across runs: tokens, configs, policies.
  static std::map<std::string, std::string> party_files() {
    std::map<std::string, std::string> out;
    for (const std::string& p : kParties) {
      for (const char* f : {"party.json", "group-token", "operator-token",
                            "security-context/security-policy-base64"}) {
        const fs::path path = dir_ / "parties" / p / f;
        if (fs::exists(path)) out[p + "/" + f] = read_text(path);
      }
    }
    return out;
  }
  static CliResult timed_up(const std::string& label) {
    auto start = steady_clock::now();
    CliResult r = run_mpcc(up_detach());
    auto ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
    std::cout << "deploy test: " << label << " took " << ms << " ms\n";
    ::testing::Test::RecordProperty(label + "_ms", static_cast<int>(ms));
    return r;
  }

  static fs::path dir_;
  static mpcc::deploy::Endpoints first_endpoints_;
  static std::string first_ca_, first_chain_, kept_kid_;
  static std::map<std::string, std::string> first_party_files_;
};

fs::path DeployCli::dir_;
mpcc::deploy::Endpoints DeployCli::first_endpoints_;
std::string DeployCli::first_ca_, DeployCli::first_chain_, DeployCli::kept_kid_;
std::map<std::string, std::string> DeployCli::first_party_files_;

TEST_F(DeployCli, StatusAndDownWithoutADeployment) {
  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 2) << status.output;
  EXPECT_NE(status.output.find("no deployment"), std::string::npos) << status.output;
  CliResult down = run_mpcc("down " + dir_arg());
  EXPECT_EQ(down.code, 0) << down.output;
  EXPECT_NE(down.output.find("nothing to stop"), std::string::npos) << down.output;
  CliResult usage = run_mpcc("up --detach --timeout 0 " + dir_arg());
  EXPECT_EQ(usage.code, 2) << usage.output;
}

TEST_F(DeployCli, UpDetachStartsEveryComponentHealthy) {
  // A guest channel in up's environment must never reach a party (the
  // Snooper would find a device in it).
  auto start = steady_clock::now();
  CliResult up = mpcc::testing::run_command("MPCC_SEV_GUEST=/nonexistent/guest.sock " +
                                            std::string(MPCC_EXE) + " " + up_detach());
  std::cout << "deploy test: first_up took "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()
            << " ms\n";
  ASSERT_EQ(up.code, 0) << up.output;
  EXPECT_NE(up.output.find("started the deployment"), std::string::npos) << up.output;
  for (const char* c :
       {"psp", "identity", "attestation", "vault-contoso", "vault-fabrikam", "vault-woodgrove",
        "sidecar-contoso", "sidecar-snooper", "party-woodgrove", "party-snooper"}) {
    EXPECT_NE(up.output.find(c), std::string::npos) << c << "\n" << up.output;
  }
  for (const char* key : {"contoso-secret-key", "fabrikam-secret-key", "woodgrove-secret-key"}) {
    EXPECT_NE(up.output.find(std::string("key ") + key), std::string::npos)
        << "a note for each key created\n"
        << up.output;
  }

  // endpoints.json: every field, absolute paths, https URLs.
  const json raw = json::parse(read_text(dir_ / "endpoints.json"));
  for (const char* key :
       {"ca_cert", "attestation", "identity", "vaults", "identities", "psp", "parties", "view"}) {
    EXPECT_TRUE(raw.contains(key)) << key;
  }
  mpcc::deploy::Endpoints e = endpoints();
  EXPECT_EQ(e.ca_cert, dir_ / "ca" / "ca.pem");
  EXPECT_EQ(e.psp_state_dir, dir_ / "psp");
  EXPECT_EQ(e.psp_chain, dir_ / "psp" / "chain.pem");
  EXPECT_EQ(e.attestation.rfind("https://127.0.0.1:", 0), 0u) << e.attestation;
  EXPECT_EQ(e.identity.rfind("https://127.0.0.1:", 0), 0u) << e.identity;
  EXPECT_EQ(e.vaults.size(), 3u);
  std::set<std::string> urls = {e.attestation, e.identity};
  for (const char* party : {"contoso", "fabrikam", "woodgrove"}) {
    ASSERT_TRUE(e.vaults.count(party)) << party;
    urls.insert(e.vaults.at(party));
  }
  EXPECT_EQ(urls.size(), 5u) << "every service has its own port";
  ASSERT_EQ(e.identities.size(), 6u);
  for (const char* name :
       {"deployer", "contoso", "fabrikam", "woodgrove", "contoso-admin", "fabrikam-admin"}) {
    ASSERT_TRUE(e.identities.count(name)) << name;
    const auto& id = e.identities.at(name);
    EXPECT_EQ(id.client_id.size(), 36u);
    EXPECT_EQ(id.object_id.size(), 36u);
    EXPECT_EQ(id.credential_file, dir_ / "identity" / "credentials" / name);
    EXPECT_EQ(mode_of(id.credential_file), 0600u) << name;
    EXPECT_FALSE(read_text(id.credential_file).empty());
  }

  // Files and modes.
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_EQ(mode_of(dir_ / "identity" / "credentials"), 0700u);
  EXPECT_EQ(mode_of(dir_ / "endpoints.json") & 0077, 0u);
  for (const char* f : {"ca/ca.pem",
                        "ca/ca.key",
                        "ca/attestation.pem",
                        "ca/identity.pem",
                        "ca/vault-contoso.pem",
                        "psp/chip.json",
                        "psp/chain.pem",
                        "psp/psp.sock",
                        "deployment.json",
                        "vaults/contoso/vault.db",
                        "logs/psp.log",
                        "logs/vault-woodgrove.log",
                        "run/psp.pid",
                        "run/vault-fabrikam.pid",
                        "deployment-file.json",
                        "ca/party-contoso.pem",
                        "ca/party-snooper.key",
                        "parties/snooper/party.json",
                        "logs/sidecar-woodgrove.log",
                        "run/party-fabrikam.pid",
                        "run/sidecar-snooper.pid"}) {
    EXPECT_TRUE(fs::exists(dir_ / f)) << f;
  }
  const std::string chain = read_text(dir_ / "psp" / "chain.pem");
  std::size_t certs = 0;
  for (std::size_t pos = chain.find("BEGIN CERTIFICATE"); pos != std::string::npos;
       pos = chain.find("BEGIN CERTIFICATE", pos + 1)) {
    ++certs;
  }
  EXPECT_EQ(certs, 3u) << "VCEK, ASK, ARK";

  // Every URL answers /health over TLS with the deployment's CA...
  for (const std::string& url : urls) {
    auto r = client().get(url + "/health");
    ASSERT_TRUE(r.ok()) << url << ": " << r.status().to_string();
    EXPECT_EQ(r->status, 200) << url;
    auto j = r->json();
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->value("status", ""), "ok") << url;
  }
  // ...and not without it (the system roots do not know the local CA).
  auto untrusted = mpcc::http::Client().get(e.identity + "/health");
  EXPECT_FALSE(untrusted.ok());

  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 0) << status.output;
  CliResult status_json = run_mpcc("status --json " + dir_arg());
  EXPECT_EQ(status_json.code, 0) << status_json.output;
  json sj = json::parse(status_json.output, nullptr, false);
  ASSERT_FALSE(sj.is_discarded()) << status_json.output;
  EXPECT_TRUE(sj.at("healthy").get<bool>());
  EXPECT_EQ(sj.at("components").size(), kComponents);

  first_endpoints_ = e;
  first_ca_ = read_text(dir_ / "ca" / "ca.pem");
  first_chain_ = chain;
}

TEST_F(DeployCli, EndpointsListTheFourPartiesAndTheirProcessesAnswer) {
  const json raw = json::parse(read_text(dir_ / "endpoints.json"));
  const json& parties = raw.at("parties");
  ASSERT_EQ(parties.size(), kParties.size()) << parties.dump(2);
  const mpcc::deploy::Endpoints e = endpoints();
  std::set<std::string> urls;
  for (const std::string& name : kParties) {
    ASSERT_TRUE(parties.contains(name)) << name;
    const json& p = parties[name];
    for (const char* field : {"app", "sku", "vault", "key", "identity", "credential_file",
                              "sidecar", "host_data", "role"}) {
      EXPECT_TRUE(p.contains(field)) << name << "." << field;
    }
    EXPECT_EQ(p["app"].get<std::string>().rfind("https://127.0.0.1:", 0), 0u) << name;
    EXPECT_EQ(p["sidecar"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u) << name;
    urls.insert(p["app"].get<std::string>());
    urls.insert(p["sidecar"].get<std::string>());
    EXPECT_EQ(p["credential_file"], (dir_ / "parties" / name / "operator-token").string());
    EXPECT_EQ(mode_of(dir_ / "parties" / name / "operator-token"), 0600u) << name;
    EXPECT_EQ(mode_of(dir_ / "parties" / name / "group-token"), 0600u) << name;
    EXPECT_EQ(mode_of(dir_ / "parties" / name / "party.json"), 0600u) << name;
    EXPECT_EQ(mode_of(dir_ / "parties" / name), 0700u) << name;

    // The app over TLS with the deployment's CA; the sidecar over plain HTTP.
    auto health = client().get(p["app"].get<std::string>() + "/health");
    ASSERT_TRUE(health.ok()) << name << ": " << health.status().to_string();
    EXPECT_EQ(health->status, 200) << name;
    auto status = client().get(p["sidecar"].get<std::string>() + "/status");
    ASSERT_TRUE(status.ok()) << name << ": " << status.status().to_string();
    EXPECT_EQ(status->status, 200) << name;
  }
  EXPECT_EQ(urls.size(), 2 * kParties.size()) << "every process has its own port";
  EXPECT_EQ(mode_of(dir_ / "blobs"), 0700u);

  const json& contoso = parties["contoso"];
  EXPECT_EQ(contoso["role"], "owner");
  EXPECT_EQ(contoso["sku"], "confidential");
  EXPECT_EQ(contoso["vault"], e.vaults.at("contoso"));
  EXPECT_EQ(contoso["key"], "contoso-secret-key");
  EXPECT_EQ(contoso["identity"], "contoso");
  EXPECT_EQ(parties["woodgrove"]["role"], "analyst");
  const json& snooper = parties["snooper"];
  EXPECT_EQ(snooper["role"], "observer");
  EXPECT_EQ(snooper["sku"], "standard");
  EXPECT_TRUE(snooper["host_data"].is_null());
  EXPECT_EQ(snooper["vault"], e.vaults.at("contoso")) << "Contoso's vault, key and identity";
  EXPECT_EQ(snooper["key"], "contoso-secret-key");
  EXPECT_EQ(snooper["identity"], "contoso");

  // The app's config names its own sidecar and port.
  const json config = json::parse(read_text(dir_ / "parties" / "woodgrove" / "party.json"));
  EXPECT_EQ(config["sidecar"]["url"], parties["woodgrove"]["sidecar"]);
  EXPECT_EQ(config["audience"], parties["woodgrove"]["app"]);
  EXPECT_EQ(config["partners"].size(), 2u);
  first_party_files_ = party_files();
}

TEST_F(DeployCli, ConfidentialPartiesRunAsGuestsWithTheirPolicysHostData) {
  const json raw = json::parse(read_text(dir_ / "endpoints.json"));
  auto psp = mpcc::platform::sim::request_status(dir_ / "psp" / "psp.sock");
  ASSERT_TRUE(psp.ok()) << psp.status().to_string();
  std::map<std::string, std::string> guests;
  for (const json& g : (*psp)["guests"]) {
    guests[g["name"]] = g["launch"]["host_data"];
    // The launch measurement: SHA-384 of the binary (locally it plays the UVM).
    auto binary = mpcc::read_file(MPCC_EXE, 512u << 20);
    ASSERT_TRUE(binary.ok());
    EXPECT_EQ(g["launch"]["measurement"], mpcc::hex_encode(mpcc::crypto::sha384(*binary)))
        << g.dump();
  }
  std::set<std::string> distinct;
  for (const std::string& name : kConfidential) {
    const fs::path context = dir_ / "parties" / name / "security-context";
    EXPECT_EQ(mode_of(context), 0700u) << name;
    auto policy = mpcc::crypto::base64_decode(read_text(context / "security-policy-base64"));
    ASSERT_TRUE(policy.ok()) << name;
    EXPECT_EQ(mpcc::to_string(*policy).rfind("package policy\n", 0), 0u) << name;
    const std::string host_data = mpcc::hex_encode(mpcc::crypto::sha256(*policy));
    EXPECT_EQ(guests[name], host_data) << name << ": the guest runs with SHA-256 of its policy";
    EXPECT_EQ(raw["parties"][name]["host_data"], host_data) << name;
    distinct.insert(host_data);
    auto thim = mpcc::crypto::base64_decode(read_text(context / "host-amd-cert-base64"));
    ASSERT_TRUE(thim.ok()) << name;
    const json cert = json::parse(mpcc::to_string(*thim));
    EXPECT_NE(cert.value("vcekCert", "").find("BEGIN CERTIFICATE"), std::string::npos) << name;
  }
  EXPECT_EQ(distinct.size(), kConfidential.size()) << "a distinct host_data per party";

  // The Snooper: no security context, no guest, no device, not even through its environment.
  EXPECT_FALSE(fs::exists(dir_ / "parties" / "snooper" / "security-context"));
  EXPECT_EQ(guests.count("snooper"), 0u);
  std::map<std::string, pid_t> pids = running_pids(dir_);
  ASSERT_EQ(pids.count("sidecar-snooper"), 1u);
  ASSERT_EQ(pids.count("sidecar-contoso"), 1u);
  const std::vector<std::string> snooper_argv =
      mpcc::deploy::process_cmdline(pids["sidecar-snooper"]);
  EXPECT_EQ(std::count(snooper_argv.begin(), snooper_argv.end(), "--sev-guest"), 0);
  EXPECT_EQ(std::count(snooper_argv.begin(), snooper_argv.end(), "--security-context"), 0);
  const std::vector<std::string> contoso_argv =
      mpcc::deploy::process_cmdline(pids["sidecar-contoso"]);
  EXPECT_EQ(std::count(contoso_argv.begin(), contoso_argv.end(),
                       (dir_ / "psp" / "guests" / "contoso.sock").string()),
            1);
  for (const char* c : {"sidecar-snooper", "party-snooper", "sidecar-contoso"}) {
    for (const std::string& var : process_environ(pids[c])) {
      EXPECT_NE(var.rfind("MPCC_SEV_GUEST=", 0), 0u) << c << " inherited " << var;
    }
  }
}

TEST_F(DeployCli, KeysAreBoundToTheHostDataOfTheirHolders) {
  const json parties = json::parse(read_text(dir_ / "endpoints.json"))["parties"];
  auto host_data = [&](const char* p) { return parties[p]["host_data"].get<std::string>(); };
  EXPECT_EQ(hostdata_in(key_release_policy("contoso", "contoso-secret-key")),
            (std::vector<std::string>{host_data("contoso"), host_data("woodgrove")}));
  EXPECT_EQ(hostdata_in(key_release_policy("fabrikam", "fabrikam-secret-key")),
            (std::vector<std::string>{host_data("fabrikam"), host_data("woodgrove")}));
  EXPECT_EQ(hostdata_in(key_release_policy("woodgrove", "woodgrove-secret-key")),
            (std::vector<std::string>{host_data("woodgrove")}));
  const json policy = key_release_policy("contoso", "contoso-secret-key");
  ASSERT_TRUE(policy.is_object());
  EXPECT_EQ(policy["anyOf"][0]["allOf"][0],
            (json{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}}));
  EXPECT_EQ(policy["anyOf"][0]["allOf"][2],
            (json{{"claim", "x-ms-sevsnpvm-is-debuggable"}, {"equals", false}}));
}

TEST_F(DeployCli, IdentitiesGetTokensAndVaultAccessPoliciesApply) {
  mpcc::deploy::Endpoints e = endpoints();
  // The operator's way: a token signed with the identity service's key.
  CliResult token =
      run_mpcc("identity token --state-dir " + (dir_ / "identity").string() +
               " --identity deployer --resource https://vault.azure.net --issuer " + e.identity);
  ASSERT_EQ(token.code, 0) << token.output;
  EXPECT_EQ(std::count(token.output.begin(), token.output.end(), '.'), 2) << "a JWS";

  // A container's way: its credential against the running identity service.
  const std::string deployer = token_for("deployer");
  const std::string contoso = token_for("contoso");
  const std::string woodgrove = token_for("woodgrove");
  ASSERT_FALSE(deployer.empty());
  auto list_keys = [&](const std::string& party, const std::string& bearer) {
    auto r = client().get(e.vaults.at(party) + "/keys?api-version=7.4",
                          {{"Authorization", "Bearer " + bearer}});
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? r->status : 0;
  };
  for (const char* party : {"contoso", "fabrikam", "woodgrove"}) {
    EXPECT_EQ(list_keys(party, deployer), 200) << "deployer may do everything on " << party;
  }
  EXPECT_EQ(list_keys("contoso", contoso), 200) << "contoso lists its own vault";
  EXPECT_EQ(list_keys("fabrikam", contoso), 403) << "contoso has no policy on fabrikam's vault";
  EXPECT_EQ(list_keys("contoso", woodgrove), 403) << "woodgrove may get and release, not list";

  // The policies as stored (the vault may run: the registry is shared through SQLite).
  for (const char* party : {"contoso", "fabrikam", "woodgrove"}) {
    auto reg = mpcc::keyvault::KeyRegistry::open(dir_ / "vaults" / party / "vault.db");
    ASSERT_TRUE(reg.ok()) << reg.status().to_string();
    auto deployer_policy = (*reg)->access_policy(e.identities.at("deployer").object_id);
    ASSERT_TRUE(deployer_policy.ok() && deployer_policy->has_value()) << party;
    EXPECT_EQ((*deployer_policy)->key_permissions.size(),
              mpcc::keyvault::all_key_permissions().size());
    auto own = (*reg)->access_policy(e.identities.at(party).object_id);
    ASSERT_TRUE(own.ok() && own->has_value()) << party;
    EXPECT_EQ((*own)->key_permissions, (std::set<std::string>{"get", "list", "release"})) << party;
    auto partner = (*reg)->access_policy(e.identities.at("woodgrove").object_id);
    ASSERT_TRUE(partner.ok() && partner->has_value()) << party;
    if (std::string(party) == "woodgrove") continue;
    EXPECT_EQ((*partner)->key_permissions, (std::set<std::string>{"get", "release"})) << party;
    // The owner's administrator reads and updates the key (the revoke button).
    auto admin = (*reg)->access_policy(e.identities.at(std::string(party) + "-admin").object_id);
    ASSERT_TRUE(admin.ok() && admin->has_value()) << party;
    EXPECT_EQ((*admin)->key_permissions, (std::set<std::string>{"get", "update"})) << party;
    auto policies = (*reg)->access_policies();
    ASSERT_TRUE(policies.ok());
    EXPECT_EQ(policies->size(), 4u) << party;
  }

  // A key the restart below must keep (with its audit records).
  const std::string policy =
      json{{"version", "1.0.0"},
           {"anyOf",
            {{{"authority", e.attestation},
              {"allOf", {{{"claim", "x-ms-attestation-type"}, {"equals", "sevsnpvm"}}}}}}}}
          .dump();
  json body = {
      {"kty", "RSA-HSM"},
      {"attributes", {{"exportable", true}}},
      {"release_policy", {{"data", mpcc::crypto::base64url_encode(mpcc::to_bytes(policy))}}}};
  auto created =
      client().request("POST", e.vaults.at("contoso") + "/keys/kept/create?api-version=7.4",
                       body.dump(), "application/json", {{"Authorization", "Bearer " + deployer}});
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  ASSERT_EQ(created->status, 200) << created->body;
  kept_kid_ = json::parse(created->body)["key"]["kid"].get<std::string>();
}

TEST_F(DeployCli, SecondUpSaysAlreadyRunning) {
  std::map<std::string, pid_t> before = running_pids(dir_);
  ASSERT_EQ(before.size(), kComponents);
  const json policy = key_release_policy("contoso", "contoso-secret-key");
  const std::string endpoints_text = read_text(dir_ / "endpoints.json");
  CliResult up = timed_up("up_when_running");
  EXPECT_EQ(up.code, 0) << up.output;
  EXPECT_NE(up.output.find("already running"), std::string::npos) << up.output;
  EXPECT_EQ(up.output.find("note:"), std::string::npos) << "nothing changed\n" << up.output;
  EXPECT_EQ(running_pids(dir_), before) << "nothing restarted";
  EXPECT_EQ(party_files(), first_party_files_) << "tokens, configs and policies kept";
  EXPECT_EQ(key_release_policy("contoso", "contoso-secret-key"), policy);
  EXPECT_EQ(read_text(dir_ / "endpoints.json"), endpoints_text);
}

TEST_F(DeployCli, AChangedDeploymentFileUpdatesKeysAndRestartsOnlyTheParties) {
  const std::map<std::string, pid_t> before = running_pids(dir_);
  ASSERT_EQ(before.size(), kComponents);
  const json parties = json::parse(read_text(dir_ / "endpoints.json"))["parties"];
  // The file as up used it (csv paths absolute), with another analysis setting:
  // every party's config changes, so every confidential party's host_data.
  json changed = json::parse(read_text(dir_ / "deployment-file.json"));
  changed["analysis"]["min_group_size"] = 2;
  std::ofstream(dir_ / "changed.json") << changed.dump();
  CliResult up = run_mpcc(up_detach() + " --deployment-file " + (dir_ / "changed.json").string());
  ASSERT_EQ(up.code, 0) << up.output;
  for (const char* key : {"contoso-secret-key", "fabrikam-secret-key", "woodgrove-secret-key"}) {
    EXPECT_NE(up.output.find(std::string("key ") + key), std::string::npos) << up.output;
  }
  EXPECT_NE(up.output.find("release policy updated"), std::string::npos) << up.output;
  for (const std::string& p : kParties) {
    EXPECT_NE(up.output.find("party " + p + ": its configuration or security policy changed"),
              std::string::npos)
        << up.output;
  }
  const std::map<std::string, pid_t> after = running_pids(dir_);
  ASSERT_EQ(after.size(), kComponents);
  for (const auto& [name, pid] : before) {
    // The view restarts too: its config shows the parties' host_data.
    const bool party =
        name.rfind("party-", 0) == 0 || name.rfind("sidecar-", 0) == 0 || name == "view";
    if (party) {
      EXPECT_NE(after.at(name), pid) << name << " restarted";
    } else {
      EXPECT_EQ(after.at(name), pid) << name << " kept";
    }
  }
  const json now = json::parse(read_text(dir_ / "endpoints.json"))["parties"];
  for (const std::string& p : kConfidential) {
    EXPECT_NE(now[p]["host_data"], parties[p]["host_data"]) << p;
    EXPECT_EQ(now[p]["app"], parties[p]["app"]) << p << ": same port";
  }
  EXPECT_EQ(hostdata_in(key_release_policy("contoso", "contoso-secret-key")),
            (std::vector<std::string>{now["contoso"]["host_data"], now["woodgrove"]["host_data"]}));
  EXPECT_EQ(json::parse(read_text(dir_ / "parties" / "snooper" / "party.json"))["analysis"],
            (json{{"min_group_size", 2}}));

  // Back to the built-in file: the first policies, tokens and host_data again.
  CliResult back = run_mpcc(up_detach());
  ASSERT_EQ(back.code, 0) << back.output;
  EXPECT_EQ(json::parse(read_text(dir_ / "endpoints.json"))["parties"], parties);
  EXPECT_EQ(party_files(), first_party_files_);
  EXPECT_EQ(hostdata_in(key_release_policy("woodgrove", "woodgrove-secret-key")),
            (std::vector<std::string>{parties["woodgrove"]["host_data"]}));
}

TEST_F(DeployCli, UpRestartsOnlyAComponentThatDied) {
  std::map<std::string, pid_t> before = running_pids(dir_);
  ASSERT_EQ(before.count("vault-fabrikam"), 1u);
  ASSERT_EQ(::kill(before["vault-fabrikam"], SIGKILL), 0);
  for (int i = 0; i < 200 && mpcc::deploy::process_alive(before["vault-fabrikam"]); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 1) << status.output;
  EXPECT_NE(status.output.find("vault-fabrikam"), std::string::npos);

  CliResult up = run_mpcc(up_detach());
  ASSERT_EQ(up.code, 0) << up.output;
  std::map<std::string, pid_t> after = running_pids(dir_);
  ASSERT_EQ(after.size(), kComponents);
  for (const auto& [name, pid] : before) {
    if (name == "vault-fabrikam") {
      EXPECT_NE(after[name], pid);
    } else {
      EXPECT_EQ(after[name], pid) << name;
    }
  }
  EXPECT_EQ(endpoints().vaults, first_endpoints_.vaults) << "same port after the restart";
}

TEST_F(DeployCli, DownStopsEverythingAndIsIdempotent) {
  std::map<std::string, pid_t> pids = running_pids(dir_);
  ASSERT_EQ(pids.size(), kComponents);
  auto start = steady_clock::now();
  CliResult down = run_mpcc("down --keep " + dir_arg());
  std::cout << "deploy test: down took "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()
            << " ms\n";
  ASSERT_EQ(down.code, 0) << down.output;
  for (const auto& [name, pid] : pids) {
    EXPECT_FALSE(mpcc::deploy::process_alive(pid)) << name << " pid " << pid;
    EXPECT_FALSE(fs::exists(dir_ / "run" / (name + ".pid"))) << name;
  }
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir_.string()).empty());

  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 1) << status.output;
  CliResult again = run_mpcc("down --keep " + dir_arg());
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(fs::exists(dir_ / "deployment.json")) << "--keep keeps the state";
}

TEST_F(DeployCli, UpAfterDownKeepsPortsIdentitiesCaAndChip) {
  CliResult up = timed_up("restart_up");
  ASSERT_EQ(up.code, 0) << up.output;
  mpcc::deploy::Endpoints e = endpoints();
  EXPECT_EQ(e.identity, first_endpoints_.identity);
  EXPECT_EQ(e.attestation, first_endpoints_.attestation);
  EXPECT_EQ(e.vaults, first_endpoints_.vaults);
  EXPECT_EQ(e.identities, first_endpoints_.identities)
      << "client ids, object ids, credentials unchanged";
  EXPECT_EQ(e.parties, first_endpoints_.parties) << "same ports, same host_data";
  EXPECT_EQ(party_files(), first_party_files_) << "tokens, configs and policies kept";
  EXPECT_EQ(running_pids(dir_).size(), kComponents);
  EXPECT_EQ(read_text(dir_ / "ca" / "ca.pem"), first_ca_);
  EXPECT_EQ(read_text(dir_ / "psp" / "chain.pem"), first_chain_);
  EXPECT_FALSE(token_for("contoso").empty()) << "the kept credential still works";
  // The vault kept its key (same version) and an audit chain that verifies.
  ASSERT_FALSE(kept_kid_.empty()) << "IdentitiesGetTokensAndVaultAccessPoliciesApply ran first";
  auto kept = client().get(e.vaults.at("contoso") + "/keys/kept/?api-version=7.4",
                           {{"Authorization", "Bearer " + token_for("deployer")}});
  ASSERT_TRUE(kept.ok()) << kept.status().to_string();
  ASSERT_EQ(kept->status, 200) << kept->body;
  EXPECT_EQ(json::parse(kept->body)["key"]["kid"], kept_kid_);
  CliResult audit =
      run_mpcc("audit verify --db " + (dir_ / "vaults" / "contoso" / "vault.db").string());
  EXPECT_EQ(audit.code, 0) << audit.output;
  EXPECT_NE(audit.output.find("audit chain OK"), std::string::npos) << audit.output;
  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 0) << status.output;
  CliResult down = run_mpcc("down --keep " + dir_arg());
  EXPECT_EQ(down.code, 0) << down.output;
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir_.string()).empty());
}

TEST_F(DeployCli, ATakenRecordedPortFailsNamingTheComponentAndStartsNothing) {
  const std::string url = first_endpoints_.attestation;
  ASSERT_FALSE(url.empty());
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(fd, 4), 0);

  CliResult up = run_mpcc(up_detach());
  ::close(fd);
  EXPECT_EQ(up.code, 5) << up.output;
  EXPECT_NE(up.output.find("mpcc up: "), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("port " + std::to_string(port) + " of attestation"), std::string::npos)
      << up.output;
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir_.string()).empty()) << "nothing left running";
  CliResult status = run_mpcc("status " + dir_arg());
  EXPECT_EQ(status.code, 1) << status.output;
  EXPECT_EQ(endpoints().attestation, url) << "the recorded port is kept, not replaced";
}

// `mpcc up` in the foreground on `dir` (with --keep when asked), output in `out`.
pid_t spawn_foreground_up(const fs::path& dir, const fs::path& out, bool keep) {
  pid_t up = ::fork();
  if (up != 0) return up;
  FILE* f = std::freopen(out.c_str(), "w", stdout);
  if (f == nullptr || ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) ::_exit(126);
  const std::string d = dir.string();
  if (keep) {
    ::execl(MPCC_EXE, MPCC_EXE, "up", "--keep", "--state-dir", d.c_str(), "--timeout", "120",
            static_cast<char*>(nullptr));
  } else {
    ::execl(MPCC_EXE, MPCC_EXE, "up", "--state-dir", d.c_str(), "--timeout", "120",
            static_cast<char*>(nullptr));
  }
  ::_exit(127);
}

// Until `out` says the deployment runs in the foreground (false if `up` exited first).
bool wait_until_foreground(pid_t up, const fs::path& out) {
  for (auto deadline = steady_clock::now() + seconds(90); steady_clock::now() < deadline;) {
    if (read_text(out).find("running in the foreground") != std::string::npos) return true;
    int st = 0;
    if (::waitpid(up, &st, WNOHANG) == up) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

// Signals `up` and waits for its exit status (-1 when it does not exit).
int stop_foreground(pid_t up, int signal) {
  if (::kill(up, signal) != 0) return -1;
  int st = -1;
  for (auto deadline = steady_clock::now() + seconds(60); steady_clock::now() < deadline;) {
    if (::waitpid(up, &st, WNOHANG) == up) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return -1;
}

TEST_F(DeployCli, ForegroundUpRunsDownOnSigterm) {
  const fs::path out = dir_ / "foreground.out";
  pid_t up = spawn_foreground_up(dir_, out, /*keep=*/true);
  ASSERT_GE(up, 0);
  ASSERT_TRUE(wait_until_foreground(up, out)) << read_text(out);
  std::map<std::string, pid_t> pids = running_pids(dir_);
  EXPECT_EQ(pids.size(), kComponents);
  EXPECT_EQ(stop_foreground(up, SIGTERM), 0) << read_text(out);
  for (const auto& [name, pid] : pids) EXPECT_FALSE(mpcc::deploy::process_alive(pid)) << name;
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir_.string()).empty());
  EXPECT_TRUE(fs::exists(dir_ / "deployment.json")) << "--keep: the state stays";
}

TEST_F(DeployCli, AComponentThatCannotStartIsNamedWithItsLogAndTheRestIsStopped) {
  // The attestation service's state directory replaced by a file: it exits at start-up.
  fs::rename(dir_ / "attestation", dir_ / "attestation.saved");
  std::ofstream(dir_ / "attestation") << "not a directory\n";
  CliResult up = run_mpcc("up --detach --timeout 60 " + dir_arg());
  EXPECT_EQ(up.code, 5) << up.output;
  EXPECT_NE(up.output.find("mpcc up: attestation failed: attestation exited with status"),
            std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("--- last lines of " + (dir_ / "logs" / "attestation.log").string()),
            std::string::npos)
      << up.output;
  EXPECT_EQ(up.output.find("signal 15, stopping"), std::string::npos)
      << "the tail shows this run's lines only, not earlier runs' ones\n"
      << up.output;
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir_.string()).empty()) << "what this up started is stopped again";
  for (const char* c : {"psp", "identity", "vault-contoso"}) {
    EXPECT_FALSE(fs::exists(dir_ / "run" / (std::string(c) + ".pid"))) << c;
  }
  fs::remove(dir_ / "attestation");
  fs::rename(dir_ / "attestation.saved", dir_ / "attestation");
}

// `count` consecutive free loopback ports starting at the returned one (0: none found).
int free_port_range(int count) {
  for (int base = 20000 + static_cast<int>(::getpid() % 20000); base < 60000; base += 97) {
    bool all = true;
    for (int p = base; p < base + count && all; ++p) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(p));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      all = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
    }
    if (all) return base;
  }
  return 0;
}

TEST_F(DeployCli, BasePortAssignsConsecutivePortsOnTheFirstUp) {
  // A second deployment, with a copy of the first one's chip (saves generating
  // two RSA-4096 keys).
  const fs::path dir2 = second_dir();
  fs::remove_all(dir2);
  fs::create_directories(dir2 / "psp");
  for (const char* f :
       {"chip.json", "ark.pem", "ask.pem", "vcek.pem", "ark.key", "ask.key", "vcek.key"}) {
    fs::copy_file(dir_ / "psp" / f, dir2 / "psp" / f);
  }
  const int base = free_port_range(14);
  ASSERT_NE(base, 0);
  CliResult up = run_mpcc("up --detach --timeout 120 --base-port " + std::to_string(base) +
                          " --state-dir " + dir2.string());
  ASSERT_EQ(up.code, 0) << up.output;
  EXPECT_EQ(up.output.find("new simulated chip"), std::string::npos) << "the copied chip is used";
  mpcc::StatusOr<mpcc::deploy::Endpoints> e = mpcc::deploy::read_endpoints(dir2 / "endpoints.json");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  auto url = [](int port) { return "https://127.0.0.1:" + std::to_string(port); };
  EXPECT_EQ(e->identity, url(base));
  EXPECT_EQ(e->attestation, url(base + 1));
  EXPECT_EQ(e->vaults.at("contoso"), url(base + 2));
  EXPECT_EQ(e->vaults.at("fabrikam"), url(base + 3));
  EXPECT_EQ(e->vaults.at("woodgrove"), url(base + 4));
  // Then the sidecars and the apps, in party order.
  for (std::size_t i = 0; i < kParties.size(); ++i) {
    const json& p = e->parties[kParties[i]];
    EXPECT_EQ(p["sidecar"], "http://127.0.0.1:" + std::to_string(base + 5 + static_cast<int>(i)));
    EXPECT_EQ(p["app"], url(base + 9 + static_cast<int>(i)));
  }
  EXPECT_EQ(e->view["url"], url(base + 13)) << "the view last";
  EXPECT_NE(e->identities.at("deployer").client_id,
            first_endpoints_.identities.at("deployer").client_id)
      << "its own identities";
  CliResult down = run_mpcc("down --keep --state-dir " + dir2.string());
  EXPECT_EQ(down.code, 0) << down.output;
  EXPECT_TRUE(mpcc::deploy::processes_naming(dir2.string()).empty());
}

// The seed's Cleanup: keys deleted through the vaults, blobs deleted, every
// process stopped, the state directory removed; a second down finds nothing.
TEST_F(DeployCli, DownWithoutKeepDeletesKeysBlobsAndTheState) {
  CliResult up = run_mpcc(up_detach());
  ASSERT_EQ(up.code, 0) << up.output;
  EXPECT_NE(up.output.find("four-pane view"), std::string::npos) << up.output;
  const fs::path blob_dir = dir_ / "blobs";
  ASSERT_TRUE(fs::is_directory(blob_dir));
  const std::map<std::string, pid_t> pids = running_pids(dir_);
  ASSERT_EQ(pids.size(), kComponents);
  // Files of earlier tests that the deployment did not write stay (and keep DIR).
  const std::set<std::string> not_ours = {"changed.json", "foreground.out", "attestation.saved"};

  CliResult down = run_mpcc("down " + dir_arg());
  ASSERT_EQ(down.code, 0) << down.output;
  for (const char* key : {"contoso-secret-key", "fabrikam-secret-key", "woodgrove-secret-key"}) {
    EXPECT_NE(down.output.find(std::string("key ") + key + " deleted from vault"),
              std::string::npos)
        << key << "\n" << down.output;
  }
  EXPECT_NE(down.output.find("blob(s) deleted from container privateappdata"), std::string::npos)
      << down.output;
  for (const auto& [name, pid] : pids) EXPECT_FALSE(mpcc::deploy::process_alive(pid)) << name;
  if (fs::exists(dir_)) {
    EXPECT_NE(down.output.find("holds other files and stays"), std::string::npos) << down.output;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_TRUE(not_ours.count(entry.path().filename().string())) << entry.path();
    }
  } else {
    EXPECT_NE(down.output.find("removed " + dir_.string()), std::string::npos) << down.output;
  }
  CliResult again = run_mpcc("down " + dir_arg());
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to stop"), std::string::npos) << again.output;
}

// Ctrl-C on a foreground up without --keep is the same Cleanup as `down`.
TEST_F(DeployCli, CtrlCOnAForegroundUpDeletesKeysBlobsAndTheState) {
  const fs::path dir2 = second_dir();
  ASSERT_TRUE(fs::exists(dir2 / "deployment.json")) << "BasePortAssignsConsecutivePorts ran first";
  const fs::path out = fs::temp_directory_path() / ("mpcc_fg_" + std::to_string(::getpid()));
  pid_t up = spawn_foreground_up(dir2, out, /*keep=*/false);
  ASSERT_GE(up, 0);
  ASSERT_TRUE(wait_until_foreground(up, out)) << read_text(out);
  const std::map<std::string, pid_t> pids = running_pids(dir2);
  EXPECT_EQ(pids.size(), kComponents);
  EXPECT_EQ(stop_foreground(up, SIGINT), 0) << read_text(out);
  const std::string text = read_text(out);
  fs::remove(out);
  EXPECT_NE(text.find("key contoso-secret-key deleted from vault contoso"), std::string::npos)
      << text;
  EXPECT_NE(text.find("blob(s) deleted from container privateappdata"), std::string::npos) << text;
  for (const auto& [name, pid] : pids) EXPECT_FALSE(mpcc::deploy::process_alive(pid)) << name;
  EXPECT_FALSE(fs::exists(dir2)) << text;
}

}  // namespace
