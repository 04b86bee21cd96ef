// File: deploy/view_access.h
//
// How the presenter reaches the four-pane view: its URL with the four
// operators' tokens in the fragment (`https://127.0.0.1:P/#contoso=<t>&...`:
// browsers never send a fragment, so neither the view server nor any log sees
// the tokens; the view hands each pane its own token the same way), and a
// browser that trusts exactly this deployment's certificates.
//
//   MPCC_ASSIGN_OR_RETURN(std::string url, view_url_with_tokens(layout, endpoints));
//   MPCC_ASSIGN_OR_RETURN(BrowserLaunch b, open_browser(layout, url));
//
// The URL is a credential: print it only to the operator (it is the same as
// reading DIR/parties/*/operator-token).
//
// Errors: kFailedPrecondition when endpoints.json has no view or a party's
// token file cannot be read; kNotFound when no browser can be found.
// Thread-safety: reentrant.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/endpoints.h"
#include "deploy/layout.h"

namespace mpcc::deploy {

StatusOr<std::string> view_url_with_tokens(const Layout& layout, const Endpoints& endpoints);

// base64 SHA-256 of the SubjectPublicKeyInfo of DIR's CA, the view's and the
// party apps' certificates: Chromium's --ignore-certificate-errors-spki-list
// (honoured with --user-data-dir), so the browser trusts these servers and no
// others beyond its usual roots.
StatusOr<std::vector<std::string>> deployment_spki_hashes(const Layout& layout);

struct BrowserLaunch {
  std::string program;  // what was started
  bool trusts_deployment = false;  // Chromium with the SPKI list; xdg-open: no
  std::string note;     // what the user should know (e.g. import DIR/ca/ca.pem)
};

// Starts Chromium (chromium, chromium-browser, google-chrome; profile in
// DIR/browser) detached, else xdg-open. kNotFound when none is on PATH or
// there is no display ($DISPLAY / $WAYLAND_DISPLAY).
StatusOr<BrowserLaunch> open_browser(const Layout& layout, const std::string& url);

}  // namespace mpcc::deploy
