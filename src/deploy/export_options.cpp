// File: deploy/export_options.cpp
//
// The checks of `mpcc export`'s options and the image reference it pins
// (declared in export_plan.h).
#include <fmt/format.h>

#include <regex>

#include "deploy/export_plan.h"

namespace mpcc::deploy {

namespace {

const std::regex kGuid(
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

}  // namespace

Status check_export_options(const ExportOptions& o) {
  if (!std::regex_match(o.prefix, std::regex("[a-z0-9]{3,8}"))) {
    return invalid_argument("--prefix must be 3-8 lowercase letters or digits, not \"" + o.prefix +
                            "\"");
  }
  if (!std::regex_match(o.location, std::regex("[a-z0-9]{2,40}"))) {
    return invalid_argument("--location must be an Azure region name such as eastus, not \"" +
                            o.location + "\"");
  }
  if (!std::regex_match(o.maa_endpoint, std::regex("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"))) {
    return invalid_argument(
        "--maa-endpoint must be a host name without https:// or a path "
        "(e.g. sharedeus.eus.attest.azure.net), not \"" +
        o.maa_endpoint + "\"");
  }
  if (!std::regex_match(o.tenant_id, kGuid)) {
    return invalid_argument("--tenant-id must be a GUID, not \"" + o.tenant_id + "\"");
  }
  for (const auto& [identity, oid] : o.object_ids) {
    if (!std::regex_match(oid, kGuid)) {
      return invalid_argument(fmt::format("--object-id {}: \"{}\" is not a GUID", identity, oid));
    }
  }
  if (!std::regex_match(o.runtime_class, std::regex("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"))) {
    return invalid_argument("--runtime-class must be a Kubernetes name, not \"" + o.runtime_class +
                            "\"");
  }
  return ok_status();
}

StatusOr<std::string> resolve_image(const ExportOptions& o) {
  const std::string image = o.image.empty() ? "mpcc" : o.image;
  static const std::regex kRepo("[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[0-9]{1,5}/[a-z0-9._/-]+)?");
  const std::size_t at = image.find('@');
  const std::string repo = image.substr(0, at);
  if (!std::regex_match(repo, kRepo)) {
    return invalid_argument(
        "--image must be REPO or REPO@sha256:<64 hex> (pinned by digest, not "
        "by tag), not \"" +
        image + "\"");
  }
  if (at != std::string::npos) {
    if (!std::regex_match(image.substr(at), std::regex("@sha256:[0-9a-f]{64}"))) {
      return invalid_argument("--image: the digest must be sha256:<64 lowercase hex>, not \"" +
                              image.substr(at + 1) + "\"");
    }
    return image;
  }
  if (!std::regex_match(o.binary_sha256, std::regex("[0-9a-f]{64}"))) {
    return invalid_argument("--image names no digest and the binary's SHA-256 is unknown");
  }
  return repo + "@sha256:" + o.binary_sha256;
}

}  // namespace mpcc::deploy
