#include "skr/security_context.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/x509.h"

namespace mpcc::skr {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxFileBytes = 1u << 20;

// One input: its text and where it came from, for messages.
struct Input {
  std::string text;
  std::string origin;  // the file path, or "environment variable X"
};

std::string trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// DIR/file if it exists, else the variable if set, else nothing.
StatusOr<std::optional<Input>> find_input(const std::optional<fs::path>& dir, const char* file,
                                          const char* variable, const Environment& env) {
  if (dir) {
    const fs::path path = *dir / file;
    StatusOr<std::string> text = read_text_file(path, kMaxFileBytes);
    if (text.ok()) return std::optional<Input>(Input{trim(*text), path.string()});
    if (text.status().code() != StatusCode::kNotFound) return text.status();
  }
  if (std::optional<std::string> value = env(variable)) {
    return std::optional<Input>(
        Input{trim(*value), std::string("environment variable ") + variable});
  }
  return std::optional<Input>();
}

StatusOr<Bytes> decode(const Input& input) {
  StatusOr<Bytes> bytes = crypto::base64_decode_any(input.text);
  if (!bytes.ok()) {
    return invalid_argument(input.origin + ": not base64: " + bytes.status().message());
  }
  return bytes;
}

bool is_hex16(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

StatusOr<HostAmdCertification> parse_thim(const Bytes& text, const std::string& origin) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return invalid_argument(origin + ": not a THIM JSON object");
  auto bad = [&](const char* member, const std::string& why) {
    return invalid_argument(origin + ": " + member + ": " + why);
  };
  auto string_member = [&](const char* member) -> std::optional<std::string> {
    auto it = j.find(member);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  HostAmdCertification c;
  std::optional<std::string> vcek = string_member("vcekCert");
  if (!vcek) return bad("vcekCert", "missing or not a string");
  if (auto cert = crypto::Certificate::from_pem(*vcek); !cert.ok()) {
    return bad("vcekCert", cert.status().message());
  }
  std::optional<std::string> chain = string_member("certificateChain");
  if (!chain) return bad("certificateChain", "missing or not a string");
  if (auto certs = crypto::Certificate::from_pem_bundle(*chain); !certs.ok()) {
    return bad("certificateChain", certs.status().message());
  }
  std::optional<std::string> tcbm = string_member("tcbm");
  if (!tcbm || !is_hex16(*tcbm)) return bad("tcbm", "missing or not 16 hex digits");
  c.vcek_pem = std::move(*vcek);
  // PEM blocks must not run into each other when concatenated.
  if (!c.vcek_pem.empty() && c.vcek_pem.back() != '\n') c.vcek_pem += '\n';
  c.chain_pem = std::move(*chain);
  c.tcbm = std::move(*tcbm);
  if (auto it = j.find("cacheControl"); it != j.end()) {
    if (it->is_string()) {
      c.cache_control = it->get<std::string>();
    } else if (it->is_number_unsigned()) {
      c.cache_control = std::to_string(it->get<uint64_t>());
    } else {
      return bad("cacheControl", "not a string or a number");
    }
  }
  return c;
}

}  // namespace

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

StatusOr<SecurityContext> SecurityContext::load(const std::optional<fs::path>& dir,
                                                const Environment& env) {
  SecurityContext ctx;
  MPCC_ASSIGN_OR_RETURN(std::optional<Input> policy,
                        find_input(dir, kSecurityPolicyFile, kSecurityPolicyEnv, env));
  if (policy) {
    MPCC_ASSIGN_OR_RETURN(Bytes text, decode(*policy));
    const Bytes digest = crypto::sha256(text);
    std::array<uint8_t, 32> host_data{};
    std::copy(digest.begin(), digest.end(), host_data.begin());
    ctx.policy_ = to_string(text);
    ctx.host_data_ = host_data;
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<Input> amd,
                        find_input(dir, kHostAmdCertFile, kHostAmdCertEnv, env));
  if (amd) {
    MPCC_ASSIGN_OR_RETURN(Bytes text, decode(*amd));
    MPCC_ASSIGN_OR_RETURN(ctx.amd_, parse_thim(text, amd->origin));
  }
  MPCC_ASSIGN_OR_RETURN(std::optional<Input> reference,
                        find_input(dir, kReferenceInfoFile, kReferenceInfoEnv, env));
  if (reference) {
    MPCC_ASSIGN_OR_RETURN(ctx.reference_info_, decode(*reference));
    ctx.reference_info_b64_ = reference->text;
  }
  return ctx;
}

}  // namespace mpcc::skr
