// File: verifier/amd_roots_data.h
//
// Internal: the PEM text of AMD's SEV-SNP CA certificates (see amd_roots_data.cpp).
// Use verifier/amd_roots.h instead.
#pragma once

namespace mpcc::verifier::internal {

extern const char kMilanArkPem[];
extern const char kMilanAskPem[];
extern const char kMilanAsvkPem[];
extern const char kGenoaArkPem[];
extern const char kGenoaAskPem[];
extern const char kGenoaAsvkPem[];
extern const char kTurinArkPem[];
extern const char kTurinAskPem[];
extern const char kTurinAsvkPem[];

}  // namespace mpcc::verifier::internal
