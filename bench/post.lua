-- bench/post.lua - wrk script: POST the JSON body in $BENCH_BODY (a file)
-- with the MCP headers, and print one machine-readable RESULT line.
-- Extra headers: $BENCH_HEADERS, "Name: value" pairs separated by "|".
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.body = f:read("*a")
f:close()
if wrk.method == "GET" then wrk.body = nil end
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local k, v = string.match(pair, "^%s*([^:]+):%s*(.*)$")
  if k then wrk.headers[k] = v end
end

local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  -- requests/s, p50 and p99 latency (microseconds), socket errors, non-200
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%d p99=%d errors=%d status=%d bytes=%d n=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes, summary.requests))
end
