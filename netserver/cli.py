"""``keyscope-server``: starts like redis-server.

    keyscope-server [/path/to/redis.conf] [--port 6380] [--any-directive value ...]

The config file uses redis.conf syntax; command-line directives are appended to it, as
redis-server does.  An unknown directive stops the start with the file and line named.
"""
from __future__ import annotations

import asyncio
import os
import sys

from engine import Config, Engine, REDIS_VERSION, VERSION
from engine.config import ConfigError, canonical, BY_NAME
from .log import Log
from .resp import split_args
from .server import Server


class ConfigFileError(Exception):
    pass


def _fatal(source: str, lineno: int, line: str, reason: str) -> ConfigFileError:
    return ConfigFileError(
        f"\n*** FATAL CONFIG FILE ERROR (keyscope {VERSION}, Redis {REDIS_VERSION} "
        f"compatible) ***\nReading the configuration file {source}, at line {lineno}\n"
        f">>> '{line.strip()}'\n{reason}")


def load_config_text(config: Config, text: str, source: str, depth: int = 0):
    """Apply redis.conf-syntax text to config; raises ConfigFileError naming the line."""
    seen_multi: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        args = split_args(line.encode())
        if args is None:
            raise _fatal(source, lineno, raw, "Unbalanced quotes in configuration line")
        if not args:
            continue
        directive = args[0].decode().lower()
        values = [a.decode("utf-8", "surrogateescape") for a in args[1:]]
        if directive == "include":
            if len(values) != 1 or depth > 8:
                raise _fatal(source, lineno, raw, "Bad directive or wrong number of arguments")
            path = values[0]
            try:
                with open(path, encoding="utf-8") as f:
                    load_config_text(config, f.read(), path, depth + 1)
            except OSError as e:
                raise _fatal(source, lineno, raw, f"Can't open included file: {e.strerror}")
            continue
        name = canonical(directive)
        if name is None:
            raise _fatal(source, lineno, raw,
                         f"Bad directive or wrong number of arguments "
                         f"('{directive}' is not a directive keyscope supports)")
        p = BY_NAME[name]
        if p.multi_arg:
            # save/bind/client-output-buffer-limit: repeated lines accumulate
            if name == "save" and values == [""]:
                text_value = ""
            else:
                text_value = " ".join(values)
                if name in seen_multi and name == "save":
                    prev = config.values["save"]
                    text_value = " ".join(f"{s} {c}" for s, c in prev) + " " + text_value
            seen_multi.add(name)
        else:
            if len(values) != 1:
                raise _fatal(source, lineno, raw, "wrong number of arguments")
            text_value = values[0]
        try:
            config.set(name, text_value, startup=True)
        except ConfigError as e:
            raise _fatal(source, lineno, raw, str(e))


def parse_args(argv: list[str]) -> tuple[str | None, str]:
    """Split redis-server-style arguments into (config file, config text)."""
    path = None
    if argv and not argv[0].startswith("--"):
        path = argv.pop(0)
    lines, cur = [], None
    for a in argv:
        if a.startswith("--") and len(a) > 2:
            if cur is not None:
                lines.append(cur)
            cur = [a[2:]]
        elif cur is None:
            raise ConfigFileError(f"Invalid argument '{a}'")
        else:
            cur.append(a)
    if cur is not None:
        lines.append(cur)
    text = "\n".join(" ".join(_quote(x) for x in line) for line in lines)
    return path, text


def _quote(s: str) -> str:
    if s and not any(ch in s for ch in " \t\"'\\"):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_config(argv: list[str]) -> Config:
    config = Config()
    path, text = parse_args(list(argv))
    if path is not None:
        try:
            with open(path, encoding="utf-8") as f:
                load_config_text(config, f.read(), path)
        except OSError as e:
            raise ConfigFileError(f"Fatal error, can't open config file '{path}': {e.strerror}")
    load_config_text(config, text, "(command line)")
    config.config_file = os.path.abspath(path) if path else None
    return config


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
    if config["dir"] != ".":
        try:
            os.chdir(config["dir"])
        except OSError as e:
            print(f"Can't chdir to '{config['dir']}': {e.strerror}", file=sys.stderr)
            return 1
    if config["daemonize"]:
        _daemonize()
    if config["pidfile"]:
        with open(config["pidfile"], "w") as f:
            f.write(f"{os.getpid()}\n")
    log = Log(config["loglevel"], config["logfile"])
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        log.notice("uvloop not available, using the default asyncio loop")
    try:
        return asyncio.run(serve(config, log))
    except OSError as e:
        log.warning(f"Failed listening on port {config['port']} (tcp), aborting: {e}")
        return 1
    finally:
        if config["pidfile"]:
            try:
                os.unlink(config["pidfile"])
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
