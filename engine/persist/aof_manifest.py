"""The multi-part AOF manifest of Redis 7.0, as aof.c writes and reads it.

One line per file: ``file <name> seq <n> type <b|h|i>`` -- the base first, then history
files, then incr files in order.  Names are plain file names inside ``appenddirname``:
``<appendfilename>.<seq>.base.rdb`` (``.base.aof`` without the RDB preamble) and
``<appendfilename>.<seq>.incr.aof``.  The manifest is replaced atomically (temp file,
fsync, rename, fsync of the directory)."""
from __future__ import annotations

import os

BASE, HIST, INCR = "b", "h", "i"
BASE_SUFFIX, INCR_SUFFIX = ".base", ".incr"
RDB_SUFFIX, AOF_SUFFIX = ".rdb", ".aof"
MANIFEST_SUFFIX = ".manifest"
TEMP_PREFIX = "temp-"
MAX_LINE = 1024                     # MANIFEST_MAX_LINE


class ManifestError(Exception):
    """A manifest Redis refuses to start with: ``line``/``linenum`` say where."""

    def __init__(self, msg: str, linenum: int = 0, line: str | None = None):
        super().__init__(msg)
        self.msg, self.linenum, self.line = msg, linenum, line


class AofInfo:
    __slots__ = ("name", "seq", "type")

    def __init__(self, name: str, seq: int, type_: str):
        self.name, self.seq, self.type = name, seq, type_

    def dup(self, type_: str | None = None) -> "AofInfo":
        return AofInfo(self.name, self.seq, type_ or self.type)

    def format(self) -> str:
        name = _repr(self.name) if _needs_repr(self.name) else self.name
        return f"file {name} seq {self.seq} type {self.type}\n"


class Manifest:
    def __init__(self):
        self.base: AofInfo | None = None
        self.incr: list[AofInfo] = []
        self.history: list[AofInfo] = []
        self.base_seq = 0              # curr_base_file_seq
        self.incr_seq = 0              # curr_incr_file_seq
        self.dirty = False

    # ---------------------------------------------------------------- text
    def to_string(self) -> str:
        """getAofManifestAsString: base, then history, then incr files."""
        parts = [self.base.format()] if self.base else []
        parts += [ai.format() for ai in self.history]
        parts += [ai.format() for ai in self.incr]
        return "".join(parts)

    @classmethod
    def parse(cls, text: bytes) -> "Manifest":
        """aofLoadManifestFromFile's checks, same messages (ManifestError)."""
        am = cls()
        maxseq = 0
        lines = text.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
            complete = len(lines)
        else:
            complete = len(lines) - 1         # the last line has no newline
        if not lines:
            raise ManifestError("Found an empty AOF manifest")
        for n, raw in enumerate(lines, 1):
            if raw.startswith(b"#"):
                continue
            line = raw.decode("utf-8", "surrogateescape")
            if n > complete or len(raw) + 1 > MAX_LINE:
                raise ManifestError("The AOF manifest file contains too long line", n,
                                    line.strip(" \t\r\n"))
            line = line.strip(" \t\r\n")
            if not line:
                raise ManifestError("Invalid AOF manifest file format", n, line)
            argv = _split(line)
            if argv is None or len(argv) < 6 or len(argv) % 2:
                raise ManifestError("Invalid AOF manifest file format", n, line)
            name, seq, type_ = None, 0, ""
            for i in range(0, len(argv), 2):
                k, v = argv[i].lower(), argv[i + 1]
                if k == "file":
                    name = v
                    if os.path.basename(v) != v or v in (".", ".."):
                        raise ManifestError("File can't be a path, just a filename", n, line)
                elif k == "seq":
                    seq = _atoll(v)
                elif k == "type":
                    type_ = v[:1]
            if not name or not seq or not type_:
                raise ManifestError("Invalid AOF manifest file format", n, line)
            ai = AofInfo(name, seq, type_)
            if type_ == BASE:
                if am.base is not None:
                    raise ManifestError("Found duplicate base file information", n, line)
                am.base = ai
                am.base_seq = seq
            elif type_ == HIST:
                am.history.append(ai)
            elif type_ == INCR:
                if seq <= maxseq:
                    raise ManifestError("Found a non-monotonic sequence number", n, line)
                am.incr.append(ai)
                am.incr_seq = maxseq = seq
            else:
                raise ManifestError("Unknown AOF file type", n, line)
        return am

    # ---------------------------------------------------------------- changes
    def dup(self) -> "Manifest":
        am = Manifest()
        am.base = self.base.dup() if self.base else None
        am.incr = [ai.dup() for ai in self.incr]
        am.history = [ai.dup() for ai in self.history]
        am.base_seq, am.incr_seq, am.dirty = self.base_seq, self.incr_seq, self.dirty
        return am

    def new_base(self, filename: str, rdb: bool) -> str:
        """getNewBaseFileNameAndMarkPreAsHistory."""
        if self.base is not None:
            self.base.type = HIST
            self.history.insert(0, self.base)
        self.base_seq += 1
        name = (f"{filename}.{self.base_seq}{BASE_SUFFIX}"
                f"{RDB_SUFFIX if rdb else AOF_SUFFIX}")
        self.base = AofInfo(name, self.base_seq, BASE)
        self.dirty = True
        return name

    def new_incr(self, filename: str) -> str:
        """getNewIncrAofName."""
        self.incr_seq += 1
        name = f"{filename}.{self.incr_seq}{INCR_SUFFIX}{AOF_SUFFIX}"
        self.incr.append(AofInfo(name, self.incr_seq, INCR))
        self.dirty = True
        return name

    def last_incr(self, filename: str) -> str:
        """getLastIncrAofName: the last incr file, or a new one."""
        return self.incr[-1].name if self.incr else self.new_incr(filename)

    def mark_rewritten_incr_as_history(self, keep_last: bool):
        """markRewrittenIncrAofAsHistory: the incr files the new base covers become
        history; the one being written (the last, when AOF is on) stays."""
        if not self.incr:
            return
        keep = self.incr[-1:] if keep_last else []
        old = self.incr[:-1] if keep_last else self.incr
        # Redis walks the list from the tail and adds each at the head: the history
        # list ends up in the incr files' original order, ahead of older history.
        self.history[0:0] = [ai.dup(HIST) for ai in old]
        self.incr = keep
        self.dirty = True

    def files(self) -> list[AofInfo]:
        """Base then incr files: what a load reads."""
        return ([self.base] if self.base else []) + list(self.incr)


def write_manifest(dirpath: str, filename: str, am: Manifest) -> str | None:
    """writeAofManifestFile: temp file, fsync, rename, fsync the directory.  Returns an
    error text (for the log) or None."""
    name = filename + MANIFEST_SUFFIX
    tmp_name = TEMP_PREFIX + name
    path, tmp = os.path.join(dirpath, name), os.path.join(dirpath, tmp_name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
    except OSError as e:
        return f"Can't open the AOF manifest file {tmp_name}: {e.strerror}"
    try:
        data = am.to_string().encode("utf-8", "surrogateescape")
        try:
            while data:
                data = data[os.write(fd, data):]
        except OSError as e:
            return (f"Error trying to write the temporary AOF manifest file {tmp_name}: "
                    f"{e.strerror}")
        try:
            os.fsync(fd)
        except OSError as e:
            return f"Fail to fsync the temp AOF file {tmp_name}: {e.strerror}."
        try:
            os.rename(tmp, path)
        except OSError as e:
            return (f"Error trying to rename the temporary AOF manifest file {tmp_name} into "
                    f"{name}: {e.strerror}")
        try:
            fsync_dir(dirpath)
        except OSError as e:
            return f"Fail to fsync AOF directory {path}: {e.strerror}."
    finally:
        os.close(fd)
    am.dirty = False
    return None


def fsync_dir(dirpath: str):
    fd = os.open(dirpath or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atoll(s: str) -> int:
    """atoll: leading whitespace, sign, digits; anything else ends the number."""
    s = s.lstrip()
    i = 1 if s[:1] in ("-", "+") else 0
    j = i
    while j < len(s) and s[j].isdigit():
        j += 1
    return int(s[:j]) if j > i else 0


def _needs_repr(s: str) -> bool:
    """sdsneedsrepr: quote names with spaces, quotes, backslashes, control bytes."""
    for ch in s.encode("utf-8", "surrogateescape"):
        if ch in b'\\"' or ch < 33 or ch > 126:
            return True
    return False


def _repr(s: str) -> str:
    from engine.config import _repr as config_repr      # sdscatrepr
    return config_repr(s)


def _split(line: str):
    """sdssplitargs (quoted names only when someone wrote them so)."""
    if '"' not in line and "'" not in line:
        return line.split()
    from netserver.resp import split_args              # pure function, no I/O
    args = split_args(line.encode("utf-8", "surrogateescape"))
    return None if args is None else [a.decode("utf-8", "surrogateescape") for a in args]
