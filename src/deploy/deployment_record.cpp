#include "deploy/deployment_record.h"

#include "common/file_io.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr std::size_t kMaxRecordFile = 1u << 20;
}  // namespace

json deployment_record_to_json(const DeploymentRecord& r) {
  json components = json::object();
  for (const auto& [name, port] : r.ports) components[name] = {{"port", port}};
  return {{"format", kDeploymentFormat}, {"components", components}};
}

StatusOr<DeploymentRecord> deployment_record_from_json(const json& j) {
  if (!j.is_object() || j.value("format", "") != kDeploymentFormat) {
    return invalid_argument(std::string("deployment.json: \"format\" must be \"") +
                            kDeploymentFormat + "\"");
  }
  auto components = j.find("components");
  if (components == j.end() || !components->is_object()) {
    return invalid_argument("deployment.json: \"components\" must be an object");
  }
  DeploymentRecord r;
  for (const auto& item : components->items()) {
    const json& c = item.value();
    if (!c.is_object()) {
      return invalid_argument("deployment.json: component \"" + item.key() +
                              "\" must be an object");
    }
    auto port = c.find("port");
    if (port == c.end()) continue;  // a component without a port (none today)
    if (!port->is_number_integer() || port->get<int64_t>() < 1 || port->get<int64_t>() > 65535) {
      return invalid_argument("deployment.json: \"" + item.key() +
                              ".port\" must be a port number (1-65535)");
    }
    r.ports[item.key()] = port->get<int>();
  }
  return r;
}

StatusOr<std::optional<DeploymentRecord>> read_deployment_record(const fs::path& path) {
  StatusOr<std::string> text = read_text_file(path, kMaxRecordFile);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<DeploymentRecord>();
    return text.status();
  }
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(path.string() + ": not JSON");
  StatusOr<DeploymentRecord> r = deployment_record_from_json(j);
  if (!r.ok()) return r.status().with_context(path.string());
  return std::optional<DeploymentRecord>(std::move(r).value());
}

Status write_deployment_record(const fs::path& path, const DeploymentRecord& r) {
  const std::string text = deployment_record_to_json(r).dump(2) + "\n";
  return write_file_atomic(path, as_span(text));
}

}  // namespace mpcc::deploy
