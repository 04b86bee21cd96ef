// File: party/app_setup.h
//
// From a PartyConfig to a running app's dependencies: the secrets read from
// their files, the blob store the config names (directory, or Azure Blob over
// a connection string read from its file), the TLS client options (the
// deployment's CA), and — when partners may read — the verifier of their
// identity tokens (issuer keys by OpenID discovery, RS256, iss = the
// configured identity issuer, aud = this app's URL).
//
// Thread-safety: a reentrant function.
#pragma once

#include "common/status.h"
#include "party/party_app.h"

namespace mpcc::party {

StatusOr<PartyAppDeps> prepare_party_app(PartyConfig config);

}  // namespace mpcc::party
