// File: party/routes_partner.cpp
//
// /partner/analyze-stream (server-sent events), /partner/analyze,
// /analytics/partner-demographics (seed-app.md 6.23, 8): the analyst only;
// partner URLs come from the configuration, never from the request.
#include <fmt/format.h>

#include "party/partner_analysis.h"
#include "party/party_app.h"

namespace mpcc::party {

using nlohmann::json;

namespace {

std::optional<http::Response> refuse_partner_urls(const http::Request& request) {
  if (request.body.empty()) return std::nullopt;
  auto body = request.json_body();
  if (!body.ok() || !body->is_object()) return error_response(400, "request body must be a JSON object");
  for (const char* name : {"contoso_url", "fabrikam_url", "partner_url", "url"}) {
    if (body->contains(name)) {
      return error_response(400, fmt::format("{} cannot be chosen by a request: partner apps come "
                                             "from this party's configuration", name),
                            {{"field", name}});
    }
  }
  return std::nullopt;
}

std::string sse_event(const json& event) { return "data: " + event.dump() + "\n\n"; }

}  // namespace

http::Response PartyApp::partner_analyze_stream(const http::Request&) {
  if (config_.role != Role::kAnalyst) {
    const json e = {{"type", "error"}, {"message", "Only the analyst party (Woodgrove Bank) can perform partner analysis"}};
    return http::Response::text(403, sse_event(e), "text/event-stream")
        .with_header("Cache-Control", "no-cache");
  }
  PartnerAnalysisContext ctx{&config_, &keys_, tokens_, client_options_};
  auto r = http::Response::streamed(200, "text/event-stream", [ctx](const http::StreamWriter& write) {
    run_partner_analysis(ctx, [&write](const json& event) { return write(sse_event(event)); });
  });
  r.with_header("Cache-Control", "no-cache").with_header("X-Accel-Buffering", "no");
  return r;
}

http::Response PartyApp::partner_analyze(const http::Request& request) {
  if (config_.role != Role::kAnalyst) {
    return error_response(403, "Only the analyst party (Woodgrove Bank) can perform partner analysis");
  }
  if (auto refused = refuse_partner_urls(request)) return *refused;
  PartnerAnalysisContext ctx{&config_, &keys_, tokens_, client_options_};
  json last = run_partner_analysis(ctx, [](const json&) { return true; });
  if (last.value("type", std::string()) != "complete") {
    return error_response(422, last.value("message", std::string("analysis failed")),
                          {{"errors", last.value("errors", json::array())}});
  }
  last.erase("type");
  return http::Response::json(200, last);
}

http::Response PartyApp::partner_demographics(const http::Request& request) {
  if (config_.role != Role::kAnalyst) {
    return error_response(403, "Only the analyst party (Woodgrove Bank) can perform partner demographic analysis");
  }
  if (auto refused = refuse_partner_urls(request)) return *refused;
  // As the seed: release any partner key not released yet.
  json releases = json::object();
  for (const PeerConfig& p : config_.partners) {
    if (keys_.partner(p.name) != nullptr) continue;
    ReleaseOutcome out = release_key(p.name, p.key);
    if (out.key != nullptr) {
      keys_.set_partner(p.name, out.key);
      releases[p.name] = "released";
    } else {
      releases[p.name] = out.failure;
    }
  }
  PartnerAnalysisContext ctx{&config_, &keys_, tokens_, client_options_};
  json result = run_partner_demographics(ctx);
  result["key_releases"] = releases;
  return http::Response::json(200, result);
}

}  // namespace mpcc::party
