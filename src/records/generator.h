// File: records/generator.h
//
// Deterministic synthetic customer records with the value shapes of the
// seed's data files (spec/seed-app.md §13, the HEAD generator): "First Last"
// names (some surnames hyphenated), "+<country code> NNN-NNN-NNNN" phones
// matching the country, "NNNN <Name> <StreetType>" addresses, postal codes
// by country (5 digits; Australia 4, Japan NNN-NNNN, UK "AA9 9AA"), 20
// countries with their cities (countries weighted so rankings are stable),
// ages 18-65, salaries 18,000-450,000, eye colours weighted 55/20/10/8/5/2
// over Brown, Blue, Green, Hazel, Gray, Amber, 15 favourite colours.
// For benchmarks and load tests; the people are fictitious.
//
//   std::vector<Record> rows = generate_records(1'000'000, 20260206);
//
// The same (n, seed) gives the same records on every platform (std::mt19937_64
// is fully specified; no std:: distributions are used).
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "records/record.h"

namespace mpcc::records {

std::vector<Record> generate_records(std::size_t n, std::uint64_t seed);

}  // namespace mpcc::records
