"""Starting the embedded server: the same netserver.Server keyscope-server runs, on the
app's Qt-driven asyncio loop."""
from __future__ import annotations

import errno
import os
import socket

from engine import Config, Engine
from netserver.cli import load_config_text
from netserver.log import Log
from netserver.server import Server

# Desktop defaults (a config file given with --config overrides them): local only, and a
# hard cap on a client that does not read its replies, so one runaway client cannot eat
# the memory of the app that shows it.
EMBEDDED_DEFAULTS = """
bind 127.0.0.1
client-output-buffer-limit normal 256mb 128mb 60
"""


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def build_config(config_path: str | None = None, port: int | None = None,
                 extra: str = "") -> Config:
    """Embedded defaults, then the redis.conf file, then ``extra`` directives, then
    --port."""
    config = Config()
    load_config_text(config, EMBEDDED_DEFAULTS, "(keyscope embedded defaults)")
    if config_path:
        with open(config_path, encoding="utf-8") as f:
            load_config_text(config, f.read(), config_path)
        config.config_file = os.path.abspath(config_path)     # CONFIG REWRITE writes it
    if extra:
        load_config_text(config, extra, "(keyscope)")
    if port is not None:
        config.set("port", str(port), startup=True)
    return config


def scratch_directives(directory: str) -> str:
    """Directives for a throwaway server (tests, screenshots): no persistence, and any
    file it might write goes to ``directory``, never the user's dump.rdb."""
    return f'save ""\nappendonly no\ndir "{directory}"\n'


async def start_embedded(port: int | None = 6379, config_path: str | None = None,
                         tries: int = 100, extra: str = "") -> Server:
    """Start the server on ``port`` (0: any free port), or the next free port when it is
    taken.  Returns the running Server (``server.port`` is where it listens)."""
    config = build_config(config_path, port, extra)
    log = Log(config["loglevel"], config["logfile"])
    want = config["port"]
    host = config["bind"][0].lstrip("-") if config["bind"] else "127.0.0.1"
    last_error = None
    for candidate in ([0] if want == 0 else range(want, min(want + tries, 65536))):
        if candidate and not port_free(candidate, host):
            continue
        server = Server(Engine(config), log)
        try:
            await server.start(port=candidate)
            config.set("port", str(server.port), startup=True)   # CONFIG GET port tells
            return server
        except OSError as e:              # lost a race for the port: try the next one
            last_error = e
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, f"no free port in {want}..{want + tries - 1}: {last_error}")
