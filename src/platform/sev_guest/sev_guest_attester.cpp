#include "platform/sev_guest/sev_guest_attester.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "platform/sev_guest/sev_guest_errors.h"
#include "platform/sev_guest/snp_ioctl6.h"
#include "snp/report.h"

namespace mpcc::platform::sev_guest {

namespace {

constexpr uint8_t kSentinel = 0xA5;
constexpr std::size_t kSentinelSize = 64;
constexpr int kBusyRetries = 3;

// The response buffer with guard bytes on both sides: a driver or firmware
// that writes past SnpReportResp shows up as a changed sentinel.
struct GuardedResponse {
  uint8_t before[kSentinelSize];
  SnpReportResp resp;
  uint8_t after[kSentinelSize];
};

bool sentinels_intact(const GuardedResponse& g) {
  for (std::size_t i = 0; i < kSentinelSize; ++i) {
    if (g.before[i] != kSentinel || g.after[i] != kSentinel) return false;
  }
  return true;
}

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int system_ioctl(int fd, unsigned long request, void* arg) { return ::ioctl(fd, request, arg); }

}  // namespace

SevGuestAttester::SevGuestAttester(std::filesystem::path device, uint32_t vmpl,
                                   IoctlFunction ioctl_fn)
    : device_(std::move(device)), vmpl_(vmpl), ioctl_(ioctl_fn ? std::move(ioctl_fn) : system_ioctl) {}

bool SevGuestAttester::device_present(const std::filesystem::path& device) {
  std::error_code ec;
  return std::filesystem::exists(device, ec);
}

StatusOr<Evidence> SevGuestAttester::get_report(
    std::span<const uint8_t, kReportDataSize> report_data) {
  UniqueFd fd(::open(device_.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    std::string message =
        fmt::format("SEV-SNP: cannot open {}: {}", device_.string(), std::strerror(err));
    if (err == ENOENT || err == ENODEV || err == ENXIO) return failed_precondition(std::move(message));
    return unavailable(std::move(message));
  }

  SnpReportReq req;
  std::memset(&req, 0, sizeof(req));
  std::memcpy(req.user_data, report_data.data(), kReportDataSize);
  req.vmpl = vmpl_;

  GuardedResponse guarded;
  std::memset(guarded.before, kSentinel, kSentinelSize);
  std::memset(guarded.resp.data, 0, sizeof(guarded.resp.data));
  std::memset(guarded.after, kSentinel, kSentinelSize);

  SnpGuestRequestIoctl ioc;
  int rc = -1;
  int err = 0;
  for (int attempt = 0; attempt <= kBusyRetries; ++attempt) {
    std::memset(&ioc, 0, sizeof(ioc));
    ioc.msg_version = kMsgVersion;
    ioc.req_data = reinterpret_cast<uintptr_t>(&req);
    ioc.resp_data = reinterpret_cast<uintptr_t>(&guarded.resp);
    errno = 0;
    rc = ioctl_(fd.get(), kSnpGetReport, &ioc);
    err = errno;
    if (rc == 0) break;
    const bool busy = vmm_error(ioc.exitinfo2) == kVmmErrBusy || err == EAGAIN || err == EINTR;
    if (!busy || attempt == kBusyRetries) break;
    spdlog::debug("SNP_GET_REPORT busy, retrying ({}/{})", attempt + 1, kBusyRetries);
    std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
  }
  if (rc != 0) return ioctl_failure(err == 0 ? EIO : err, ioc.exitinfo2);

  if (!sentinels_intact(guarded)) {
    return internal_error("SEV-SNP: SNP_GET_REPORT wrote outside its response buffer");
  }
  MsgReportRspHeader header;
  std::memcpy(&header, guarded.resp.data, sizeof(header));
  if (header.status != 0) return report_response_failure(header.status);
  if (header.report_size != snp::kReportSize) {
    return internal_error(fmt::format("SEV-SNP: MSG_REPORT_RSP report_size is {}, expected {}",
                                      header.report_size, snp::kReportSize));
  }
  static_assert(kReportRspHeaderSize + snp::kReportSize <= sizeof(SnpReportResp));

  Evidence evidence;
  evidence.format = EvidenceFormat::kAmdSevSnpV1;
  const uint8_t* report = guarded.resp.data + kReportRspHeaderSize;
  evidence.report.assign(report, report + snp::kReportSize);
  if (std::memcmp(report + snp::offset::kReportData, report_data.data(), kReportDataSize) != 0) {
    return internal_error("SEV-SNP: the report does not carry the REPORT_DATA requested");
  }
  return evidence;
}

}  // namespace mpcc::platform::sev_guest
