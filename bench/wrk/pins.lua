-- wrk script for bench/daemon_bench.sh: POST /pins with the daemon's bearer token, a new CID
-- on every request. Environment: CIDS_FILE (one CID a line), IPFS_KIT_TOKEN. Thread k of n
-- takes lines k, k+n, k+2n, ... so no two threads send the same CID; a thread that runs out
-- starts its slice again (each resend is a new pin request for the same CID).
-- done() prints `wrk_202 N` and `wrk_non202 N` (answers counted by the threads).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local cids, i, headers = {}, 0, nil

function init(args)
  local file = os.getenv("CIDS_FILE") or error("CIDS_FILE is not set")
  local token = os.getenv("IPFS_KIT_TOKEN") or error("IPFS_KIT_TOKEN is not set")
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  local n = 0
  for line in io.lines(file) do
    n = n + 1
    if (n - tid) % nthreads == 0 then cids[#cids + 1] = line end
  end
  if #cids == 0 then error("no CIDs for thread " .. tid .. " in " .. file) end
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  n202, non202 = 0, 0
end

function request()
  i = i + 1
  local cid = cids[(i - 1) % #cids + 1]
  return wrk.format("POST", "/pins", headers, '{"cid":"' .. cid .. '"}')
end

function response(status, hdrs, body)
  if status == 202 then n202 = n202 + 1 else non202 = non202 + 1 end
end

function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("n202")
    b = b + t:get("non202")
  end
  io.write(string.format("wrk_202 %d\nwrk_non202 %d\n", a, b))
end
