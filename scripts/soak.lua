-- scripts/soak's request mix for wrk. Every thread cycles through 1000 requests: 2 full scrapes
-- (one text 0.0.4, one OpenMetrics with gzip), 40 `/-/healthy` with `Connection: close` (the
-- client reconnects: new connections), 4 landing pages, and the rest alternating `/-/healthy`
-- and self metrics with cheap host collectors on keep-alive connections. Each thread stops after
-- its share of SOAK_REQUESTS answers and writes its count to SOAK_PROGRESS.<n> every 1000.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("SOAK_REQUESTS") or "1000000")
  local nthreads = tonumber(os.getenv("SOAK_THREADS") or "1")
  quota = math.floor(total / nthreads) + ((id <= total % nthreads) and 1 or 0)
  progress = (os.getenv("SOAK_PROGRESS") or "/dev/null") .. "." .. id
  answered, non2xx, errors, sent = 0, 0, 0, 0
  local cheap = "/metrics?collect[]=loadavg&collect[]=meminfo&collect[]=time&collect[]=uname"
  mix = {}
  for i = 0, 999 do
    local r
    if i == 0 then
      r = wrk.format("GET", "/metrics", {["Accept"] = "text/plain"})
    elseif i == 500 then
      r = wrk.format("GET", "/metrics", {["Accept"] = "application/openmetrics-text;version=1.0.0", ["Accept-Encoding"] = "gzip"})
    elseif i % 25 == 1 then
      r = wrk.format("GET", "/-/healthy", {["Connection"] = "close"})
    elseif i % 250 == 3 then
      r = wrk.format("GET", "/", nil)
    elseif i % 2 == 0 then
      r = wrk.format("GET", "/-/healthy", nil)
    else
      r = wrk.format("GET", cheap, {["Accept-Encoding"] = (i % 4 == 1) and "gzip" or "identity"})
    end
    mix[i + 1] = r
  end
  -- Threads start at different places in the cycle.
  sent = (id - 1) * 137
end

function request()
  sent = sent + 1
  return mix[(sent % 1000) + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if answered % 1000 == 0 or answered >= quota then
    local f = io.open(progress, "w")
    if f then f:write(tostring(answered)); f:close() end
  end
  if answered >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local a, n, e = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + (t:get("answered") or 0)
    n = n + (t:get("non2xx") or 0)
    e = e + (t:get("errors") or 0)
  end
  io.write(string.format("soak: requests %d non2xx %d errors %d\n", a, n, e))
  io.write(string.format("soak: latency p50 %.2f ms p99 %.2f ms max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
