// File: hsm/internal/pkcs11_module.h
//
// A PKCS#11 module loaded with dlopen and initialised once per process, plus
// the CKR_* -> Status mapping. Private to src/hsm.
//
// A PKCS#11 module is process-global state: C_Initialize may be called once,
// and C_Finalize ends it for every user. Module::acquire therefore shares one
// initialised instance per module path, counts its users, and calls
// C_Finalize when the last one lets go. SoftHSM2 reads SOFTHSM2_CONF only in
// C_Initialize, so acquire() sets it just before initialising, and refuses a
// second configuration for a module that is already initialised.
// The shared object itself is never dlclose'd: unloading a module that links
// OpenSSL while the process keeps using OpenSSL is not safe.
//
// Every call into the module goes through call(), the exception firewall: a
// C++ module that lets an exception escape yields CKR_FUNCTION_FAILED.
//
// Thread-safety: acquire() and the release of a handle are serialised by a
// process-wide mutex; the module is initialised with CKF_OS_LOCKING_OK, so its
// functions may be called from any thread (one thread per session at a time).
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace mpcc::hsm::internal {

// "CKR_PIN_INCORRECT"; unknown values as "CKR_0x<hex>".
std::string ckr_name(CK_RV rv);
// The Status code a module error maps to (see the table in the .cpp).
StatusCode ckr_status_code(CK_RV rv);
// "PKCS#11: <what> failed: <CKR name>" with ckr_status_code(rv).
// Precondition: rv != CKR_OK.
Status ckr_error(CK_RV rv, std::string_view what);

// Calls a module entry point behind the exception firewall.
template <typename Fn, typename... Args>
CK_RV call(Fn fn, Args&&... args) noexcept {
  if (fn == nullptr) return CKR_FUNCTION_NOT_SUPPORTED;
  try {
    return fn(std::forward<Args>(args)...);
  } catch (...) {
    return CKR_FUNCTION_FAILED;
  }
}

class Module {
 public:
  // Loads and initialises the module at `path`, or shares the instance this
  // process already initialised. A non-empty `softhsm_conf` is exported as
  // SOFTHSM2_CONF before C_Initialize.
  // Errors: kFailedPrecondition when the file cannot be loaded or is not a
  // PKCS#11 module ("PKCS#11: cannot load module '<path>': ...") or when the
  // module is already initialised with another SOFTHSM2_CONF; module errors
  // from C_Initialize as ckr_error.
  static StatusOr<std::shared_ptr<Module>> acquire(const std::string& path,
                                                   const std::string& softhsm_conf);

  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }
  // "<manufacturer> <library description> <major>.<minor>" from C_GetInfo.
  const std::string& description() const { return description_; }

 private:
  Module(std::string path, std::string conf, CK_FUNCTION_LIST* fn, bool owns_init,
         std::string description);
  static void release(Module* m);

  std::string path_;
  std::string conf_;
  CK_FUNCTION_LIST* fn_;
  bool owns_init_;  // false if someone else in the process had initialised it
  std::string description_;
  int users_ = 0;
};

}  // namespace mpcc::hsm::internal
