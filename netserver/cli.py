"""``keyscope-server``: starts like redis-server.

    keyscope-server [/path/to/redis.conf] [--port 6380] [--any-directive value ...]
    keyscope-server - < redis.conf          (the configuration from stdin)

The config file uses redis.conf syntax; command-line directives are appended to it, as
redis-server does.  An unknown directive stops the start with the file and line named.
"""
from __future__ import annotations

import asyncio
import glob
import os
import signal
import sys

from engine import Config, Engine, REDIS_VERSION, VERSION
from engine.config import BY_NAME, ConfigError, canonical
from .log import Log
from .resp import split_args
from .server import Server

# accepted and ignored, as Redis 7.0 does (name: allowed argument counts incl. the name)
DEPRECATED = {"list-max-ziplist-entries": (2, 2), "list-max-ziplist-value": (2, 2),
              "lua-replicate-commands": (2, 2)}
# what keyscope cannot honour: refusing beats silently running without it
UNSUPPORTED = {"user": "ACL users", "loadmodule": "modules", "sentinel": "Sentinel mode"}


class ConfigFileError(Exception):
    pass


class LoadState:
    """What spans a whole load (file, includes and command line): Redis resets the
    default save points at the first `save` line only, later ones add to it."""

    def __init__(self):
        self.save_loaded = False


def _fatal(source: str, lineno: int, line: str, reason: str) -> ConfigFileError:
    return ConfigFileError(
        f"\n*** FATAL CONFIG FILE ERROR (keyscope {VERSION}, Redis {REDIS_VERSION} "
        f"compatible) ***\nReading the configuration file {source}, at line {lineno}\n"
        f">>> '{line}'\n{reason}")


def load_config_text(config: Config, text: str, source: str, depth: int = 0,
                     state: LoadState | None = None):
    """Apply redis.conf-syntax text to config (Redis's loadServerConfigFromString);
    raises ConfigFileError naming the source and line."""
    state = state or LoadState()
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        args = split_args(line.encode("utf-8", "surrogateescape"))
        if args is None:
            raise _fatal(source, lineno, line, "Unbalanced quotes in configuration line")
        if not args:
            continue
        directive = args[0].decode("utf-8", "surrogateescape").lower()
        values = [a.decode("utf-8", "surrogateescape") for a in args[1:]]
        name = canonical(directive)
        if name is not None:
            try:
                _apply(config, BY_NAME[name], values, state)
            except ConfigError as e:
                raise _fatal(source, lineno, line, str(e)) from None
            continue
        if directive in DEPRECATED and DEPRECATED[directive][0] <= len(args) \
                <= DEPRECATED[directive][1]:
            continue
        if directive == "include" and len(values) == 1:
            if depth > 16:
                raise _fatal(source, lineno, line, "Too many nested include directives")
            _include(config, values[0], depth, state, (source, lineno, line))
        elif directive == "rename-command" and len(values) == 2:
            try:
                rename_command(values[0], values[1])
            except ConfigError as e:
                raise _fatal(source, lineno, line, str(e)) from None
        elif directive in UNSUPPORTED and values:
            raise _fatal(source, lineno, line,
                         f"keyscope does not support {UNSUPPORTED[directive]} "
                         f"('{directive}')")
        elif "." in directive:
            raise _fatal(source, lineno, line, "Module config specified without value"
                         if not values else "keyscope does not support modules")
        else:
            raise _fatal(source, lineno, line, "Bad directive or wrong number of arguments")


def _apply(config: Config, p, values: list[str], state: LoadState):
    if not p.multi_arg:
        if len(values) != 1:
            raise ConfigError("wrong number of arguments")
        config.set(p.name, values[0], startup=True)
        return
    if len(values) == 1 and values[0]:
        # one argument holding several ("--save '900 1 300 10'"): split it again
        more = split_args(values[0].encode("utf-8", "surrogateescape"))
        values = [v.decode("utf-8", "surrogateescape") for v in (more or [])]
    if p.name == "save":
        if values == [""]:
            values = []                    # save "": no save points
        elif state.save_loaded:
            values = [f"{s} {c}" for s, c in config["save"]] + values
        state.save_loaded = True
    config.set(p.name, " ".join(values), startup=True)


def _include(config: Config, pattern: str, depth: int, state: LoadState, where):
    """Redis 7.0's include takes a glob; a plain path that is missing is an error."""
    paths = sorted(glob.glob(pattern)) if any(ch in pattern for ch in "*?[") else [pattern]
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
        except OSError as e:
            raise ConfigFileError(f"Fatal error, can't open config file '{path}': "
                                  f"{e.strerror}") from None
        load_config_text(config, text, path, depth + 1, state)


def parse_args(argv: list[str]) -> tuple[str | None, bool, str]:
    """redis-server's argument handling: (config file or None, config from stdin?,
    the options as config text).  ``--name value...`` becomes a line ``name "value"``;
    a lone ``--save`` means ``--save ""``."""
    path = None
    stdin = False
    j = 0
    if argv and argv[0] != "-" and not argv[0].startswith("-"):
        path = argv[0]
        j = 1
    options: list[str] = []
    handled_last = True          # the last option name got a value (or needs none)
    while j < len(argv):
        a = argv[j]
        if a == "-" and (j == 0 or j == len(argv) - 1):
            stdin = True
        elif handled_last and a.startswith("--"):
            options.append(a[2:] + " ")
            words = split_args(a.encode("utf-8", "surrogateescape")) or []
            if len(words) == 1:
                handled_last = False
                nxt = argv[j + 1] if j + 1 < len(argv) else None
                if a.lower() == "--save" and (nxt is None or nxt.startswith("--")):
                    options[-1] += '""'
                    handled_last = True
            else:
                handled_last = True      # "--port 6380" as a single argument
        else:
            if not options:
                options.append("")
            options[-1] += _repr(a) + " "
            handled_last = True
        j += 1
    return path, stdin, "\n".join(options)


def _repr(s: str) -> str:
    """sdscatrepr: a double-quoted string that split_args reads back as is."""
    out = ['"']
    for ch in s.encode("utf-8", "surrogateescape"):
        if ch in (0x5c, 0x22):
            out.append("\\" + chr(ch))
        elif ch == 10:
            out.append("\\n")
        elif ch == 13:
            out.append("\\r")
        elif ch == 9:
            out.append("\\t")
        elif ch == 7:
            out.append("\\a")
        elif ch == 8:
            out.append("\\b")
        elif 32 <= ch < 127:
            out.append(chr(ch))
        else:
            out.append("\\x%02x" % ch)
    out.append('"')
    return "".join(out)


def build_config(argv: list[str]) -> Config:
    config = Config()
    state = LoadState()
    path, stdin, options = parse_args(list(argv))
    if path is not None:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
        except OSError as e:
            raise ConfigFileError(f"Fatal error, can't open config file '{path}': "
                                  f"{e.strerror}")
        load_config_text(config, text, path, state=state)
    if stdin:
        load_config_text(config, sys.stdin.read(), "(stdin)", state=state)
    load_config_text(config, options, "(command line)", state=state)
    config.config_file = os.path.abspath(path) if path else None
    return config


def rename_command(old: str, new: str):
    """rename-command (an empty name removes the command).  The command table is
    process-wide, as Redis's is; errors keep naming the command by its real name."""
    from engine.commands import TABLE
    key = old.lower().encode("utf-8", "surrogateescape")
    if key not in TABLE:
        raise ConfigError("No such command in rename-command")
    target = new.lower().encode("utf-8", "surrogateescape")
    if target and target in TABLE:
        raise ConfigError("Target command name already exists")
    spec = TABLE.pop(key)
    if target:
        TABLE[target] = spec


def _daemonize():
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


async def serve(config: Config, log: Log) -> int:
    engine = Engine(config)
    server = Server(engine, log)
    await server.start()
    server.install_signal_handlers()
    await server.wait_closed()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-v", "--version"):
        print(f"keyscope-server v={VERSION} redis_version={REDIS_VERSION}")
        return 0
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    try:
        config = build_config(argv)
    except ConfigFileError as e:
        print(str(e), file=sys.stderr)
        return 1
    if config["dir"] not in ("", "."):
        try:
            os.chdir(config["dir"])
        except OSError as e:
            print(f"Can't chdir to '{config['dir']}': {e.strerror}", file=sys.stderr)
            return 1
    if config["daemonize"]:
        _daemonize()
    log = Log(config["loglevel"], config["logfile"], role="C")
    log.warning("oO0OoO0OoO0Oo keyscope is starting oO0OoO0OoO0Oo")
    log.warning(f"keyscope version={VERSION} (Redis {REDIS_VERSION} compatible), "
                f"bits=64, pid={os.getpid()}, just started")
    if argv and (argv[0] == "-" or not argv[0].startswith("-")):
        log.warning("Configuration loaded")
    else:
        log.warning("Warning: no config file specified, using the default config. In order "
                    "to specify a config file use keyscope-server /path/to/redis.conf")
    pidfile = config["pidfile"]
    if pidfile:
        try:
            with open(pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as e:
            log.warning(f"Failed to write PID file: {e.strerror}")
            pidfile = ""
    log.role = "M"
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        log.notice("uvloop not available, using the default asyncio loop")
    try:
        code = asyncio.run(serve(config, log))
    except OSError:
        log.warning(f"Failed listening on port {config['port']} (tcp), aborting.")
        code = 1
    except KeyboardInterrupt:          # a second SIGINT while shutting down
        log.warning("You insist... exiting now.")
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    if pidfile:
        log.notice("Removing the pid file.")
        try:
            os.unlink(pidfile)
        except OSError:
            pass
    return code


if __name__ == "__main__":
    sys.exit(main())
