-- Glidepath's reload-free traffic split for nginx (`nginx-mode: dynamic`).
--
-- The weights live in a lua_shared_dict that every worker reads on every
-- request, so a change applies to the next request of every worker, with no
-- reload: no worker is retired and no client connection is closed. Glidepath
-- changes them through a control endpoint that answers loopback and
-- unix-socket clients only. Each change is also saved to a state file, which
-- nginx reads back when it starts, so a restart keeps the split in force.
--
-- Needs libnginx-mod-http-lua (Debian, Ubuntu) or OpenResty. Layout and
-- directives: docs/nginx-dynamic.md; a complete example:
-- examples/nginx-dynamic/nginx.conf.
--
--   init_by_lua_block { require("glidepath").setup({ ... }) }
--   set_by_lua_block $glidepath_upstream { return require("glidepath").pick("app") }
--   content_by_lua_block { require("glidepath").control() }

local M = { VERSION = "1" }

local ffi = require("ffi")
-- Each declaration on its own: another module may have declared some already.
for _, declaration in ipairs({
  "int open(const char *pathname, int flags, int mode);",
  "long write(int fd, const void *buf, size_t count);",
  "int fsync(int fd);",
  "int close(int fd);",
  "int unlink(const char *pathname);",
  "char *strerror(int errnum);",
}) do
  pcall(ffi.cdef, declaration)
end
local O_RDONLY, O_WRONLY, O_CREAT, O_EXCL = 0, 1, 0x40, 0x80

local dict_name = "glidepath"
local state_file = nil
-- route -> { slots = { slot -> upstream }, order = { slot, ... }, initial = slot }
local routes = {}
-- Per worker: route -> { spec = "blue=90,green=10", picks = { { upstream, upto }, ... } }
local parsed = {}
local seeded = false

local SLOT = "^[a-z0-9][a-z0-9-]*$"
local NAME = "^[A-Za-z0-9_.-]+$"
local MAX_BODY = 1024

local function dict()
  local d = ngx.shared[dict_name]
  if not d then
    error("glidepath: no lua_shared_dict named '" .. dict_name .. "'; add 'lua_shared_dict " .. dict_name .. " 1m;' to the http block")
  end
  return d
end

-- "blue=90,green=10" -> { blue = 90, green = 10 }, or nil and what is wrong.
local function parse_weights(route, text)
  local cfg = routes[route]
  local weights, total = {}, 0
  for item in string.gmatch(text, "[^,]+") do
    local slot, value = string.match(item, "^%s*([%w-]+)%s*=%s*(%d+)%s*$")
    if not slot then
      return nil, "expected slot=percent pairs separated by commas, such as blue=90,green=10 (got \"" .. item .. "\")"
    end
    if not cfg.slots[slot] then
      return nil, "route \"" .. route .. "\" has no slot \"" .. slot .. "\" (its slots: " .. table.concat(cfg.order, ", ") .. ")"
    end
    if weights[slot] then
      return nil, "slot \"" .. slot .. "\" is given twice"
    end
    local n = tonumber(value)
    if #value > 3 or n > 100 then
      return nil, "a weight is a whole percent from 0 to 100 (\"" .. slot .. "\" has " .. value .. ")"
    end
    weights[slot] = n
    total = total + n
  end
  for _, slot in ipairs(cfg.order) do
    if weights[slot] == nil then
      return nil, "every slot of route \"" .. route .. "\" needs a weight; \"" .. slot .. "\" has none"
    end
  end
  if total ~= 100 then
    return nil, "the weights must add up to 100 (these add up to " .. total .. ")"
  end
  return weights
end

-- The canonical text of weights: every slot, in name order.
local function format_weights(route, weights)
  local parts = {}
  for _, slot in ipairs(routes[route].order) do
    parts[#parts + 1] = slot .. "=" .. weights[slot]
  end
  return table.concat(parts, ",")
end

local function initial_weights(route)
  local cfg = routes[route]
  local weights = {}
  for _, slot in ipairs(cfg.order) do
    weights[slot] = slot == cfg.initial and 100 or 0
  end
  return weights
end

local function load_state(d)
  if not state_file then
    return
  end
  local f, open_error = io.open(state_file, "r")
  if not f then
    ngx.log(ngx.WARN, "glidepath: no saved weights (", tostring(open_error), "): every route that has not been set since this start sends all traffic to its initial slot")
    return
  end
  for line in f:lines() do
    local route, spec, generation = string.match(line, "^(%S+) (%S+) (%d+)$")
    if route and routes[route] then
      local weights, problem = parse_weights(route, spec)
      if weights then
        -- add() keeps what is already there: at a reload (HUP) the shared
        -- dict survives and holds the newest weights; the file is for a start.
        d:add("w:" .. route, format_weights(route, weights))
        d:add("g:" .. route, tonumber(generation))
        d:add("s:" .. route, "file")
      else
        ngx.log(ngx.WARN, "glidepath: ", state_file, ": ignoring the saved weights of route \"", route, "\": ", problem)
      end
    elseif route then
      ngx.log(ngx.WARN, "glidepath: ", state_file, ": ignoring route \"", route, "\", which setup() does not declare")
    end
  end
  f:close()
end

--- Declares the routes (init_by_lua_block). Each route names, per slot, the
--- upstream block that stands for it, and the slot that takes all traffic
--- until Glidepath first sets weights.
function M.setup(options)
  assert(type(options) == "table", "glidepath.setup: expected a table")
  if options.dict ~= nil then
    assert(type(options.dict) == "string", "glidepath.setup: dict is the name of a lua_shared_dict")
    dict_name = options.dict
  end
  if options.state_file ~= nil then
    assert(type(options.state_file) == "string" and options.state_file ~= "", "glidepath.setup: state_file is a path")
    state_file = options.state_file
  end
  assert(type(options.routes) == "table", "glidepath.setup: routes = { <name> = { initial = <slot>, slots = { <slot> = <upstream> } } }")
  routes = {}
  parsed = {}
  for route, spec in pairs(options.routes) do
    assert(type(route) == "string" and string.match(route, NAME), "glidepath.setup: a route name is letters, digits, '_', '-' or '.'")
    assert(type(spec) == "table" and type(spec.slots) == "table", "glidepath.setup: route \"" .. route .. "\" needs slots = { <slot> = <upstream> }")
    local cfg = { slots = {}, order = {} }
    for slot, upstream in pairs(spec.slots) do
      assert(type(slot) == "string" and string.match(slot, SLOT), "glidepath.setup: route \"" .. route .. "\": a slot name is lower-case letters, digits and '-'")
      assert(type(upstream) == "string" and string.match(upstream, NAME), "glidepath.setup: route \"" .. route .. "\": slot \"" .. slot .. "\" must name an upstream block")
      cfg.slots[slot] = upstream
      cfg.order[#cfg.order + 1] = slot
    end
    table.sort(cfg.order)
    assert(#cfg.order >= 1, "glidepath.setup: route \"" .. route .. "\" has no slots")
    assert(cfg.slots[spec.initial or ""], "glidepath.setup: route \"" .. route .. "\" needs initial = <one of its slots>")
    cfg.initial = spec.initial
    routes[route] = cfg
  end
  load_state(dict())
end

--- The upstream this request goes to (set_by_lua_block).
function M.pick(route)
  local cfg = routes[route]
  if not cfg then
    ngx.log(ngx.ERR, "glidepath: pick(\"", tostring(route), "\"): setup() declares no such route")
    return nil
  end
  local spec = dict():get("w:" .. route)
  if not spec then
    return cfg.slots[cfg.initial]
  end
  local entry = parsed[route]
  if not entry or entry.spec ~= spec then
    local weights, problem = parse_weights(route, spec)
    if not weights then
      -- Logged once per worker and spec, not per request.
      ngx.log(ngx.ERR, "glidepath: route \"", route, "\": the weights in force (", spec, ") do not fit the slots setup() declares (", problem, "); sending every request to the initial slot until they are set again")
      parsed[route] = { spec = spec, picks = { { cfg.slots[cfg.initial], 100 } } }
      return cfg.slots[cfg.initial]
    end
    local picks, upto = {}, 0
    for _, slot in ipairs(cfg.order) do
      if weights[slot] > 0 then
        upto = upto + weights[slot]
        picks[#picks + 1] = { cfg.slots[slot], upto }
      end
    end
    entry = { spec = spec, picks = picks }
    parsed[route] = entry
  end
  if not seeded then
    -- Each worker its own sequence.
    math.randomseed(ngx.now() * 1000 + ngx.worker.pid())
    seeded = true
  end
  local r = math.random(100)
  for _, pick in ipairs(entry.picks) do
    if r <= pick[2] then
      return pick[1]
    end
  end
  return entry.picks[#entry.picks][1]
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then
      return '\\"'
    elseif c == "\\" then
      return "\\\\"
    end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

local function respond(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.header["Cache-Control"] = "no-store"
  ngx.say(body)
  return ngx.exit(status)
end

local function fail(status, message)
  return respond(status, "{\"error\":" .. json_string(message) .. "}")
end

local function state_json(route)
  local d = dict()
  local cfg = routes[route]
  local spec = d:get("w:" .. route)
  local weights = spec and parse_weights(route, spec)
  local source = spec and (d:get("s:" .. route) or "set") or "initial"
  if spec and not weights then
    -- setup() changed the route's slots since these weights were set: pick() sends everything to initial.
    source = "invalid"
  end
  weights = weights or initial_weights(route)
  local slots, shares = {}, {}
  for _, slot in ipairs(cfg.order) do
    slots[#slots + 1] = json_string(slot) .. ":" .. json_string(cfg.slots[slot])
    shares[#shares + 1] = json_string(slot) .. ":" .. weights[slot]
  end
  return "{\"module\":" .. json_string(M.VERSION)
    .. ",\"route\":" .. json_string(route)
    .. ",\"slots\":{" .. table.concat(slots, ",") .. "}"
    .. ",\"initial\":" .. json_string(cfg.initial)
    .. ",\"weights\":{" .. table.concat(shares, ",") .. "}"
    .. ",\"generation\":" .. (d:get("g:" .. route) or 0)
    .. ",\"source\":" .. json_string(source)
    .. ",\"persisted\":" .. (state_file and "true" or "false")
    .. "}"
end

local function errno_text()
  return ffi.string(ffi.C.strerror(ffi.errno()))
end

-- Writes text to path through a new file: created exclusively (never through
-- a planted link), mode 0644 whatever nginx's umask, flushed to disk, renamed
-- over path, and the directory flushed so the rename survives a power loss.
local function write_file(path, text)
  local temp = path .. ".tmp." .. ngx.worker.pid()
  ffi.C.unlink(temp)
  local fd = ffi.C.open(temp, O_WRONLY + O_CREAT + O_EXCL, tonumber("644", 8))
  if fd < 0 then
    return nil, "cannot create " .. temp .. ": " .. errno_text()
  end
  local written = 0
  while written < #text do
    local n = tonumber(ffi.C.write(fd, ffi.cast("const char *", text) + written, #text - written))
    if n <= 0 then
      local problem = errno_text()
      ffi.C.close(fd)
      ffi.C.unlink(temp)
      return nil, "cannot write " .. temp .. ": " .. problem
    end
    written = written + n
  end
  if ffi.C.fsync(fd) ~= 0 then
    local problem = errno_text()
    ffi.C.close(fd)
    ffi.C.unlink(temp)
    return nil, "cannot flush " .. temp .. " to disk: " .. problem
  end
  if ffi.C.close(fd) ~= 0 then
    local problem = errno_text()
    ffi.C.unlink(temp)
    return nil, "cannot close " .. temp .. ": " .. problem
  end
  local renamed, rename_error = os.rename(temp, path)
  if not renamed then
    ffi.C.unlink(temp)
    return nil, "cannot replace " .. path .. ": " .. tostring(rename_error)
  end
  local dir = string.match(path, "^(.*)/[^/]*$")
  local dirfd = ffi.C.open(dir ~= nil and dir ~= "" and dir or "/", O_RDONLY, 0)
  if dirfd >= 0 then
    ffi.C.fsync(dirfd)
    ffi.C.close(dirfd)
  end
  return true
end

-- Writes every route's weights in force, with `route`'s replaced by `spec`.
-- Called under the one change lock, so no other route changes meanwhile.
local function save_state(d, route, spec, generation)
  if not state_file then
    return true
  end
  local lines = {}
  for name in pairs(routes) do
    if name == route then
      lines[#lines + 1] = name .. " " .. spec .. " " .. generation
    else
      local current = d:get("w:" .. name)
      if current then
        lines[#lines + 1] = name .. " " .. current .. " " .. (d:get("g:" .. name) or 0)
      end
    end
  end
  table.sort(lines)
  return write_file(state_file, table.concat(lines, "\n") .. "\n")
end

local function is_local(address)
  return address == "unix:" or string.match(address, "^127%.%d+%.%d+%.%d+$") ~= nil or address == "::1"
end

--- The control endpoint (content_by_lua_block), for loopback and unix-socket clients only.
---   GET  ?route=app                 the weights in force, as JSON
---   PUT  ?route=app[&generation=N]  body "blue=90,green=10": sets them; with
---                                   generation, only if it is still N (409 otherwise)
function M.control()
  local address = ngx.var.remote_addr or ""
  if not is_local(address) then
    return fail(403, "the Glidepath control endpoint answers loopback and unix-socket clients only (this request came from " .. address .. ")")
  end
  local route = ngx.var.arg_route
  if not route or not routes[route] then
    local names = {}
    for name in pairs(routes) do
      names[#names + 1] = name
    end
    table.sort(names)
    return fail(404, "no route \"" .. tostring(route) .. "\": ask with ?route=<one of: " .. table.concat(names, ", ") .. ">")
  end
  local method = ngx.req.get_method()
  if method == "GET" then
    return respond(200, state_json(route))
  end
  if method ~= "PUT" then
    ngx.header["Allow"] = "GET, PUT"
    return fail(405, "use GET to read the weights or PUT to set them")
  end

  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body or #body > MAX_BODY then
    return fail(400, "the body is the weights, such as blue=90,green=10, at most " .. MAX_BODY .. " bytes")
  end
  local weights, problem = parse_weights(route, (string.gsub(body, "%s+$", "")))
  if not weights then
    return fail(400, problem)
  end
  local expected = ngx.var.arg_generation
  if expected ~= nil and not string.match(expected, "^%d+$") then
    return fail(400, "generation is the whole number a GET returned")
  end

  local d = dict()
  -- One change at a time, across workers and routes (the state file holds
  -- every route); the lock expires by itself if a worker dies holding it.
  local lock = "lock"
  local locked = d:add(lock, ngx.worker.pid(), 5)
  if not locked then
    return fail(409, "another change is being applied; try again")
  end
  local generation = (d:get("g:" .. route) or 0)
  if expected ~= nil and tonumber(expected) ~= generation then
    d:delete(lock)
    return fail(409, "route \"" .. route .. "\" is at generation " .. generation .. ", not " .. expected .. ": someone else changed it; read it again")
  end
  local spec = format_weights(route, weights)
  local saved, save_problem = save_state(d, route, spec, generation + 1)
  if not saved then
    d:delete(lock)
    ngx.log(ngx.ERR, "glidepath: ", save_problem)
    return fail(500, save_problem .. "; the weights in force did not change")
  end
  local ok, set_problem = d:set("w:" .. route, spec)
  if ok then
    d:set("g:" .. route, generation + 1)
    d:set("s:" .. route, "set")
  end
  d:delete(lock)
  if not ok then
    return fail(500, "cannot store the weights in lua_shared_dict " .. dict_name .. ": " .. tostring(set_problem))
  end
  ngx.log(ngx.NOTICE, "glidepath: route \"", route, "\" set to ", spec, " (generation ", generation + 1, ")")
  return respond(200, state_json(route))
end

return M
