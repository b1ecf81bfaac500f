-- wrk script for `make bench` (scripts/bench/bench.py): sends the request the driver
-- describes in the environment, and prints what wrk measured as one line of JSON.
--
--   BENCH_METHOD     GET (default) or POST
--   BENCH_BODY_FILE  a file holding the form body to POST
--   BENCH_EXPECT     a status every response must have (e.g. 302 for a save that
--                    redirects); others are counted as "unexpected". wrk itself counts
--                    only 4xx and 5xx, so a form shown again with an error (200) would
--                    otherwise pass for a save.
-- Cookies and Accept-Encoding come as wrk's -H options.

local method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY_FILE")
local expect = tonumber(os.getenv("BENCH_EXPECT") or "")

wrk.method = method
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

unexpected = 0

if expect then
  function response(status, headers, body)
    if status ~= expect then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"unexpected": %d, "latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    unexpected_total,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean
  ))
end
