-- wrk script: single-event POST /liveEvent, each request a different user of a per-run prefix, value 1
local counter = 0
local prefix = os.getenv("BENCH_PREFIX") or "ingest"
request = function()
  counter = counter + 1
  local body = '{"userId":"' .. prefix .. '-' .. (counter % 1000) .. '","name":"add_revenue","value":1}'
  return wrk.format("POST", "/liveEvent", {["Authorization"] = "secret", ["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors_status=%d errors_connect=%d errors_timeout=%d p50_us=%d p99_us=%d p999_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
