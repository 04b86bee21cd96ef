#include "verifier/amd_roots.h"

#include <stdexcept>
#include <string>

#include "verifier/amd_roots_data.h"

namespace mpcc::verifier {

std::optional<AmdRootPems> amd_root_pems(snp::Product product) {
  using namespace internal;
  switch (product) {
    case snp::Product::kMilan:
      return AmdRootPems{kMilanArkPem, kMilanAskPem, kMilanAsvkPem};
    case snp::Product::kGenoa:
      return AmdRootPems{kGenoaArkPem, kGenoaAskPem, kGenoaAsvkPem};
    case snp::Product::kTurin:
      return AmdRootPems{kTurinArkPem, kTurinAskPem, kTurinAsvkPem};
    case snp::Product::kUnknown:
      break;
  }
  return std::nullopt;
}

namespace {

crypto::Certificate parse_builtin(std::string_view pem, snp::Product product, const char* role) {
  auto cert = crypto::Certificate::from_pem(pem);
  if (!cert.ok()) {
    throw std::logic_error(std::string("built-in AMD ") + role + " for " +
                           std::string(snp::product_name(product)) +
                           " does not parse: " + cert.status().to_string());
  }
  return std::move(cert).value();
}

AmdCertificates load(snp::Product product) {
  auto pems = amd_root_pems(product);
  if (!pems) throw std::logic_error("no built-in AMD certificates for this product");
  return AmdCertificates{parse_builtin(pems->ark, product, "ARK"),
                         parse_builtin(pems->ask, product, "ASK"),
                         parse_builtin(pems->asvk, product, "ASVK")};
}

}  // namespace

const AmdCertificates* amd_certificates(snp::Product product) {
  switch (product) {
    case snp::Product::kMilan: {
      static const AmdCertificates milan = load(snp::Product::kMilan);
      return &milan;
    }
    case snp::Product::kGenoa: {
      static const AmdCertificates genoa = load(snp::Product::kGenoa);
      return &genoa;
    }
    case snp::Product::kTurin: {
      static const AmdCertificates turin = load(snp::Product::kTurin);
      return &turin;
    }
    case snp::Product::kUnknown:
      break;
  }
  return nullptr;
}

}  // namespace mpcc::verifier
