"""Export, import and copy keys (INSPECTOR.md item 8): the selected key or a tree folder.

- Dump file: one JSON object a line (``key``, ``expire_at_ms``, ``dump``: base64 of DUMP's
  payload), between a header line and an end line that counts the keys.  It restores
  exactly (RESTORE ... ABSTTL) into keyscope or any Redis 7.0; the end line tells a
  cut-short file from a whole one.
- Readable JSON: type, expiry and value of each key (strings, hashes, lists, sets, sorted
  sets, stream entries); bytes that are not UTF-8 appear as {"base64": ...}.
- Import of a dump file into the current database: the whole file is checked first (JSON,
  base64, each payload's CRC64, the end line's count), so a damaged file imports nothing;
  then RESTORE per key, existing keys replaced or kept as the user chose.
- Copy to another database of the same server (COPY ... DB n [REPLACE]) or to another
  server (DUMP here, RESTORE there: the target's connection lives in a worker thread, so
  a slow or unreachable target never blocks the GUI thread the embedded server runs on).

Every job runs as a generator driven in time-budgeted slices on the Qt loop; each command
is a real command (embedded: the inspector's private context, see keyedit.run_key_command).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import os
import struct
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from .bulk import SCAN_FOUND, where
from .keyedit import run_key_command
from .panelkit import StatusLine
from .source import NotAvailable, _plain, _rows_pairs, redact

DUMP_FORMAT = "keyscope-dump"
JSON_FORMAT = "keyscope-json"
VERSION = 1
SLICE_S = 0.010             # work per Qt turn
WAIT_MS = 5                 # re-check period while a worker thread is busy
PAGE = 500                  # elements per read of a big value
BATCH_KEYS = 200            # keys per RESTORE pipeline to another server
BATCH_BYTES = 8 << 20       # ... or this many payload bytes
WAIT = object()             # yielded by a job waiting on its worker thread


class JobError(Exception):
    """Ends a job with this message (nothing after it is done)."""


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def readable(b) -> object:
    """Bytes for the readable export: text when UTF-8, else {"base64": ...}."""
    b = bytes(b)
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": b64(b)}


def from_readable(v) -> bytes:
    """The inverse of ``readable`` (tests and scripts reading an export)."""
    return base64.b64decode(v["base64"]) if isinstance(v, dict) else v.encode("utf-8")


def _crc_ok(payload: bytes) -> bool:
    """A DUMP payload's own CRC64 footer (the server judges its RDB version)."""
    from engine.persist import rdbio
    return len(payload) >= 10 and \
        rdbio.crc64(payload[:-8]) == struct.unpack("<Q", payload[-8:])[0]


def parse_dump_line(line: bytes, lineno: int) -> tuple[bytes, int, bytes]:
    """One key line of a dump file -> (key, expire_at_ms or 0, payload); JobError
    saying what is wrong with it."""
    try:
        rec = json.loads(line)
    except (ValueError, UnicodeDecodeError) as e:
        raise JobError(f"line {lineno}: not JSON ({e})") from None
    if not isinstance(rec, dict) or not {"key", "dump"} <= rec.keys():
        raise JobError(f"line {lineno}: not a key record (needs key, expire_at_ms, dump)")
    exp = rec.get("expire_at_ms", 0)
    if not isinstance(exp, int) or isinstance(exp, bool) or exp < 0:
        raise JobError(f"line {lineno}: expire_at_ms must be a non-negative integer")
    try:
        key = base64.b64decode(rec["key"], validate=True)
        payload = base64.b64decode(rec["dump"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise JobError(f"line {lineno}: key or dump is not valid base64") from None
    if not _crc_ok(payload):
        raise JobError(f"line {lineno}: the DUMP payload of "
                       f"'{key.decode('utf-8', 'backslashreplace')}' is damaged (its "
                       f"checksum does not match)")
    return key, exp, payload


# ---------------------------------------------------------------------- jobs
class Job(QObject):
    """A generator (``run``) driven a slice at a time; it yields between steps (``WAIT``
    while a worker thread is busy)."""
    progress = Signal(str)
    finished = Signal(bool, str)         # ok, summary
    touched = Signal(int, list)          # db, keys written there (remote: no change feed)

    def __init__(self, source, db: int, keys=(), folder=None, parent=None):
        super().__init__(parent)
        self.source, self.db = source, db
        self.keys: list[bytes] = list(keys)
        self._stack = [folder] if folder is not None else []
        self.done_keys = 0
        self.counts: dict[str, int] = {}
        self.first_error = ""
        self.running = False
        self.ok: bool | None = None
        self.summary = ""
        self._gen = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._step)

    # -- driving
    def start(self):
        self.running = True
        self._gen = self.run()
        self._timer.start(0)

    def cancel(self):
        if self.running:
            self._timer.stop()
            self._gen.close()            # its finally: blocks clean up (partial files)
            self._finish(False, f"Stopped: {self.report()}")

    def _step(self):
        if not self.running:
            return
        deadline = time.perf_counter() + SLICE_S
        try:
            while True:
                if next(self._gen) is WAIT:
                    self._timer.start(WAIT_MS)
                    return
                if time.perf_counter() > deadline:
                    self.progress.emit(self.status())
                    self._timer.start(0)
                    return
        except StopIteration:
            self._finish(True, self.report())
        except JobError as e:
            self._finish(False, f"{e}" + (f" (after {self.report()})"
                                          if self.done_keys else ""))
        except Exception as e:              # a bug of ours: said, not raised into Qt
            self._finish(False, f"{type(e).__name__}: {e} (after {self.report()})")

    def _finish(self, ok: bool, text: str):
        self.running = False
        self.ok, self.summary = ok, text[:1].upper() + text[1:]
        self.finished.emit(ok, self.summary)

    # -- helpers for run()
    def count(self, what: str, n: int = 1):
        self.counts[what] = self.counts.get(what, 0) + n

    def error(self, text: str):
        self.count("failed")
        self.first_error = self.first_error or text

    def collect(self):
        """The folder's keys as they are now, one folder per step."""
        while self._stack:
            f = self._stack.pop()
            self.keys.extend(f.leaves)
            self._stack.extend(f.folders.values())
            yield

    def call(self, *argv):
        """A read command in the source database; NotAvailable carries the error."""
        return self.source.call(self.db, *argv)

    _pexpiretime = True

    def expire_at(self, key: bytes) -> int | None:
        """Absolute expiry ms, 0 without one, None when the key is gone."""
        if self._pexpiretime:
            try:
                t = int(self.call(b"PEXPIRETIME", key))
                return None if t == -2 else max(t, 0)
            except NotAvailable as e:
                if "unknown command" not in str(e).lower():
                    raise
                self._pexpiretime = False     # a server before 7.0: PTTL then
        t = int(self.call(b"PTTL", key))
        return None if t == -2 else (0 if t == -1 else self.source.now_ms() + t)

    def dump(self, key: bytes) -> tuple[bytes, int] | None:
        """(DUMP payload, absolute expiry ms or 0); None when the key is gone or could
        not be read (counted as gone / failed)."""
        try:
            payload = self.call(b"DUMP", key)
            exp = self.expire_at(key) if payload is not None else None
        except NotAvailable as e:
            self.error(str(e))
            return None
        if payload is None or exp is None:
            self.count("gone")
            return None
        return bytes(payload), exp

    def extras(self) -> str:
        parts = []
        for what, text in (("gone", "were gone"), ("exists", "already there, kept"),
                           ("replaced", "replaced"), ("expired", "had expired, skipped"),
                           ("failed", "failed")):
            n = self.counts.get(what, 0)
            if n:
                parts.append(f"{n:,} {text}")
        s = f" ({'; '.join(parts)})" if parts else ""
        return s + (f"; first error: {self.first_error}" if self.first_error else "")

    def status(self) -> str:
        if self._stack:
            return f"collecting keys … {len(self.keys):,}"
        return f"{self.done_keys:,} / {len(self.keys):,} keys"

    def run(self):
        raise NotImplementedError
        yield

    def report(self) -> str:
        raise NotImplementedError


class _FileJob(Job):
    """Writes ``path`` through a temporary file renamed at the end: a stopped or failed
    export leaves no half file behind."""

    def __init__(self, source, db, path: str, keys=(), folder=None, parent=None):
        super().__init__(source, db, keys, folder, parent)
        self.path = path

    def open_out(self):
        tmp = self.path + ".part"
        try:
            return open(tmp, "w", encoding="utf-8"), tmp
        except OSError as e:
            raise JobError(f"cannot write {self.path}: {e.strerror or e}") from None

    def run(self):
        yield from self.collect()
        out, tmp = self.open_out()
        try:
            with out:
                yield from self.write(out)
            os.replace(tmp, self.path)
        except OSError as e:
            raise JobError(f"cannot write {self.path}: {e.strerror or e}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def header(self, fmt: str) -> dict:
        return {"format": fmt, "version": VERSION, "db": self.db,
                "source": self.source.title(), "exported_at_ms": self.source.now_ms()}

    def report(self) -> str:
        n = self.counts.get("exported", 0)
        return f"exported {n:,} keys to {self.path}{self.extras()}"


class DumpExport(_FileJob):
    def write(self, out):
        out.write(json.dumps(self.header(DUMP_FORMAT)) + "\n")
        for key in self.keys:
            self.done_keys += 1
            got = self.dump(key)
            if got is not None:
                out.write(json.dumps({"key": b64(key), "expire_at_ms": got[1],
                                      "dump": b64(got[0])}, separators=(",", ":")) + "\n")
                self.count("exported")
            yield
        out.write(json.dumps({"end": DUMP_FORMAT, "keys": self.counts.get("exported", 0)})
                  + "\n")


class JsonExport(_FileJob):
    def write(self, out):
        head = self.header(JSON_FORMAT)
        head["note"] = "streams: entries only (a dump file keeps consumer groups too)"
        text = json.dumps(head, ensure_ascii=False)
        out.write(text[:-1] + ', "keys": [')
        first = True
        for key in self.keys:
            yield
            self.done_keys += 1
            try:
                t = self.call(b"TYPE", key)
                t = (t.decode() if isinstance(t, (bytes, bytearray)) else str(t))
                exp = self.expire_at(key) if t != "none" else None
                value = None
                if exp is not None:
                    value = yield from self.value(key, t)
            except NotAvailable as e:
                self.error(str(e))
                continue
            if exp is None or value is _GONE:
                self.count("gone")
                continue
            entry = {"key": readable(key), "type": t, "expire_at_ms": exp or None,
                     "value": value}
            out.write(("\n" if first else ",\n") + json.dumps(entry, ensure_ascii=False))
            first = False
            self.count("exported")
        out.write("\n]}\n")

    def value(self, key: bytes, t: str):
        """The value in readable form, read a page per step (a generator)."""
        call = self.call
        if t == "string":
            v = call(b"GET", key)
            return _GONE if v is None else readable(v)
        if t in ("hash", "set"):
            cmd = b"HSCAN" if t == "hash" else b"SSCAN"
            cursor, got = b"0", {}
            while True:
                cursor, flat = call(cmd, key, cursor, b"COUNT", b"%d" % PAGE)
                flat = _plain(flat)
                if t == "hash":
                    got.update(_rows_pairs(flat))
                else:
                    got.update(dict.fromkeys(flat))
                if int(cursor) == 0:
                    break
                yield
            if t == "set":
                return [readable(m) for m in sorted(got)]
            return _fields(got.items())
        if t == "list":
            out, start = [], 0
            while True:
                vals = _plain(call(b"LRANGE", key, b"%d" % start, b"%d" % (start + PAGE - 1)))
                out += [readable(v) for v in vals]
                if len(vals) < PAGE:
                    return out
                start += PAGE
                yield
        if t == "zset":
            out, start = [], 0
            while True:
                rows = _rows_pairs(_plain(call(b"ZRANGE", key, b"%d" % start,
                                               b"%d" % (start + PAGE - 1), b"WITHSCORES")))
                for m, s in rows:
                    f = float(s)
                    out.append([readable(m), f if math.isfinite(f) else repr(f)])
                if len(rows) < PAGE:
                    return out
                start += PAGE
                yield
        if t == "stream":
            out, start = [], b"-"
            while True:
                entries = _plain(call(b"XRANGE", key, start, b"+", b"COUNT", b"%d" % PAGE))
                for eid, fields in entries:
                    out.append({"id": readable(eid), "fields": _fields(_rows_pairs(fields))})
                if len(entries) < PAGE:
                    return out
                start = b"(" + bytes(entries[-1][0])
                yield
        return {"error": f"values of type '{t}' are not exported as JSON (use a dump file)"}


_GONE = object()


def _fields(pairs) -> dict | list:
    """Field/value pairs in readable form: an object when every field is text and none
    repeats (a stream entry may repeat one), else a list of [field, value]."""
    rows = [(readable(f), readable(v)) for f, v in pairs]
    if all(isinstance(f, str) for f, _ in rows) and len({f for f, _ in rows}) == len(rows):
        return dict(rows)
    return [list(r) for r in rows]


class DumpImport(Job):
    """A dump file into ``db``: checked whole first, then restored key by key."""

    def __init__(self, source, db, path: str, replace: bool, parent=None):
        super().__init__(source, db, (), None, parent)
        self.path, self.replace = path, replace
        self.total = 0
        self.checking = False

    def _open(self):
        try:
            return open(self.path, "rb")
        except OSError as e:
            raise JobError(f"cannot read {self.path}: {e.strerror or e}") from None

    def _header(self, f):
        line = f.readline()
        try:
            head = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            head = None
        if not isinstance(head, dict) or head.get("format") != DUMP_FORMAT:
            raise JobError(f"{os.path.basename(self.path)} is not a keyscope dump file "
                           f"(its first line is not a {DUMP_FORMAT} header); nothing was "
                           f"imported")
        if head.get("version") != VERSION:
            raise JobError(f"dump file version {head.get('version')!r} is not supported "
                           f"(this keyscope reads version {VERSION}); nothing was imported")

    def _end(self, line: bytes):
        """The end line's count, or None when the line is a key line."""
        if not line.startswith(b'{"end"'):
            return None
        try:
            rec = json.loads(line)
            return int(rec["keys"]) if rec.get("end") == DUMP_FORMAT else None
        except (ValueError, KeyError, TypeError):
            return None

    def run(self):
        # pass 1: the whole file must be sound before anything is written
        self.checking = True
        with self._open() as f:
            self._header(f)
            n, end, lineno = 0, None, 1
            for lineno, line in enumerate(f, 2):
                if end is not None:
                    if line.strip():
                        raise JobError(f"line {lineno}: data after the end line; nothing "
                                       f"was imported")
                    continue
                end = self._end(line)
                if end is None:
                    try:
                        parse_dump_line(line, lineno)
                    except JobError as e:
                        raise JobError(f"{e}; nothing was imported") from None
                    n += 1
                    if n % 64 == 0:
                        yield
            if end is None:
                raise JobError(f"the file ends at line {lineno} without its end line: it "
                               f"was cut short; nothing was imported")
            if end != n:
                raise JobError(f"the end line counts {end:,} keys but the file has {n:,}; "
                               f"nothing was imported")
        self.total, self.checking = n, False
        yield
        # pass 2: restore
        now = self.source.now_ms()
        replace = (b"REPLACE",) if self.replace else ()
        with self._open() as f:
            f.readline()
            for lineno, line in enumerate(f, 2):
                if self._end(line) is not None:
                    break
                key, exp, payload = parse_dump_line(line, lineno)   # (the file may change)
                self.done_keys += 1
                if exp and exp <= now:
                    self.count("expired")
                    continue
                existed = self.replace and self.source.exists(self.db, key)
                ok, reply = run_key_command(self.source, self.db, b"RESTORE", key,
                                            b"%d" % exp, payload, b"ABSTTL", *replace)
                if ok:
                    self.count("restored")
                    if existed:
                        self.count("replaced")
                    self.touched.emit(self.db, [key])
                elif "BUSYKEY" in str(reply):
                    self.count("exists")
                else:
                    self.error(f"{key.decode('utf-8', 'backslashreplace')}: {reply}")
                yield

    def status(self) -> str:
        if self.checking:
            return "checking the file …"
        return f"{self.done_keys:,} / {self.total:,} keys"

    def report(self) -> str:
        n = self.counts.get("restored", 0)
        return f"imported {n:,} keys into db{self.db}{self.extras()}"


class CopyToDb(Job):
    def __init__(self, source, db, target: int, replace: bool, keys=(), folder=None,
                 parent=None):
        super().__init__(source, db, keys, folder, parent)
        self.target, self.replace = target, replace

    def run(self):
        yield from self.collect()
        replace = (b"REPLACE",) if self.replace else ()
        for key in self.keys:
            self.done_keys += 1
            ok, reply = run_key_command(self.source, self.db, b"COPY", key, key, b"DB",
                                        b"%d" % self.target, *replace)
            if not ok:
                self.error(str(reply))
            elif reply == 1:
                self.count("copied")
            elif self.source.exists(self.db, key):
                self.count("exists")
            else:
                self.count("gone")
            yield

    def report(self) -> str:
        n = self.counts.get("copied", 0)
        return f"copied {n:,} keys to db{self.target}{self.extras()}"


class _Target:
    """The other server, used only from worker threads (one at a time)."""

    def __init__(self, url: str):
        self.url = url
        self.client = None

    def connect(self):
        import redis
        try:
            r = redis.Redis.from_url(self.url, socket_timeout=10, socket_connect_timeout=5)
        except ValueError as e:
            raise JobError(f"not a server URL ({e}); use redis://[user:password@]host:port"
                           f"/db") from None
        r.ping()
        self.client = r

    def restore(self, batch, replace: bool) -> list:
        pipe = self.client.pipeline(transaction=False)
        for key, exp, payload in batch:
            pipe.execute_command("RESTORE", key, exp, payload, "ABSTTL",
                                 *(("REPLACE",) if replace else ()))
        return pipe.execute(raise_on_error=False)

    def close(self):
        if self.client is not None:
            self.client.close()


def _in_thread(fn, *args):
    """Run ``fn`` in a thread; a generator that yields WAIT until it is done, then
    returns its result (or raises JobError with its error)."""
    box: dict = {}

    def work():
        try:
            box["value"] = fn(*args)
        except BaseException as e:
            box["error"] = e
    t = threading.Thread(target=work, name="keyscope-transfer", daemon=True)
    t.start()
    while t.is_alive():
        yield WAIT
    if "error" in box:
        e = box["error"]
        raise e if isinstance(e, JobError) else JobError(
            f"{type(e).__name__}: {e}") from None
    return box.get("value")


class CopyToServer(Job):
    def __init__(self, source, db, url: str, replace: bool, keys=(), folder=None,
                 parent=None):
        super().__init__(source, db, keys, folder, parent)
        self.url, self.replace = url.strip(), replace
        self.target = _Target(self.url)

    def run(self):
        try:
            try:
                yield from _in_thread(self.target.connect)
            except JobError as e:
                raise JobError(f"cannot reach {redact(self.url)}: {e}") from None
            yield from self.collect()
            batch, size = [], 0
            for key in self.keys:
                self.done_keys += 1
                got = self.dump(key)
                if got is None:
                    continue
                payload, exp = got
                batch.append((key, exp, payload))
                size += len(payload)
                if len(batch) >= BATCH_KEYS or size >= BATCH_BYTES:
                    yield from self._send(batch)
                    batch, size = [], 0
                yield
            if batch:
                yield from self._send(batch)
        finally:
            self.target.close()

    def _send(self, batch):
        replies = yield from _in_thread(self.target.restore, batch, self.replace)
        for (key, _exp, _p), r in zip(batch, replies):
            if isinstance(r, Exception):
                if "BUSYKEY" in str(r):
                    self.count("exists")
                else:
                    self.error(f"{key.decode('utf-8', 'backslashreplace')}: {r}")
            else:
                self.count("copied")

    def report(self) -> str:
        n = self.counts.get("copied", 0)
        return f"copied {n:,} keys to {redact(self.url)}{self.extras()}"


# ---------------------------------------------------------------------- the dialog
ACTIONS = ("Export to a dump file (restorable: RESTORE, any Redis 7.0)",
           "Export as readable JSON",
           "Copy to another database",
           "Copy to another server")
EXPORT_DUMP, EXPORT_JSON, COPY_DB, COPY_SERVER = range(4)


def _slug(b: bytes) -> str:
    s = "".join(ch if ch.isalnum() or ch in "-_." else "-"
                for ch in b.decode("utf-8", "replace"))
    return s.strip("-")[:40] or "all"


class TransferDialog(QDialog):
    """Export / copy a key or a folder, or import a dump file.  Opened with ``open()``
    (no nested event loop: the embedded server keeps serving); one per opener, reused."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export / copy")
        self.setMinimumWidth(560)
        self.source = None
        self.db = 0
        self.keys: list[bytes] = []
        self.model = None               # the tree's model: folder snapshots, remote refresh
        self.prefix: bytes | None = None
        self.importing = False
        self.job: Job | None = None
        self._overwrite_ok = ""          # the path the user agreed to overwrite
        self._path_edited = False

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.action = QComboBox()
        self.action.addItems(list(ACTIONS))
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        prow = QWidget()
        pl = QHBoxLayout(prow)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.path, 1)
        pl.addWidget(self.browse)
        self.target_db = QSpinBox()
        self.url = QLineEdit()
        self.url.setPlaceholderText("redis://[user:password@]host:port/db")
        self.replace = QCheckBox("Replace keys that already exist there")
        self.status = StatusLine()
        self.go = QPushButton("Export")
        self.go.setDefault(True)
        self.close_button = QPushButton("Close")
        self.form = QFormLayout()
        self.form.addRow("Action", self.action)
        self.form.addRow("File", prow)
        self.form.addRow("Database", self.target_db)
        self.form.addRow("Server", self.url)
        self.form.addRow("", self.replace)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.go)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(self.form)
        lay.addWidget(self.status)
        lay.addLayout(buttons)

        self.action.currentIndexChanged.connect(lambda _i: self._layout())
        self.path.textEdited.connect(self._edited)
        self.browse.clicked.connect(self._browse)
        self.go.clicked.connect(self.start)
        self.close_button.clicked.connect(self.close_or_stop)

    # -- set up for what was clicked
    @classmethod
    def _reuse(cls, parent) -> "TransferDialog":
        dlg = getattr(parent, "transfer_dialog", None)
        if dlg is None:
            dlg = parent.transfer_dialog = cls(parent)
        return dlg

    @classmethod
    def for_key(cls, parent, source, db: int, key: bytes, model=None):
        dlg = cls._reuse(parent)
        if not dlg.busy():
            dlg._setup(source, db, model, keys=[key], prefix=None, importing=False,
                       what=f"key '{key.decode('utf-8', 'backslashreplace')}' of db{db}",
                       name=_slug(key))
        return dlg

    @classmethod
    def for_folder(cls, parent, source, model, prefix: bytes):
        dlg = cls._reuse(parent)
        if not dlg.busy():
            f = model.ns.folder_at(prefix)
            n = f.count if f is not None else 0
            flt = model.filter.describe()
            dlg._setup(source, model.db, model, keys=[], prefix=prefix, importing=False,
                       what=f"{n:,} keys {where(prefix)} of db{model.db}" +
                            (f" ({flt})" if flt else "") +
                            (SCAN_FOUND if source.sampled else ""),
                       name=_slug(prefix))
        return dlg

    @classmethod
    def for_import(cls, parent, source, db: int, model=None):
        dlg = cls._reuse(parent)
        if not dlg.busy():
            dlg._setup(source, db, model, keys=[], prefix=None, importing=True,
                       what=f"Import a dump file into db{db}", name="")
        return dlg

    def _setup(self, source, db, model, keys, prefix, importing, what, name):
        self.source, self.db, self.model = source, db, model
        self.keys, self.prefix, self.importing = keys, prefix, importing
        self.job = None
        self._name = name
        self._overwrite_ok = ""
        self._path_edited = False
        self.title.setText(what if importing else f"Export or copy the {what}")
        self.setWindowTitle("Import" if importing else "Export / copy")
        ndb = max(1, source.databases())
        self.target_db.setRange(0, ndb - 1)
        self.target_db.setValue(db + 1 if db + 1 < ndb else 0)
        self.replace.setChecked(False)
        self.status.clear_status()
        self.close_button.setText("Close")
        self.go.setEnabled(True)
        if importing:
            self.path.clear()
        self._layout()

    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def _layout(self):
        a = self.action.currentIndex()
        imp = self.importing
        self.form.setRowVisible(0, not imp)
        self.form.setRowVisible(1, imp or a in (EXPORT_DUMP, EXPORT_JSON))
        self.form.setRowVisible(2, not imp and a == COPY_DB)
        self.form.setRowVisible(3, not imp and a == COPY_SERVER)
        self.form.setRowVisible(4, imp or a in (COPY_DB, COPY_SERVER))
        self.go.setText("Import" if imp else "Export" if a in (EXPORT_DUMP, EXPORT_JSON)
                        else "Copy")
        if not imp and not self._path_edited and a in (EXPORT_DUMP, EXPORT_JSON):
            ext = ".jsonl" if a == EXPORT_DUMP else ".json"
            kind = "dump" if a == EXPORT_DUMP else "export"
            self.path.setText(os.path.join(os.path.expanduser("~"),
                                           f"keyscope-db{self.db}-{self._name}-{kind}{ext}"))
        self._overwrite_ok = ""

    def _edited(self, _text):
        self._path_edited = True
        self._overwrite_ok = ""

    def _browse(self):
        fd = QFileDialog(self, "Dump file" if self.importing else "Export to")
        if self.importing:
            fd.setAcceptMode(QFileDialog.AcceptOpen)
            fd.setFileMode(QFileDialog.ExistingFile)
        else:
            fd.setAcceptMode(QFileDialog.AcceptSave)
        fd.setNameFilters(["keyscope files (*.jsonl *.json)", "All files (*)"])
        if self.path.text():
            fd.selectFile(self.path.text())

        def chosen(p):
            self.path.setText(p)
            self._path_edited = True
            self._overwrite_ok = p          # the file dialog asked about overwriting
        fd.fileSelected.connect(chosen)
        self._file_dialog = fd
        fd.open()

    # -- run
    def start(self):
        if self.busy() or self.source is None:
            return
        a = -1 if self.importing else self.action.currentIndex()
        folder = None
        if self.prefix is not None:
            folder = self.model.ns.folder_at(self.prefix) if self.model.db == self.db \
                else None
            if folder is None or not folder.count:
                self.status.show_error("no keys left there")
                return
        if self.source.read_only and (self.importing or a == COPY_DB):
            from .safety import READ_ONLY_TIP
            self.status.show_error(READ_ONLY_TIP)
            return
        keys = self.keys
        path = os.path.expanduser(self.path.text().strip())
        if self.importing or a in (EXPORT_DUMP, EXPORT_JSON):
            if not path:
                self.status.show_error("choose a file")
                return
            if self.importing and not os.path.isfile(path):
                self.status.show_error(f"no such file: {path}")
                return
            if not self.importing and os.path.exists(path) and self._overwrite_ok != path:
                self._overwrite_ok = path
                self.status.show_error(f"{path} exists: click {self.go.text()} again to "
                                       f"overwrite it")
                return
        if self.importing:
            job = DumpImport(self.source, self.db, path, self.replace.isChecked(), self)
        elif a == EXPORT_DUMP:
            job = DumpExport(self.source, self.db, path, keys, folder, self)
        elif a == EXPORT_JSON:
            job = JsonExport(self.source, self.db, path, keys, folder, self)
        elif a == COPY_DB:
            n = self.target_db.value()
            if n == self.db:
                self.status.show_error(f"the keys are in db{n} already: choose another "
                                       f"database")
                return
            job = CopyToDb(self.source, self.db, n, self.replace.isChecked(), keys, folder,
                           self)
        else:
            url = self.url.text().strip()
            if not url:
                self.status.show_error("enter the server's URL, e.g. redis://host:6379/0")
                return
            job = CopyToServer(self.source, self.db, url, self.replace.isChecked(), keys,
                               folder, self)
        self.job = job
        job.progress.connect(lambda text: self.status.setText(text))
        job.finished.connect(self._finished)
        if self.model is not None and self.source.sampled:
            job.touched.connect(self.model.refresh_keys)
        self.go.setEnabled(False)
        self.close_button.setText("Stop")
        self.status.setStyleSheet("")
        self.status.setText("starting …")
        job.start()

    def _finished(self, ok: bool, summary: str):
        self.status.show_result(ok, summary)
        self.close_button.setText("Close")
        self.go.setEnabled(True)
        self._overwrite_ok = ""

    def close_or_stop(self):
        if self.busy():
            self.job.cancel()
            return
        self.close()

    def reject(self):                    # Escape / the window's close: stop first
        if self.busy():
            self.job.cancel()
        super().reject()


def add_tree_actions(panel, menu, folder, key) -> None:
    """The tree's context menu entries (gui/keytree.py): export / copy the key or the
    folder, import a dump file into the database shown."""
    src, model = panel.source, panel.model
    if key is not None:
        menu.addAction("Export / copy key…", lambda: TransferDialog.for_key(
            panel, src, model.db, bytes(key), model).open())
    elif folder is not None and folder.count:
        prefix, n = folder.prefix, folder.count
        menu.addAction(f"Export / copy {n:,} keys…", lambda: TransferDialog.for_folder(
            panel, src, model, prefix).open())
    imp = menu.addAction(f"Import a dump file into db{model.db}…", lambda: TransferDialog
                         .for_import(panel, src, model.db, model).open())
    if src.read_only:                   # exports only read; an import writes
        from .safety import READ_ONLY_TIP
        imp.setEnabled(False)
        imp.setToolTip(READ_ONLY_TIP)
