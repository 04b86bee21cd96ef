// File: hsm/internal/pkcs11_session.h
//
// Sessions and objects on one PKCS#11 token. Private to src/hsm.
//  - AttrTemplate: a CK_ATTRIBUTE array that owns its values (wiped on
//    destruction, as they may hold key components).
//  - SessionPool / Session: read-write user sessions handed out one per
//    operation. PKCS#11 allows one thread at a time in a session and keeps one
//    active operation per session, so a Session is used by one thread and goes
//    back to the pool afterwards - unless a call on it failed, in which case
//    it is closed (it may be left with an operation half done).
//  - ScopedObject: destroys a session object (ephemeral keys) on scope exit.
//
// Thread-safety: SessionPool is thread-safe (a mutex guards the idle list);
// a Session and an AttrTemplate belong to one thread.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "hsm/internal/pkcs11_module.h"

namespace mpcc::hsm::internal {

class AttrTemplate {
 public:
  AttrTemplate() = default;
  AttrTemplate(const AttrTemplate&) = delete;
  AttrTemplate& operator=(const AttrTemplate&) = delete;

  AttrTemplate& add_bool(CK_ATTRIBUTE_TYPE type, bool value);
  AttrTemplate& add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
  AttrTemplate& add_bytes(CK_ATTRIBUTE_TYPE type, ByteSpan value);
  AttrTemplate& add_string(CK_ATTRIBUTE_TYPE type, std::string_view value) {
    return add_bytes(type, as_span(value));
  }

  CK_ATTRIBUTE* data() { return attrs_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(attrs_.size()); }

 private:
  std::list<SecureBytes> values_;  // stable addresses for pValue
  std::vector<CK_ATTRIBUTE> attrs_;
};

class SessionPool;

class Session {
 public:
  Session(Session&& other) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  ~Session();  // back to the pool, or closed if a call failed

  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_FUNCTION_LIST* fn() const;

  // OK if rv == CKR_OK; otherwise marks the session for closing and returns
  // ckr_error(rv, what).
  Status check(CK_RV rv, std::string_view what);

  // All objects matching `tmpl` (C_FindObjectsInit/C_FindObjects/Final).
  StatusOr<std::vector<CK_OBJECT_HANDLE>> find(AttrTemplate& tmpl);
  // The first object matching `tmpl`, or nullopt.
  StatusOr<std::optional<CK_OBJECT_HANDLE>> find_one(AttrTemplate& tmpl);
  // One attribute's value (the two-call C_GetAttributeValue).
  StatusOr<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  StatusOr<SecureBytes> secret_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  StatusOr<bool> bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
  // C_DestroyObject.
  Status destroy(CK_OBJECT_HANDLE object);

 private:
  friend class SessionPool;
  Session(SessionPool* pool, CK_SESSION_HANDLE handle) : pool_(pool), handle_(handle) {}
  template <typename Buffer>
  StatusOr<Buffer> attribute_into(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

  SessionPool* pool_;
  CK_SESSION_HANDLE handle_;
  bool broken_ = false;
};

class SessionPool {
 public:
  // The pool keeps at most `max_idle` sessions open between operations.
  SessionPool(std::shared_ptr<Module> module, CK_SLOT_ID slot, std::size_t max_idle = 8);
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;
  ~SessionPool();  // closes the idle sessions; all Sessions must be back

  // An idle session, or a new read-write one (C_OpenSession).
  StatusOr<Session> acquire();
  CK_FUNCTION_LIST* fn() const { return module_->fn(); }
  CK_SLOT_ID slot() const { return slot_; }

 private:
  friend class Session;
  void give_back(CK_SESSION_HANDLE handle, bool broken);

  std::shared_ptr<Module> module_;
  CK_SLOT_ID slot_;
  std::size_t max_idle_;
  std::mutex mu_;
  std::vector<CK_SESSION_HANDLE> idle_;
};

// Destroys a (session) object when it goes out of scope. Declare it after the
// Session it uses, so it is destroyed first.
class ScopedObject {
 public:
  ScopedObject(Session& session, CK_OBJECT_HANDLE object) : session_(session), object_(object) {}
  ScopedObject(const ScopedObject&) = delete;
  ScopedObject& operator=(const ScopedObject&) = delete;
  ~ScopedObject() { (void)session_.destroy(object_); }
  CK_OBJECT_HANDLE get() const { return object_; }

 private:
  Session& session_;
  CK_OBJECT_HANDLE object_;
};

}  // namespace mpcc::hsm::internal
