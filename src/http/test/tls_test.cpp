#include "http/tls.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_extensions.h"
#include "http/test/test_util.h"

namespace mpcc::http {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr UnixSeconds kNow = 1760000000;  // 2025-10-09
constexpr UnixSeconds kDay = 86400;

crypto::Certificate load_cert(const fs::path& p) {
  return crypto::Certificate::from_pem(read_text_file(p).value()).value();
}

fs::perms perms_of(const fs::path& p) {
  return fs::status(p).permissions() & fs::perms::all;
}

TEST(LocalCa, CreatesSelfSignedCaWithPrivateKey0600) {
  TempDir tmp;
  fs::path dir = tmp.path() / "tls";
  LocalCaFiles ca = ensure_local_ca(dir, FixedClock(kNow)).value();
  EXPECT_EQ(ca.ca_cert, dir / "ca.pem");
  EXPECT_EQ(ca.ca_key, dir / "ca.key");
  EXPECT_EQ(perms_of(ca.ca_key), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(perms_of(dir), fs::perms::owner_all);
  crypto::Certificate cert = load_cert(ca.ca_cert);
  EXPECT_EQ(cert.subject(), "CN=mpcc local CA (not a public CA)");
  EXPECT_TRUE(cert.is_ca());
  EXPECT_TRUE(cert.is_self_signed());
  EXPECT_LE(cert.not_before(), kNow);
  EXPECT_GE(cert.not_after(), kNow + 3650 * kDay);
  EXPECT_LT(cert.not_after(), kNow + 3660 * kDay);
  EXPECT_EQ(cert.serial().size(), 16u);
  crypto::PrivateKey key =
      crypto::PrivateKey::from_pem(read_text_file(ca.ca_key).value()).value();
  EXPECT_TRUE(key.public_key().equals(cert.public_key()));
  EXPECT_TRUE(crypto::subject_key_identifier(cert).ok());
}

TEST(LocalCa, SecondCallReusesTheSameCa) {
  TempDir tmp;
  LocalCaFiles a = ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  std::string first = read_text_file(a.ca_cert).value();
  LocalCaFiles b = ensure_local_ca(tmp.path(), FixedClock(kNow + 30 * kDay)).value();
  EXPECT_EQ(read_text_file(b.ca_cert).value(), first);
}

TEST(LocalCa, MissingKeyIsRefusedNotReplaced) {
  TempDir tmp;
  LocalCaFiles a = ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  std::string cert = read_text_file(a.ca_cert).value();
  fs::remove(a.ca_key);
  Status s = ensure_local_ca(tmp.path(), FixedClock(kNow)).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("local CA"), std::string::npos);
  EXPECT_NE(s.message().find("unusable"), std::string::npos);
  EXPECT_EQ(read_text_file(a.ca_cert).value(), cert);  // untouched
}

TEST(LocalCa, MismatchedKeyIsRefused) {
  TempDir tmp;
  TempDir other;
  LocalCaFiles a = ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  LocalCaFiles b = ensure_local_ca(other.path(), FixedClock(kNow)).value();
  fs::copy_file(b.ca_key, a.ca_key, fs::copy_options::overwrite_existing);
  Status s = ensure_local_ca(tmp.path(), FixedClock(kNow)).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("is not the key of"), std::string::npos);
}

TEST(LocalCa, ExpiredCaIsRefused) {
  TempDir tmp;
  ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  Status s = ensure_local_ca(tmp.path(), FixedClock(kNow + 3651 * kDay)).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("expired"), std::string::npos);
}

TEST(LocalCa, KeyWithoutCertificateIsReplaced) {
  TempDir tmp;
  ASSERT_TRUE(write_file_atomic(tmp.path() / "ca.key", as_span("stale")).ok());
  LocalCaFiles a = ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  EXPECT_TRUE(load_cert(a.ca_cert).is_ca());
}

TEST(LocalCa, CorruptCertificateIsRefused) {
  TempDir tmp;
  LocalCaFiles a = ensure_local_ca(tmp.path(), FixedClock(kNow)).value();
  ASSERT_TRUE(write_file_atomic(a.ca_cert, as_span("garbage")).ok());
  EXPECT_EQ(ensure_local_ca(tmp.path(), FixedClock(kNow)).status().code(),
            StatusCode::kFailedPrecondition);
}

struct Issued {
  TempDir tmp;
  LocalCaFiles ca;
  TlsFiles files;
  Issued()
      : ca(ensure_local_ca(tmp.path(), FixedClock(kNow)).value()),
        files(ensure_server_certificate(ca, tmp.path() / "certs", "kv", {"localhost"},
                                        {"127.0.0.1"}, FixedClock(kNow))
                  .value()) {}
};

TEST(ServerCertificate, HasSanEkuAndIsIssuedByTheCa) {
  Issued i;
  EXPECT_EQ(fs::path(i.files.cert_pem_path), i.tmp.path() / "certs" / "kv.pem");
  EXPECT_EQ(fs::path(i.files.key_pem_path), i.tmp.path() / "certs" / "kv.key");
  EXPECT_EQ(perms_of(i.files.key_pem_path), fs::perms::owner_read | fs::perms::owner_write);
  crypto::Certificate leaf = load_cert(i.files.cert_pem_path);
  crypto::Certificate ca = load_cert(i.ca.ca_cert);
  EXPECT_TRUE(leaf.verify_signed_by(ca).ok());
  EXPECT_FALSE(leaf.is_ca());
  EXPECT_EQ(leaf.subject_common_name(), "localhost");
  crypto::SubjectAltNames san =
      crypto::parse_subject_alt_name(leaf.extension_value(crypto::kOidSubjectAltName).value())
          .value();
  EXPECT_EQ(san.dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(san.ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(crypto::parse_extended_key_usage(
                leaf.extension_value(crypto::kOidExtendedKeyUsage).value())
                .value(),
            std::vector<std::string>{std::string(crypto::kOidKpServerAuth)});
  EXPECT_EQ(crypto::parse_authority_key_identifier(
                leaf.extension_value(crypto::kOidAuthorityKeyIdentifier).value())
                .value(),
            crypto::subject_key_identifier(ca).value());
  EXPECT_LE(leaf.not_before(), kNow);
  EXPECT_GE(leaf.not_after(), kNow + 365 * kDay - 1);
  EXPECT_LE(leaf.not_after(), kNow + 366 * kDay);
  crypto::PrivateKey key =
      crypto::PrivateKey::from_pem(read_text_file(i.files.key_pem_path).value()).value();
  EXPECT_TRUE(key.public_key().equals(leaf.public_key()));
}

TEST(ServerCertificate, ReusedForTheSameNamesInAnyOrder) {
  Issued i;
  std::string first = read_text_file(i.files.cert_pem_path).value();
  TlsFiles again = ensure_server_certificate(i.ca, i.tmp.path() / "certs", "kv", {"LOCALHOST"},
                                             {"127.0.0.1"}, FixedClock(kNow + 10 * kDay))
                       .value();
  EXPECT_EQ(read_text_file(again.cert_pem_path).value(), first);
}

TEST(ServerCertificate, ReissuedWhenNamesChange) {
  Issued i;
  std::string first = read_text_file(i.files.cert_pem_path).value();
  TlsFiles again = ensure_server_certificate(i.ca, i.tmp.path() / "certs", "kv",
                                             {"localhost", "kv.test"}, {"127.0.0.1", "::1"},
                                             FixedClock(kNow))
                       .value();
  EXPECT_NE(read_text_file(again.cert_pem_path).value(), first);
  crypto::SubjectAltNames san = crypto::parse_subject_alt_name(
                                    load_cert(again.cert_pem_path)
                                        .extension_value(crypto::kOidSubjectAltName)
                                        .value())
                                    .value();
  EXPECT_EQ(san.dns_names, (std::vector<std::string>{"localhost", "kv.test"}));
  EXPECT_EQ(san.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(ServerCertificate, ReissuedNearExpiry) {
  Issued i;
  std::string first = read_text_file(i.files.cert_pem_path).value();
  TlsFiles again = ensure_server_certificate(i.ca, i.tmp.path() / "certs", "kv", {"localhost"},
                                             {"127.0.0.1"}, FixedClock(kNow + 365 * kDay))
                       .value();
  EXPECT_NE(read_text_file(again.cert_pem_path).value(), first);
  EXPECT_TRUE(load_cert(again.cert_pem_path).check_validity(kNow + 365 * kDay).ok());
}

TEST(ServerCertificate, ReissuedWhenTheCaChanged) {
  Issued i;
  TempDir other;
  LocalCaFiles ca2 = ensure_local_ca(other.path(), FixedClock(kNow)).value();
  TlsFiles again = ensure_server_certificate(ca2, i.tmp.path() / "certs", "kv", {"localhost"},
                                             {"127.0.0.1"}, FixedClock(kNow))
                       .value();
  EXPECT_TRUE(load_cert(again.cert_pem_path).verify_signed_by(load_cert(ca2.ca_cert)).ok());
}

TEST(ServerCertificate, ReissuedWhenTheKeyDoesNotMatch) {
  Issued i;
  Issued j;
  fs::copy_file(j.files.key_pem_path, i.files.key_pem_path, fs::copy_options::overwrite_existing);
  TlsFiles again = ensure_server_certificate(i.ca, i.tmp.path() / "certs", "kv", {"localhost"},
                                             {"127.0.0.1"}, FixedClock(kNow))
                       .value();
  crypto::PrivateKey key =
      crypto::PrivateKey::from_pem(read_text_file(again.key_pem_path).value()).value();
  EXPECT_TRUE(key.public_key().equals(load_cert(again.cert_pem_path).public_key()));
}

TEST(ServerCertificate, IpOnlyCertificateUsesTheIpAsCommonName) {
  Issued i;
  TlsFiles f = ensure_server_certificate(i.ca, i.tmp.path(), "ip-only", {}, {"127.0.0.1"},
                                         FixedClock(kNow))
                   .value();
  EXPECT_EQ(load_cert(f.cert_pem_path).subject_common_name(), "127.0.0.1");
}

TEST(ServerCertificate, RejectsBadNamesAndAddresses) {
  Issued i;
  for (const std::string& name : {std::string(""), std::string("ca"), std::string("../x"),
                                  std::string(".hidden"), std::string("a/b")}) {
    Status s = ensure_server_certificate(i.ca, i.tmp.path(), name, {"localhost"}, {},
                                         FixedClock(kNow))
                   .status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("invalid certificate name"), std::string::npos) << name;
  }
  EXPECT_EQ(
      ensure_server_certificate(i.ca, i.tmp.path(), "x", {}, {}, FixedClock(kNow)).status().code(),
      StatusCode::kInvalidArgument);
  Status s = ensure_server_certificate(i.ca, i.tmp.path(), "x", {}, {"127.0.0"}, FixedClock(kNow))
                 .status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("invalid IP address"), std::string::npos);
  EXPECT_FALSE(fs::exists(i.tmp.path() / "x.pem"));
}

TEST(ServerCertificate, MissingCaIsAnError) {
  TempDir tmp;
  LocalCaFiles none{tmp.path() / "ca.pem", tmp.path() / "ca.key"};
  Status s =
      ensure_server_certificate(none, tmp.path(), "kv", {"localhost"}, {}, FixedClock(kNow))
          .status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(ServerCertificate, SystemClockOverloadsWork) {
  TempDir tmp;
  LocalCaFiles ca = ensure_local_ca(tmp.path()).value();
  TlsFiles f = ensure_server_certificate(ca, tmp.path(), "kv", {"localhost"}, {"127.0.0.1"}).value();
  EXPECT_TRUE(load_cert(f.cert_pem_path).check_validity(system_clock()->now()).ok());
}

}  // namespace
}  // namespace mpcc::http
