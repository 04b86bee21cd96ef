#include "platform/sim/psp_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace mpcc::platform::sim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kPollIntervalMs = 500;

void unlink_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

}  // namespace

PspDaemon::PspDaemon(fs::path state_dir, std::shared_ptr<const SimulatedChip> chip,
                     PspDaemonOptions options)
    : state_dir_(std::move(state_dir)),
      chip_(chip),
      psp_(std::move(chip)),
      options_(options) {}

StatusOr<std::unique_ptr<PspDaemon>> PspDaemon::open(const fs::path& state_dir,
                                                     std::shared_ptr<const SimulatedChip> chip,
                                                     PspDaemonOptions options) {
  if (!chip) throw std::logic_error("PspDaemon::open: null chip");
  std::error_code ec;
  const fs::path dir = fs::absolute(state_dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return not_found("PSP state directory " + state_dir.string() + " does not exist");
  }
  std::unique_ptr<PspDaemon> d(new PspDaemon(dir, std::move(chip), options));

  d->lock_ = Socket(::open((dir / kLockFileName).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!d->lock_.valid()) {
    return unavailable(fmt::format("cannot open {}: {}", (dir / kLockFileName).string(),
                                   std::strerror(errno)));
  }
  if (::flock(d->lock_.fd(), LOCK_EX | LOCK_NB) != 0) {
    return failed_precondition("another psp daemon is serving " + dir.string());
  }

  if ((fs::status(dir, ec).permissions() & (fs::perms::group_all | fs::perms::others_all)) !=
      fs::perms::none) {
    spdlog::warn("psp: {} is accessible to group or others; prefer a 0700 directory",
                 dir.string());
  }
  // We hold the lock: every socket file left here belongs to a dead daemon.
  const fs::path guests = dir / kGuestsDirName;
  unlink_quietly(dir / kControlSocketName);
  fs::create_directory(guests, ec);
  if (ec) return unavailable("cannot create " + guests.string() + ": " + ec.message());
  fs::permissions(guests, fs::perms::owner_all, ec);
  if (ec) return unavailable("cannot set permissions on " + guests.string() + ": " + ec.message());
  for (const auto& entry : fs::directory_iterator(guests, ec)) {
    if (entry.is_socket(ec)) unlink_quietly(entry.path());
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  }
  d->wake_read_ = pipe_fds[0];
  d->wake_write_ = pipe_fds[1];

  MPCC_ASSIGN_OR_RETURN(d->control_, listen_unix(d->control_socket()));
  spdlog::warn(
      "psp: serving a SIMULATED AMD secure processor ({} chip {}...): NOT GENUINE hardware, "
      "INSECURE keys; its ARK is trusted only where explicitly configured",
      d->chip_->product_name(), hex_encode(ByteSpan(d->chip_->chip_id().data(), 8)));
  spdlog::info("psp: control socket {}", d->control_socket().string());
  return d;
}

PspDaemon::~PspDaemon() {
  stop();
  reap_connections(/*all=*/true);
  {
    std::lock_guard lock(guests_mu_);
    for (auto& [name, guest] : guests_) unlink_quietly(guest.path);
    guests_.clear();
    retired_.clear();
  }
  if (control_.valid()) unlink_quietly(control_socket());
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

fs::path PspDaemon::guest_socket(std::string_view guest) const {
  return state_dir_ / kGuestsDirName / (std::string(guest) + ".sock");
}

void PspDaemon::wake() {
  const char byte = 'w';
  // A full pipe already means "wake up"; nothing else to do on failure.
  [[maybe_unused]] ssize_t n = ::write(wake_write_, &byte, 1);
}

void PspDaemon::stop() {
  stopping_.store(true);
  if (wake_write_ >= 0) wake();
}

StatusOr<fs::path> PspDaemon::launch(const LaunchRequest& request) {
  MPCC_RETURN_IF_ERROR(validate_guest_name(request.guest));
  MPCC_RETURN_IF_ERROR(validate(request.params));
  std::lock_guard lock(guests_mu_);
  if (stopping_.load()) return unavailable("psp daemon is stopping");
  auto existing = guests_.find(request.guest);
  if (existing != guests_.end() && !request.replace) {
    return already_exists("guest '" + request.guest + "' is already launched (replace it explicitly)");
  }
  if (existing == guests_.end() && guests_.size() >= options_.max_guests) {
    return Status(StatusCode::kResourceExhausted,
                  fmt::format("psp daemon already has {} guests", guests_.size()));
  }
  const fs::path path = guest_socket(request.guest);
  if (existing != guests_.end()) {
    retired_.push_back(std::move(existing->second.listener));
    guests_.erase(existing);
  }
  unlink_quietly(path);
  MPCC_ASSIGN_OR_RETURN(Socket listener, listen_unix(path));
  Guest guest{request.params, path, std::move(listener)};
  assign_random_report_id(guest.params);
  spdlog::info("psp: launched guest '{}' (measurement {}, host_data {}, policy 0x{:x}, vmpl {}) at {}",
               request.guest,
               hex_encode(ByteSpan(guest.params.measurement.data(), guest.params.measurement.size())),
               hex_encode(ByteSpan(guest.params.host_data.data(), guest.params.host_data.size())),
               guest.params.policy, guest.params.vmpl, path.string());
  guests_.emplace(request.guest, std::move(guest));
  wake();
  return path;
}

json PspDaemon::status_json() const {
  json guests = json::array();
  {
    std::lock_guard lock(guests_mu_);
    for (const auto& [name, g] : guests_) {
      guests.push_back({{"name", name}, {"channel", g.path.string()}, {"launch", to_json_view(g.params)}});
    }
  }
  return {{"chip", chip_->describe()}, {"guests", std::move(guests)}};
}

Status PspDaemon::run() {
  struct Watched {
    int fd;
    Endpoint endpoint;
  };
  while (!stopping_.load()) {
    reap_connections(/*all=*/false);
    std::vector<Watched> watched;
    {
      std::lock_guard lock(guests_mu_);
      retired_.clear();
      watched.push_back({control_.fd(), Endpoint{true, "", {}}});
      for (const auto& [name, g] : guests_) watched.push_back({g.listener.fd(), Endpoint{false, name, g.params}});
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_read_, POLLIN, 0});
    for (const auto& w : watched) fds.push_back({w.fd, POLLIN, 0});
    const int rc = ::poll(fds.data(), fds.size(), kPollIntervalMs);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return internal_error(fmt::format("psp daemon: poll: {}", std::strerror(errno)));
    }
    if (fds[0].revents != 0) {
      char buf[64];
      while (::read(wake_read_, buf, sizeof(buf)) > 0) {
      }
    }
    for (std::size_t i = 0; i < watched.size() && !stopping_.load(); ++i) {
      if ((fds[i + 1].revents & POLLIN) != 0) accept_on(watched[i].fd, watched[i].endpoint);
    }
  }
  reap_connections(/*all=*/true);
  spdlog::info("psp: stopped");
  return ok_status();
}

void PspDaemon::accept_on(int listener_fd, const Endpoint& endpoint) {
  Socket socket(::accept4(listener_fd, nullptr, nullptr, SOCK_CLOEXEC));
  if (!socket.valid()) {
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
      spdlog::warn("psp: accept: {}", std::strerror(errno));
    }
    return;
  }
  std::lock_guard lock(connections_mu_);
  if (connections_.size() >= options_.max_connections) {
    (void)set_timeouts(socket, std::chrono::milliseconds(200));
    (void)write_frame(socket,
                      encode_error_response(Status(StatusCode::kResourceExhausted,
                                                   "too many connections to the psp daemon")),
                      kMaxResponseFrame);
    return;
  }
  auto conn = std::make_unique<Connection>();
  Connection* raw = conn.get();
  raw->socket = std::move(socket);
  connections_.push_back(std::move(conn));
  raw->thread = std::thread([this, raw, endpoint] {
    serve_connection(raw->socket, endpoint);
    {
      std::lock_guard conn_lock(raw->mu);
      raw->socket.reset();  // the peer sees the end now, not at the next reap
    }
    raw->done.store(true);
    wake();  // let run() reap this thread
  });
}

void PspDaemon::reap_connections(bool all) {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(connections_mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (all) {
        std::lock_guard conn_lock((*it)->mu);
        if ((*it)->socket.valid()) ::shutdown((*it)->socket.fd(), SHUT_RDWR);
      }
      if (all || (*it)->done.load()) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) {
    if (c->thread.joinable()) c->thread.join();
  }
}

void PspDaemon::serve_connection(const Socket& socket, const Endpoint& endpoint) {
  if (!set_timeouts(socket, options_.io_timeout).ok()) return;
  const std::size_t max_request = endpoint.control ? kMaxControlRequestFrame : kMaxGuestRequestFrame;
  const std::string who = endpoint.control ? std::string("control") : "guest '" + endpoint.guest + "'";
  while (!stopping_.load()) {
    auto frame = read_frame(socket, max_request);
    if (!frame.ok()) {
      const StatusCode code = frame.status().code();
      if (code == StatusCode::kCancelled) return;  // peer closed
      spdlog::warn("psp: {} connection: {}", who, frame.status().message());
      if (code == StatusCode::kResourceExhausted || code == StatusCode::kInvalidArgument) {
        // The stream cannot be resynchronised: answer, then hang up.
        (void)write_frame(socket, encode_error_response(frame.status()), kMaxResponseFrame);
      }
      return;
    }
    Bytes response = endpoint.control ? handle_control(*frame) : handle_guest(endpoint, *frame);
    if (!write_frame(socket, response, kMaxResponseFrame).ok()) return;
  }
}

Bytes PspDaemon::handle_guest(const Endpoint& endpoint, ByteSpan frame) const {
  auto report_data = decode_report_request(frame);
  if (!report_data.ok()) {
    spdlog::warn("psp: guest '{}': {}", endpoint.guest, report_data.status().message());
    return encode_error_response(report_data.status());
  }
  auto evidence = psp_.evidence(endpoint.params, *report_data);
  if (!evidence.ok()) {
    spdlog::error("psp: guest '{}': signing failed: {}", endpoint.guest, evidence.status().message());
    return encode_error_response(evidence.status());
  }
  spdlog::debug("psp: signed a report for guest '{}'", endpoint.guest);
  return encode_evidence_response(*evidence);
}

Bytes PspDaemon::handle_control(ByteSpan frame) {
  auto request = decode_control_request(frame);
  if (!request.ok()) {
    spdlog::warn("psp: control: {}", request.status().message());
    return encode_error_response(request.status());
  }
  if (std::holds_alternative<StatusRequest>(*request)) return encode_ok_response(status_json());
  const auto& launch_request = std::get<LaunchRequest>(*request);
  auto path = launch(launch_request);
  if (!path.ok()) return encode_error_response(path.status());
  json launched = json::object();
  {
    std::lock_guard lock(guests_mu_);
    auto it = guests_.find(launch_request.guest);
    if (it != guests_.end()) launched = to_json_view(it->second.params);
  }
  return encode_ok_response({{"channel", path->string()}, {"launch", std::move(launched)}});
}

}  // namespace mpcc::platform::sim
