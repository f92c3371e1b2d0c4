"""The append-only file of one engine, as Redis 7.0 keeps it (aof.c).

Feeding: ``feed`` is one of ``engine.propagators``; every write arrives in its
deterministic form and is appended, RESP-encoded, to a buffer (SELECT when the database
changes, ``#TS:`` annotations with aof-timestamp-enabled).  The buffer is written once
per event-loop iteration (``flush``, scheduled on the first feed of the iteration), the
way Redis writes it in beforeSleep.  Replies that leave while the buffer holds data are
held (``hold``, netserver's protocol calls it) and sent after the write -- and, with
``appendfsync always``, after the fsync -- so a client never sees a reply to (or the
effect of) a write that is not yet in the file.  ``everysec`` fsyncs in a background
thread once a second; a write waits up to 2 s for a slow fsync, then goes anyway
(aof_delayed_fsync).  ``no`` leaves fsync to the OS.

Files: multi-part AOF in ``dir/appenddirname`` (engine.persist.aof_manifest).
BGREWRITEAOF opens a new incr file at once, writes a new base from a point-in-time
snapshot (the RDB snapshot's slices and pre-write guard, no fork), then swaps the
manifest and deletes the history files.  CONFIG SET appendonly yes starts a rewrite
(writes meanwhile go to a temp incr file, renamed in when the base is done); appendonly
no flushes, fsyncs and closes.

The engine stays free of loop scheduling: netserver sets ``scheduler(delay_s, fn)``.
"""
from __future__ import annotations

import os
import queue
import threading
import time

from engine.errors import RedisError

from . import aof_load as L
from .aof_manifest import (AOF_SUFFIX, INCR_SUFFIX, MANIFEST_SUFFIX, TEMP_PREFIX, Manifest,
                           ManifestError, write_manifest)

OFF, ON, WAIT_REWRITE = 0, 1, 2
SLICE_S = 0.002                   # rewrite work per slice; clients are served in between
WRITE_LOG_ERROR_RATE = 30         # AOF_WRITE_LOG_ERROR_RATE
REWRITE_LIMIT_THRESHOLD = 3       # AOF_REWRITE_LIMITE_THRESHOLD
REWRITE_LIMIT_MAX_MINUTES = 60
_fdatasync = getattr(os, "fdatasync", os.fsync)


class AofFatal(Exception):
    """Redis would exit(1) here (a failed load at start): the log says why."""


class _Bio:
    """One background thread for AOF fsync / fsync+close / unlink jobs, in order
    (Redis's bio threads).  ``fsync_pending`` counts queued fsync jobs."""

    def __init__(self, on_error):
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.fsync_pending = 0
        self.jobs = 0
        self.idle = threading.Condition(self.lock)
        self.on_error = on_error
        self.thread = None

    def _submit(self, job):
        with self.lock:
            self.jobs += 1
            if job[0] == "fsync":
                self.fsync_pending += 1
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, name="aof-bio", daemon=True)
            self.thread.start()
        self.q.put(job)

    def fsync(self, fd: int):
        self._submit(("fsync", fd))

    def close(self, fd: int):
        self._submit(("close", fd))

    def unlink(self, path: str):
        self._submit(("unlink", path))

    def _work(self):
        while True:
            kind, arg = self.q.get()
            try:
                if kind == "fsync":
                    _fdatasync(arg)
                elif kind == "close":
                    try:
                        _fdatasync(arg)
                    finally:
                        os.close(arg)
                else:
                    os.unlink(arg)
            except OSError as e:
                if kind != "unlink":
                    self.on_error(e)
            finally:
                with self.lock:
                    self.jobs -= 1
                    if kind == "fsync":
                        self.fsync_pending -= 1
                    if not self.jobs:
                        self.idle.notify_all()

    def drain(self):
        with self.lock:
            while self.jobs:
                self.idle.wait()


class AofState:
    def __init__(self, engine):
        self.engine = engine
        cfg = engine.config
        self.state = ON if cfg["appendonly"] else OFF
        self.scheduler = None                 # netserver: fn(delay_s, callback)
        self.fd = -1
        self.buf = bytearray()
        self.selected_db = -1
        self.cur_ts = 0
        self.manifest = Manifest()
        self.current_size = 0
        self.last_incr_size = 0
        self.rewrite_base_size = 0
        self.fsync_offset = 0
        self.last_fsync = int(time.time())
        self.flush_postponed_start = 0
        self.delayed_fsync = 0
        self.last_write_ok = True
        self.last_write_errno = ""
        self._last_write_error_log = 0
        self.bio_error = None                 # strerror of a failed background fsync
        self.bio = _Bio(self._bio_failed)
        self.rewrite = None                   # the running rewrite's Snapshot
        self._commit_result: list = []        # its fsync+rename thread's outcome
        self.rewrite_tmp = ""
        self.rewrite_scheduled = False
        self.rewrite_time_start = -1.0
        self.rewrite_time_last = -1
        self.last_bgrewrite_ok = True
        self.rewrites = 0
        self.consecutive_failures = 0
        self._limit_delay_min = 0
        self._limit_next = 0
        self.holders: list = []               # connections whose replies wait for a write
        self.flush_scheduled = False
        self.loading = False
        self.ts_enabled = cfg["aof-timestamp-enabled"]
        cfg.on_change("appendonly", self._on_appendonly)
        cfg.on_change("aof-timestamp-enabled", lambda v: setattr(self, "ts_enabled", v))

    # ---------------------------------------------------------------- paths
    @property
    def log(self):
        return self.engine.log

    @property
    def filename(self) -> str:
        return self.engine.config["appendfilename"]

    @property
    def dirpath(self) -> str:
        return os.path.join(self.engine.config["dir"], self.engine.config["appenddirname"])

    def path(self, name: str) -> str:
        return os.path.join(self.dirpath, name)

    def _temp_incr_name(self) -> str:
        return f"{TEMP_PREFIX}{self.filename}{INCR_SUFFIX}"

    # ---------------------------------------------------------------- feeding
    def feed(self, dbid: int, argv: list):
        """feedAppendOnlyFile (a propagator)."""
        if self.state != ON and self.rewrite is None:
            return                  # AOF_WAIT_REWRITE before its rewrite started
        buf = self.buf
        if self.ts_enabled:
            now = self.engine.now_ms // 1000
            if self.cur_ts < now:
                self.cur_ts = now
                buf += b"#TS:%d\r\n" % now
        if dbid != self.selected_db:
            d = b"%d" % dbid
            buf += b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n" % (len(d), d)
            self.selected_db = dbid
        try:
            if len(argv) == 3:
                a, b, c = argv
                buf += b"*3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                    len(a), a, len(b), b, len(c), c)
            else:
                buf += b"*%d\r\n" % len(argv)
                for a in argv:
                    buf += b"$%d\r\n%s\r\n" % (len(a), a)
        except TypeError:           # a non-bytes argument (an int): its decimal form
            argv = [a if isinstance(a, (bytes, bytearray)) else str(a).encode()
                    for a in argv]
            buf += b"*%d\r\n" % len(argv)
            for a in argv:
                buf += b"$%d\r\n%s\r\n" % (len(a), a)
        if not self.flush_scheduled:
            self._schedule_flush()

    def _schedule_flush(self):
        if self.scheduler is not None:
            self.flush_scheduled = True
            self.scheduler(0, self._flush_cb)
        else:                       # no loop (an in-process engine): write at once
            self.flush(False)

    def hold(self, proto, payload) -> bool:
        """netserver: keep this reply until the buffer is written (True = kept).  A
        connection with held replies keeps queueing so its replies stay in order."""
        held = proto.held
        if held is not None:
            held.append(payload)
            return True
        if not self.buf:
            return False
        proto.held = [payload]
        self.holders.append(proto)
        if not self.flush_scheduled:
            self._schedule_flush()
        return True

    def _flush_cb(self):
        self.flush_scheduled = False
        try:
            self.flush(False)
        except Exception:
            self.engine.log_exception("AOF flush failed")
        finally:
            self.release()

    def release(self):
        """Send the held replies (after the write, or a postponed one)."""
        holders, self.holders = self.holders, []
        for proto in holders:
            try:
                proto.release_held()
            except Exception:
                self.engine.log_exception("releasing held replies failed")

    # ---------------------------------------------------------------- writing
    def fsync_in_progress(self) -> bool:
        return self.bio.fsync_pending > 0

    def _child_active(self) -> bool:
        rdb = getattr(self.engine, "rdb", None)
        return self.rewrite is not None or (rdb is not None and rdb.snapshot is not None)

    def flush(self, force: bool):
        """flushAppendOnlyFile."""
        if self.fd < 0:
            return
        cfg = self.engine.config
        policy = cfg["appendfsync"]
        now = int(time.time())
        sync_in_progress = False
        if not self.buf:
            # everysec: fsync what earlier writes left, even without new data
            if (policy == "everysec" and self.fsync_offset != self.current_size
                    and now > self.last_fsync and not self.fsync_in_progress()):
                self._try_fsync(policy, now, False)
            return
        if policy == "everysec":
            sync_in_progress = self.fsync_in_progress()
            if sync_in_progress and not force:
                if not self.flush_postponed_start:
                    self.flush_postponed_start = now
                    return
                if now - self.flush_postponed_start < 2:
                    return
                self.delayed_fsync += 1
                self.log.notice("Asynchronous AOF fsync is taking too long (disk is busy?). "
                                "Writing the AOF buffer without waiting for fsync to "
                                "complete, this may slow down Redis.")
        t0 = time.perf_counter()
        written, err = self._write_all(self.buf)
        ms = int((time.perf_counter() - t0) * 1000)
        if ms:
            lat = self.engine.latency
            threshold = self.engine.latency_threshold
            if threshold and ms >= threshold:
                lat.add("aof-write-pending-fsync" if sync_in_progress else "aof-write-alone", ms)
                lat.add("aof-write", ms)
        self.flush_postponed_start = 0
        if written != len(self.buf):
            self._write_failed(written, err, policy, now)
            return
        if not self.last_write_ok:
            self.log.warning("AOF write error looks solved, Redis can write again.")
            self.last_write_ok = True
            self._refresh_gate()
        self.current_size += written
        self.last_incr_size += written
        self.buf = bytearray()
        self._try_fsync(policy, now, sync_in_progress)

    def _write_all(self, data) -> tuple[int, OSError | None]:
        """aofWrite: retry short writes; (bytes written, error)."""
        mv = memoryview(data)
        total = 0
        try:
            while total < len(mv):
                n = os.write(self.fd, mv[total:])
                if n <= 0:
                    break
                total += n
        except InterruptedError:
            pass
        except OSError as e:
            return total, e
        finally:
            mv.release()
        return total, None

    def _write_failed(self, written: int, err, policy: str, now: int):
        can_log = now - self._last_write_error_log > WRITE_LOG_ERROR_RATE
        if can_log:
            self._last_write_error_log = now
        if written == 0 and err is not None:
            if can_log:
                self.log.warning(f"Error writing to the AOF file: {err.strerror}")
            self.last_write_errno = err.strerror or str(err)
        else:
            if can_log:
                self.log.warning(f"Short write while writing to the AOF file: (nwritten="
                                 f"{written}, expected={len(self.buf)})")
            try:
                os.ftruncate(self.fd, self.last_incr_size)
                written = 0                     # the partial data is gone again
            except OSError as e:
                if can_log:
                    self.log.warning("Could not remove short write from the append-only "
                                     "file.  Redis may refuse to load the AOF the next "
                                     f"time it starts.  ftruncate: {e.strerror}")
            self.last_write_errno = "No space left on device"
        if policy == "always":
            self.log.warning("Can't recover from AOF write error when the AOF fsync policy "
                             "is 'always'. Exiting...")
            os._exit(1)
        self.last_write_ok = False
        self._refresh_gate()
        if written > 0:
            self.current_size += written
            self.last_incr_size += written
            del self.buf[:written]

    def _try_fsync(self, policy: str, now: int, sync_in_progress: bool):
        cfg = self.engine.config
        if cfg["no-appendfsync-on-rewrite"] and self._child_active():
            return
        if policy == "always":
            t0 = time.perf_counter()
            try:
                _fdatasync(self.fd)
            except OSError as e:
                self.log.warning("Can't persist AOF for fsync error when the AOF fsync "
                                 f"policy is 'always': {e.strerror}. Exiting...")
                os._exit(1)
            ms = int((time.perf_counter() - t0) * 1000)
            threshold = self.engine.latency_threshold
            if threshold and ms >= threshold:
                self.engine.latency.add("aof-fsync-always", ms)
            self.fsync_offset = self.current_size
            self.last_fsync = now
        elif policy == "everysec" and now > self.last_fsync:
            if not sync_in_progress:
                self.bio.fsync(self.fd)
                self.fsync_offset = self.current_size
            self.last_fsync = now

    def _bio_failed(self, e: OSError):           # in the bio thread
        self.bio_error = e.strerror or str(e)
        if self.scheduler is not None:
            self.scheduler(0, self._bio_failed_main)

    def _bio_failed_main(self):
        self.log.warning(f"Fail to fsync the AOF file: {self.bio_error}.")
        self._refresh_gate()

    # ---------------------------------------------------------------- write gate
    def _refresh_gate(self):
        """Writes are refused (MISCONF) after a failed write/fsync; the rewrite's
        snapshot guards pre-write values: both through the RDB state's pre-write hook."""
        from .state import rdb_state
        rdb = rdb_state(self.engine)
        guards = rdb.extra_guards
        for g in (self._deny, self._guard):
            if g in guards:
                guards.remove(g)
        if self.state != OFF and (not self.last_write_ok or self.bio_error):
            guards.append(self._deny)
        if self.rewrite is not None:
            guards.append(self._guard)
        rdb.refresh_gate()

    def _deny(self, c, spec, argv):
        if c.is_script:
            return
        err = self.last_write_errno if not self.last_write_ok else self.bio_error
        raise RedisError(f"MISCONF Errors writing to the AOF file: {err}")

    def _guard(self, c, spec, argv):
        snap = self.rewrite
        if snap is not None:
            snap.guard(c, spec, argv)

    # ---------------------------------------------------------------- incr files
    def open_new_incr(self) -> bool:
        """openNewIncrAofForAppend."""
        if self.state == OFF:
            return True
        temp_am = None
        if self.state == WAIT_REWRITE:
            name = self._temp_incr_name()
        else:
            temp_am = self.manifest.dup()
            name = temp_am.new_incr(self.filename)
        try:
            fd = os.open(self.path(name), os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
        except OSError as e:
            self.log.warning(f"Can't open the append-only file {name}: {e.strerror}")
            return False
        if temp_am is not None:
            err = write_manifest(self.dirpath, self.filename, temp_am)
            if err is not None:
                self.log.warning(err)
                os.close(fd)
                return False
        self.log.notice(f"Creating AOF incr file {name} on background rewrite")
        if self.fd >= 0:
            self.bio.close(self.fd)
            self.fsync_offset = self.current_size
            self.last_fsync = int(time.time())
        self.fd = fd
        self.last_incr_size = 0
        if temp_am is not None:
            self.manifest = temp_am
        return True

    # ---------------------------------------------------------------- rewrite
    def rewrite_limited(self) -> bool:
        """aofRewriteLimited: after 3 failures in a row, wait 1, 2, 4 ... 60 minutes."""
        if self.consecutive_failures < REWRITE_LIMIT_THRESHOLD:
            self._limit_delay_min = self._limit_next = 0
            return False
        now = time.time()
        if self._limit_next:
            if now < self._limit_next:
                return True
            self._limit_next = 0
            return False
        self._limit_delay_min = min(REWRITE_LIMIT_MAX_MINUTES,
                                    self._limit_delay_min * 2 if self._limit_delay_min else 1)
        self._limit_next = now + self._limit_delay_min * 60
        self.log.warning("Background AOF rewrite has repeatedly failed and triggered the "
                         f"limit, will retry in {self._limit_delay_min} minutes")
        return True

    def rewrite_background(self) -> bool:
        """rewriteAppendOnlyFileBackground; False when it could not start."""
        if self._child_active():
            return False
        try:
            os.makedirs(self.dirpath, exist_ok=True)
        except OSError as e:
            self.log.warning(f"Can't open or create append-only dir "
                             f"{self.engine.config['appenddirname']}: {e.strerror}")
            self.last_bgrewrite_ok = False
            return False
        self.selected_db = -1
        self.flush(True)
        if not self.open_new_incr():
            self.last_bgrewrite_ok = False
            return False
        self.rewrites += 1
        self.rewrite_time_start = time.time()
        self.rewrite_scheduled = False
        tmp = os.path.join(self.engine.config["dir"], f"temp-rewriteaof-bg-{os.getpid()}.aof")
        self.rewrite_tmp = tmp
        try:
            snap = self._new_snapshot(tmp)
        except OSError as e:            # Redis's child fails the same way, after the reply
            self.log.warning("Opening the temp file for AOF rewrite in "
                             f"rewriteAppendOnlyFile(): {e.strerror}")
            self.log.notice("Background append only file rewriting started (sliced "
                            "snapshot, no fork)")
            self._rewrite_failed("Background AOF rewrite terminated with error")
            return True
        self.rewrite = snap
        self._refresh_gate()
        self.log.notice("Background append only file rewriting started (sliced snapshot, "
                        "no fork)")
        if self.scheduler is None:
            self._rewrite_to_end()
        else:
            self.scheduler(0, self._rewrite_slice)
        return True

    def _new_snapshot(self, tmp: str):
        if self.engine.config["aof-use-rdb-preamble"]:
            from .snapshot import Snapshot
            return Snapshot(self.engine, tmp, tmp, aof_base=True)
        from .aof_rewrite import AofSnapshot
        return AofSnapshot(self.engine, tmp, tmp)

    def _rewrite_slice(self):
        snap = self.rewrite
        if snap is None:
            return
        try:
            done = snap.step(SLICE_S)
        except Exception as e:
            snap.error = repr(e)
            snap.abort()
            done = True
        if not done:
            self.scheduler(0, self._rewrite_slice)
            return
        if snap.error is not None:
            self._rewrite_done(snap, snap.error)
            return
        result: list = []
        self._commit_result = result
        snap.finish_async(result.append)
        self._wait_commit(snap, result)

    def _wait_commit(self, snap, result):
        if result:
            self._rewrite_done(snap, result[0])
        else:
            self.scheduler(0.001, lambda: self._wait_commit(snap, result))

    def _rewrite_to_end(self):
        snap = self.rewrite
        if snap is None:
            return
        if snap._thread is not None:
            snap._thread.join()
            result = self._commit_result
            self._rewrite_done(snap, result[0] if result else "the fsync thread failed")
            return                  # (the pending _wait_commit then finds it done)
        snap.step(float("inf"))
        self._rewrite_done(snap, snap.error or snap.commit())

    def _rewrite_done(self, snap, err):
        """backgroundRewriteDoneHandler."""
        if self.rewrite is not snap:
            return
        self.rewrite = None
        self._refresh_gate()
        if err is not None:
            self.log.warning(f"Write error writing append only file on disk: {err}")
            self._rewrite_failed("Background AOF rewrite terminated with error")
            return
        self.log.notice("Background AOF rewrite terminated with success")
        tmpname = os.path.basename(self.rewrite_tmp)
        temp_am = self.manifest.dup()
        new_base = temp_am.new_base(self.filename, self.engine.config["aof-use-rdb-preamble"])
        base_path = self.path(new_base)
        try:
            os.rename(self.rewrite_tmp, base_path)
        except OSError as e:
            self.log.warning(f"Error trying to rename the temporary AOF base file {tmpname} "
                             f"into {base_path}: {e.strerror}")
            self._rewrite_failed(None)
            return
        self.log.notice(f"Successfully renamed the temporary AOF base file {tmpname} into "
                        f"{new_base}")
        new_incr_path = None
        if self.state == WAIT_REWRITE:
            temp_incr = self._temp_incr_name()
            new_incr = temp_am.new_incr(self.filename)
            new_incr_path = self.path(new_incr)
            try:
                os.rename(self.path(temp_incr), new_incr_path)
            except OSError as e:
                self.log.warning(f"Error trying to rename the temporary AOF incr file "
                                 f"{self.path(temp_incr)} into {new_incr_path}: {e.strerror}")
                self.bio.unlink(base_path)
                self._rewrite_failed(None)
                return
            self.log.notice(f"Successfully renamed the temporary AOF incr file {temp_incr} "
                            f"into {new_incr}")
        temp_am.mark_rewritten_incr_as_history(self.fd >= 0)
        err = write_manifest(self.dirpath, self.filename, temp_am)
        if err is not None:
            self.log.warning(err)
            self.bio.unlink(base_path)
            if new_incr_path:
                self.bio.unlink(new_incr_path)
            self._rewrite_failed(None)
            return
        self.manifest = temp_am
        if self.fd >= 0:
            self.selected_db = -1
            self.current_size = _size(base_path) + self.last_incr_size
            self.rewrite_base_size = self.current_size
            self.fsync_offset = self.current_size
            self.last_fsync = int(time.time())
        self.del_history_files()
        self.last_bgrewrite_ok = True
        self.consecutive_failures = 0
        self.log.notice("Background AOF rewrite finished successfully")
        if self.state == WAIT_REWRITE:
            self.state = ON
        self._rewrite_cleanup()

    def _rewrite_failed(self, msg: str | None):
        self.last_bgrewrite_ok = False
        self.consecutive_failures += 1
        if msg:
            self.log.warning(msg)
        self._rewrite_cleanup()

    def _rewrite_cleanup(self):
        self._remove_temp_rewrite()
        if self.state == WAIT_REWRITE:
            self.buf = bytearray()
            name = self._temp_incr_name()
            self.log.notice(f"Removing the temp incr aof file {name} in the background")
            self.bio.unlink(self.path(name))
        if self.rewrite_time_start >= 0:
            self.rewrite_time_last = int(time.time() - self.rewrite_time_start)
        self.rewrite_time_start = -1
        if self.state == WAIT_REWRITE:
            self.rewrite_scheduled = True

    def _remove_temp_rewrite(self):
        if self.rewrite_tmp:
            try:
                os.unlink(self.rewrite_tmp)
            except OSError:
                pass

    def kill_rewrite(self):
        """killAppendOnlyChild."""
        snap = self.rewrite
        if snap is None:
            return
        self.log.notice(f"Killing running AOF rewrite child: {os.getpid()}")
        if snap._thread is not None:
            snap._thread.join()
        else:
            snap.abort()
        self.rewrite = None
        self._refresh_gate()
        self._remove_temp_rewrite()
        self.rewrite_time_start = -1

    def del_history_files(self):
        """aofDelHistoryFiles."""
        am = self.manifest
        if self.engine.config["aof-disable-auto-gc"] or not am.history:
            return
        for ai in am.history:
            self.log.notice(f"Removing the history file {ai.name} in the background")
            self.bio.unlink(self.path(ai.name))
        am.history = []
        am.dirty = True
        err = write_manifest(self.dirpath, self.filename, am)
        if err is not None:
            self.log.warning(err)

    # ---------------------------------------------------------------- on / off
    def _on_appendonly(self, value):
        """CONFIG SET appendonly (updateAppendonly)."""
        from engine.config import ConfigError
        if not value and self.state != OFF:
            self.stop()
        elif value and self.state == OFF:
            if not self.start():
                raise ConfigError("Unable to turn on AOF. Check server logs.")

    def start(self) -> bool:
        """startAppendOnly: WAIT_REWRITE until a rewrite made the base."""
        self.state = WAIT_REWRITE
        if self._child_active() and self.rewrite is None:
            self.rewrite_scheduled = True
            self.log.warning("AOF was enabled but there is already another background "
                             "operation. An AOF background was scheduled to start when "
                             "possible.")
        elif self.engine.exec_buffer is not None:
            self.rewrite_scheduled = True
            self.log.warning("AOF was enabled during a transaction. An AOF background was "
                             "scheduled to start when possible.")
        else:
            if self.rewrite is not None:
                self.log.warning("AOF was enabled but there is already an AOF rewriting in "
                                 "background. Stopping background AOF and starting a "
                                 "rewrite now.")
                self.kill_rewrite()
            if not self.rewrite_background():
                self.state = OFF
                self.log.warning("Redis needs to enable the AOF but can't trigger a "
                                 "background AOF rewrite operation. Check the above logs "
                                 "for more info about the error.")
                return False
        self._install()
        self.last_fsync = int(time.time())
        if self.bio_error:
            self.log.warning("AOF reopen, just ignore the AOF fsync error in bio job")
            self.bio_error = None
        if not self.last_write_ok:
            self.log.warning("AOF reopen, just ignore the last error.")
            self.last_write_ok = True
        self._refresh_gate()
        return True

    def stop(self):
        """stopAppendOnly."""
        self.flush(True)
        if self.fd >= 0:
            self.bio.drain()
            try:
                _fdatasync(self.fd)
                self.fsync_offset = self.current_size
                self.last_fsync = int(time.time())
            except OSError as e:
                self.log.warning(f"Fail to fsync the AOF file: {e.strerror}")
            os.close(self.fd)
        self.fd = -1
        self.selected_db = -1
        self.state = OFF
        self.rewrite_scheduled = False
        self.last_incr_size = 0
        self.kill_rewrite()
        self.buf = bytearray()
        self._uninstall()
        self.release()
        self._refresh_gate()

    def _install(self):
        e = self.engine
        if self.feed not in e.propagators:
            e.propagators.append(self.feed)
        if self.scheduler is not None:
            e.reply_hold = self.hold

    def _uninstall(self):
        e = self.engine
        if self.feed in e.propagators:
            e.propagators.remove(self.feed)
        e.reply_hold = None

    # ---------------------------------------------------------------- cron
    def cron(self):
        """serverCron's AOF part (every 100 ms)."""
        if self.loading:
            return
        if (self.rewrite_scheduled and not self._child_active()
                and not self.rewrite_limited()):
            self.rewrite_background()
        cfg = self.engine.config
        perc = cfg["auto-aof-rewrite-percentage"]
        if (self.state == ON and not self._child_active() and perc
                and self.current_size > cfg["auto-aof-rewrite-min-size"]):
            base = self.rewrite_base_size or 1
            growth = self.current_size * 100 // base - 100
            if growth >= perc and not self.rewrite_limited():
                self.log.notice(f"Starting automatic rewriting of AOF on {growth}% growth")
                self.rewrite_background()
        if self.state != OFF and self.fd >= 0:
            try:
                self.flush(False)      # postponed writes, write errors, idle everysec fsync
            finally:
                self.release()

    # ---------------------------------------------------------------- shutdown
    def prepare_shutdown(self):
        """prepareForShutdown's AOF part.  The initial rewrite of CONFIG SET appendonly
        yes is finished first (Redis refuses to exit then, or exits losing the data
        with SHUTDOWN FORCE; an in-process rewrite can simply complete)."""
        if self.rewrite is not None and self.state == WAIT_REWRITE:
            self.log.warning("Writing initial AOF, finishing it before exit.")
            self._rewrite_to_end()
        if self.rewrite is not None:
            self.log.warning("There is a child rewriting the AOF. Killing it!")
            self.kill_rewrite()
        if self.state != OFF and self.fd >= 0:
            self.flush(True)
            self.log.notice("Calling fsync() on the AOF file.")
            self.bio.drain()
            try:
                _fdatasync(self.fd)
            except OSError:
                pass
            self.release()

    # ---------------------------------------------------------------- start-up
    def load_manifest_from_disk(self):
        """aofLoadManifestFromDisk (at start, whatever appendonly says): a broken
        manifest stops the start (AofFatal) with Redis's messages in the log."""
        self.manifest = Manifest()
        path = self.path(self.filename + MANIFEST_SUFFIX)
        if not os.path.isdir(self.dirpath) or not os.path.exists(path):
            return
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError as e:
            self.log.warning(f"Fatal error: can't open the AOF manifest file {path} for "
                             f"reading: {e.strerror}")
            raise AofFatal(path) from None
        try:
            self.manifest = Manifest.parse(text)
        except ManifestError as e:
            self.log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n")
            if e.line is not None:
                self.log.warning(f"Reading the manifest file, at line {e.linenum}\n")
                self.log.warning(f">>> '{e.line}'\n")
            self.log.warning(f"{e.msg}\n")
            raise AofFatal(e.msg) from None

    def _upgrade_prepare(self):
        """aofUpgradePrepare: move an old single appendonly.aof into the directory."""
        am = self.manifest
        try:
            os.makedirs(self.dirpath, exist_ok=True)
        except OSError as e:
            self.log.warning(f"Can't open or create append-only dir "
                             f"{self.engine.config['appenddirname']}: {e.strerror}")
            raise AofFatal("mkdir") from None
        from .aof_manifest import BASE, AofInfo
        am.base = AofInfo(self.filename, 1, BASE)
        am.base_seq = 1
        am.dirty = True
        err = write_manifest(self.dirpath, self.filename, am)
        if err is not None:
            self.log.warning(err)
            raise AofFatal(err)
        old = os.path.join(self.engine.config["dir"], self.filename)
        try:
            os.rename(old, self.path(self.filename))
        except OSError as e:
            self.log.warning(f"Error trying to move the old AOF file {self.filename} into "
                             f"dir {self.engine.config['appenddirname']}: {e.strerror}")
            raise AofFatal("rename") from None
        self.log.notice(f"Successfully migrated an old-style AOF file ({self.filename}) "
                        f"into the AOF directory ({self.engine.config['appenddirname']}).")

    def load(self) -> int:
        """loadAppendOnlyFiles: base then incr files; returns an aof_load status."""
        am = self.manifest
        old = os.path.join(self.engine.config["dir"], self.filename)
        if os.path.isfile(old):
            if (not os.path.isdir(self.dirpath)
                    or (am.base is None and not am.incr)
                    or (am.base is not None and not am.incr
                        and am.base.name == self.filename
                        and not os.path.exists(self.path(self.filename)))):
                self._upgrade_prepare()
        if am.base is None and not am.incr:
            return L.NOT_EXIST
        files = am.files()
        total = 0
        for ai in files:
            try:
                total += os.stat(self.path(ai.name)).st_size
            except OSError as e:
                self.log.warning(f"Unable to obtain the AOF file {ai.name} length. stat: "
                                 f"{e.strerror}")
                return L.FAILED
        if total == 0:
            return L.EMPTY
        e = self.engine
        rdb = getattr(e, "rdb", None)
        saved_props = e.propagators
        clocks = [db._clock for db in e.dbs]
        e.propagators = []              # nothing loaded is propagated (AOF is off meanwhile)
        for db in e.dbs:
            db._clock = _never          # keys do not expire while loading (keyIsExpired)
        self.loading = True
        if rdb is not None:
            rdb.loading = True
        ret = L.OK
        base_size = 0
        try:
            e.update_time()
            for n, ai in enumerate(files, 1):
                last = n == len(files)
                kind = "base" if ai is am.base else "incr"
                path = self.path(ai.name)
                if ai is am.base:
                    base_size = _size(path)
                t0 = time.time()
                res = L.load_file(e, path, ai.name, ai.name == self.filename, self.log)
                ret = res.status
                if ret == L.TRUNCATED:
                    ret = self._truncated(path, ai.name, res.truncated_at)
                if ret == L.OK or (ret == L.TRUNCATED and last):
                    self.log.notice(f"DB loaded from {kind} file {ai.name}: "
                                    f"{time.time() - t0:.3f} seconds")
                if ret == L.EMPTY and kind == "incr":
                    ret = L.OK
                if ret == L.TRUNCATED and not last:
                    ret = L.FAILED
                    self.log.warning("Fatal error: the truncated file is not the last file")
                if ret in (L.OPEN_ERR, L.FAILED):
                    return ret
        finally:
            e.propagators = saved_props
            for db, clk in zip(e.dbs, clocks):
                db._clock = clk
            self.loading = False
            if rdb is not None:
                rdb.loading = False
        self.current_size = sum(_size(self.path(ai.name)) for ai in files)
        self.rewrite_base_size = base_size
        self.fsync_offset = self.current_size
        return ret

    def _truncated(self, path: str, name: str, offset: int) -> int:
        if self.engine.config["aof-load-truncated"]:
            self.log.warning(f"!!! Warning: short read while loading the AOF file {name}!!!")
            self.log.warning(f"!!! Truncating the AOF {name} at offset {offset} !!!")
            try:
                os.truncate(path, offset)
            except OSError as e:
                self.log.warning(f"Error truncating the AOF file {name}: {e.strerror}")
            else:
                self.log.warning(f"AOF {name} loaded anyway because aof-load-truncated is "
                                 "enabled")
                return L.TRUNCATED
        self.log.warning(f"AOF {name} ends inside a command: the last whole one ends at "
                         f"offset {offset}")
        self.log.warning(f"Unexpected end of file reading the append only file {name}. You "
                         "can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                         "<filename.manifest>. 2) Alternatively you can set the "
                         "'aof-load-truncated' configuration option to yes and restart the "
                         "server.")
        return L.FAILED

    def load_at_start(self):
        """loadDataFromDisk's AOF branch: raises AofFatal when Redis would exit(1)."""
        t0 = time.time()
        ret = self.load()
        if ret in (L.FAILED, L.OPEN_ERR):
            raise AofFatal("load")
        if ret != L.NOT_EXIST:
            self.log.notice(f"DB loaded from append only file: {time.time() - t0:.3f} "
                            "seconds")

    def open_on_start(self):
        """aofOpenIfNeededOnServerStart."""
        if self.state != ON:
            return
        try:
            os.makedirs(self.dirpath, exist_ok=True)
        except OSError as e:
            self.log.warning(f"Can't open or create append-only dir "
                             f"{self.engine.config['appenddirname']}: {e.strerror}")
            raise AofFatal("mkdir") from None
        am = self.manifest
        if am.base is None and not am.incr:
            name = am.new_base(self.filename, self.engine.config["aof-use-rdb-preamble"])
            tmp = os.path.join(self.engine.config["dir"], f"temp-rewriteaof-{os.getpid()}.aof")
            try:
                snap = self._new_snapshot(tmp)
            except OSError as e:
                self.log.warning("Opening the temp file for AOF rewrite in "
                                 f"rewriteAppendOnlyFile(): {e.strerror}")
                raise AofFatal("base") from None
            snap.path = self.path(name)
            snap.step(float("inf"))
            err = snap.error or snap.commit()
            if err is not None:
                self.log.warning(f"Write error writing append only file on disk: {err}")
                raise AofFatal("base")
            self.log.notice(f"Creating AOF base file {name} on server start")
        had_incr = bool(am.incr)
        name = am.last_incr(self.filename)
        try:
            self.fd = os.open(self.path(name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as e:
            self.log.warning(f"Can't open the append-only file {name}: {e.strerror}")
            raise AofFatal("open") from None
        if am.dirty:
            err = write_manifest(self.dirpath, self.filename, am)
            if err is not None:
                self.log.warning(err)
                raise AofFatal("manifest")
        self.last_incr_size = _size(self.path(name))
        self.log.notice(f"{'Opening' if had_incr else 'Creating'} AOF incr file {name} on "
                        "server start")
        self._install()

    def remove_stale_temp_files(self):
        """temp-rewriteaof-*.aof left by a process that is gone (a crash mid-rewrite)."""
        import glob
        d = self.engine.config["dir"]
        for path in glob.glob(os.path.join(d, "temp-rewriteaof-*.aof")):
            pid = path.rsplit("-", 1)[-1][:-4]
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), 0)
                    continue
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
            try:
                os.unlink(path)
                self.log.notice(f"Removed stale temp file {os.path.basename(path)}")
            except OSError:
                pass

    # ---------------------------------------------------------------- INFO
    def info_fields(self) -> list:
        rw = self.rewrite
        cur = int(time.time() - self.rewrite_time_start) if rw is not None else -1
        out = [
            ("aof_enabled", int(self.state != OFF)),
            ("aof_rewrite_in_progress", int(rw is not None)),
            ("aof_rewrite_scheduled", int(self.rewrite_scheduled)),
            ("aof_last_rewrite_time_sec", self.rewrite_time_last),
            ("aof_current_rewrite_time_sec", cur),
            ("aof_last_bgrewrite_status", "ok" if self.last_bgrewrite_ok else "err"),
            ("aof_rewrites", self.rewrites),
            ("aof_rewrites_consecutive_failures", self.consecutive_failures),
            ("aof_last_write_status",
             "ok" if self.last_write_ok and not self.bio_error else "err"),
            ("aof_last_cow_size", 0),
            ("module_fork_in_progress", 0),
            ("module_fork_last_cow_size", 0),
        ]
        if self.state != OFF:
            out += [
                ("aof_current_size", self.current_size),
                ("aof_base_size", self.rewrite_base_size),
                ("aof_pending_rewrite", int(self.rewrite_scheduled)),
                ("aof_buffer_length", len(self.buf)),
                ("aof_pending_bio_fsync", self.bio.fsync_pending),
                ("aof_delayed_fsync", self.delayed_fsync),
            ]
        return out


def _never() -> int:
    return L._NEVER


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def aof_state(engine) -> AofState:
    st = getattr(engine, "aof", None)
    if st is None:
        st = engine.aof = AofState(engine)
    return st


def aof_info_fields(engine) -> list:
    """INFO persistence's aof_* fields (engine.cmds.info calls this)."""
    st = getattr(engine, "aof", None)
    return _defaults(engine) if st is None else st.info_fields()


def _defaults(engine) -> list:
    return [("aof_enabled", int(engine.config["appendonly"])),
            ("aof_rewrite_in_progress", 0), ("aof_rewrite_scheduled", 0),
            ("aof_last_rewrite_time_sec", -1), ("aof_current_rewrite_time_sec", -1),
            ("aof_last_bgrewrite_status", "ok"), ("aof_rewrites", 0),
            ("aof_rewrites_consecutive_failures", 0), ("aof_last_write_status", "ok"),
            ("aof_last_cow_size", 0), ("module_fork_in_progress", 0),
            ("module_fork_last_cow_size", 0)]


__all__ = ["AofState", "AofFatal", "aof_state", "aof_info_fields", "OFF", "ON",
           "WAIT_REWRITE", "AOF_SUFFIX"]
