-- wrk script: post replies as a signed-in member. The cookie, CSRF token and path come from
-- the environment; every request carries a fresh nonce, so each one creates a reply.
dofile(os.getenv("BENCH_REPORT_LUA"))  -- the shared done(): one line of figures
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_CSRF")
local path = os.getenv("BENCH_PATH")
local run = os.getenv("BENCH_RUN") or "0"
local made = 0

setup = function(thread)
  made = made + 1
  thread:set("tid", made)
end

local counter = 0
request = function()
  counter = counter + 1
  local body = "csrf_token=" .. token ..
    "&body=Replying+from+the+benchmark%2C+number+" .. counter ..
    "&nonce=bench-" .. run .. "-" .. tostring(tid) .. "-" .. counter
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
