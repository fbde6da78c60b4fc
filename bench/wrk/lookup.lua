-- Public status lookups cycling over the dossier codes in the CODES file
-- (one a line, written by `egov-bench dossiers --codes-out`); each wrk thread
-- starts at another place in the list.
local counter = 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local codes = {}
local i = 0

init = function(args)
  for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
  i = (id or 0) * 7919
end

request = function()
  i = i % #codes + 1
  return wrk.format("GET", "/api/v1/public/dossiers/" .. codes[i])
end
