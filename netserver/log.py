"""Redis-style log lines: ``pid:M 26 Nov 2026 05:47:54.123 * message``."""
from __future__ import annotations

import os
import sys
import time

LEVELS = {"debug": 0, "verbose": 1, "notice": 2, "warning": 3}
MARKS = ".-*#"


class Log:
    def __init__(self, level: str = "notice", path: str = "", role: str = "M"):
        self.level = LEVELS.get(level, 2)
        self.path = path
        self.role = role
        self.lines: list[str] = []            # the last lines, for the GUI's log view
        self._stream = None

    def set_level(self, level: str):
        self.level = LEVELS[level]

    def _write(self, lvl: int, msg: str):
        if lvl < self.level:
            return
        now = time.time()
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(now))
        line = f"{os.getpid()}:{self.role} {stamp}.{int(now * 1000) % 1000:03d} {MARKS[lvl]} {msg}"
        self.lines.append(line)
        if len(self.lines) > 1000:
            del self.lines[:500]
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        else:
            stream = self._stream or sys.stdout
            stream.write(line + "\n")
            stream.flush()

    def debug(self, msg):
        self._write(0, msg)

    def verbose(self, msg):
        self._write(1, msg)

    def notice(self, msg):
        self._write(2, msg)

    def warning(self, msg):
        self._write(3, msg)
