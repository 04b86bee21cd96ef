// `mpcc keyvault access set|list|remove`: a vault's access policies, edited
// in its state directory (DIR/vault.db) - the management plane's job in
// Azure. A running vault sees changes at the next request.
//
//   mpcc keyvault access set --state-dir DIR --object-id OID [--display-name N]
//       --permissions get,list,release          (or "all")
//   mpcc keyvault access list --state-dir DIR   (JSON)
//   mpcc keyvault access remove --state-dir DIR --object-id OID
//
// Exit codes: 0 done, 2 bad usage / unknown object id / unusable state dir.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/mpcc/cli_errors.h"
#include "apps/mpcc/commands.h"
#include "keyvault/key_registry.h"
#include "keyvault/vault_setup.h"

namespace mpcc::app {
namespace {

struct AccessArgs {
  std::string state_dir;
  std::string object_id;
  std::string display_name;
  std::vector<std::string> permissions;
};

std::unique_ptr<keyvault::KeyRegistry> open_registry(const std::string& dir, std::string_view what) {
  return value_or_exit(
      keyvault::KeyRegistry::open(std::filesystem::path(dir) / keyvault::kVaultDbFile), what);
}

}  // namespace

void register_keyvault_command(CLI::App& root) {
  CLI::App* kv = root.add_subcommand("keyvault", "Key vault administration (access policies)");
  kv->require_subcommand(1);
  CLI::App* access = kv->add_subcommand("access", "Access policies: who may do what on a vault");
  access->require_subcommand(1);
  auto args = std::make_shared<AccessArgs>();

  CLI::App* set = access->add_subcommand("set", "Create or replace an identity's policy");
  set->add_option("--state-dir", args->state_dir, "The vault's state directory")->required();
  set->add_option("--object-id", args->object_id, "The identity's object id (token oid)")
      ->required();
  set->add_option("--display-name", args->display_name, "A name to show");
  set->add_option("--permissions", args->permissions,
                  "Key permissions, comma separated (get,list,create,update,delete,release,...; "
                  "all)")
      ->delimiter(',')
      ->required();
  set->callback([args] {
    constexpr std::string_view what = "keyvault access set";
    keyvault::AccessPolicy p;
    p.object_id = args->object_id;
    p.display_name = args->display_name;
    p.key_permissions = value_or_exit(keyvault::parse_key_permissions(args->permissions), what);
    auto reg = open_registry(args->state_dir, what);
    ok_or_exit(reg->set_access_policy(p), what);
    std::printf("%s\n", p.to_json().dump(2).c_str());
    throw CliExit{kExitOk};
  });

  CLI::App* list = access->add_subcommand("list", "Print every access policy as JSON");
  list->add_option("--state-dir", args->state_dir, "The vault's state directory")->required();
  list->callback([args] {
    constexpr std::string_view what = "keyvault access list";
    auto reg = open_registry(args->state_dir, what);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : value_or_exit(reg->access_policies(), what)) out.push_back(p.to_json());
    std::printf("%s\n", out.dump(2).c_str());
    throw CliExit{kExitOk};
  });

  CLI::App* remove = access->add_subcommand("remove", "Remove an identity's policy");
  remove->add_option("--state-dir", args->state_dir, "The vault's state directory")->required();
  remove->add_option("--object-id", args->object_id, "The identity's object id")->required();
  remove->callback([args] {
    constexpr std::string_view what = "keyvault access remove";
    auto reg = open_registry(args->state_dir, what);
    ok_or_exit(reg->remove_access_policy(args->object_id), what);
    throw CliExit{kExitOk};
  });
}

}  // namespace mpcc::app
