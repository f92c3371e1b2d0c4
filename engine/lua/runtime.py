"""The Lua 5.1 scripting runtime (lupa): sandbox, the ``redis`` library, conversions
between Lua values and replies, and the busy-script watchdog.

One Lua state per engine, as in Redis; SCRIPT FLUSH builds a new one.  Scripts run on the
loop thread; every 100k Lua instructions a hook checks the clock, and past
busy-reply-threshold it lets netserver answer other clients with BUSY and take
SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE (``engine.busy_poll``).
"""
from __future__ import annotations

import hashlib
import time

from lupa import lua51

from engine import commands
from engine.client import Client
from engine.commands import Flag
from engine.errors import RedisError
from engine.replies import NULL_ARRAY, Multi, Push, Status, Verbatim
from . import libs

_lua_type = lua51.lua_type

BOOTSTRAP = r"""
local dbg = debug
local tick, errtext = __tick, __errtext
__tick, __errtext = nil, nil
local run_error = error

-- Where an error happened: the innermost frame of the user's code.
function __redis__err__handler(err)
  local source, line = nil, nil
  for level = 2, 40 do
    local i = dbg.getinfo(level, 'Sl')
    if not i then break end
    if i.source == '@user_script' or i.source == '@user_function' then
      source, line = i.source, i.currentline
      break
    end
  end
  if type(err) == 'userdata' then
    -- a Python exception: redis.call's command error, or a bug of ours
    err = {err = errtext(err)}
  elseif type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  elseif type(err.err) ~= 'string' then
    err = {err = 'ERR ' .. tostring(err.err)}
  end
  return {err = err.err, source = source, line = line, raised = true}
end

local handler = __redis__err__handler
local running = false
local function run(f)
  running = true
  local ok, res = xpcall(f, handler)
  running = false
  return ok, res
end

local function run_call(f, keys, args)
  return run(function() return f(keys, args) end)
end

local function compile(body, name)
  return loadstring(body, name)
end

local setresp = redis.setresp
redis.setresp = function(v)
  if v ~= 2 and v ~= 3 then run_error({err = 'ERR RESP version must be 2 or 3.'}) end
  setresp(v)
end
for _, name in ipairs({'error_reply', 'status_reply'}) do
  local f = redis[name]
  redis[name] = function(msg)
    if type(msg) ~= 'string' then
      run_error({err = 'ERR wrong number or type of arguments'})
    end
    return f(msg)
  end
end

dbg.sethook(function()
  local kill = tick()
  if kill then run_error({err = kill}, 0) end
end, '', 100000)

-- the sandbox: no new globals, no access to undefined ones
setmetatable(_G, {
  __newindex = function(t, k, v) run_error('Attempt to modify a readonly table', 2) end,
  -- lupa itself looks up `debug` (for tracebacks) outside any script: answer nil there,
  -- an error would be unprotected
  __index = function(t, k)
    if not running or k == 'debug' then return nil end
    run_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
})
return run, compile, run_call
"""

_REMOVE = (b"os", b"io", b"package", b"require", b"module", b"dofile", b"loadfile",
           b"print", b"setfenv", b"getfenv", b"newproxy", b"debug")
_SCRIPT_FLAGS = {b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster",
                 b"allow-cross-slot-keys"}


def sha1hex(body: bytes) -> bytes:
    return hashlib.sha1(body).hexdigest().encode()


def parse_shebang(body: bytes):
    """(flags or None when there is no shebang, body for Lua with the line kept empty)."""
    if not body.startswith(b"#!"):
        return None, body
    nl = body.find(b"\n")
    line = body[2:nl if nl >= 0 else len(body)]
    parts = line.split()
    if not parts or parts[0] != b"lua":
        raise RedisError("ERR Unexpected engine in script shebang: "
                         + (parts[0].decode("utf-8", "replace") if parts else ""))
    flags = set()
    for p in parts[1:]:
        if not p.startswith(b"flags="):
            raise RedisError("ERR Unknown lua shebang option: " + p.decode("utf-8", "replace"))
        for f in p[6:].split(b","):
            if f and f not in _SCRIPT_FLAGS:
                raise RedisError("ERR Unexpected flag in script shebang: "
                                 + f.decode("utf-8", "replace"))
            if f:
                flags.add(f)
    return flags, (b"" if nl < 0 else body[nl:])


def lua_number_arg(v) -> bytes:
    """A Lua number as redis.call passes it: lua_tolstring's %.14g."""
    if isinstance(v, int) or v == int(v) and abs(v) < 1e15:
        return b"%d" % int(v)
    return b"%.14g" % v


class LuaRuntime:
    def __init__(self, engine):
        self.engine = engine
        self.client = Client(engine)          # the fake client scripts run commands as
        self.client.authenticated = True
        self.client.is_script = True
        self.scripts: dict[bytes, object] = {}       # sha -> compiled Lua function
        self.bodies: dict[bytes, bytes] = {}
        self.running = None      # (caller, started_monotonic, kind) while a script runs
        self.kill_requested = False
        self.wrote = False
        self.read_only = False
        self.busy = False
        self.running_name = None
        self._new_state()

    # ------------------------------------------------------------------ the state
    def _new_state(self):
        L = lua51.LuaRuntime(encoding=None, unpack_returned_tuples=True,
                             register_eval=False, register_builtins=False)
        self.L = L
        g = L.globals()
        libs.install_bit(L)
        libs.install_struct(L)
        libs.install_cjson(L)
        libs.install_cmsgpack(L)
        g[b"redis"] = L.table_from(self._redis_lib())
        g[b"__tick"] = self._tick
        g[b"__errtext"] = _errtext
        self._rawset = L.eval("rawset")
        self._run, self._compile, self._run_call = L.execute(BOOTSTRAP)
        for name in _REMOVE:
            self._rawset(g, name, None)
        self._G = g
        self.resp = 2

    def flush(self):
        self.scripts.clear()
        self.bodies.clear()
        self._new_state()

    def _redis_lib(self) -> dict:
        from engine import REDIS_VERSION
        major, minor, patch = (int(x) for x in REDIS_VERSION.split("."))
        L = self.L

        def error_reply(msg):
            return L.table_from({b"err": msg})

        def status_reply(msg):
            return L.table_from({b"ok": msg})

        def sha1(s):
            if isinstance(s, (int, float)):
                s = lua_number_arg(s)
            return sha1hex(s)

        def setresp(v):
            self.resp = int(v)

        def log(level, *parts):
            msg = " ".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p)
                           for p in parts)
            lvl = {0: "debug", 1: "verbose", 2: "notice", 3: "warning"}.get(int(level),
                                                                          "notice")
            getattr(self.engine.log, lvl, self.engine.log.warning)(msg)

        def set_repl(flags):
            return None      # scripts always replicate their effects in 7.0

        def replicate_commands():
            return True

        return {b"call": self._call, b"pcall": self._pcall, b"error_reply": error_reply, b"status_reply": status_reply,
                b"sha1hex": sha1, b"setresp": setresp, b"log": log,
                b"set_repl": set_repl, b"replicate_commands": replicate_commands,
                b"breakpoint": lambda: False, b"debug": lambda *a: None,
                b"acl_check_cmd": lambda *a: True,
                b"LOG_DEBUG": 0, b"LOG_VERBOSE": 1, b"LOG_NOTICE": 2, b"LOG_WARNING": 3,
                b"REPL_NONE": 0, b"REPL_AOF": 1, b"REPL_SLAVE": 2, b"REPL_REPLICA": 2,
                b"REPL_ALL": 3,
                b"REDIS_VERSION": REDIS_VERSION.encode(),
                b"REDIS_VERSION_NUM": (major << 16) | (minor << 8) | patch}

    # ------------------------------------------------------------------ compiling
    def compile(self, body: bytes, name: bytes = b"@user_script"):
        """Compile a script body; returns (sha, function, flags)."""
        sha = sha1hex(body)
        fn = self.scripts.get(sha)
        flags, lua_body = parse_shebang(body)
        if fn is None:
            fn = self._compile(lua_body, name)
            if isinstance(fn, tuple):            # (nil, message)
                err = fn[1]
                raise RedisError("ERR Error compiling script (new function): "
                                 + err.decode("utf-8", "replace"))
            self.scripts[sha] = fn
            self.bodies[sha] = body
        return sha, fn, flags

    # ------------------------------------------------------------------ running
    def run(self, caller, fn, sha: bytes, keys, args, *, read_only: bool, flags,
            kind: str = "script"):
        """Run a compiled script (KEYS/ARGV globals) or, for kind "function", a registered
        callback called as f(keys, args).  Returns the reply value."""
        L = self.L
        if kind == "script":
            self._rawset(self._G, b"KEYS", L.table_from(list(keys)))
            self._rawset(self._G, b"ARGV", L.table_from(list(args)))
        sc = self.client
        sc.db = caller.db
        sc.resp = 2
        sc.tracking = None
        self.resp = 2
        self.read_only = read_only or (flags is not None and b"no-writes" in flags)
        self.running = (caller, time.monotonic(), kind)
        self.running_name = sha
        self.kill_requested = False
        self.wrote = False
        engine = self.engine
        outer = engine.exec_buffer
        engine.exec_buffer = [] if outer is None else outer
        try:
            if kind == "script":
                ok, res = self._run(fn)
            else:
                ok, res = self._run_call(fn, L.table_from(list(keys)),
                                         L.table_from(list(args)))
        finally:
            buffered = engine.exec_buffer
            engine.exec_buffer = outer
            self.running = None
            self.busy = False
        if outer is None:
            engine.propagate_transaction(buffered)
        caller.also_propagate()       # a script replicates its effects, never itself
        if not ok:
            raise self._error_from(res, sha)
        return self.to_reply(res, caller.resp)

    def _error_from(self, res, name: bytes) -> RedisError:
        if _lua_type(res) == "table":
            msg = res[b"err"]
            text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
            text = text.lstrip("-")
            if res[b"line"] is not None:
                src = res[b"source"].decode()
                text += f" script: {name.decode()}, on {src}:{int(res[b'line'])}."
            return RedisError(text)
        return RedisError("ERR " + str(res))

    def _tick(self):
        """The instruction-count hook: watchdog for busy scripts."""
        if self.running is None:
            return None
        started = self.running[1]
        threshold = self.engine.config["busy-reply-threshold"]
        if threshold and (time.monotonic() - started) * 1000 > threshold:
            if not self.busy:
                self.busy = True
                self.engine.log.warning(
                    f"Slow script detected: still in execution after "
                    f"{int((time.monotonic() - started) * 1000)} milliseconds. You can try "
                    f"killing the script using the SCRIPT KILL command.")
            poll = self.engine.busy_poll
            if poll is not None:
                poll()
        if self.kill_requested:
            self.kill_requested = False
            return b"ERR Script killed by user with SCRIPT KILL..."
        return None

    # ------------------------------------------------------------------ redis.call
    def _call(self, *args):
        """redis.call: a Python function, so Lua sees a C function (a tail call keeps the
        script's frame and the error handler can name the line).  Errors raise."""
        ok, res = self._bridge(*args)
        if not ok:
            raise CallError(res)
        return res

    def _pcall(self, *args):
        """redis.pcall: errors come back as {err=...} tables."""
        ok, res = self._bridge(*args)
        return res if ok else self.L.table_from({b"err": res.encode("utf-8", "surrogateescape")})

    def _bridge(self, *args):
        """Run one command for a script: (True, Lua value) or (False, error text)."""
        if not args:
            return False, ("ERR Please specify at least one argument for this redis lib "
                           "call")
        argv = []
        for a in args:
            if isinstance(a, bytes):
                argv.append(a)
            elif isinstance(a, (int, float)) and not isinstance(a, bool):
                argv.append(lua_number_arg(a))
            else:
                return False, ("ERR Lua redis lib command arguments must be strings or "
                               "integers")
        spec = commands.lookup(argv)
        if spec is None or (spec.fn is None and spec.subcommands):
            return False, "ERR Unknown Redis command called from script"
        n = len(argv)
        if (n != spec.arity) if spec.arity > 0 else (n < -spec.arity):
            return False, "ERR Wrong number of args calling Redis command from script"
        if Flag.NOSCRIPT in spec.flags:
            return False, "ERR This Redis command is not allowed from script"
        is_write = Flag.WRITE in spec.flags
        if is_write and self.read_only:
            return False, "ERR Write commands are not allowed from read-only scripts."
        sc = self.client
        sc.resp = self.resp
        reply = self.engine.execute(sc, argv)
        if is_write:
            self.wrote = True
        if isinstance(reply, RedisError):
            return False, reply.text
        return True, self.to_lua(reply)

    # ------------------------------------------------------------------ conversions
    def to_lua(self, v):
        """A reply value as Redis hands it to Lua (RESP2 or RESP3 rules per setresp)."""
        L = self.L
        t = v.__class__
        if t is bytes or t is bytearray or t is Verbatim:
            return bytes(v)
        if t is int:
            return v
        if t is Status:
            return L.table_from({b"ok": bytes(v)})
        if v is None or v is NULL_ARRAY:
            return None if self.resp == 3 else False
        if t is list or t is tuple or t is Push or t is Multi:
            return L.table_from([self.to_lua(x) for x in v])
        if t is float:
            if self.resp == 3:
                return L.table_from({b"double": v})
            from netserver.resp import format_double
            return format_double(v)
        if t is dict:
            if self.resp == 3:
                return L.table_from({b"map": L.table_from(
                    {self.to_lua(k): self.to_lua(x) for k, x in v.items()})})
            flat = []
            for k, x in v.items():
                flat += [self.to_lua(k), self.to_lua(x)]
            return L.table_from(flat)
        if t is set or t is frozenset:
            if self.resp == 3:
                return L.table_from({b"set": L.table_from({self.to_lua(k): True for k in v})})
            return L.table_from([self.to_lua(x) for x in v])
        if t is bool:
            return v if self.resp == 3 else (1 if v else 0)
        if isinstance(v, RedisError):
            return L.table_from({b"err": v.text.encode("utf-8", "surrogateescape")})
        return None

    def to_reply(self, v, resp: int):
        """A Lua return value as the client's reply (Redis's luaReplyToRedisReply)."""
        if v is None:
            return None
        t = v.__class__
        if t is bytes:
            return v
        if t is bool:
            return 1 if v else None
        if t is int:
            return v
        if t is float:
            return int(v)
        if _lua_type(v) == "table":
            err = v[b"err"]
            if err is not None and isinstance(err, bytes):
                return RedisError(err.decode("utf-8", "replace").lstrip("-"))
            ok = v[b"ok"]
            if ok is not None and isinstance(ok, bytes):
                return Status(ok)
            double = v[b"double"]
            if double is not None:
                return float(double)
            m = v[b"map"]
            if m is not None and _lua_type(m) == "table":
                return {self.to_reply(k, resp): self.to_reply(x, resp) for k, x in m.items()}
            s = v[b"set"]
            if s is not None and _lua_type(s) == "table":
                return {self.to_reply(k, resp) for k in s.keys()}
            out = []
            i = 1
            while True:
                x = v[i]
                if x is None:
                    break
                out.append(self.to_reply(x, resp))
                i += 1
            return out
        return None


class CallError(Exception):
    """redis.call's failure, raised through Lua as a Python exception."""


def _errtext(exc) -> bytes:
    if isinstance(exc, CallError):
        return str(exc).encode("utf-8", "surrogateescape")
    return ("ERR " + str(exc)).encode()
