"""RDB persistence state of one engine: SAVE, BGSAVE (sliced snapshot), save points,
loading, the MISCONF write gate, and the INFO persistence fields.

The engine stays free of I/O scheduling: netserver sets ``scheduler(delay_s, fn)`` to run
the snapshot's slices on its loop.  Without a scheduler (an engine used in-process), a
BGSAVE runs to completion at once."""
from __future__ import annotations

import os
import time

from engine.commands import Flag
from engine.errors import RedisError

from .rdbio import RdbError
from .snapshot import Snapshot

SLICE_S = 0.002                      # work per slice; the loop serves clients in between
BGSAVE_RETRY_DELAY = 5               # CONFIG_BGSAVE_RETRY_DELAY
MISCONF = RedisError(
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
    "persist to disk. Commands that may modify the data set are disabled, because this "
    "instance is configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
    "the RDB error.")


class RdbState:
    def __init__(self, engine):
        self.engine = engine
        self.scheduler = None                 # netserver: fn(delay_s, callback)
        self.snapshot: Snapshot | None = None
        self.lastsave = int(engine.stats.started)     # the start time until a save
        self.last_bgsave_ok = True
        self.last_bgsave_time_sec = -1
        self.last_bgsave_try = 0
        self.bgsave_scheduled = False
        self.dirty_at_start = 0
        self.saves = 0
        self.loading = False
        self.loading_progress = 0.0
        self.last_load_keys_loaded = 0
        self.last_load_keys_expired = 0
        self.on_done = []                     # callbacks(ok) when a BGSAVE ends
        self.extra_guards: list = []          # more pre-write hooks (engine.persist.aof)
        self.shutdown_done = False
        engine.lastsave = self.lastsave       # info.lastsave / LASTSAVE read these
        engine.dirty_at_save = engine.dirty
        engine.save_progress = None           # 0..1 while a BGSAVE runs (the GUI shows it)
        for name in ("stop-writes-on-bgsave-error", "save"):
            engine.config.on_change(name, lambda _v: self.refresh_gate())

    # ---------------------------------------------------------------- paths
    def path(self) -> str:
        return os.path.join(self.engine.config["dir"], self.engine.config["dbfilename"])

    def tmp_path(self) -> str:
        return os.path.join(self.engine.config["dir"], f"temp-{os.getpid()}.rdb")

    @property
    def log(self):
        return self.engine.log

    # ---------------------------------------------------------------- gate
    def refresh_gate(self):
        """The pre-write hook: the snapshot's guard while one runs, the MISCONF check
        while writes are denied, else nothing (zero cost on the dispatcher)."""
        e = self.engine
        if self.snapshot is not None or self.extra_guards:
            e.snapshot_guard = self._guard
        elif self.writes_denied():
            e.snapshot_guard = self._deny
        else:
            e.snapshot_guard = None

    def writes_denied(self) -> bool:
        cfg = self.engine.config
        return (not self.last_bgsave_ok and cfg["stop-writes-on-bgsave-error"]
                and bool(cfg["save"]))

    def _deny(self, c, spec, argv):
        raise MISCONF

    def _guard(self, c, spec, argv):
        if self.writes_denied():
            raise MISCONF
        for g in self.extra_guards:           # AOF: MISCONF on write errors, rewrite guard
            g(c, spec, argv)
        snap = self.snapshot
        if snap is not None:
            snap.guard(c, spec, argv)

    def guard_blocked(self, c):
        """A blocked client served later (BLMOVE's destination) writes as its command."""
        g = self.engine.snapshot_guard
        if g is not None and c.cmd is not None and Flag.WRITE in c.cmd.flags:
            try:
                g(c, c.cmd, c.argv)
            except RedisError:
                pass

    def aof_rewriting(self) -> bool:
        """An AOF rewrite runs (Redis's other child process: no BGSAVE meanwhile)."""
        aof = getattr(self.engine, "aof", None)
        return aof is not None and aof.rewrite is not None

    # ---------------------------------------------------------------- SAVE
    def save(self) -> bool:
        """rdbSave: a foreground save; True on success (logs say why not)."""
        e = self.engine
        dirty = e.dirty
        try:
            snap = Snapshot(e, self.path(), self.tmp_path())
        except OSError as err:
            self._open_failed(err)
            return False
        snap.step(float("inf"))
        err = snap.error or snap.commit()
        if err is not None:
            self.log.warning(f"Write error saving DB on disk: {err}")
            return False
        self.log.notice("DB saved on disk")
        self._saved(dirty)
        self.last_bgsave_ok = True     # rdbSave resets the background status too
        self.refresh_gate()
        return True

    def _open_failed(self, err: OSError):
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = "unknown"
        self.log.warning(f"Failed opening the temp RDB file {os.path.basename(self.tmp_path())} "
                         f"(in server root dir {cwd}) for saving: {err.strerror}")

    def _saved(self, dirty_at: int):
        e = self.engine
        e.dirty_at_save = dirty_at
        self.lastsave = e.lastsave = int(time.time())
        self.saves += 1

    # ---------------------------------------------------------------- BGSAVE
    def bgsave(self) -> bool:
        """Start a background snapshot; False when it could not start."""
        e = self.engine
        self.last_bgsave_try = time.time()
        self.bgsave_scheduled = False
        try:
            snap = Snapshot(e, self.path(), self.tmp_path())
        except OSError as err:          # Redis's child fails the same way, after the reply
            self._open_failed(err)
            self.log.warning("Background saving error")
            self.last_bgsave_ok = False
            self.last_bgsave_time_sec = 0
            self.refresh_gate()
            return True
        self.snapshot = snap
        self.dirty_at_start = e.dirty
        e.save_progress = 0.0
        self.refresh_gate()
        self.log.notice("Background saving started (sliced snapshot, no fork)")
        if self.scheduler is None:
            self.run_to_end()
        else:
            self.scheduler(0, self._slice)
        return True

    def _slice(self):
        snap = self.snapshot
        if snap is None:
            return
        try:
            done = snap.step(SLICE_S)
        except Exception as err:               # never let the loop see it
            snap.error = repr(err)
            snap.abort()
            done = True
        self.engine.save_progress = snap.progress
        if not done:
            self.scheduler(0, self._slice)
            return
        if snap.error is not None:
            self._bg_done(snap, snap.error)
            return
        result = []
        snap.finish_async(result.append)
        self._wait_commit(snap, result)

    def _wait_commit(self, snap, result):
        if result:
            self._bg_done(snap, result[0])
        else:
            self.scheduler(0.001, lambda: self._wait_commit(snap, result))

    def run_to_end(self):
        """Finish a running BGSAVE synchronously (DEBUG RELOAD, SHUTDOWN, no loop)."""
        snap = self.snapshot
        if snap is None:
            return
        if snap._thread is not None:
            snap._thread.join()
            return                   # the pending _wait_commit reports the outcome
        snap.step(float("inf"))
        err = snap.error or snap.commit()
        self._bg_done(snap, err)

    def abort_bgsave(self):
        snap = self.snapshot
        if snap is None:
            return
        if snap._thread is not None:
            snap._thread.join()
        else:
            snap.abort()
        self.snapshot = None
        self.engine.save_progress = None
        self.log.warning("Background saving aborted")
        self.refresh_gate()

    def _bg_done(self, snap, err):
        if self.snapshot is not snap:
            return
        self.snapshot = None
        e = self.engine
        e.save_progress = None
        self.last_bgsave_time_sec = int(time.time() - snap.started)
        if err is None:
            self.log.notice("DB saved on disk")
            self.log.notice("Background saving terminated with success")
            self._saved(self.dirty_at_start)
            self.last_bgsave_ok = True
        else:
            self.log.warning(f"Write error saving DB on disk: {err}")
            self.log.warning("Background saving error")
            self.last_bgsave_ok = False
        self.refresh_gate()
        for fn in list(self.on_done):
            fn(err is None)

    def after_flushall(self):
        """flushAllDataAndResetRDB: a running BGSAVE is stopped and, with save points,
        the (now empty) dataset is saved at once.  Only with a server attached: an
        engine used as a library never writes files on its own."""
        if self.snapshot is not None:
            self.abort_bgsave()
        if self.engine.config["save"] and self.scheduler is not None:
            self.save()

    # ---------------------------------------------------------------- shutdown
    def prepare_shutdown(self, save, force: bool = False) -> bool:
        """prepareForShutdown's RDB part: stop a running BGSAVE, then save when asked
        (SAVE) or when save points exist (no option).  False: could not save."""
        if self.shutdown_done:
            return True
        if self.snapshot is not None:
            self.log.warning("There is a child saving an .rdb. Killing it!")
            self.abort_bgsave()
        if save is True or (save is None and self.engine.config["save"]):
            self.log.notice("Saving the final RDB snapshot before exiting.")
            if not self.save():
                if not force:
                    self.log.warning("Error trying to save the DB, can't exit.")
                    return False
                self.log.warning("Error trying to save the DB. Exit anyway.")
        self.shutdown_done = True
        return True

    # ---------------------------------------------------------------- save points
    def cron(self):
        """serverCron's part: scheduled BGSAVE, then the save points."""
        if self.snapshot is not None or self.loading or self.aof_rewriting():
            return
        if self.bgsave_scheduled:
            self.bgsave()
            return
        e = self.engine
        now = time.time()
        changes = e.dirty - e.dirty_at_save
        for seconds, needed in e.config["save"]:
            if changes >= needed and now - self.lastsave > seconds and (
                    now - self.last_bgsave_try > BGSAVE_RETRY_DELAY or self.last_bgsave_ok):
                self.log.notice(f"{changes} changes in {seconds} seconds. Saving...")
                self.bgsave()
                return

    # ---------------------------------------------------------------- loading
    def load_file(self, path: str, flush: bool = False) -> bool:
        """Load an RDB file into the databases; False when there is none.  Raises
        RdbError (message names the file and offset) when it is damaged."""
        from .rdb_read import load_rdb
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return False
        e = self.engine
        if flush:
            for db in e.dbs:
                db.clear()
            if e.functions is not None:
                e.functions.flush()
        self.loading = True
        try:
            e.update_time()
            res = load_rdb(data, e, e.now_ms, checksum=e.config["rdbchecksum"])
        except RdbError as err:
            raise RdbError(f"{err} (file {os.path.abspath(path)}, {len(data)} bytes)") from None
        finally:
            self.loading = False
        self.last_load_keys_loaded = res.keys_loaded
        self.last_load_keys_expired = res.keys_expired
        e.dirty_at_save = e.dirty
        return True

    # ---------------------------------------------------------------- INFO
    def info_fields(self) -> list:
        e = self.engine
        snap = self.snapshot
        cur = int(time.time() - snap.started) if snap is not None else -1
        return [
            ("loading", int(self.loading)),
            ("async_loading", 0),
            ("current_cow_peak", 0),
            ("current_cow_size", 0),
            ("current_cow_size_age", 0),
            ("current_fork_perc", "%.2f" % (100 * snap.progress) if snap else "0.00"),
            ("current_save_keys_processed", snap.done if snap else 0),
            ("current_save_keys_total", snap.total if snap else 0),
            ("rdb_changes_since_last_save", e.dirty - e.dirty_at_save),
            ("rdb_bgsave_in_progress", int(snap is not None)),
            ("rdb_last_save_time", self.lastsave),
            ("rdb_last_bgsave_status", "ok" if self.last_bgsave_ok else "err"),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_time_sec),
            ("rdb_current_bgsave_time_sec", cur),
            ("rdb_saves", self.saves),
            ("rdb_last_cow_size", 0),
            ("rdb_last_load_keys_expired", self.last_load_keys_expired),
            ("rdb_last_load_keys_loaded", self.last_load_keys_loaded),
        ]


def rdb_state(engine) -> RdbState:
    st = getattr(engine, "rdb", None)
    if st is None:
        st = engine.rdb = RdbState(engine)
    return st


def rdb_info_fields(engine) -> list:
    """INFO persistence's loading/rdb_* fields (engine.cmds.info calls this)."""
    return rdb_state(engine).info_fields()
