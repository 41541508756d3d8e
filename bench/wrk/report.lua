-- The one machine-readable line that bench/run.sh parses, shared by the wrk scripts.
local report = {}

function report.done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end

return report
