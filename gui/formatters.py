"""Value formatters: show a stored value decoded (JSON, MessagePack, gzip/zlib/deflate,
pickle, protobuf without a schema, PHP serialize, base64, hex text, hexdump).

Pure Python, no Qt: the key view runs these off the GUI thread (gui/decoding.py).

Every decoder is total: garbage gives a ``Decoded`` with ``ok=False`` and a text saying
"not X: why", never an exception.  ``auto`` tries decoders by magic bytes first, then by
shape, and takes the first that fully succeeds; wrappers (compression, base64, hex text)
decode what they unwrap again, so gzip of JSON shows as "gzip → JSON".

Safety: pickle is never unpickled.  It is read by our own stack machine over
``pickletools.genops`` (which only parses): globals are names, calls are shown as calls,
nothing is imported or executed.  Decompression stops at ``MAX_OUTPUT`` bytes (a
decompression bomb costs at most that), rendering stops at ``MAX_TEXT`` characters, and
the pure-Python parsers count their steps.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import math
import pickletools
import re
import struct
import zlib
from dataclasses import dataclass, field

try:                                    # a dependency (pyproject.toml); tolerated missing
    import msgpack
except ImportError:                     # pragma: no cover
    msgpack = None

MAX_OUTPUT = 16 * 1024 * 1024   # bytes a decompression may produce (bomb cap)
MAX_TEXT = 1_000_000            # characters of rendering shown
MAX_STEPS = 2_000_000           # opcodes / fields a pure-Python parser reads
MAX_DEPTH = 3                   # wrappers inside wrappers (base64 of gzip of ...)
DIS_LIMIT = 256 * 1024          # pickles disassembled up to this size
MAX_PARSE = 4 * 1024 * 1024    # bytes given to a C parser (json, msgpack): it holds the
                                # GIL throughout, and the server shares the process
AUTO_MIN_ENCODED = 8            # base64 / hex text shorter than this is left as text


@dataclass
class Decoded:
    ok: bool
    name: str                   # the decoder ("gzip")
    text: str                   # the rendering, or "not gzip: why"
    label: str = ""             # the chain ("gzip → JSON")
    tree: object = None         # the structure for a tree view; None: nothing to browse
    notes: tuple = ()           # what the reader must know ("pickle (not executed)")
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.label:
            self.label = self.name


class Bad(Exception):
    """A decoder's own "this is not X" (the message says why)."""


def _fail(name: str, why: str) -> Decoded:
    return Decoded(False, name, f"not {name}: {why}")


# ---------------------------------------------------------------------- structures
class Pairs(list):
    """A mapping kept as (key, value) pairs: order, duplicates and unhashable keys kept
    (msgpack maps, pickle dicts, protobuf fields, PHP arrays)."""


class Opaque:
    """Something shown by name, not rebuilt: a pickle global or call, a PHP object,
    a msgpack extension.  ``body`` (a structure or None) is what it carries."""
    __slots__ = ("label", "body")

    def __init__(self, label: str, body=None):
        self.label = label
        self.body = body

    def __repr__(self):
        return f"<{self.label}>"


class Fixed:
    """A protobuf fixed-width field: shown as hex with its float reading."""
    __slots__ = ("raw",)

    def __init__(self, raw: bytes):
        self.raw = raw

    def __str__(self):
        if len(self.raw) == 8:
            (u,), (f,) = struct.unpack("<Q", self.raw), struct.unpack("<d", self.raw)
            return f"0x{u:016x} (i64; double {f!r})"
        (u,), (f,) = struct.unpack("<I", self.raw), struct.unpack("<f", self.raw)
        return f"0x{u:08x} (i32; float {f!r})"


class _Full(Exception):
    pass


def render(obj, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """A structure as indented, JSON-like text; (text, cut at ``limit``)."""
    out: list[str] = []
    size = [0]
    on_path: set[int] = set()

    def put(s: str):
        out.append(s)
        size[0] += len(s)
        if size[0] > limit:
            raise _Full

    def scalar(v) -> str | None:
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return repr(v) if math.isfinite(v) else {"inf": "Infinity", "-inf": "-Infinity"
                                                     }.get(repr(v), "NaN")
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, (bytes, bytearray)):
            return ("bytearray(" + repr(bytes(v)) + ")") if isinstance(v, bytearray) \
                else repr(bytes(v))
        if isinstance(v, Fixed):
            return str(v)
        if msgpack is not None and isinstance(v, msgpack.Timestamp):
            return _timestamp(v)
        return None

    def walk(v, ind: int):
        s = scalar(v)
        if s is not None:
            put(s)
            return
        if ind > 200 * 2:
            put("…")
            return
        if id(v) in on_path:
            put("<cycle>")
            return
        if isinstance(v, Opaque):
            put(f"<{v.label}>")
            if v.body is not None:
                put(" ")
                walk(v.body, ind)
            return
        on_path.add(id(v))
        pad, inner = " " * ind, " " * (ind + 2)
        if isinstance(v, (dict, Pairs)):
            items = v.items() if isinstance(v, dict) else v
            if not items:
                put("{}")
            else:
                put("{\n")
                first = True
                for k, x in items:
                    if not first:
                        put(",\n")
                    first = False
                    put(inner)
                    walk(k if not isinstance(k, (list, dict, Pairs)) else repr(k), ind + 2)
                    put(": ")
                    walk(x, ind + 2)
                put("\n" + pad + "}")
        elif isinstance(v, (list, tuple, set, frozenset)):
            seq = list(v) if isinstance(v, (set, frozenset)) else v
            if not seq:
                put("[]")
            else:
                put("[\n")
                for i, x in enumerate(seq):
                    if i:
                        put(",\n")
                    put(inner)
                    walk(x, ind + 2)
                put("\n" + pad + "]")
        else:
            put(repr(v)[:200])
        on_path.discard(id(v))

    try:
        walk(obj, 0)
    except _Full:
        return "".join(out)[:limit], True
    return "".join(out), False


def _ok(name: str, text: str, tree=None, notes=(), label: str = "") -> Decoded:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        notes = tuple(notes) + (f"display cut at {MAX_TEXT:,} characters",)
    return Decoded(True, name, text, label or name, tree, tuple(notes))


def _structured(name: str, obj, notes=()) -> Decoded:
    text, cut = render(obj)
    if cut:
        notes = tuple(notes) + (f"display cut at {MAX_TEXT:,} characters",)
    return Decoded(True, name, text, name, obj, tuple(notes))


# ---------------------------------------------------------------------- text, hex
TEXT_PROBE = 1024 * 1024        # bytes looked at to call a value text


def _utf8_prefix(data: bytes, n: int) -> str:
    """The first ``n`` bytes as text (a character cut at the end is dropped);
    UnicodeDecodeError when they are not UTF-8."""
    if len(data) <= n:
        return data.decode("utf-8")
    for back in range(4):
        try:
            return data[:n - back].decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start < n - back - 3:
                raise
    raise UnicodeDecodeError("utf-8", data, n - 4, n, "invalid")


def is_text(data: bytes) -> bool:
    """Valid UTF-8 whose characters are printable (newlines and tabs allowed); a big
    value is judged by its first TEXT_PROBE bytes."""
    try:
        s = _utf8_prefix(data, TEXT_PROBE)
    except UnicodeDecodeError:
        return False
    return s.isprintable() or all(ch.isprintable() or ch in "\r\n\t" for ch in s)


def hexdump(data: bytes, width: int = 16) -> str:
    lines = []
    for off in range(0, len(data), width):
        chunk = data[off:off + width]
        hx = " ".join(f"{b:02x}" for b in chunk)
        asc = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:08x}  {hx:<{width * 3}} {asc}")
    return "\n".join(lines)


def _text(data: bytes, depth: int, max_output: int) -> Decoded:
    notes = (f"first {MAX_TEXT:,} of {len(data):,} bytes",) if len(data) > MAX_TEXT else ()
    try:
        return _ok("Text", _utf8_prefix(data, MAX_TEXT), notes=notes)
    except UnicodeDecodeError as e:
        return _ok("Text", data[:MAX_TEXT].decode("utf-8", "backslashreplace"),
                   notes=notes + (f"not valid UTF-8 (first bad byte at {e.start}): shown "
                                  f"with escapes",))


def _hex(data: bytes, depth: int, max_output: int) -> Decoded:
    limit = MAX_TEXT // 78 * 16                     # ~78 characters per 16 bytes
    if len(data) > limit:
        return _ok("Hex", hexdump(data[:limit]),
                   notes=(f"first {limit:,} of {len(data):,} bytes",))
    return _ok("Hex", hexdump(data))


# ---------------------------------------------------------------------- JSON
def _too_big(data: bytes):
    if len(data) > MAX_PARSE:
        raise Bad(f"{len(data):,} bytes is more than the {MAX_PARSE:,} this view parses")


def _json(data: bytes, depth: int, max_output: int) -> Decoded:
    _too_big(data)
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Bad("the value is not UTF-8 text") from None
    if s.startswith("\ufeff"):
        s = s[1:]
    try:
        doc = json.loads(s)
    except json.JSONDecodeError as e:
        raise Bad(f"{e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise Bad("nested too deeply") from None
    # render() writes what json.dumps(indent=2, ensure_ascii=False) writes, but stops at
    # MAX_TEXT (a 10 MB document would take seconds to indent whole)
    d = _structured("JSON", doc)
    d.tree = doc if isinstance(doc, (dict, list)) else None
    return d


# ---------------------------------------------------------------------- MessagePack
def _pairs_hook(pairs):
    try:
        return dict(pairs) if len({k for k, _ in pairs}) == len(pairs) else Pairs(pairs)
    except TypeError:                   # an unhashable key (a list, a map)
        return Pairs(pairs)


def _ext_hook(code, data):
    return Opaque(f"ext type {code}", bytes(data))


def _msgpack(data: bytes, depth: int, max_output: int) -> Decoded:
    if msgpack is None:
        raise Bad("the msgpack package is not installed")
    if not data:
        raise Bad("empty value")
    _too_big(data)
    try:
        obj = msgpack.unpackb(data, raw=False, strict_map_key=False, use_list=True,
                              object_pairs_hook=_pairs_hook, ext_hook=_ext_hook)
    except msgpack.ExtraData as e:
        raise Bad(f"{len(e.extra):,} bytes left after the first value") from None
    except UnicodeDecodeError:
        raise Bad("a str field is not valid UTF-8") from None
    except Exception as e:              # FormatError, StackError, ValueError ...
        raise Bad(str(e) or type(e).__name__) from None
    d = _structured("MessagePack", obj)
    d.tree = obj if isinstance(obj, (dict, list, Pairs)) else None
    return d


def _timestamp(v) -> str:
    """msgpack's one built-in extension type, as readable text."""
    try:
        return f"<timestamp {v.to_datetime().isoformat()}>"
    except (OverflowError, ValueError, OSError):
        return f"<timestamp {v.seconds}s {v.nanoseconds}ns>"


# ---------------------------------------------------------------------- compression
def _inflate(name: str, wbits: int, data: bytes, depth: int, max_output: int,
             cut: bool) -> Decoded:
    if name == "gzip" and data[:2] != b"\x1f\x8b":
        raise Bad("no gzip header (1f 8b)")
    if name == "zlib" and not _zlib_header(data):
        raise Bad("no zlib header")
    out = bytearray()
    rest = data
    notes = []
    partial = False                     # the output is not the whole payload
    while True:
        if len(out) >= max_output:      # (max_length 0 would mean "no limit")
            notes.append(f"output truncated at {max_output:,} bytes (decompression cap)")
            partial = True
            break
        d = zlib.decompressobj(wbits)
        try:
            out += d.decompress(rest, max_output - len(out))
        except zlib.error as e:
            if out:                     # a later gzip member is damaged
                notes.append(f"stopped at damaged data: {e}")
                partial = True
                break
            raise Bad(str(e)) from None
        if d.unconsumed_tail or (len(out) >= max_output and not d.eof):
            notes.append(f"output truncated at {max_output:,} bytes (decompression cap)")
            partial = True
            break
        if not d.eof:
            if not cut and not out:
                raise Bad("the compressed stream ends early")
            notes.append("the compressed stream is incomplete" if not cut else
                         "only the start of the value was read: decompressed that part")
            partial = True
            break
        rest = d.unused_data
        if not rest:
            break
        if name != "gzip" or rest[:2] != b"\x1f\x8b":
            notes.append(f"{len(rest):,} bytes after the end of the stream (ignored)")
            break
    out = bytes(out)
    notes.insert(0, f"decompressed {len(data):,} → {len(out):,} bytes")
    return _wrapped(name, out, depth, max_output, notes, cut=partial)


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and \
        (data[0] << 8 | data[1]) % 31 == 0


def _wrapped(name: str, inner: bytes, depth: int, max_output: int, notes,
             cut=False) -> Decoded:
    """What a wrapper unwrapped, decoded again (Auto), under the wrapper's name."""
    d = detect(inner, depth + 1, max_output, cut) if depth < MAX_DEPTH else None
    if d is None:
        d = _text(inner, depth, max_output) if is_text(inner) else _hex(inner, depth,
                                                                         max_output)
    return Decoded(True, name, d.text, f"{name} → {d.label}", d.tree,
                   tuple(notes) + d.notes, {"payload": inner})


def _gzip(data, depth, max_output, cut=False):
    return _inflate("gzip", 31, data, depth, max_output, cut)


def _zlib(data, depth, max_output, cut=False):
    return _inflate("zlib", 15, data, depth, max_output, cut)


def _deflate(data, depth, max_output, cut=False):
    return _inflate("deflate", -15, data, depth, max_output, cut)


# ---------------------------------------------------------------------- base64, hex text
_B64 = re.compile(rb"[A-Za-z0-9+/\-_]+={0,2}")
_HEXTEXT = re.compile(rb"(?:[0-9a-fA-F]{2})+")
_WS = b" \t\r\n\f\v"


def _nows(data: bytes) -> bytes:
    return data.translate(None, _WS)          # C speed (a regex took seconds on 10 MB)


def _b64_bytes(data: bytes) -> bytes:
    s = _nows(data)
    if not s:
        raise Bad("empty value")
    if not _B64.fullmatch(s):
        raise Bad("characters outside the base64 alphabet")
    url = b"-" in s or b"_" in s
    if url and (b"+" in s or b"/" in s):
        raise Bad("mixes the standard and URL-safe alphabets")
    body = s.rstrip(b"=")
    if len(body) % 4 == 1:
        raise Bad("its length is not a base64 length")
    if s != body and len(s) % 4:
        raise Bad("wrong padding")
    body += b"=" * (-len(body) % 4)
    try:
        return base64.b64decode(body, altchars=b"-_" if url else None, validate=True)
    except (binascii.Error, ValueError) as e:
        raise Bad(str(e)) from None


def _base64(data, depth, max_output):
    raw = _b64_bytes(data)
    return _wrapped("Base64", raw, depth, max_output, (f"{len(raw):,} bytes decoded",))


def _hextext(data, depth, max_output):
    s = _nows(data)
    if s[:2] in (b"0x", b"0X"):
        s = s[2:]
    if not _HEXTEXT.fullmatch(s):
        raise Bad("not an even number of hex digits")
    raw = bytes.fromhex(s.decode())
    return _wrapped("Hex text", raw, depth, max_output, (f"{len(raw):,} bytes decoded",))


def _pickle(data: bytes, depth: int, max_output: int) -> Decoded:
    if not data:
        raise Bad("empty value")
    from .safepickle import read_pickle
    value, seen = read_pickle(data)
    notes = ["read as data: nothing imported or run"]
    if seen:
        names = sorted(set(seen))
        notes.append("names " + ", ".join(names[:10]) +
                     (f" and {len(names) - 10} more" if len(names) > 10 else "") +
                     " (not imported)")
    text, cut = render(value)
    if cut:
        notes.append(f"display cut at {MAX_TEXT:,} characters")
    if len(data) <= DIS_LIMIT:
        out = io.StringIO()
        try:
            pickletools.dis(data, out=out)
        except Exception as e:              # dis's own consistency checks
            out.write(f"\n(disassembly stopped: {e})")
        dis = out.getvalue()[:MAX_TEXT]
    else:
        dis = f"(disassembly skipped: the value is over {DIS_LIMIT:,} bytes)"
    text += "\n\n# pickletools.dis (opcodes only, nothing imported or executed):\n" + dis
    return Decoded(True, "Pickle", text, "pickle (not executed)",
                   value if isinstance(value, (list, Pairs, Opaque, tuple)) else None,
                   tuple(notes))


# ---------------------------------------------------------------------- protobuf (raw)
class _Budget:
    __slots__ = ("left",)

    def __init__(self, n):
        self.left = n


def _varint(data: bytes, i: int, end: int) -> tuple[int, int]:
    v = shift = 0
    while True:
        if i >= end:
            raise Bad("a varint runs past the end")
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, i
        shift += 7
        if shift >= 70:
            raise Bad("a varint longer than 10 bytes")


def _pb_message(data: bytes, i: int, end: int, depth: int, budget: _Budget,
                group: int | None = None):
    out = Pairs()
    while i < end:
        budget.left -= 1
        if budget.left < 0:
            raise Bad("too many fields to read")
        key, i = _varint(data, i, end)
        num, wt = key >> 3, key & 7
        if num == 0 or num > 0x1FFFFFFF:
            raise Bad(f"field number {num} is out of range")
        if wt == 0:
            v, i = _varint(data, i, end)
            if v >= 1 << 64:
                raise Bad("a varint over 64 bits")
            out.append((num, v))
        elif wt == 1 or wt == 5:
            n = 8 if wt == 1 else 4
            if i + n > end:
                raise Bad("a fixed field runs past the end")
            out.append((num, Fixed(data[i:i + n])))
            i += n
        elif wt == 2:
            n, i = _varint(data, i, end)
            if i + n > end:
                raise Bad(f"field {num}: length {n:,} runs past the end")
            out.append((num, _pb_len(data, i, i + n, depth, budget)))
            i += n
        elif wt == 3:
            if depth >= 32:
                raise Bad("groups nested too deeply")
            sub, i = _pb_message(data, i, end, depth + 1, budget, group=num)
            out.append((num, sub))
        elif wt == 4:
            if group != num:
                raise Bad(f"an unmatched end of group {num}")
            return out, i
        else:
            raise Bad(f"wire type {wt} does not exist")
    if group is not None:
        raise Bad(f"group {group} is not closed")
    return out, i


def _pb_len(data: bytes, start: int, end: int, depth: int, budget: _Budget):
    """A length-delimited field: text, a nested message if it parses whole, or bytes."""
    chunk = data[start:end]
    if chunk and is_text(chunk):
        return chunk.decode("utf-8")
    if chunk and depth < 16:
        try:
            msg, _ = _pb_message(data, start, end, depth + 1, budget)
            return msg
        except Bad:
            if budget.left < 0:
                raise
    return chunk


def _pb_render(msg: Pairs, ind: int, out: list, size: list):
    pad = "  " * ind
    for num, v in msg:
        if isinstance(v, Pairs):
            out.append(f"{pad}{num} {{\n")
            _pb_render(v, ind + 1, out, size)
            out.append(f"{pad}}}\n")
        elif isinstance(v, str):
            out.append(f"{pad}{num}: {json.dumps(v, ensure_ascii=False)}\n")
        elif isinstance(v, bytes):
            out.append(f"{pad}{num}: {v!r}\n")
        elif isinstance(v, int):
            # (a zigzag sint is indistinguishable without the schema: not guessed)
            extra = f"  (int64 {v - (1 << 64)})" if v >= 1 << 63 else ""
            out.append(f"{pad}{num}: {v}{extra}\n")
        else:
            out.append(f"{pad}{num}: {v}\n")
        size[0] += len(out[-1])
        if size[0] > MAX_TEXT:
            raise _Full


def _protobuf(data: bytes, depth: int, max_output: int) -> Decoded:
    if not data:
        raise Bad("empty value")
    msg, _ = _pb_message(data, 0, len(data), 0, _Budget(MAX_STEPS))
    out: list[str] = []
    notes = ["raw wire format without a schema: field numbers, nested messages guessed"]
    try:
        _pb_render(msg, 0, out, [0])
    except _Full:
        notes.append(f"display cut at {MAX_TEXT:,} characters")
    return Decoded(True, "Protobuf", "".join(out).rstrip("\n"), "protobuf (raw)", msg,
                   tuple(notes))


# ---------------------------------------------------------------------- PHP serialize
class _Php:
    def __init__(self, data: bytes):
        self.d = data
        self.i = 0
        self.steps = 0

    def until(self, stop: bytes) -> bytes:
        j = self.d.find(stop, self.i)
        if j < 0:
            raise Bad(f"expected '{stop.decode()}' after offset {self.i}")
        s, self.i = self.d[self.i:j], j + 1
        return s

    def expect(self, s: bytes):
        if self.d[self.i:self.i + len(s)] != s:
            raise Bad(f"expected '{s.decode()}' at offset {self.i}")
        self.i += len(s)

    def int_(self, stop: bytes) -> int:
        s = self.until(stop)
        if not re.fullmatch(rb"[+-]?\d{1,20}", s):
            raise Bad(f"'{s.decode(errors='replace')}' is not an integer")
        return int(s)

    def string(self):
        n = self.int_(b":")
        self.expect(b'"')
        if n < 0 or self.i + n > len(self.d):
            raise Bad(f"a string of {n} bytes runs past the end")
        raw = self.d[self.i:self.i + n]
        self.i += n
        self.expect(b'"')
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw

    def value(self, depth: int = 0):
        self.steps += 1
        if self.steps > MAX_STEPS or depth > 512:
            raise Bad("too large or nested too deeply")
        t = self.d[self.i:self.i + 2]
        self.i += 2
        if t == b"N;":
            return None
        if t == b"b:":
            v = self.int_(b";")
            if v not in (0, 1):
                raise Bad("a boolean that is not 0 or 1")
            return bool(v)
        if t == b"i:":
            return self.int_(b";")
        if t == b"d:":
            s = self.until(b";").decode("ascii", "replace")
            try:
                return float({"INF": "inf", "-INF": "-inf", "NAN": "nan"}.get(s, s))
            except ValueError:
                raise Bad(f"'{s}' is not a number") from None
        if t == b"s:":
            v = self.string()
            self.expect(b";")
            return v
        if t == b"a:":
            return self.members(depth)
        if t in (b"O:", b"C:"):
            cls = self.string()
            self.expect(b":")
            if t == b"C:":
                n = self.int_(b":")
                self.expect(b"{")
                raw = self.d[self.i:self.i + n]
                self.i += n
                self.expect(b"}")
                return Opaque(f"object {cls} (custom serialized)", raw)
            return Opaque(f"object {cls}", self.members(depth))
        if t == b"E:":
            s = self.string()
            self.expect(b";")
            return Opaque(f"enum {s}")
        if t in (b"r:", b"R:"):
            return Opaque(f"reference to value #{self.int_(b';')}")
        raise Bad(f"unknown type tag {t!r} at offset {self.i - 2}")

    def members(self, depth: int):
        n = self.int_(b":")
        self.expect(b"{")
        if n < 0:
            raise Bad("a negative count")
        out = Pairs()
        for _ in range(n):
            k = self.value(depth + 1)
            if not isinstance(k, (int, str, bytes)) or isinstance(k, bool):
                raise Bad("an array key that is not an integer or a string")
            out.append((k, self.value(depth + 1)))
        self.expect(b"}")
        return out


def _php(data: bytes, depth: int, max_output: int) -> Decoded:
    p = _Php(data)
    v = p.value()
    if p.i != len(data):
        raise Bad(f"{len(data) - p.i:,} bytes after the value")
    d = _structured("PHP serialize", v)
    d.tree = v if isinstance(v, (Pairs, Opaque)) else None
    return d


# ---------------------------------------------------------------------- registry
# name -> (function, needs the whole value, takes ``cut``)
_DECODERS = {
    "Text": (_text, False, False),
    "JSON": (_json, True, False),
    "MessagePack": (_msgpack, True, False),
    "gzip": (_gzip, False, True),
    "zlib": (_zlib, False, True),
    "deflate": (_deflate, False, True),
    "Pickle": (_pickle, True, False),
    "Protobuf": (_protobuf, True, False),
    "PHP serialize": (_php, True, False),
    "Base64": (_base64, True, False),
    "Hex text": (_hextext, True, False),
    "Hex": (_hex, False, False),
}
if msgpack is None:                     # pragma: no cover - no fake decoder
    del _DECODERS["MessagePack"]


def names() -> list[str]:
    """The decoders that can be chosen by hand, in menu order."""
    return list(_DECODERS)


def decode(name: str, data: bytes, cut: bool = False, max_output: int = MAX_OUTPUT,
           depth: int = 0) -> Decoded:
    """One decoder by name ("Auto" = ``auto``); never raises.  ``cut``: ``data`` is only
    the start of the value."""
    if name == "Auto":
        return auto(data, cut, max_output)
    entry = _DECODERS.get(name)
    if entry is None:
        return _fail(name, "no such decoder in this build")
    fn, whole, takes_cut = entry
    data = bytes(data)
    if cut and whole:
        return _fail(name, f"only the first {len(data):,} bytes of the value were read, "
                           f"and this decoder needs all of it")
    try:
        if takes_cut:
            return fn(data, depth, max_output, cut)
        return fn(data, depth, max_output)
    except Bad as e:
        return _fail(name, str(e))
    except (MemoryError, RecursionError) as e:
        return _fail(name, f"too large or nested too deeply ({type(e).__name__})")
    except Exception as e:              # a bug of ours: still no traceback in the UI
        return _fail(name, f"decoder error: {type(e).__name__}: {e}")


def _try(name: str, data: bytes, depth: int, max_output: int, cut: bool):
    d = decode(name, data, cut, max_output, depth)
    return d if d.ok else None


_PHP_HEAD = re.compile(rb"(?:[aOC]:\d+:|s:\d+:\"|[ibd]:[^;]{1,40};|N;$|E:\d+:\")")


def detect(data: bytes, depth: int = 0, max_output: int = MAX_OUTPUT,
           cut: bool = False) -> Decoded | None:
    """The first structured decoding that fully succeeds (magic bytes first, then
    shape); None when the value is just text or bytes."""
    data = bytes(data)
    if not data:
        return None
    head = data[:4]
    # magic bytes
    if head[:2] == b"\x1f\x8b":
        return _try("gzip", data, depth, max_output, cut)
    if _zlib_header(data):
        d = _try("zlib", data, depth, max_output, cut)
        if d is not None:
            return d
    if len(data) > 2 and data[0] == 0x80 and 2 <= data[1] <= 5 and data.endswith(b"."):
        d = _try("Pickle", data, depth, max_output, cut)
        if d is not None:
            return d
    text = is_text(data)
    if text:
        s = data.lstrip()
        if s[:1] in (b"{", b"["):
            d = _try("JSON", data, depth, max_output, cut)
            if d is not None:
                return d
        if _PHP_HEAD.match(data):
            d = _try("PHP serialize", data, depth, max_output, cut)
            if d is not None:
                return d
        stripped = _nows(data)
        if len(stripped) >= AUTO_MIN_ENCODED * 2 and _HEXTEXT.fullmatch(stripped):
            d = _try("Hex text", data, depth, max_output, cut)
            if d is not None and _meaningful(d):
                return d
        elif len(stripped) >= AUTO_MIN_ENCODED and _B64.fullmatch(stripped):
            d = _try("Base64", data, depth, max_output, cut)
            if d is not None and _meaningful(d):
                return d
        return None
    # binary without magic: shapes that must consume every byte
    if msgpack is not None and (0x80 <= data[0] <= 0x9F or data[0] in (0xDC, 0xDD, 0xDE,
                                                                       0xDF)):
        d = _try("MessagePack", data, depth, max_output, cut)
        if d is not None:
            return d
    if len(data) <= 4 * 1024 * 1024:
        d = _try("Protobuf", data, depth, max_output, cut)
        if d is not None and all(num <= 10_000 for num, _ in d.tree):
            return d
    return None


def worth_detecting(data: bytes) -> bool:
    """Whether ``detect`` could find anything (cheap: the view shows the value as text
    at once and decodes in the background only when this says so)."""
    if not data:
        return False
    if not is_text(data):
        return True
    head = data[:4096].strip()
    return head[:1] in (b"{", b"[") or bool(_PHP_HEAD.match(data)) or (
        len(head) >= AUTO_MIN_ENCODED and b" " not in head and
        bool(_B64.fullmatch(_nows(head).rstrip(b"="))))


def _meaningful(d: Decoded) -> bool:
    """A base64 / hex-text reading is taken only when what it unwraps is structured or
    readable text (short words happen to be valid base64 too)."""
    inner = d.label.split(" → ", 1)[1] if " → " in d.label else ""
    return inner not in ("", "Hex")


def auto(data: bytes, cut: bool = False, max_output: int = MAX_OUTPUT) -> Decoded:
    """``detect``, else the value as text, else as a hexdump: always ok."""
    try:
        d = detect(data, 0, max_output, cut)
    except Exception as e:              # detect calls only total decoders; belt and braces
        d = None
        note = (f"auto-detection failed: {type(e).__name__}",)
    else:
        note = ()
    if d is not None:
        return d
    r = decode("Text" if is_text(data) else "Hex", data, cut, max_output)
    r.notes = r.notes + note
    return r
