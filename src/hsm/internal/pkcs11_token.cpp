#include "hsm/internal/pkcs11_token.h"

#include <cstring>
#include <system_error>
#include <vector>

#include "common/bytes.h"
#include "common/file_io.h"

namespace mpcc::hsm::internal {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLabelSize = 32;  // CK_TOKEN_INFO.label

std::string trimmed_label(const CK_TOKEN_INFO& info) {
  std::string s(reinterpret_cast<const char*>(info.label), kLabelSize);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// PKCS#11 passes PINs as non-const CK_UTF8CHAR*: hand it a wiped copy.
SecureBytes pin_buffer(std::string_view pin) { return to_secure(as_span(pin)); }

Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return failed_precondition("HSM: cannot create state directory '" + dir.string() +
                               "': " + ec.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) {
    return failed_precondition("HSM: cannot restrict state directory '" + dir.string() +
                               "': " + ec.message());
  }
  return ok_status();
}

struct SlotToken {
  CK_SLOT_ID slot;
  CK_TOKEN_INFO info;
};

StatusOr<std::vector<SlotToken>> tokens(Module& module) {
  CK_FUNCTION_LIST* f = module.fn();
  CK_ULONG count = 0;
  if (CK_RV rv = call(f->C_GetSlotList, CK_BBOOL{CK_TRUE}, nullptr, &count); rv != CKR_OK) {
    return ckr_error(rv, "C_GetSlotList");
  }
  std::vector<CK_SLOT_ID> slots(count);
  if (count > 0) {
    if (CK_RV rv = call(f->C_GetSlotList, CK_BBOOL{CK_TRUE}, slots.data(), &count); rv != CKR_OK) {
      return ckr_error(rv, "C_GetSlotList");
    }
    slots.resize(count);
  }
  std::vector<SlotToken> out;
  for (CK_SLOT_ID slot : slots) {
    SlotToken t{slot, {}};
    CK_RV rv = call(f->C_GetTokenInfo, slot, &t.info);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) continue;
    if (rv != CKR_OK) return ckr_error(rv, "C_GetTokenInfo");
    out.push_back(t);
  }
  return out;
}

StatusOr<std::optional<SlotToken>> labelled(Module& module, std::string_view label) {
  MPCC_ASSIGN_OR_RETURN(std::vector<SlotToken> all, tokens(module));
  for (const SlotToken& t : all) {
    if ((t.info.flags & CKF_TOKEN_INITIALIZED) != 0 && trimmed_label(t.info) == label) {
      return std::optional<SlotToken>(t);
    }
  }
  return std::optional<SlotToken>();
}

// As the SO: C_InitPIN(user_pin).
Status init_user_pin(Module& module, CK_SLOT_ID slot, std::string_view so_pin,
                     std::string_view user_pin) {
  CK_FUNCTION_LIST* f = module.fn();
  CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
  if (CK_RV rv = call(f->C_OpenSession, slot, CK_FLAGS{CKF_SERIAL_SESSION | CKF_RW_SESSION},
                      nullptr, nullptr, &s);
      rv != CKR_OK) {
    return ckr_error(rv, "C_OpenSession");
  }
  SecureBytes so = pin_buffer(so_pin);
  SecureBytes user = pin_buffer(user_pin);
  Status st;
  if (CK_RV rv =
          call(f->C_Login, s, CK_USER_TYPE{CKU_SO}, so.data(), static_cast<CK_ULONG>(so.size()));
      rv != CKR_OK) {
    st = ckr_error(rv, "C_Login(SO)");
  } else {
    if (CK_RV rv2 = call(f->C_InitPIN, s, user.data(), static_cast<CK_ULONG>(user.size()));
        rv2 != CKR_OK) {
      st = ckr_error(rv2, "C_InitPIN");
    }
    (void)call(f->C_Logout, s);
  }
  (void)call(f->C_CloseSession, s);
  return st;
}

}  // namespace

StatusOr<std::string> prepare_softhsm_state_dir(const fs::path& dir) {
  if (dir.empty()) return invalid_argument("HSM: empty SoftHSM2 state directory");
  const fs::path abs = fs::absolute(dir);
  MPCC_RETURN_IF_ERROR(make_private_dir(abs));
  MPCC_RETURN_IF_ERROR(make_private_dir(abs / "tokens"));
  const fs::path conf = abs / "softhsm2.conf";
  std::error_code ec;
  if (!fs::exists(conf, ec)) {
    const std::string text =
        "# SoftHSM2 configuration written by mpcc on first start.\n"
        "directories.tokendir = " +
        (abs / "tokens").string() +
        "\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n";
    MPCC_RETURN_IF_ERROR(write_file_atomic(conf, as_span(text)));
  }
  return conf.string();
}

StatusOr<CK_SLOT_ID> find_or_init_token(Module& module, std::string_view label,
                                        std::string_view so_pin, std::string_view user_pin) {
  if (label.empty() || label.size() > kLabelSize) {
    return invalid_argument("HSM: token label must be 1..32 bytes");
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<SlotToken> found, labelled(module, label));
  if (!found) {
    if (so_pin.empty()) {
      return failed_precondition("PKCS#11: no token labelled '" + std::string(label) +
                                 "' and no SO PIN to initialise one");
    }
    MPCC_ASSIGN_OR_RETURN(std::vector<SlotToken> all, tokens(module));
    const SlotToken* free_slot = nullptr;
    for (const SlotToken& t : all) {
      if ((t.info.flags & CKF_TOKEN_INITIALIZED) == 0) {
        free_slot = &t;
        break;
      }
    }
    if (free_slot == nullptr) {
      return failed_precondition("PKCS#11: no token labelled '" + std::string(label) +
                                 "' and no free slot to initialise one");
    }
    unsigned char padded[kLabelSize];
    std::memset(padded, ' ', sizeof padded);
    std::memcpy(padded, label.data(), label.size());
    SecureBytes so = pin_buffer(so_pin);
    if (CK_RV rv = call(module.fn()->C_InitToken, free_slot->slot, so.data(),
                        static_cast<CK_ULONG>(so.size()), padded);
        rv != CKR_OK) {
      return ckr_error(rv, "C_InitToken");
    }
    // SoftHSM2 gives an initialised token a new slot id: look it up again.
    MPCC_ASSIGN_OR_RETURN(found, labelled(module, label));
    if (!found) return internal_error("PKCS#11: the token just initialised is not listed");
  }
  if ((found->info.flags & CKF_USER_PIN_INITIALIZED) == 0) {
    if (so_pin.empty()) {
      return failed_precondition("PKCS#11: token '" + std::string(label) +
                                 "' has no user PIN and no SO PIN was given to set it");
    }
    MPCC_RETURN_IF_ERROR(init_user_pin(module, found->slot, so_pin, user_pin));
  }
  return found->slot;
}

Status login_user(Module& module, CK_SESSION_HANDLE session, std::string_view user_pin) {
  SecureBytes pin = pin_buffer(user_pin);
  CK_RV rv = call(module.fn()->C_Login, session, CK_USER_TYPE{CKU_USER}, pin.data(),
                  static_cast<CK_ULONG>(pin.size()));
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return ok_status();
  return ckr_error(rv, "C_Login(user)");
}

}  // namespace mpcc::hsm::internal
