#include "hsm/internal/pkcs11_module.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace mpcc::hsm::internal {
namespace {

struct CkrEntry {
  CK_RV rv;
  const char* name;
  StatusCode code;
};

// The return values mpcc can meet, with the Status code each maps to:
// authentication problems are kUnauthenticated, a key that does not permit the
// operation kFailedPrecondition, a missing object kNotFound, an unsupported
// mechanism or parameter kUnimplemented, bad input kInvalidArgument, device
// trouble kUnavailable, everything else kInternal.
constexpr CkrEntry kCkrTable[] = {
    {CKR_OK, "CKR_OK", StatusCode::kOk},
    {CKR_CANCEL, "CKR_CANCEL", StatusCode::kCancelled},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", StatusCode::kResourceExhausted},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", StatusCode::kNotFound},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", StatusCode::kInternal},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", StatusCode::kInternal},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", StatusCode::kInvalidArgument},
    {CKR_CANT_LOCK, "CKR_CANT_LOCK", StatusCode::kInternal},
    {CKR_ATTRIBUTE_READ_ONLY, "CKR_ATTRIBUTE_READ_ONLY", StatusCode::kInvalidArgument},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", StatusCode::kFailedPrecondition},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", StatusCode::kInvalidArgument},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID", StatusCode::kInvalidArgument},
    {CKR_ACTION_PROHIBITED, "CKR_ACTION_PROHIBITED", StatusCode::kFailedPrecondition},
    {CKR_DATA_INVALID, "CKR_DATA_INVALID", StatusCode::kInvalidArgument},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", StatusCode::kInvalidArgument},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", StatusCode::kUnavailable},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", StatusCode::kResourceExhausted},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", StatusCode::kUnavailable},
    {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID", StatusCode::kInvalidArgument},
    {CKR_ENCRYPTED_DATA_LEN_RANGE, "CKR_ENCRYPTED_DATA_LEN_RANGE", StatusCode::kInvalidArgument},
    {CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", StatusCode::kCancelled},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", StatusCode::kUnimplemented},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", StatusCode::kNotFound},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", StatusCode::kInvalidArgument},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", StatusCode::kInvalidArgument},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED",
     StatusCode::kFailedPrecondition},
    {CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE", StatusCode::kFailedPrecondition},
    {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE", StatusCode::kFailedPrecondition},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", StatusCode::kUnimplemented},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID", StatusCode::kUnimplemented},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", StatusCode::kNotFound},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", StatusCode::kInternal},
    {CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED", StatusCode::kInternal},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", StatusCode::kUnauthenticated},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", StatusCode::kUnauthenticated},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", StatusCode::kUnauthenticated},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", StatusCode::kUnauthenticated},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", StatusCode::kUnauthenticated},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", StatusCode::kUnavailable},
    {CKR_SESSION_COUNT, "CKR_SESSION_COUNT", StatusCode::kUnavailable},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", StatusCode::kUnavailable},
    {CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKR_SESSION_PARALLEL_NOT_SUPPORTED",
     StatusCode::kInternal},
    {CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", StatusCode::kInternal},
    {CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS", StatusCode::kFailedPrecondition},
    {CKR_SESSION_READ_ONLY_EXISTS, "CKR_SESSION_READ_ONLY_EXISTS", StatusCode::kFailedPrecondition},
    {CKR_SESSION_READ_WRITE_SO_EXISTS, "CKR_SESSION_READ_WRITE_SO_EXISTS",
     StatusCode::kFailedPrecondition},
    {CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID", StatusCode::kPermissionDenied},
    {CKR_SIGNATURE_LEN_RANGE, "CKR_SIGNATURE_LEN_RANGE", StatusCode::kPermissionDenied},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", StatusCode::kInvalidArgument},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", StatusCode::kInvalidArgument},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", StatusCode::kUnavailable},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", StatusCode::kFailedPrecondition},
    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", StatusCode::kFailedPrecondition},
    {CKR_UNWRAPPING_KEY_HANDLE_INVALID, "CKR_UNWRAPPING_KEY_HANDLE_INVALID", StatusCode::kNotFound},
    {CKR_UNWRAPPING_KEY_SIZE_RANGE, "CKR_UNWRAPPING_KEY_SIZE_RANGE", StatusCode::kInvalidArgument},
    {CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT",
     StatusCode::kInvalidArgument},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", StatusCode::kFailedPrecondition},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", StatusCode::kUnauthenticated},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED", StatusCode::kFailedPrecondition},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", StatusCode::kInvalidArgument},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
     StatusCode::kFailedPrecondition},
    {CKR_USER_TOO_MANY_TYPES, "CKR_USER_TOO_MANY_TYPES", StatusCode::kFailedPrecondition},
    {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID", StatusCode::kInvalidArgument},
    {CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE", StatusCode::kInvalidArgument},
    {CKR_WRAPPING_KEY_HANDLE_INVALID, "CKR_WRAPPING_KEY_HANDLE_INVALID", StatusCode::kNotFound},
    {CKR_WRAPPING_KEY_SIZE_RANGE, "CKR_WRAPPING_KEY_SIZE_RANGE", StatusCode::kInvalidArgument},
    {CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "CKR_WRAPPING_KEY_TYPE_INCONSISTENT",
     StatusCode::kInvalidArgument},
    {CKR_RANDOM_NO_RNG, "CKR_RANDOM_NO_RNG", StatusCode::kUnavailable},
    {CKR_DOMAIN_PARAMS_INVALID, "CKR_DOMAIN_PARAMS_INVALID", StatusCode::kInvalidArgument},
    {CKR_CURVE_NOT_SUPPORTED, "CKR_CURVE_NOT_SUPPORTED", StatusCode::kUnimplemented},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", StatusCode::kInternal},
    {CKR_INFORMATION_SENSITIVE, "CKR_INFORMATION_SENSITIVE", StatusCode::kFailedPrecondition},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", StatusCode::kInternal},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED", StatusCode::kInternal},
    {CKR_MUTEX_BAD, "CKR_MUTEX_BAD", StatusCode::kInternal},
    {CKR_MUTEX_NOT_LOCKED, "CKR_MUTEX_NOT_LOCKED", StatusCode::kInternal},
    {CKR_FIPS_SELF_TEST_FAILED, "CKR_FIPS_SELF_TEST_FAILED", StatusCode::kUnavailable},
    {CKR_LIBRARY_LOAD_FAILED, "CKR_LIBRARY_LOAD_FAILED", StatusCode::kUnavailable},
    {CKR_PIN_TOO_WEAK, "CKR_PIN_TOO_WEAK", StatusCode::kInvalidArgument},
    {CKR_PUBLIC_KEY_INVALID, "CKR_PUBLIC_KEY_INVALID", StatusCode::kInvalidArgument},
    {CKR_FUNCTION_REJECTED, "CKR_FUNCTION_REJECTED", StatusCode::kPermissionDenied},
};

const CkrEntry* find_ckr(CK_RV rv) {
  for (const CkrEntry& e : kCkrTable) {
    if (e.rv == rv) return &e;
  }
  return nullptr;
}

// A fixed-width, blank-padded PKCS#11 string field without the padding.
template <std::size_t N>
std::string trim_field(const unsigned char (&field)[N]) {
  std::string s(reinterpret_cast<const char*>(field), N);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

struct Registry {
  std::mutex mu;
  std::map<std::string, Module*> modules;  // initialised modules by path
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: outlives static handles
  return *r;
}

}  // namespace

std::string ckr_name(CK_RV rv) {
  if (const CkrEntry* e = find_ckr(rv)) return e->name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "CKR_0x%lx", static_cast<unsigned long>(rv));
  return buf;
}

StatusCode ckr_status_code(CK_RV rv) {
  if (const CkrEntry* e = find_ckr(rv)) return e->code;
  return StatusCode::kInternal;
}

Status ckr_error(CK_RV rv, std::string_view what) {
  if (rv == CKR_OK) throw std::logic_error("ckr_error called with CKR_OK");
  return Status(ckr_status_code(rv), "PKCS#11: " + std::string(what) + " failed: " + ckr_name(rv));
}

Module::Module(std::string path, std::string conf, CK_FUNCTION_LIST* fn, bool owns_init,
               std::string description)
    : path_(std::move(path)),
      conf_(std::move(conf)),
      fn_(fn),
      owns_init_(owns_init),
      description_(std::move(description)) {}

Module::~Module() = default;

StatusOr<std::shared_ptr<Module>> Module::acquire(const std::string& path,
                                                  const std::string& softhsm_conf) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  Module* m = nullptr;
  if (auto it = reg.modules.find(path); it != reg.modules.end()) {
    m = it->second;
    if (m->conf_ != softhsm_conf) {
      return failed_precondition("PKCS#11: module '" + path +
                                 "' is already initialised in this process with another "
                                 "configuration ('" +
                                 m->conf_ + "')");
    }
  } else {
    if (!softhsm_conf.empty() && ::setenv("SOFTHSM2_CONF", softhsm_conf.c_str(), 1) != 0) {
      return internal_error("PKCS#11: cannot set SOFTHSM2_CONF");
    }
    // RTLD_LOCAL keeps the module's symbols (its own C_* and OpenSSL
    // references) from interposing on ours; never dlclose'd (see header).
    void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = ::dlerror();
      return failed_precondition("PKCS#11: cannot load module '" + path +
                                 "': " + (why != nullptr ? why : "dlopen failed"));
    }
    void* sym = ::dlsym(lib, "C_GetFunctionList");
    if (sym == nullptr) {
      return failed_precondition("PKCS#11: cannot load module '" + path +
                                 "': no C_GetFunctionList (not a PKCS#11 module)");
    }
    CK_C_GetFunctionList get_list = nullptr;
    static_assert(sizeof get_list == sizeof sym);
    std::memcpy(&get_list, &sym, sizeof sym);  // object pointer -> function pointer
    CK_FUNCTION_LIST* fn = nullptr;
    if (CK_RV rv = call(get_list, &fn); rv != CKR_OK) return ckr_error(rv, "C_GetFunctionList");
    if (fn == nullptr) return failed_precondition("PKCS#11: C_GetFunctionList gave no list");
    if (fn->version.major != 2) {
      return failed_precondition("PKCS#11: module '" + path + "' implements Cryptoki " +
                                 std::to_string(fn->version.major) + ", not 2.x");
    }

    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    bool owns_init = true;
    CK_RV rv = call(fn->C_Initialize, static_cast<void*>(&args));
    if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      owns_init = false;  // another component of this process initialised it
    } else if (rv != CKR_OK) {
      return ckr_error(rv, "C_Initialize");
    }
    CK_INFO info{};
    std::string description;
    if (call(fn->C_GetInfo, &info) == CKR_OK) {
      description = trim_field(info.manufacturerID) + " " + trim_field(info.libraryDescription) +
                    " " + std::to_string(info.libraryVersion.major) + "." +
                    std::to_string(info.libraryVersion.minor);
    }
    m = new Module(path, softhsm_conf, fn, owns_init, std::move(description));
    reg.modules.emplace(path, m);
  }
  ++m->users_;
  return std::shared_ptr<Module>(m, &Module::release);
}

void Module::release(Module* m) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  if (--m->users_ > 0) return;
  if (m->owns_init_) call(m->fn_->C_Finalize, nullptr);
  reg.modules.erase(m->path_);
  delete m;
}

}  // namespace mpcc::hsm::internal
