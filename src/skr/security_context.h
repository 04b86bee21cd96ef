// File: skr/security_context.h
//
// SecurityContext: what the platform hands a confidential container about
// itself, in ACI's shape (spec 2.6): a directory holding
//   security-policy-base64   b64 of the security policy text (ACI's ccePolicy);
//                            HOST_DATA of the guest is SHA-256 of the decoded text
//   host-amd-cert-base64     b64 of the host's THIM JSON (spec 7.5): vcekCert,
//                            certificateChain (ASK then ARK), tcbm, cacheControl
//   reference-info-base64    b64 of the UVM endorsement (COSE_Sign1), opaque
// Each file, when absent, may come from an environment variable instead
// (UVM_SECURITY_POLICY, UVM_HOST_AMD_CERTIFICATE, UVM_REFERENCE_INFO). A
// missing directory or file gives a context without that part: a standard
// container (the Snooper) has none at all, and still runs the sidecar.
//
//   MPCC_ASSIGN_OR_RETURN(SecurityContext ctx, SecurityContext::load(dir));
//   if (ctx.host_amd_certification()) chain = ctx.host_amd_certification()->endorsements_pem();
//
// Errors: kInvalidArgument naming the file (or variable) whose content is not
// base64, or whose THIM JSON is malformed (member missing or mistyped, a PEM
// that does not parse, tcbm not 16 hex digits); I/O errors of reading a file.
//
// Thread-safety: an immutable value after load().
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc::skr {

inline constexpr const char* kSecurityPolicyFile = "security-policy-base64";
inline constexpr const char* kHostAmdCertFile = "host-amd-cert-base64";
inline constexpr const char* kReferenceInfoFile = "reference-info-base64";
inline constexpr const char* kSecurityPolicyEnv = "UVM_SECURITY_POLICY";
inline constexpr const char* kHostAmdCertEnv = "UVM_HOST_AMD_CERTIFICATE";
inline constexpr const char* kReferenceInfoEnv = "UVM_REFERENCE_INFO";
// The directory itself may be named by this variable (spec 2.6).
inline constexpr const char* kSecurityContextDirEnv = "UVM_SECURITY_CONTEXT_DIR";

// The THIM certification JSON (spec 7.5).
struct HostAmdCertification {
  std::string vcek_pem;       // vcekCert
  std::string chain_pem;      // certificateChain: ASK then ARK
  std::string tcbm;           // 16 hex digits, REPORTED_TCB most significant first
  std::string cache_control;  // seconds, as given ("" when absent)

  // VCEK || ASK || ARK, the chain MAA takes as VcekCertChain.
  std::string endorsements_pem() const { return vcek_pem + chain_pem; }
};

// Looks up an environment variable (nullopt when unset). Injected for tests.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (getenv); empty values count as unset.
Environment process_environment();

class SecurityContext {
 public:
  SecurityContext() = default;  // empty: no policy, no certificates, no reference info

  // Reads the files of `dir` (nullopt, or a directory that does not exist:
  // none), falling back to `env` for each missing file. See the file comment.
  static StatusOr<SecurityContext> load(const std::optional<std::filesystem::path>& dir,
                                        const Environment& env = process_environment());

  bool empty() const { return !policy_ && !amd_ && !reference_info_b64_; }

  // The decoded security policy text.
  const std::optional<std::string>& policy() const { return policy_; }
  // SHA-256 of the decoded policy (what the launcher put in HOST_DATA).
  const std::optional<std::array<uint8_t, 32>>& host_data() const { return host_data_; }
  // The host's AMD certificates.
  const std::optional<HostAmdCertification>& host_amd_certification() const { return amd_; }
  // The UVM endorsement as given (base64, surrounding whitespace removed)
  // and decoded.
  const std::optional<std::string>& reference_info_base64() const { return reference_info_b64_; }
  const Bytes& reference_info() const { return reference_info_; }

 private:
  std::optional<std::string> policy_;
  std::optional<std::array<uint8_t, 32>> host_data_;
  std::optional<HostAmdCertification> amd_;
  std::optional<std::string> reference_info_b64_;
  Bytes reference_info_;
};

}  // namespace mpcc::skr
