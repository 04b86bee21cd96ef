#include "keyvault/vault_setup.h"

#include <sys/stat.h>

#include <system_error>

#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/random.h"
#include "jose/issuer_key.h"

namespace mpcc::keyvault {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPinFile = 256;

Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return unavailable("vault: cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return ok_status();
}

// The PIN in `file`, created (random, 0600) when absent.
StatusOr<std::string> pin_from(const fs::path& file, bool create) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (!create) return failed_precondition("vault: PIN file " + file.string() + " does not exist");
    const std::string pin = hex_encode(crypto::random_bytes(16));
    MPCC_RETURN_IF_ERROR(write_file_atomic(file, as_span(pin)));
  }
  MPCC_ASSIGN_OR_RETURN(std::string text, read_text_file(file, kMaxPinFile));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return failed_precondition("vault: PIN file " + file.string() + " is empty");
  return text;
}

}  // namespace

StatusOr<hsm::Pkcs11Config> softhsm_config(const fs::path& state_dir) {
  const fs::path dir = state_dir / "hsm";
  MPCC_RETURN_IF_ERROR(make_private_dir(dir));
  hsm::Pkcs11Config c;
  c.softhsm_state_dir = dir;
  MPCC_ASSIGN_OR_RETURN(c.user_pin, pin_from(dir / "user.pin", true));
  MPCC_ASSIGN_OR_RETURN(c.so_pin, pin_from(dir / "so.pin", true));
  return c;
}

StatusOr<std::shared_ptr<KeyVault>> open_vault(const VaultSetup& setup) {
  if (setup.state_dir.empty() || setup.name.empty()) {
    return invalid_argument("vault: a state directory and a name are required");
  }
  MPCC_RETURN_IF_ERROR(make_private_dir(setup.state_dir));
  std::shared_ptr<const Clock> clock = setup.clock ? setup.clock : system_clock();

  VaultOptions o;
  o.name = setup.name;
  o.clock = clock;
  o.token_leeway_seconds = setup.token_leeway_seconds;
  if (setup.keys) {
    o.keys = setup.keys;
  } else {
    hsm::Pkcs11Config config;
    if (setup.hsm_module.empty()) {
      MPCC_ASSIGN_OR_RETURN(config, softhsm_config(setup.state_dir));
    } else {
      config.module_path = setup.hsm_module;
      MPCC_ASSIGN_OR_RETURN(config.user_pin, pin_from(setup.hsm_pin_file, false));
    }
    config.token_label = setup.hsm_token_label;
    MPCC_ASSIGN_OR_RETURN(auto store, hsm::Pkcs11KeyStore::open(config));
    o.keys = std::shared_ptr<hsm::KeyStore>(std::move(store));
  }
  const fs::path db = setup.state_dir / kVaultDbFile;
  MPCC_ASSIGN_OR_RETURN(auto registry, KeyRegistry::open(db));
  o.registry = std::move(registry);
  MPCC_ASSIGN_OR_RETURN(auto audit, AuditLog::open(db, clock));
  o.audit = std::move(audit);
  IssuerKeysOptions issuers = setup.attestation_issuers;
  if (!issuers.clock) issuers.clock = clock;
  o.attestation_issuers = std::make_shared<IssuerKeys>(issuers);
  MPCC_ASSIGN_OR_RETURN(jose::IssuerKey signing,
                        jose::load_or_create_issuer_key(setup.state_dir, kReleaseSigningKeyName,
                                                        "mpcc key vault " + setup.name +
                                                            " release signing (local)"));
  o.signer = std::make_shared<ReleaseSigner>(std::move(signing));
  MPCC_ASSIGN_OR_RETURN(auto vault, KeyVault::create(std::move(o)));
  return std::shared_ptr<KeyVault>(std::move(vault));
}

}  // namespace mpcc::keyvault
