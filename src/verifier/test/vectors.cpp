#include "verifier/test/vectors.h"

#include <stdexcept>

#include "common/file_io.h"
#include "snp/report_input.h"

namespace mpcc::verifier::vtest {

std::string vector_path(const std::string& relative) {
  return std::string(MPCC_VECTORS_DIR) + "/" + relative;
}

Bytes read_vector(const std::string& relative) {
  auto data = read_file(vector_path(relative));
  if (!data.ok()) throw std::runtime_error(relative + ": " + data.status().to_string());
  return std::move(data).value();
}

std::vector<crypto::Certificate> read_certs(const std::string& relative) {
  auto certs = crypto::Certificate::from_pem_or_der(read_vector(relative));
  if (!certs.ok()) throw std::runtime_error(relative + ": " + certs.status().to_string());
  return std::move(certs).value();
}

snp::AttestationReport read_report(const std::string& relative) {
  auto loaded = snp::load_report(read_vector(relative));
  if (!loaded.ok()) throw std::runtime_error(relative + ": " + loaded.status().to_string());
  return loaded->report;
}

std::vector<crypto::Certificate> read_leaf(const std::string& relative) {
  std::vector<crypto::Certificate> out;
  for (auto& c : read_certs(relative)) {
    if (!c.is_ca()) out.push_back(c);
  }
  return out;
}

}  // namespace mpcc::verifier::vtest
