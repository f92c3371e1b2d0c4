"""Redis 7.0 Functions: libraries loaded with FUNCTION LOAD, called with FCALL.

Functions live in their own Lua state (a LuaRuntime of kind "function").  While a
library's code runs at load time, the global ``redis`` is a restricted table that can
only register functions and log; the full library is back when a function is called.
"""
from __future__ import annotations

import re

from engine.errors import RedisError
from .runtime import LuaRuntime, _lua_type

_NAME = re.compile(rb"^[A-Za-z0-9_]+$")
FLAGS = (b"no-writes", b"allow-oom", b"allow-stale", b"no-cluster", b"allow-cross-slot-keys")

LOAD_BOOTSTRAP = r"""
local full_redis = rawget(_G, 'redis')
local rawset_ = rawset
local missing = {__index = function(t, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end}
return function(chunk, load_redis)
  setmetatable(load_redis, missing)
  rawset_(_G, 'redis', load_redis)
  local ok, err = pcall(chunk)
  rawset_(_G, 'redis', full_redis)
  return ok, err
end
"""


class Function:
    __slots__ = ("name", "fn", "flags", "description", "library", "calls")

    def __init__(self, name, fn, flags, description, library):
        self.name = name
        self.fn = fn
        self.flags = flags
        self.description = description
        self.library = library


class Library:
    __slots__ = ("name", "code", "functions")

    def __init__(self, name: bytes, code: bytes):
        self.name = name
        self.code = code
        self.functions: dict[bytes, Function] = {}


def parse_metadata(code: bytes) -> tuple[bytes, bytes]:
    """(library name, code for Lua with the shebang line emptied) from '#!lua name=x'."""
    if not code.startswith(b"#!"):
        raise RedisError("ERR Missing library metadata")
    nl = code.find(b"\n")
    line = code[2:nl if nl >= 0 else len(code)]
    parts = line.split()
    if not parts:
        raise RedisError("ERR Invalid library metadata")
    if parts[0] != b"lua":
        raise RedisError(f"ERR Engine '{parts[0].decode('utf-8', 'replace')}' not found")
    name = None
    for p in parts[1:]:
        if p.startswith(b"name="):
            name = p[5:]
        else:
            raise RedisError("ERR Invalid metadata value given: "
                             + p.decode("utf-8", "replace"))
    if name is None:
        raise RedisError("ERR Library name was not given")
    if not _NAME.match(name):
        raise RedisError("ERR Library names can only contain letters, numbers, or "
                         "underscores(_) and must be at least one character long")
    if nl < 0:
        raise RedisError("ERR Invalid library metadata")
    return name, code[nl:]


class Functions:
    def __init__(self, engine):
        self.engine = engine
        self.libraries: dict[bytes, Library] = {}
        self.functions: dict[bytes, Function] = {}
        self.rt = None

    def runtime(self) -> LuaRuntime:
        if self.rt is None:
            self.rt = LuaRuntime(self.engine)
            self._loader = self.rt.L.execute(LOAD_BOOTSTRAP)
        return self.rt

    # ------------------------------------------------------------------ loading
    def load(self, code: bytes, replace: bool = False) -> bytes:
        name, body = parse_metadata(code)
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise RedisError(f"ERR Library '{name.decode('utf-8', 'replace')}' already exists")
        lib = self._compile_library(name, code, body)
        if not lib.functions:
            raise RedisError("ERR No functions registered")
        for fname in lib.functions:
            owner = self.functions.get(fname)
            if owner is not None and owner.library is not old:
                raise RedisError(f"ERR Function {fname.decode('utf-8', 'replace')} already "
                                 f"exists")
        if old is not None:
            self._remove(old)
        self._add(lib)
        return name

    def _compile_library(self, name: bytes, code: bytes, body: bytes) -> Library:
        rt = self.runtime()
        L = rt.L
        chunk = rt._compile(body, b"@user_function")
        if isinstance(chunk, tuple):
            raise RedisError("ERR Error compiling function: " + chunk[1].decode("utf-8",
                                                                              "replace"))
        lib = Library(name, code)
        errors: list[str] = []

        def register(*args):
            try:
                self._register(lib, args)
            except RedisError as e:
                errors.append(e.text)
                raise
        load_redis = L.table_from({b"register_function": register,
                                   b"log": rt._G[b"redis"][b"log"],
                                   b"setresp": rt._G[b"redis"][b"setresp"],
                                   b"LOG_DEBUG": 0, b"LOG_VERBOSE": 1, b"LOG_NOTICE": 2,
                                   b"LOG_WARNING": 3,
                                   b"REDIS_VERSION": rt._G[b"redis"][b"REDIS_VERSION"],
                                   b"REDIS_VERSION_NUM": rt._G[b"redis"][b"REDIS_VERSION_NUM"]})
        ok, err = self._loader(chunk, load_redis)
        if not ok:
            if errors:
                msg = errors[0]
            elif isinstance(err, bytes):
                msg = "ERR " + err.decode("utf-8", "replace")
            else:
                msg = "ERR " + str(err)
            raise RedisError("ERR Error registering functions: " + msg)
        return lib

    def _register(self, lib: Library, args):
        flags, description = set(), None
        if len(args) == 1 and _lua_type(args[0]) == "table":
            t = args[0]
            for k in t.keys():
                if k not in (b"function_name", b"callback", b"flags", b"description"):
                    raise RedisError("ERR unknown argument given to redis.register_function")
            name, fn = t[b"function_name"], t[b"callback"]
            if name is None:
                raise RedisError("ERR redis.register_function must get a function name "
                                 "argument")
            if fn is None:
                raise RedisError("ERR redis.register_function must get a callback argument")
            if t[b"flags"] is not None:
                for f in t[b"flags"].values():
                    if f not in FLAGS:
                        raise RedisError("ERR unknown flag given")
                    flags.add(f)
            description = t[b"description"]
        elif len(args) == 2:
            name, fn = args
        else:
            raise RedisError("ERR wrong number of arguments to redis.register_function")
        if not isinstance(name, bytes) or not _NAME.match(name):
            raise RedisError("ERR Library names can only contain letters, numbers, or "
                             "underscores(_) and must be at least one character long")
        if _lua_type(fn) != "function":
            raise RedisError("ERR callback argument given to redis.register_function must "
                             "be a function")
        if name in lib.functions:
            raise RedisError("ERR Function already exists in the library")
        lib.functions[name] = Function(name, fn, flags, description, lib)

    def _add(self, lib: Library):
        self.libraries[lib.name] = lib
        self.functions.update(lib.functions)

    def _remove(self, lib: Library):
        del self.libraries[lib.name]
        for fname in lib.functions:
            self.functions.pop(fname, None)

    def delete(self, name: bytes):
        lib = self.libraries.get(name)
        if lib is None:
            raise RedisError("ERR Library not found")
        self._remove(lib)

    def flush(self):
        self.libraries.clear()
        self.functions.clear()
        self.rt = None

    # ------------------------------------------------------------------ calling
    def call(self, c, name: bytes, keys, args, read_only: bool):
        f = self.functions.get(name)
        if f is None:
            raise RedisError("ERR Function not found")
        if read_only and b"no-writes" not in f.flags:
            raise RedisError("ERR Can not execute a script with write flag using *_ro "
                             "command.")
        return self.rt.run(c, f.fn, name, keys, args, read_only=read_only, flags=f.flags,
                           kind="function")
