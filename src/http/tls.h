// File: http/tls.h
//
// A local certificate authority for a deployment on one machine: a CA key and
// self-signed certificate (labelled as mpcc's local CA, not a public one), and
// server certificates it issues with subjectAltName entries for the addresses
// clients use (IP 127.0.0.1, DNS localhost, ...), extendedKeyUsage serverAuth.
// Files are PEM; keys are written 0600.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "http/server.h"

namespace mpcc::http {

struct LocalCaFiles {
  std::filesystem::path ca_cert;  // give this to clients (ClientOptions::ca_cert_path, NODE_EXTRA_CA_CERTS)
  std::filesystem::path ca_key;
};

// Creates DIR/ca.pem and DIR/ca.key if absent, else loads them.
// New: an EC P-256 key (0600), a self-signed certificate "CN=mpcc local CA
// (not a public CA)", CA:true pathlen 0, keyCertSign, valid 10 years; DIR is
// created 0700 if missing. Existing: checked (key matches, CA, self-signed,
// valid now); kFailedPrecondition when not, never silently replaced. A key
// without its certificate (an interrupted first run) is replaced.
StatusOr<LocalCaFiles> ensure_local_ca(const std::filesystem::path& dir);
// The same with an explicit clock (tests, `--at`).
StatusOr<LocalCaFiles> ensure_local_ca(const std::filesystem::path& dir, const Clock& clock);

// Issues (or reuses, if present and still valid for the same names) a server
// certificate DIR/<name>.pem + DIR/<name>.key for the given DNS names and IPs.
// Issued: EC P-256 key (0600), CN = first DNS name (else first IP), SAN with
// every name, EKU serverAuth, keyUsage digitalSignature, AKI = the CA's SKI,
// valid 1 year (never past the CA). Reused only if signed by this CA, valid
// for at least another day, with exactly these SAN entries (any order), EKU
// serverAuth and the matching key; otherwise replaced.
// kInvalidArgument: bad `name` (letters, digits, '-', '_', '.'; not "ca"),
// no names, or a name/address that does not parse; CA load errors propagate.
StatusOr<TlsFiles> ensure_server_certificate(const LocalCaFiles& ca,
                                             const std::filesystem::path& dir,
                                             const std::string& name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses);
// The same with an explicit clock.
StatusOr<TlsFiles> ensure_server_certificate(const LocalCaFiles& ca,
                                             const std::filesystem::path& dir,
                                             const std::string& name,
                                             const std::vector<std::string>& dns_names,
                                             const std::vector<std::string>& ip_addresses,
                                             const Clock& clock);

}  // namespace mpcc::http
