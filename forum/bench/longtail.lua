-- wrk script: signed-out readers spread over the whole forum, as crawlers and links from
-- elsewhere come: each request opens a thread picked at random from the list the benchmark
-- wrote (BENCH_IDS, one id a line), so most requests miss the page cache.
dofile(os.getenv("BENCH_REPORT_LUA"))  -- the shared done(): one line of figures
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  ids[#ids + 1] = line
end

setup = function(thread)
  thread:set("seed", math.random(1, 2 ^ 30))
end

init = function(args)
  math.randomseed(seed or os.time())
end

request = function()
  return wrk.format("GET", "/t/" .. ids[math.random(1, #ids)])
end
