-- wrk script: POSTs the benchmark's callback bodies in turn (bench/bodies/*.form), so every run mixes
-- a sparse success, an error and a 50-result ResultDetailXML. Arguments: the bodies folder, then
-- "close" to open a new connection (TLS handshake included) for every request.
--   wrk -s bench/wrk/callbacks.lua URL -- bench/bodies [close]
local bodies = {}
local index = 0
local close = false

function init(args)
  local folder = args[1] or "bench/bodies"
  for _, name in ipairs({ "sparse-success.form", "error.form", "fifty-results.form" }) do
    local file = assert(io.open(folder .. "/" .. name, "rb"))
    bodies[#bodies + 1] = file:read("*a")
    file:close()
  end
  close = args[2] == "close"
end

function request()
  index = index % #bodies + 1
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if close then
    headers["Connection"] = "close"
  end
  return wrk.format("POST", nil, headers, bodies[index])
end

-- One machine-readable line for bench/run.sh.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
