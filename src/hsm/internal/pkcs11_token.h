// File: hsm/internal/pkcs11_token.h
//
// Finding (and on first start, creating) the token mpcc keeps its keys in,
// and SoftHSM2's per-instance state directory. Private to src/hsm.
//
// Thread-safety: call during start-up, before the store is shared.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "hsm/internal/pkcs11_module.h"

namespace mpcc::hsm::internal {

// Creates `dir` (0700), dir/tokens (0700) and, if absent, dir/softhsm2.conf
// (0600) naming that token directory with the file object store. An existing
// configuration file is left as it is. Returns the configuration's path;
// kFailedPrecondition if the directories cannot be made.
StatusOr<std::string> prepare_softhsm_state_dir(const std::filesystem::path& dir);

// The slot holding the initialised token labelled `label` (at most 32 bytes).
// If there is none and `so_pin` is not empty: C_InitToken on the first slot
// with an uninitialised token, then C_InitPIN with `user_pin`; the same
// C_InitPIN is done for a labelled token whose user PIN was never set.
// Errors: kFailedPrecondition "PKCS#11: no token labelled ..." when there is
// none and no SO PIN, or no free slot; module errors as ckr_error.
StatusOr<CK_SLOT_ID> find_or_init_token(Module& module, std::string_view label,
                                        std::string_view so_pin, std::string_view user_pin);

// Logs `session` in as the normal user. Wrong PIN: kUnauthenticated
// "PKCS#11: C_Login(user) failed: CKR_PIN_INCORRECT". Already logged in
// (another session of this process) is OK.
Status login_user(Module& module, CK_SESSION_HANDLE session, std::string_view user_pin);

}  // namespace mpcc::hsm::internal
