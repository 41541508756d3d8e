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

-- wrk runs from the repository root (bench/run.sh cds there).
package.path = "bench/wrk/?.lua;" .. package.path
done = require("report").done
