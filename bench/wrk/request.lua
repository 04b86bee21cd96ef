-- File: bench/wrk/request.lua
--
-- wrk script for scripts/bench: the request comes from the environment, and
-- done() prints one machine-readable line after wrk's own summary, so every
-- target is measured and reported the same way.
--   WRK_METHOD  GET (default) or POST
--   WRK_BODY    the JSON body of a POST (Content-Type: application/json)
--   WRK_TOKEN   a bearer token (Authorization header), when set
-- The line:  WRKJSON {"requests":N,"duration_s":S,"rps":R,"p50_ms":..,"p99_ms":..,
--            "max_ms":..,"non2xx":N,"connect":N,"read":N,"write":N,"timeout":N}
-- (non2xx counts answers other than 2xx/3xx; the rest are socket errors).
-- Usage: WRK_METHOD=POST WRK_BODY='{"plaintext":"x"}' wrk -s bench/wrk/request.lua URL
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.2f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"max_ms":%.3f,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
