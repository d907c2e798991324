-- wrk: one JSON line with the figures `make bench` keeps (latencies in microseconds).
-- With BENCH_POST_BODY set, each request is a new application of the public form: its own
-- address, and its own client address in X-Forwarded-For (the bench's gunicorn trusts
-- 127.0.0.1 as a proxy), as a hundred people applying at once would be.
local body = os.getenv("BENCH_POST_BODY")
local run = os.getenv("BENCH_RUN") or "0"
local threads = {}
local sent = 0

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

if body then
  request = function()
    sent = sent + 1
    local email = string.format("b%d-%d.%s%%40bench.example.org", tid, sent, run)
    local headers = {}  -- wrk.format uses these instead of wrk.headers (the -H Cookie)
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(sent / 250) % 250, sent % 250 + 1)
    return wrk.format("POST", nil, headers, (string.gsub(body, "__EMAIL__", function() return email end)))
  end

  redirected = 0
  response = function(status, headers, answer)
    if status == 302 then redirected = redirected + 1 end
  end
end

done = function(summary, latency, requests)
  local redirects = 0
  for _, thread in ipairs(threads) do
    redirects = redirects + (thread:get("redirected") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50": %d, "p90": %d, "p99": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "redirects": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    redirects))
end
