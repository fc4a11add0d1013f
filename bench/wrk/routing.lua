-- wrk script for bench/daemon_bench.sh: GET /routing/{cid} on the daemon, cycling through the
-- CIDs of CIDS_FILE (one a line). done() prints `wrk_200 N` and `wrk_non200 N`.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local paths, i = {}, 0

function init(args)
  local file = os.getenv("CIDS_FILE") or error("CIDS_FILE is not set")
  for line in io.lines(file) do paths[#paths + 1] = "/routing/" .. line end
  if #paths == 0 then error("no CIDs in " .. file) end
  n200, non200 = 0, 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) % #paths + 1])
end

function response(status, hdrs, body)
  if status == 200 then n200 = n200 + 1 else non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("n200")
    b = b + t:get("non200")
  end
  io.write(string.format("wrk_200 %d\nwrk_non200 %d\n", a, b))
end
