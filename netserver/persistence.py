"""RDB persistence on the server loop: the load at start (before accepting clients), the
BGSAVE slices scheduled on the loop, the save-point check, the save at shutdown, and
CONFIG SET dir (a chdir, as Redis does)."""
from __future__ import annotations

import glob
import os
import time

from engine.config import ConfigError
from engine.persist.aof import AofFatal, aof_state
from engine.persist.rdbio import RdbError
from engine.persist.state import rdb_state

CRON_S = 0.1                    # save points are checked every 100 ms (serverCron's pace)


class Persistence:
    def __init__(self, server):
        self.server = server
        self.engine = server.engine
        self.log = server.log
        self.state = rdb_state(self.engine)
        self.state.scheduler = self._schedule
        self.aof = aof_state(self.engine)          # engine.persist.aof
        self.aof.scheduler = self._schedule
        self.engine.server_info.setdefault("shutdown_hooks", []).append(self._on_shutdown)
        self.engine.config.on_change("dir", self._chdir)
        self._timer = None

    # ---------------------------------------------------------------- loop
    def _schedule(self, delay: float, fn):
        loop = self.server.loop
        if delay <= 0:
            loop.call_soon(fn)
        else:
            loop.call_later(delay, fn)

    def start_cron(self):
        self._timer = self.server.loop.call_later(CRON_S, self._tick)

    def _tick(self):
        stopped = self.server._stopped
        if stopped is not None and stopped.done():
            return
        try:
            self.state.cron()
        except Exception:
            self.engine.log_exception("persistence cron failed")
        try:
            self.aof.cron()
        except Exception:
            self.engine.log_exception("AOF cron failed")
        self._timer = self.server.loop.call_later(CRON_S, self._tick)

    def _on_shutdown(self, opts: dict):
        if self._timer is not None:
            self._timer.cancel()
        self.aof.prepare_shutdown()                # flush + fsync the AOF first, as Redis
        self.state.prepare_shutdown(opts.get("save"), force=True)

    def _chdir(self, value):
        try:
            os.chdir(value)
        except OSError as e:
            raise ConfigError(e.strerror) from None

    # ---------------------------------------------------------------- start
    def remove_stale_temp_files(self):
        """temp-<pid>.rdb left by a process that is gone (a crash mid-save)."""
        for path in glob.glob(os.path.join(self.engine.config["dir"], "temp-*.rdb")):
            pid = os.path.basename(path)[5:-4]
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), 0)
                    continue                     # that process still lives: not ours
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
            try:
                os.unlink(path)
                self.log.notice(f"Removed stale temp file {os.path.basename(path)}")
            except OSError:
                pass

    def _aof_start(self) -> bool:
        """Redis 7.0's start: the manifest is read whatever appendonly says; with
        appendonly yes the AOF files are loaded instead of the RDB, then opened.  A
        failure stops the start (exit code 1) after the log said why."""
        aof = self.aof
        try:
            aof.remove_stale_temp_files()
            aof.load_manifest_from_disk()
            if not self.engine.config["appendonly"]:
                aof.del_history_files()
                return False
            aof.load_at_start()
            aof.open_on_start()
            aof.del_history_files()
        except AofFatal:
            raise SystemExit(1) from None
        return True

    def load_at_start(self):
        """Load dir/dbfilename if it exists; a damaged file stops the start with a log
        line naming the file and the offset (exit code 1, as redis-server)."""
        self.remove_stale_temp_files()
        if self._aof_start():       # appendonly yes: the AOF is loaded, not the RDB
            return
        path = self.state.path()
        if not os.path.exists(path):
            return
        t0 = time.time()
        try:
            self.state.load_file(path)
        except RdbError as e:
            self.log.warning(f"Fatal error loading the DB: {e}. Exiting.")
            raise SystemExit(1)
        except OSError as e:
            self.log.warning(f"Fatal error loading the DB: {path}: {e.strerror}. Exiting.")
            raise SystemExit(1)
        except Exception as e:          # a bug of ours: still one clear line, no traceback
            self.log.warning(f"Fatal error loading the DB: {os.path.abspath(path)}: internal "
                             f"error {type(e).__name__}: {e}. Exiting.")
            raise SystemExit(1)
        st = self.state
        self.log.notice(f"Done loading RDB, keys loaded: {st.last_load_keys_loaded}, keys "
                        f"expired: {st.last_load_keys_expired}.")
        self.log.notice(f"DB loaded from disk: {time.time() - t0:.3f} seconds")
