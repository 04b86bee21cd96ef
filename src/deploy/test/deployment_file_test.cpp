// The deployment file: the embedded deploy/local.json, what is derived from
// it (identities, vaults, grants), and every refusal naming its field.
#include "deploy/deployment_file.h"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "common/testing/temp_dir.h"

namespace mpcc::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(DeploymentFile, TheEmbeddedFileIsTheCommittedOneWithItsFourParties) {
  StatusOr<DeploymentFile> embedded = embedded_deployment_file();
  ASSERT_TRUE(embedded.ok()) << embedded.status().to_string();
  StatusOr<DeploymentFile> committed =
      read_deployment_file(fs::path(MPCC_SOURCE_DIR) / "deploy" / "local.json");
  ASSERT_TRUE(committed.ok()) << committed.status().to_string();
  EXPECT_EQ(deployment_file_to_json(*embedded), deployment_file_to_json(*committed));
  EXPECT_EQ(embedded_deployment_dir(), fs::path(MPCC_SOURCE_DIR) / "deploy");
  EXPECT_TRUE(check_files(*embedded).ok()) << check_files(*embedded).to_string();

  const DeploymentFile& f = *embedded;
  ASSERT_EQ(f.parties.size(), 4u);
  const PartySpec* contoso = f.find("contoso");
  const PartySpec* woodgrove = f.find("woodgrove");
  const PartySpec* snooper = f.find("snooper");
  ASSERT_TRUE(contoso && woodgrove && snooper && f.find("fabrikam"));
  EXPECT_EQ(f.find("globex"), nullptr);
  EXPECT_EQ(contoso->display_name, "Contoso");
  EXPECT_EQ(contoso->role, PartyRole::kOwner);
  EXPECT_TRUE(contoso->confidential());
  EXPECT_EQ(contoso->key, "contoso-secret-key");
  EXPECT_EQ(contoso->csv, fs::path(MPCC_SOURCE_DIR) / "deploy" / "data" / "contoso-data.csv");
  EXPECT_EQ(contoso->other_company, "fabrikam");
  EXPECT_EQ(woodgrove->display_name, "Woodgrove Bank");
  EXPECT_EQ(woodgrove->role, PartyRole::kAnalyst);
  EXPECT_EQ(woodgrove->partners, (std::vector<std::string>{"contoso", "fabrikam"}));
  EXPECT_TRUE(woodgrove->csv.empty());
  EXPECT_EQ(snooper->role, PartyRole::kObserver);
  EXPECT_EQ(snooper->sku, PartySku::kStandard);
  EXPECT_FALSE(snooper->holds_key());
  EXPECT_EQ(snooper->identity, "contoso") << "the Snooper runs with Contoso's identity";
  EXPECT_EQ(snooper->vault, "contoso");
  EXPECT_EQ(snooper->key, "contoso-secret-key");
  EXPECT_EQ(f.storage_type, "directory");
  EXPECT_EQ(f.container, "privateappdata");
  EXPECT_EQ(f.min_group_size, 1);
}

TEST(DeploymentFile, IdentitiesVaultsAndPartnersAreDerived) {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->identities(),
            (std::vector<std::string>{"deployer", "contoso", "fabrikam", "woodgrove",
                                      "contoso-admin", "fabrikam-admin"}))
      << "an owner with analysts has an administrator (the revoke button)";
  EXPECT_EQ(f->vaults(), (std::vector<std::string>{"contoso", "fabrikam", "woodgrove"}))
      << "the Snooper's vault is Contoso's; it adds none";
  EXPECT_EQ(f->key_holder("contoso"), f->find("contoso"));
  EXPECT_EQ(f->key_holder("nowhere"), nullptr);
  ASSERT_EQ(f->analysts_of("contoso").size(), 1u);
  EXPECT_EQ(f->analysts_of("contoso")[0]->name, "woodgrove");
  EXPECT_TRUE(f->analysts_of("woodgrove").empty());
  EXPECT_TRUE(f->analysts_of("snooper").empty());
}

TEST(DeploymentFile, GrantsMatchTheModelAndGiveTheSnooperNothingOfItsOwn) {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  ASSERT_TRUE(f.ok());
  using G = std::vector<AccessGrant>;
  EXPECT_EQ(f->access_grants("contoso"), (G{{"deployer", {"all"}},
                                            {"contoso", {"get", "list", "release"}},
                                            {"contoso-admin", {"get", "update"}},
                                            {"woodgrove", {"get", "release"}}}))
      << "the workload identity (also the Snooper's) cannot change the release policy";
  EXPECT_EQ(f->access_grants("fabrikam"), (G{{"deployer", {"all"}},
                                             {"fabrikam", {"get", "list", "release"}},
                                             {"fabrikam-admin", {"get", "update"}},
                                             {"woodgrove", {"get", "release"}}}));
  EXPECT_EQ(f->access_grants("woodgrove"),
            (G{{"deployer", {"all"}}, {"woodgrove", {"get", "list", "release"}}}));
  EXPECT_EQ(f->access_grants("elsewhere"), (G{{"deployer", {"all"}}}));

  // Without the Snooper the grants are the same: it adds nothing.
  json j = deployment_file_to_json(*f);
  j["parties"].erase(3);
  StatusOr<DeploymentFile> without = parse_deployment_file(j, "/");
  ASSERT_TRUE(without.ok()) << without.status().to_string();
  for (const std::string& v : f->vaults()) {
    EXPECT_EQ(without->access_grants(v), f->access_grants(v)) << v;
  }
}

TEST(DeploymentFile, BrandingComesFromTheFileWithNeutralDefaults) {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->find("woodgrove")->branding["title"], "Woodgrove Bank");
  EXPECT_EQ(f->find("woodgrove")->branding["header_from"], "#198754");
  EXPECT_EQ(f->find("snooper")->branding["theme"], "snooper");
  json j = deployment_file_to_json(*f);
  j["parties"][0].erase("branding");
  j["parties"][0]["display_name"] = "Globex";
  StatusOr<DeploymentFile> plain = parse_deployment_file(j, "/");
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  const json& b = plain->parties[0].branding;
  EXPECT_EQ(b["title"], "Globex");
  EXPECT_EQ(b["favicon_letter"], "G");
  EXPECT_EQ(b["theme"], "contoso") << "the party's name";
}

TEST(DeploymentFile, RoundTripsThroughJsonWithAbsoluteCsvPaths) {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  ASSERT_TRUE(f.ok());
  const json j = deployment_file_to_json(*f);
  EXPECT_EQ(j["parties"][0]["csv"], f->parties[0].csv.string());
  StatusOr<DeploymentFile> back = parse_deployment_file(j, "/somewhere/else");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(deployment_file_to_json(*back), j) << "absolute paths ignore the base directory";
}

struct Refusal {
  std::string label;
  std::function<void(json&)> mutate;
  std::string expected;  // substring of the message: the field, and why
};

class DeploymentFileRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(DeploymentFileRefusal, IsInvalidArgumentNamingTheField) {
  StatusOr<DeploymentFile> f = embedded_deployment_file();
  ASSERT_TRUE(f.ok());
  json j = deployment_file_to_json(*f);
  GetParam().mutate(j);
  StatusOr<DeploymentFile> parsed = parse_deployment_file(j, "/base");
  ASSERT_FALSE(parsed.ok()) << GetParam().label;
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(GetParam().expected), std::string::npos)
      << parsed.status().message();
  EXPECT_EQ(parsed.status().message().rfind("deployment file: ", 0), 0u)
      << parsed.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, DeploymentFileRefusal,
    ::testing::Values(
        Refusal{"not an object", [](json& j) { j = json::array(); }, "not a JSON object"},
        Refusal{"no parties", [](json& j) { j["parties"] = json::array(); },
                "parties: must be a non-empty array"},
        Refusal{"unknown role", [](json& j) { j["parties"][0]["role"] = "boss"; },
                "parties[0].role: unknown role \"boss\""},
        Refusal{"unknown sku", [](json& j) { j["parties"][1]["sku"] = "gold"; },
                "parties[1].sku: unknown sku \"gold\""},
        Refusal{"unknown partner", [](json& j) { j["parties"][2]["partners"][1] = "globex"; },
                "parties[2].partners[1]: \"globex\" is not an owner party"},
        Refusal{"partner not an owner", [](json& j) { j["parties"][2]["partners"][0] = "snooper"; },
                "parties[2].partners[0]: \"snooper\" is not an owner party"},
        Refusal{"partner twice", [](json& j) { j["parties"][2]["partners"][1] = "contoso"; },
                "parties[2].partners[0]: \"contoso\" is listed twice"},
        Refusal{"unknown other_company",
                [](json& j) { j["parties"][0]["other_company"] = "globex"; },
                "parties[0].other_company: \"globex\" is not another owner party"},
        Refusal{"other_company itself",
                [](json& j) { j["parties"][0]["other_company"] = "contoso"; },
                "parties[0].other_company"},
        Refusal{"duplicate name", [](json& j) { j["parties"][1]["name"] = "contoso"; },
                "parties[1].name: duplicate party name \"contoso\""},
        Refusal{"missing key", [](json& j) { j["parties"][0].erase("key"); },
                "parties[0].key: is missing"},
        Refusal{"unknown member", [](json& j) { j["parties"][0]["colour"] = "orange"; },
                "parties[0].colour: unknown member"},
        Refusal{"unknown top-level member", [](json& j) { j["region"] = "eastus"; },
                "region: unknown member"},
        Refusal{"bad name", [](json& j) { j["parties"][0]["name"] = "Contoso"; },
                "parties[0].name: \"Contoso\" must match [a-z0-9-]{1,63}"},
        Refusal{"bad key name", [](json& j) { j["parties"][0]["key"] = "contoso key"; },
                "parties[0].key"},
        Refusal{"deployer identity", [](json& j) { j["parties"][1]["identity"] = "deployer"; },
                "parties[1].identity"},
        Refusal{"an administrator's identity",
                [](json& j) { j["parties"][3]["identity"] = "contoso-admin"; },
                "parties[3].identity: names ending in -admin"},
        Refusal{"branding colour", [](json& j) { j["parties"][0]["branding"]["header_from"] = "red"; },
                "parties[0].branding.header_from: must be a string matching"},
        Refusal{"branding member", [](json& j) { j["parties"][2]["branding"]["font"] = "x"; },
                "parties[2].branding.font: unknown member"},
        Refusal{"standard owner", [](json& j) { j["parties"][0]["sku"] = "standard"; },
                "parties[0].sku: an owner must be confidential"},
        Refusal{"observer without a held key",
                [](json& j) { j["parties"][3]["key"] = "another-key"; },
                "parties[3].key: no owner or analyst holds key \"another-key\""},
        Refusal{"two keys in one vault", [](json& j) { j["parties"][1]["vault"] = "contoso"; },
                "parties[1].vault: vault \"contoso\" already holds the key of contoso"},
        Refusal{"analyst without partners", [](json& j) { j["parties"][2].erase("partners"); },
                "parties[2].partners: an analyst needs at least one partner"},
        Refusal{"csv of an analyst", [](json& j) { j["parties"][2]["csv"] = "x.csv"; },
                "parties[2].csv: only an owner has one"},
        Refusal{"partners of an owner",
                [](json& j) { j["parties"][0]["partners"] = json::array({"fabrikam"}); },
                "parties[0].partners: only an analyst has partners"},
        Refusal{"storage type", [](json& j) { j["storage"]["type"] = "azure"; },
                "storage.type: unknown storage \"azure\""},
        Refusal{"min group size", [](json& j) { j["analysis"]["min_group_size"] = 0; },
                "analysis.min_group_size"},
        Refusal{"display name type", [](json& j) { j["parties"][0]["display_name"] = 7; },
                "parties[0].display_name: must be a string"}),
    [](const ::testing::TestParamInfo<Refusal>& param) {
      std::string name;
      for (char c : param.param.label)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(DeploymentFile, ReadingNamesTheFileAndResolvesCsvAgainstIt) {
  mpcc::testing::TempDir dir("deployment_file");
  const fs::path path = dir.path() / "mine.json";
  json j = deployment_file_to_json(*embedded_deployment_file());
  j["parties"][0]["csv"] = "records/c.csv";
  std::ofstream(path) << j.dump();
  StatusOr<DeploymentFile> f = read_deployment_file(path);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->parties[0].csv, dir.path() / "records" / "c.csv");

  Status missing = check_files(*f);
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.message().find("csv of party contoso"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find((dir.path() / "records" / "c.csv").string()), std::string::npos);
  fs::create_directories(dir.path() / "records");
  std::ofstream(dir.path() / "records" / "c.csv") << "name\n";
  EXPECT_TRUE(check_files(*f).ok());

  std::ofstream(path) << "{not json";
  EXPECT_EQ(read_deployment_file(path).status().code(), StatusCode::kInvalidArgument);
  j["parties"][0]["role"] = "boss";
  std::ofstream(path) << j.dump();
  StatusOr<DeploymentFile> bad = read_deployment_file(path);
  EXPECT_NE(bad.status().message().find(path.string()), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(read_deployment_file(dir.path() / "absent.json").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace mpcc::deploy
