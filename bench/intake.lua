-- intake.lua: wrk script for the Otklik benchmarks (bench/run.sh).
-- BENCH_MODE=post (default): POST /api/appeals with an API key (BENCH_KEY), topic BENCH_TOPIC,
--   territory BENCH_TERRITORY, a varied text per request.
-- BENCH_MODE=get: GET of the URL's path (with the key when BENCH_KEY is set).
-- done() prints one machine-readable line:
--   BENCH <requests/s> <p50 ms> <p99 ms> <requests> <non-2xx> <socket errors>
local mode = os.getenv("BENCH_MODE") or "post"
local key = os.getenv("BENCH_KEY")
local topic = os.getenv("BENCH_TOPIC") or "1"
local territory = os.getenv("BENCH_TERRITORY") or "1"
local n = 0

local headers = {}
if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end

request = function()
  if mode == "get" then
    return wrk.format("GET", nil, headers, nil)
  end
  n = n + 1
  headers["Content-Type"] = "application/json"
  local body = string.format(
    '{"topic_id": %s, "territory_id": %s, "text": "Нагрузочный тест %d: во дворе дома %d не вывозят мусор уже неделю, прошу принять меры", "address": "ул. Ленина, %d"}',
    topic, territory, n, n % 97, n % 200)
  return wrk.format("POST", "/api/appeals", headers, body)
end

local non2xx = 0
response = function(status, hdrs, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx <= 3 then io.stderr:write("status " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %.1f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
