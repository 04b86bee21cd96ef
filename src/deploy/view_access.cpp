#include "deploy/view_access.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/x509.h"
#include "deploy/state_files.h"

extern char** environ;

namespace mpcc::deploy {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxToken = 4096;

std::optional<fs::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest(path);
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

// Starts `argv` in its own session, stdin from /dev/null, output appended to `log`.
Status spawn_detached(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return unavailable("cannot start " + argv[0] + ": " + std::strerror(rc));
  return ok_status();
}

}  // namespace

StatusOr<std::string> view_url_with_tokens(const Layout& layout, const Endpoints& endpoints) {
  (void)layout;
  if (!endpoints.view.is_object() || !endpoints.view.contains("url") ||
      !endpoints.view["url"].is_string()) {
    return failed_precondition("endpoints.json names no view (run mpcc up)");
  }
  std::string fragment;
  for (const auto& [name, party] : endpoints.parties.items()) {
    if (!party.is_object() || !party.contains("credential_file")) continue;
    StatusOr<std::string> token =
        read_text_file(party["credential_file"].get<std::string>(), kMaxToken);
    if (!token.ok()) {
      return failed_precondition("operator token of " + name + ": " + token.status().message());
    }
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
    fragment += (fragment.empty() ? "#" : "&") + name + "=" + *token;
  }
  return endpoints.view["url"].get<std::string>() + "/" + fragment;
}

StatusOr<std::vector<std::string>> deployment_spki_hashes(const Layout& layout) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.ca_dir(), ec)) {
    const std::string file = entry.path().filename().string();
    const bool wanted = file == "ca.pem" || file == "view.pem" ||
                        (file.rfind("party-", 0) == 0 && entry.path().extension() == ".pem");
    if (!wanted) continue;
    MPCC_ASSIGN_OR_RETURN(std::string pem, read_text_file(entry.path(), 1u << 20));
    MPCC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs,
                          crypto::Certificate::from_pem_bundle(pem));
    for (const crypto::Certificate& c : certs) {
      out.push_back(crypto::base64_encode(c.public_key_spki_sha256()));
    }
  }
  if (ec) return unavailable("cannot list " + layout.ca_dir().string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

StatusOr<BrowserLaunch> open_browser(const Layout& layout, const std::string& url) {
  if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
    return not_found("no display ($DISPLAY and $WAYLAND_DISPLAY are unset)");
  }
  const fs::path log = layout.logs_dir() / "browser.log";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::optional<fs::path> program = find_on_path(name);
    if (!program) continue;
    MPCC_ASSIGN_OR_RETURN(std::vector<std::string> spki, deployment_spki_hashes(layout));
    std::string list;
    for (const std::string& h : spki) list += (list.empty() ? "" : ",") + h;
    MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.browser_dir()));
    MPCC_RETURN_IF_ERROR(spawn_detached(
        {program->string(), "--user-data-dir=" + layout.browser_dir().string(),
         "--ignore-certificate-errors-spki-list=" + list, "--no-first-run",
         "--no-default-browser-check", "--new-window", url},
        log));
    return BrowserLaunch{program->string(), true, ""};
  }
  if (std::optional<fs::path> xdg = find_on_path("xdg-open")) {
    MPCC_RETURN_IF_ERROR(spawn_detached({xdg->string(), url}, log));
    return BrowserLaunch{xdg->string(), false,
                         "your browser does not know this deployment's CA: import " +
                             layout.ca_cert().string() + " or accept the certificate once"};
  }
  return not_found("no browser found (chromium, chromium-browser, google-chrome, xdg-open)");
}

}  // namespace mpcc::deploy
