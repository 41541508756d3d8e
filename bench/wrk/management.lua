-- wrk script: the naive HTTP-to-AMQP path, RabbitMQ's management API publishing the same bodies
-- (persistent) to the same exchange. Arguments: the bodies folder, the exchange.
local requests = {}
local index = 0

local function json_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function init(args)
  local folder = args[1] or "bench/bodies"
  local exchange = args[2] or "bench"
  for _, name in ipairs({ "sparse-success.form", "error.form", "fifty-results.form" }) do
    local file = assert(io.open(folder .. "/" .. name, "rb"))
    local body = file:read("*a")
    file:close()
    local payload = '{"properties":{"delivery_mode":2,"content_type":"application/x-www-form-urlencoded"},'
      .. '"routing_key":"callback.ok","payload":' .. json_string(body) .. ',"payload_encoding":"string"}'
    requests[#requests + 1] = wrk.format("POST", "/api/exchanges/%2F/" .. exchange .. "/publish",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Basic Z3Vlc3Q6Z3Vlc3Q=" }, payload)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

-- wrk runs from the repository root (bench/run.sh cds there).
package.path = "bench/wrk/?.lua;" .. package.path
done = require("report").done
