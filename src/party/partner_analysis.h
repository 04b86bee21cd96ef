// File: party/partner_analysis.h
//
// Woodgrove's partner analysis (seed-app.md 8.2/8.3) as a sequence of events,
// so the same run serves /partner/analyze-stream (server-sent events, the UI's
// progress bar and live log) and /partner/analyze (one JSON answer):
//
//   {type:"status", phase:"fetch", message}
//   {type:"fetch", partner, count}                         per partner fetched
//   {type:"status", phase:"decrypt", message, total}
//   {type:"progress", decrypted, total, percent, elapsed, remaining, current_partner}
//   {type:"status", phase:"analyze", message}
//   {type:"complete", status:"success", ...aggregates, total_time, errors}
//   or {type:"error", message, errors}
//
// Partner records come from each partner's own app (GET <app_url>/company/list,
// TLS verified against the deployment's CA, paged), authenticated with the
// analyst's managed-identity token for that app (audience = its URL); the
// partner's data key arrives wrapped and opens only with the partner key the
// analyst released (KeyState). Each record is opened with its owner and id
// checked (records::RecordCodec), then aggregated inside this process
// (records::PartnerAnalysis, with the configured minimum group size). A
// partner that fails (no key, unreachable, refused, a record that does not
// open) is reported in `errors`, as the seed does, and the others go on.
//
// Thread-safety: one run per call; runs may proceed concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/client.h"
#include "identity/token_client.h"
#include "party/key_state.h"
#include "party/party_config.h"

namespace mpcc::party {

// Receives each event; returns false to stop the run (client went away).
using AnalysisEventSink = std::function<bool(const nlohmann::json& event)>;

struct PartnerAnalysisContext {
  const PartyConfig* config = nullptr;
  const KeyState* keys = nullptr;
  std::shared_ptr<identity::TokenClient> tokens;
  http::ClientOptions client;
};

// Runs the whole analysis, sending events to `sink`. Returns the last event
// (complete or error).
nlohmann::json run_partner_analysis(const PartnerAnalysisContext& context,
                                    const AnalysisEventSink& sink);

// The combined demographics shape of /analytics/partner-demographics (8.4),
// over the same fetched and decrypted records.
nlohmann::json run_partner_demographics(const PartnerAnalysisContext& context);

}  // namespace mpcc::party
