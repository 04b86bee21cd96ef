#include "hsm/internal/pkcs11_session.h"

#include <cstring>
#include <utility>

namespace mpcc::hsm::internal {

AttrTemplate& AttrTemplate::add_bool(CK_ATTRIBUTE_TYPE type, bool value) {
  const CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
  return add_bytes(type, ByteSpan(&b, sizeof b));
}

AttrTemplate& AttrTemplate::add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  uint8_t raw[sizeof value];
  std::memcpy(raw, &value, sizeof value);
  return add_bytes(type, ByteSpan(raw, sizeof raw));
}

AttrTemplate& AttrTemplate::add_bytes(CK_ATTRIBUTE_TYPE type, ByteSpan value) {
  // Heap storage from std::allocator is aligned for any scalar, so the module
  // may read a CK_ULONG or CK_BBOOL through pValue directly.
  SecureBytes& stored = values_.emplace_back(value.begin(), value.end());
  CK_ATTRIBUTE attr{};
  attr.type = type;
  attr.pValue = stored.empty() ? nullptr : static_cast<void*>(stored.data());
  attr.ulValueLen = static_cast<CK_ULONG>(stored.size());
  attrs_.push_back(attr);
  return *this;
}

Session::Session(Session&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      handle_(std::exchange(other.handle_, CK_INVALID_HANDLE)),
      broken_(other.broken_) {}

Session::~Session() {
  if (pool_ != nullptr) pool_->give_back(handle_, broken_);
}

CK_FUNCTION_LIST* Session::fn() const { return pool_->fn(); }

Status Session::check(CK_RV rv, std::string_view what) {
  if (rv == CKR_OK) return ok_status();
  broken_ = true;
  return ckr_error(rv, what);
}

StatusOr<std::vector<CK_OBJECT_HANDLE>> Session::find(AttrTemplate& tmpl) {
  MPCC_RETURN_IF_ERROR(
      check(call(fn()->C_FindObjectsInit, handle_, tmpl.data(), tmpl.size()), "C_FindObjectsInit"));
  std::vector<CK_OBJECT_HANDLE> found;
  CK_OBJECT_HANDLE batch[32];
  for (;;) {
    CK_ULONG n = 0;
    CK_RV rv = call(fn()->C_FindObjects, handle_, batch, CK_ULONG{32}, &n);
    if (rv != CKR_OK) {
      (void)call(fn()->C_FindObjectsFinal, handle_);
      return check(rv, "C_FindObjects");
    }
    if (n == 0) break;
    found.insert(found.end(), batch, batch + n);
  }
  MPCC_RETURN_IF_ERROR(check(call(fn()->C_FindObjectsFinal, handle_), "C_FindObjectsFinal"));
  return found;
}

StatusOr<std::optional<CK_OBJECT_HANDLE>> Session::find_one(AttrTemplate& tmpl) {
  MPCC_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found, find(tmpl));
  if (found.empty()) return std::optional<CK_OBJECT_HANDLE>();
  return std::optional<CK_OBJECT_HANDLE>(found.front());
}

template <typename Buffer>
StatusOr<Buffer> Session::attribute_into(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attr{};
  attr.type = type;
  MPCC_RETURN_IF_ERROR(check(call(fn()->C_GetAttributeValue, handle_, object, &attr, CK_ULONG{1}),
                             "C_GetAttributeValue"));
  if (attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    return internal_error("PKCS#11: attribute is unavailable");
  }
  Buffer value(attr.ulValueLen);
  attr.pValue = value.data();
  MPCC_RETURN_IF_ERROR(check(call(fn()->C_GetAttributeValue, handle_, object, &attr, CK_ULONG{1}),
                             "C_GetAttributeValue"));
  value.resize(attr.ulValueLen);
  return value;
}

StatusOr<Bytes> Session::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  return attribute_into<Bytes>(object, type);
}

StatusOr<SecureBytes> Session::secret_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  return attribute_into<SecureBytes>(object, type);
}

StatusOr<bool> Session::bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  MPCC_ASSIGN_OR_RETURN(Bytes v, attribute(object, type));
  if (v.size() != sizeof(CK_BBOOL))
    return internal_error("PKCS#11: boolean attribute has a bad size");
  return v[0] != CK_FALSE;
}

Status Session::destroy(CK_OBJECT_HANDLE object) {
  return check(call(fn()->C_DestroyObject, handle_, object), "C_DestroyObject");
}

SessionPool::SessionPool(std::shared_ptr<Module> module, CK_SLOT_ID slot, std::size_t max_idle)
    : module_(std::move(module)), slot_(slot), max_idle_(max_idle) {}

SessionPool::~SessionPool() {
  for (CK_SESSION_HANDLE h : idle_) (void)call(fn()->C_CloseSession, h);
}

StatusOr<Session> SessionPool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CK_SESSION_HANDLE h = idle_.back();
      idle_.pop_back();
      return Session(this, h);
    }
  }
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = call(fn()->C_OpenSession, slot_, CK_FLAGS{CKF_SERIAL_SESSION | CKF_RW_SESSION},
                  nullptr, nullptr, &h);
  if (rv != CKR_OK) return ckr_error(rv, "C_OpenSession");
  return Session(this, h);
}

void SessionPool::give_back(CK_SESSION_HANDLE handle, bool broken) {
  if (!broken) {
    std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(handle);
      return;
    }
  }
  (void)call(fn()->C_CloseSession, handle);
}

}  // namespace mpcc::hsm::internal
