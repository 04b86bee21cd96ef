// File: verifier/test/vectors.h
//
// Test helpers: reading reports and certificates from shared/vectors.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "crypto/x509.h"
#include "snp/report.h"

namespace mpcc::verifier::vtest {

std::string vector_path(const std::string& relative);
Bytes read_vector(const std::string& relative);
// Every certificate in the file (PEM bundle or DER).
std::vector<crypto::Certificate> read_certs(const std::string& relative);
// The report in the file (raw, hex or HCL; via snp::load_report).
snp::AttestationReport read_report(const std::string& relative);
// Only the non-CA certificates (the VCEK/VLEK) of the file.
std::vector<crypto::Certificate> read_leaf(const std::string& relative);

inline constexpr UnixSeconds kOneDay = 86400;

}  // namespace mpcc::verifier::vtest
