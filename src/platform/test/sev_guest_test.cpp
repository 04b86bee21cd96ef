#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "platform/sev_guest/sev_guest_attester.h"
#include "platform/sev_guest/sev_guest_errors.h"
#include "platform/sev_guest/snp_ioctl6.h"
#include "platform/test/test_support.h"
#include "snp/report.h"

namespace mpcc::platform::sev_guest {
namespace {

TEST(SnpIoctl6, AbiLayout) {
  EXPECT_EQ(sizeof(SnpGuestRequestIoctl), 32u);
  EXPECT_EQ(sizeof(SnpReportReq), 96u);
  EXPECT_EQ(sizeof(SnpReportResp), 4000u);
  EXPECT_EQ(sizeof(MsgReportRspHeader), 0x20u);
  EXPECT_EQ(kSnpGetReport, 0xC0205300UL);
  EXPECT_EQ(firmware_error(0x0000000200000016ull), 0x16u);
  EXPECT_EQ(vmm_error(0x0000000200000016ull), 2u);
}

TEST(SevGuestErrors, DecodeErrnoFirmwareAndVmmCodes) {
  Status busy = ioctl_failure(EIO, uint64_t{kVmmErrBusy} << 32);
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable);
  EXPECT_NE(busy.message().find("VMM error 2 (BUSY)"), std::string::npos) << busy.message();
  EXPECT_NE(busy.message().find("errno 5"), std::string::npos);

  Status invalid = ioctl_failure(EIO, 0x16);
  EXPECT_EQ(invalid.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.message().find("firmware error 0x16 (INVALID_PARAM)"), std::string::npos);

  Status other = ioctl_failure(ENOTTY, 0);
  EXPECT_EQ(other.code(), StatusCode::kInternal);
  EXPECT_EQ(firmware_error_name(0x07), "POLICY_FAILURE");
  EXPECT_EQ(firmware_error_name(0x99), "UNKNOWN");
  EXPECT_EQ(vmm_error_name(1), "INVALID_LENGTH");

  Status rsp = report_response_failure(0x16);
  EXPECT_EQ(rsp.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rsp.message(), "SEV-SNP: MSG_REPORT_RSP status 0x16 (INVALID_PARAM)");
}

// A stand-in for the driver: checks the request, writes a response.
struct FakeDriver {
  uint32_t status = 0;
  uint32_t report_size = snp::kReportSize;
  bool echo_report_data = true;
  int fail_errno = 0;
  uint64_t exitinfo2 = 0;
  int fail_times = 0;        // fail this many calls, then succeed
  bool overrun = false;      // write one byte past the response
  int calls = 0;
  uint32_t seen_vmpl = 99;
  uint8_t seen_version = 0;

  int operator()(int /*fd*/, unsigned long request, void* arg) {
    ++calls;
    if (request != kSnpGetReport) {
      errno = ENOTTY;
      return -1;
    }
    auto* ioc = static_cast<SnpGuestRequestIoctl*>(arg);
    seen_version = ioc->msg_version;
    auto* req = reinterpret_cast<SnpReportReq*>(static_cast<uintptr_t>(ioc->req_data));
    auto* resp = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(ioc->resp_data));
    seen_vmpl = req->vmpl;
    if (calls <= fail_times || (fail_errno != 0 && fail_times == 0)) {
      ioc->exitinfo2 = exitinfo2;
      errno = fail_errno;
      return -1;
    }
    MsgReportRspHeader h{};
    h.status = status;
    h.report_size = report_size;
    std::memcpy(resp, &h, sizeof(h));
    uint8_t* report = resp + kReportRspHeaderSize;
    report[0] = 2;  // version
    if (echo_report_data) std::memcpy(report + snp::offset::kReportData, req->user_data, 64);
    if (overrun) resp[sizeof(SnpReportResp)] = 0;
    return 0;
  }
};

StatusOr<Evidence> run(FakeDriver& fake, uint32_t vmpl = 0) {
  SevGuestAttester attester("/dev/null", vmpl, [&fake](int fd, unsigned long r, void* a) {
    return fake(fd, r, a);
  });
  return attester.get_report(testing::test_report_data());
}

TEST(SevGuestAttester, ReturnsTheReportFromTheResponse) {
  FakeDriver fake;
  auto e = run(fake, 2);
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->format, EvidenceFormat::kAmdSevSnpV1);
  EXPECT_EQ(e->report.size(), snp::kReportSize);
  EXPECT_EQ(e->report[0], 2);
  EXPECT_TRUE(e->endorsements.empty());
  EXPECT_EQ(fake.seen_version, 1);
  EXPECT_EQ(fake.seen_vmpl, 2u);
}

TEST(SevGuestAttester, FirmwareStatusIsChecked) {
  FakeDriver fake;
  fake.status = 0x16;
  EXPECT_EQ(run(fake).status().message(), "SEV-SNP: MSG_REPORT_RSP status 0x16 (INVALID_PARAM)");
}

TEST(SevGuestAttester, ReportSizeIsChecked) {
  FakeDriver fake;
  fake.report_size = 1000;
  auto e = run(fake);
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
  EXPECT_NE(e.status().message().find("report_size is 1000"), std::string::npos);
}

TEST(SevGuestAttester, OverrunIsDetectedBySentinels) {
  FakeDriver fake;
  fake.overrun = true;
  auto e = run(fake);
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
  EXPECT_NE(e.status().message().find("outside its response buffer"), std::string::npos);
}

TEST(SevGuestAttester, ReportMustEchoReportData) {
  FakeDriver fake;
  fake.echo_report_data = false;
  EXPECT_NE(run(fake).status().message().find("does not carry the REPORT_DATA"), std::string::npos);
}

TEST(SevGuestAttester, IoctlErrorsCarryErrnoAndExitinfo2) {
  FakeDriver fake;
  fake.fail_errno = EIO;
  fake.exitinfo2 = 0x16;
  auto e = run(fake);
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("firmware error 0x16"), std::string::npos);
  EXPECT_EQ(fake.calls, 1);  // not retried
}

TEST(SevGuestAttester, BusyIsRetriedThenReported) {
  FakeDriver fake;
  fake.fail_errno = EIO;
  fake.exitinfo2 = uint64_t{kVmmErrBusy} << 32;
  fake.fail_times = 100;
  auto e = run(fake);
  EXPECT_EQ(e.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(fake.calls, 4);

  FakeDriver flaky;
  flaky.fail_errno = EAGAIN;
  flaky.fail_times = 2;
  EXPECT_TRUE(run(flaky).ok());
  EXPECT_EQ(flaky.calls, 3);
}

TEST(SevGuestAttester, AbsentDeviceIsFailedPrecondition) {
  SevGuestAttester attester("/nonexistent/sev-guest");
  auto e = attester.get_report(testing::test_report_data());
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(SevGuestAttester::device_present("/nonexistent/sev-guest"));
}

// Runs only inside an SEV-SNP guest.
TEST(SevGuestHardware, GetsARealReport) {
  if (!SevGuestAttester::device_present()) GTEST_SKIP() << "/dev/sev-guest not present";
  SevGuestAttester attester;
  auto e = attester.get_report(testing::test_report_data());
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  auto r = snp::AttestationReport::parse(e->report);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->report_data, testing::test_report_data());
  EXPECT_EQ(r->signature_algo, snp::kSignatureAlgoEcdsaP384Sha384);
}

}  // namespace
}  // namespace mpcc::platform::sev_guest
