"""Value formatters (gui/formatters.py): real encoded data in, readable text out; garbage
gives "not X: why" and never an exception; pickles are read, never executed."""
from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
import random
import struct
import subprocess
import sys
import zlib

import msgpack
import pytest

from gui import formatters as F
from gui.formatters import Opaque, Pairs

DOC = {"user": {"name": "Zoë", "tags": ["a", "b"], "empty": {}, "none": None},
       "n": -1, "x": 1.5, "ok": True, "list": [[], [1, [2, [3]]]]}
PRETTY = json.dumps(DOC, indent=2, ensure_ascii=False)
JSON_BYTES = json.dumps(DOC).encode()


# ---------------------------------------------------------------------- JSON, text
def test_json_is_pretty_printed_exactly_like_json_dumps_and_has_a_tree():
    d = F.decode("JSON", JSON_BYTES)
    assert d.ok and d.text == PRETTY and d.tree == DOC
    for doc in ([1.0, float("inf"), float("nan"), -0.0, 10 ** 30], "s\u2028\x00\"\\", 5, {}):
        assert F.decode("JSON", json.dumps(doc).encode()).text == \
            json.dumps(doc, indent=2, ensure_ascii=False)


def test_invalid_json_says_where():
    d = F.decode("JSON", b'{"a": 1,}')
    assert not d.ok and d.text.startswith("not JSON: ") and "line 1 column 9" in d.text
    assert F.decode("JSON", b"\xff{}").text == "not JSON: the value is not UTF-8 text"


def test_auto_takes_objects_and_arrays_as_json_but_leaves_plain_text_alone():
    assert F.auto(JSON_BYTES).name == "JSON"
    for plain in (b"42", b"hello world", b"true", b'"quoted"', b"[1, 2"):
        d = F.auto(plain)
        assert d.name == "Text" and d.text == plain.decode()


def test_binary_falls_back_to_a_hexdump():
    d = F.auto(bytes(range(256)))
    assert d.name == "Hex" and d.text.splitlines()[1].startswith("00000010  10 11 12")


def test_text_with_invalid_utf8_is_escaped_and_says_so():
    d = F.decode("Text", b"caf\xe9")
    assert d.ok and d.text == "caf\\xe9" and "not valid UTF-8" in d.notes[0]


# ---------------------------------------------------------------------- compression
@pytest.mark.parametrize("name, pack", [
    ("gzip", gzip.compress),
    ("zlib", zlib.compress),
    ("deflate", lambda b: (lambda c: c.compress(b) + c.flush())(
        zlib.compressobj(9, zlib.DEFLATED, -15))),
])
def test_compressed_json_is_decompressed_and_decoded_again(name, pack):
    data = pack(JSON_BYTES)
    d = F.decode(name, data)
    assert d.ok and d.label == f"{name} → JSON" and d.text == PRETTY and d.tree == DOC
    assert d.notes[0] == f"decompressed {len(data):,} → {len(JSON_BYTES):,} bytes"
    if name != "deflate":                   # raw deflate has no magic: chosen by hand
        assert F.auto(data).label == f"{name} → JSON"


def test_gzip_with_several_members_is_read_whole():
    data = gzip.compress(b'{"a": ') + gzip.compress(b'[1, 2]}')
    d = F.decode("gzip", data)
    assert d.label == "gzip → JSON" and json.loads(d.text) == {"a": [1, 2]}


def test_a_decompression_bomb_stops_at_the_cap_and_says_truncated(monkeypatch):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))        # 64 MB in ~64 KB
    assert len(bomb) < 100_000
    d = F.decode("gzip", bomb)
    assert d.ok and len(d.extra["payload"]) == F.MAX_OUTPUT == 16 * 1024 * 1024
    assert any("truncated at 16,777,216 bytes" in n for n in d.notes)
    monkeypatch.setattr(F, "MAX_OUTPUT", 1000)               # the cap is what is used
    d = F.decode("zlib", zlib.compress(b"{" * 5000), max_output=1000)
    assert len(d.extra["payload"]) == 1000 and "truncated" in " ".join(d.notes)


def test_the_start_of_a_compressed_value_decompresses_that_part():
    data = gzip.compress(b"x" * 100_000 + os.urandom(50_000))
    part = data[:len(data) // 2]
    d = F.decode("gzip", part, cut=True)
    assert d.ok and "only the start of the value was read" in " ".join(d.notes)
    d = F.decode("gzip", part)
    assert d.ok and "incomplete" in " ".join(d.notes)


def test_damaged_compressed_data_is_refused_with_zlibs_reason():
    data = bytearray(zlib.compress(JSON_BYTES))
    data[5] ^= 0xFF
    d = F.decode("zlib", bytes(data))
    assert not d.ok and d.text.startswith("not zlib: ")
    assert F.decode("gzip", b"plain").text == "not gzip: no gzip header (1f 8b)"


# ---------------------------------------------------------------------- MessagePack
def test_msgpack_maps_with_bytes_int_keys_and_extensions():
    value = {"name": "Zoë", "blob": b"\x00\xff", 7: [1, 2.5, None, True],
             "nested": {"deep": {"x": -3}}}
    data = msgpack.packb(value, use_bin_type=True) 
    d = F.auto(data)
    assert d.ok and d.name == "MessagePack" and d.tree == value
    assert '"name": "Zoë"' in d.text and "b'\\x00\\xff'" in d.text and "7: [" in d.text
    ext = msgpack.packb([msgpack.ExtType(5, b"abc"), msgpack.Timestamp(0)])
    d = F.decode("MessagePack", ext)
    assert d.ok and "<ext type 5> b'abc'" in d.text and "1970-01-01T00:00:00+00:00" in d.text


def test_msgpack_map_with_an_unhashable_key_is_kept_as_pairs():
    data = b"\x81" + msgpack.packb([1, 2]) + msgpack.packb("v")   # {[1, 2]: "v"}
    d = F.decode("MessagePack", data)
    assert d.ok and isinstance(d.tree, Pairs) and d.tree == [([1, 2], "v")]


def test_msgpack_garbage_and_trailing_bytes_are_refused():
    assert F.decode("MessagePack", b"\xc1").text.startswith("not MessagePack: ")
    d = F.decode("MessagePack", msgpack.packb({"a": 1}) + b"zz")
    assert d.text == "not MessagePack: 2 bytes left after the first value"
    assert F.decode("MessagePack", b"\x92\x01").text.startswith("not MessagePack: ")


# ---------------------------------------------------------------------- pickle
CALLS: list = []


class Boom:
    """Unpickling this would call os.system (a real attack payload)."""
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class Recorder:
    """Unpickling this would run __setstate__."""
    def __init__(self):
        self.x, self.y = 1, [2, 3]

    def __setstate__(self, state):
        CALLS.append(state)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


@pytest.mark.parametrize("proto", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_is_read_without_running_anything(proto, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    value = {"cfg": {"nested": {"deep": [1, 2.5, None, True, b"raw", "Zoë"]}},
             "attack": Boom(f"touch {marker}"), "obj": Recorder(), "pt": Point(3, 4),
             "set": {1, 2}}
    data = pickle.dumps(value, proto)
    ran = []                            # os.system, had anything called it
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    CALLS.clear()
    d = F.decode("Pickle", data)
    assert d.ok and d.label == "pickle (not executed)"
    assert d.notes[0] == "read as data: nothing imported or run"
    assert not ran and not CALLS and not marker.exists()
    # the data comes through, the call is shown as a call
    assert '"deep": [\n' in d.text and "2.5" in d.text and '"Zoë"' in d.text
    assert "b'raw'" in d.text
    assert "system (not executed)> [\n" in d.text and f'"touch {marker}"' in d.text
    assert "Point" in d.text and '"x": 3' in d.text
    assert "# pickletools.dis" in d.text and "STOP" in d.text
    assert any(n.startswith("names ") and "system" in n and n.endswith("(not imported)")
               for n in d.notes)
    if proto >= 2:
        assert F.auto(data).label == "pickle (not executed)"


def test_a_pickle_of_an_unloaded_module_does_not_import_it():
    # a hand-written pickle: GLOBAL of a module nobody has imported, then a call
    name = "json.tool"                  # importable, and not imported by anything here
    sys.modules.pop(name, None)
    data = b"\x80\x02c" + name.encode() + b"\nmain\nq\x00)R."
    d = F.decode("Pickle", data)
    assert d.ok and "call json.tool.main (not executed)" in d.text
    assert name not in sys.modules
    # and in a fresh interpreter, where nothing else could have imported it
    code = ("import sys; from gui import formatters as F; "
            "d = F.decode('Pickle', bytes.fromhex(sys.argv[1])); "
            "print(d.ok, 'subprocess' in sys.modules, 'json.tool' in sys.modules)")
    # subprocess.getoutput("echo pwned"), written by hand (GLOBAL, BINUNICODE, TUPLE1,
    # REDUCE, STOP)
    evil = (b"\x80\x02csubprocess\ngetoutput\nX" + struct.pack("<I", 10) + b"echo pwned"
            + b"\x85R.")
    assert "subprocess.getoutput" in F.decode("Pickle", evil).text
    out = subprocess.run([sys.executable, "-c", code, evil.hex()], capture_output=True,
                         text=True, cwd=os.path.dirname(os.path.dirname(
                             os.path.dirname(os.path.abspath(__file__)))), timeout=60)
    assert out.stdout.split() == ["True", "False", "False"], out.stderr


def test_a_pickle_that_refers_to_itself_renders_a_cycle():
    lst: list = []
    lst.append(lst)
    d = F.decode("Pickle", pickle.dumps(lst))
    assert d.ok and d.text.startswith("[\n  <cycle>\n]")


def test_pickle_garbage_is_refused_plainly():
    assert F.decode("Pickle", b"").text == "not Pickle: empty value"
    assert F.decode("Pickle", b"\x80\x04K\x01").text == \
        "not Pickle: pickle exhausted before seeing STOP"
    assert F.decode("Pickle", b"\x80\x02h\x05.").text.startswith("not Pickle: memo entry")
    d = F.decode("Pickle", pickle.dumps({"a": 1})[:-3])
    assert not d.ok and d.text.startswith("not Pickle: ")


# ---------------------------------------------------------------------- protobuf
def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num: int, wire: int, payload: bytes) -> bytes:
    return varint(num << 3 | wire) + payload


def test_protobuf_wire_format_is_decoded_without_a_schema():
    inner = field(1, 0, varint(150)) + field(2, 2, varint(2) + b"hi")
    msg = (field(1, 0, varint(150))                         # the spec's 08 96 01
           + field(2, 2, varint(7) + b"testing")             # 12 07 74 65 73 74 69 6e 67
           + field(3, 2, varint(len(inner)) + inner)         # a nested message
           + field(4, 0, varint((1 << 64) - 1))              # int64 -1 as a varint
           + field(5, 1, struct.pack("<d", 1.5))             # fixed64
           + field(6, 5, struct.pack("<f", -2.0))            # fixed32
           + field(7, 2, varint(3) + b"\x00\xff\x80")        # bytes
           + field(8, 3, b"") + field(1, 0, varint(5)) + field(8, 4, b"")   # a group
           + field(536870911, 0, varint(1)))                 # the largest field number
    assert msg[:3] == bytes.fromhex("089601")
    assert msg[3:12] == bytes.fromhex("120774657374696e67")
    d = F.decode("Protobuf", msg)
    assert d.ok and d.label == "protobuf (raw)"
    assert d.text.splitlines() == [
        "1: 150",
        '2: "testing"',
        "3 {",
        "  1: 150",
        '  2: "hi"',
        "}",
        "4: 18446744073709551615  (int64 -1)",
        "5: 0x3ff8000000000000 (i64; double 1.5)",
        "6: 0xc0000000 (i32; float -2.0)",
        "7: b'\\x00\\xff\\x80'",
        "8 {",
        "  1: 5",
        "}",
        "536870911: 1",
    ]
    assert d.tree[0] == (1, 150) and d.tree[2][1] == [(1, 150), (2, "hi")]


def test_auto_recognises_a_binary_protobuf_message():
    inner = field(1, 2, varint(3) + b"\x01\x02\x03")
    msg = field(1, 0, varint(1)) + field(2, 2, varint(len(inner)) + inner)
    assert F.auto(msg).label == "protobuf (raw)"


@pytest.mark.parametrize("data, why", [
    (b"\x0f\x01", "wire type 7 does not exist"),
    (b"\x00\x01", "field number 0 is out of range"),
    (b"\x12\x05ab", "field 2: length 5 runs past the end"),
    (b"\x08\x80", "a varint runs past the end"),
    (b"\x0c", "an unmatched end of group 1"),
    (b"\x0b\x08\x01", "group 1 is not closed"),
])
def test_protobuf_garbage_is_refused_with_the_reason(data, why):
    assert F.decode("Protobuf", data).text == f"not Protobuf: {why}"


# ---------------------------------------------------------------------- PHP, base64, hex
def test_php_serialize_arrays_objects_and_multibyte_strings():
    data = ('a:3:{i:0;s:4:"Zoë";s:3:"obj";O:8:"stdClass":2:{s:1:"a";i:1;s:1:"b";'
            'a:1:{i:0;b:1;}}s:1:"f";d:0.5;}').encode()
    d = F.auto(data)
    assert d.ok and d.name == "PHP serialize"
    assert d.text.splitlines() == [
        "{", '  0: "Zoë",', '  "obj": <object stdClass> {', '    "a": 1,',
        '    "b": {', "      0: true", "    }", "  },", '  "f": 0.5', "}"]
    assert F.decode("PHP serialize", b'a:1:{i:0;s:9:"short";}').text.startswith(
        "not PHP serialize: ")
    assert F.decode("PHP serialize", b"i:1;junk").text == \
        "not PHP serialize: 4 bytes after the value"


def test_base64_is_unwrapped_and_decoded_again():
    b64 = base64.b64encode(gzip.compress(JSON_BYTES))
    d = F.auto(b64)
    assert d.label == "Base64 → gzip → JSON" and d.text == PRETTY
    url = base64.urlsafe_b64encode(b"\xfb\xff" + JSON_BYTES).rstrip(b"=")
    assert b"-" in url or b"_" in url
    d = F.decode("Base64", url)                 # URL-safe, unpadded
    assert d.label == "Base64 → Hex" and d.extra["payload"] == b"\xfb\xff" + JSON_BYTES
    assert F.auto(url).name == "Text"           # binary inside: Auto leaves it as text
    assert F.decode("Base64", b"not base64!").text == \
        "not Base64: characters outside the base64 alphabet"
    # words that happen to be valid base64 stay text in Auto
    for word in (b"password", b"abcdefgh", b"Administrator123"):
        assert F.auto(word).name == "Text"


def test_hex_text_is_unwrapped_when_it_hides_something():
    assert F.auto(zlib.compress(JSON_BYTES).hex().encode()).label == "Hex text → zlib → JSON"
    sha1 = b"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
    assert F.auto(sha1).name == "Text"
    assert F.decode("Hex text", b"abc").text == "not Hex text: not an even number of hex digits"


# ---------------------------------------------------------------------- totality
def test_every_decoder_is_total_on_garbage_and_truncations():
    rng = random.Random(8)
    samples = [b"", b"\x00", b"\x80", b"\x1f\x8b", b"\x78\x9c", b"{", b"a:", b"=" * 9]
    valid = [JSON_BYTES, gzip.compress(JSON_BYTES), zlib.compress(JSON_BYTES),
             msgpack.packb(DOC), pickle.dumps(DOC, 4), pickle.dumps(DOC, 0),
             b'a:1:{i:0;s:1:"x";}', base64.b64encode(JSON_BYTES),
             field(1, 2, varint(3) + b"abc")]
    for v in valid:
        samples += [v[:i] for i in range(0, len(v), max(1, len(v) // 12))]
        flipped = bytearray(v)
        for _ in range(3):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        samples.append(bytes(flipped))
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
                for _ in range(200)]
    for data in samples:
        for name in F.names() + ["Auto"]:
            for cut in (False, True):
                d = F.decode(name, data, cut)
                assert isinstance(d, F.Decoded) and isinstance(d.text, str)
                assert d.ok or d.text.startswith(f"not {name}: ")


def test_a_decoder_that_needs_the_whole_value_says_so_for_a_prefix():
    d = F.decode("JSON", JSON_BYTES[:10], cut=True)
    assert d.text == ("not JSON: only the first 10 bytes of the value were read, and "
                      "this decoder needs all of it")


def test_rendering_stops_at_its_budget():
    text, cut = F.render(list(range(100_000)), limit=1000)
    assert cut and len(text) == 1000
    d = F.decode("MessagePack", msgpack.packb(["x" * 100] * 20_000))
    assert d.ok and len(d.text) == F.MAX_TEXT and "display cut" in d.notes[-1]


def test_opaque_values_render_with_their_label():
    assert F.render(Opaque("object Foo", {"a": 1}))[0] == '<object Foo> {\n  "a": 1\n}'
    assert F.render(Pairs([(1, "a"), (1, "b")]))[0] == '{\n  1: "a",\n  1: "b"\n}'
