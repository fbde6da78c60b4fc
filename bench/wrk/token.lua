-- Exchanges each pre-made authorization code once (codes file: one a line).
-- wrk runs this script once per thread; thread k takes codes k+1, k+1+T, …
-- (T = THREADS), so no code is sent twice.
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local codes = {}
local sent = 0
local prefix

init = function(args)
  for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
  local redirect = os.getenv("REDIRECT"):gsub(":", "%%3A"):gsub("/", "%%2F")
  prefix = "grant_type=authorization_code&client_id=egov-demo&code_verifier="
    .. os.getenv("VERIFIER") .. "&redirect_uri=" .. redirect .. "&code="
end

request = function()
  local threads = tonumber(os.getenv("THREADS") or "2")
  local code = codes[sent * threads + id + 1] or "used-up"
  sent = sent + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, prefix .. code)
end
