"""RDB building blocks: listpack, intset, LZF, CRC64, and the fork-free snapshot's guard."""
import os
import random
import tempfile

import pytest

from engine import Engine
from engine.persist import rdbio
from engine.persist.listpack import (intset_decode, intset_encode, lp_decode, lp_encode,
                                     str_int)
from engine.persist.rdb_read import load_rdb
from engine.persist.rdbio import RdbError
from engine.persist.state import rdb_state


def test_listpack_round_trips_every_integer_width_and_string_size():
    ints = [0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 32768, -2**23, 2**23 - 1,
            2**23, -2**31, 2**31 - 1, 2**31, -2**63, 2**63 - 1]
    strs = [b"", b"a", b"x" * 63, b"x" * 64, b"x" * 4095, b"x" * 4096, b"y" * 70000,
            b"007", b"-0", b"+1", b"1 ", b"9223372036854775808"]
    items = [b"%d" % i for i in ints] + strs
    blob = lp_encode(items)
    assert lp_decode(blob) == items
    assert lp_decode(blob, ints=True)[:len(ints)] == ints


def test_listpack_detects_damage():
    blob = bytearray(lp_encode([b"hello", b"12345", b"x" * 200]))
    with pytest.raises(RdbError):
        lp_decode(bytes(blob[:-1]))
    blob[-2] ^= 0x01                      # the last entry's backlen
    with pytest.raises(RdbError):
        lp_decode(bytes(blob))


def test_string_to_int_follows_string2ll():
    assert str_int(b"123") == 123 and str_int(b"-5") == -5
    for s in (b"0123", b"-0", b"+1", b" 1", b"1.0", b"", b"9223372036854775808"):
        assert str_int(s) is None


def test_intset_picks_the_smallest_width_and_round_trips():
    for vals, width in (([1, 2, 3], 2), ([-40000, 5], 4), ([2**40], 8)):
        blob = intset_encode(vals)
        assert int.from_bytes(blob[:4], "little") == width
        assert intset_decode(blob) == [b"%d" % v for v in vals]
    with pytest.raises(RdbError):
        intset_decode(intset_encode([1, 2])[:-1])


def test_lzf_and_crc64_match_the_pure_python_versions():
    rng = random.Random(1)
    for _ in range(50):
        n = rng.randrange(0, 5000)
        data = bytes(rng.choice(b"abcab\x00") for _ in range(n))
        comp = rdbio.lzf_compress(data)
        if comp is not None:
            assert rdbio.lzf_decompress(comp, n) == data
            assert rdbio._lzf_compress_py(data) is None or \
                rdbio.lzf_decompress(rdbio._lzf_compress_py(data), n) == data
        assert rdbio.crc64(data) == rdbio._crc64_py(data)
    assert rdbio.crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def test_a_file_with_a_bad_checksum_is_refused():
    e = Engine()
    d = tempfile.mkdtemp()
    e.config.values["dir"] = d
    e.dbs[0].data[b"k"] = b"v"
    assert rdb_state(e).save()
    data = bytearray(open(os.path.join(d, "dump.rdb"), "rb").read())
    data[-1] ^= 1
    with pytest.raises(RdbError, match="Wrong RDB checksum"):
        load_rdb(bytes(data), Engine(), 0)


def _run(e, c, *args):
    return e.execute(c, [a if isinstance(a, bytes) else str(a).encode() for a in args])


def test_the_guard_keeps_pre_write_values_of_in_place_changes():
    """Writes between slices change values in place; the file holds time-zero values."""
    e = Engine()
    d = tempfile.mkdtemp()
    e.config.values["dir"] = d
    c = e.connect()
    for i in range(5000):
        _run(e, c, "SET", f"k{i}", i)
    _run(e, c, "APPEND", "s", "old")
    _run(e, c, "RPUSH", "l", "a")
    st = rdb_state(e)
    fired = []
    st.scheduler = lambda delay, fn: fired.append(fn)     # drive the slices by hand
    st.bgsave()
    assert e.snapshot_guard is not None
    fired.pop()()                                          # one slice
    _run(e, c, "APPEND", "s", "NEW")
    _run(e, c, "RPUSH", "l", "b")
    _run(e, c, "SET", "k4999", "changed")
    _run(e, c, "DEL", "k0")
    while st.snapshot is not None:
        if fired:
            fired.pop()()
    assert e.snapshot_guard is None
    e2 = Engine()
    load_rdb(open(os.path.join(d, "dump.rdb"), "rb").read(), e2, 0)
    db = e2.dbs[0]
    assert db.data[b"s"] == b"old"
    assert list(db.data[b"l"]) == [b"a"]
    assert db.data[b"k4999"] == b"4999" and db.data[b"k0"] == b"0"
    assert len(db.data) == 5002


def _corpus_file() -> bytes:
    e = Engine()
    d = tempfile.mkdtemp()
    e.config.values["dir"] = d
    c = e.connect()
    _run(e, c, "SET", "s", "x" * 300)
    _run(e, c, "SET", "n", 7)
    _run(e, c, "RPUSH", "l", *range(50), "y" * 100)
    _run(e, c, "SADD", "si", 1, 2, 3)
    _run(e, c, "SADD", "ss", "a", "b")
    _run(e, c, "HSET", "h", "f", "v", "g", 2)
    _run(e, c, "ZADD", "z", 1, "a", 2.5, "b")
    _run(e, c, "XADD", "x", "1-1", "f", "v")
    _run(e, c, "XGROUP", "CREATE", "x", "g", "0")
    _run(e, c, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">")
    _run(e, c, "PEXPIRE", "s", 100000)
    assert rdb_state(e).save()
    return open(os.path.join(d, "dump.rdb"), "rb").read()


def test_damaged_files_fail_with_rdb_errors_only():
    good = _corpus_file()
    load_rdb(good, Engine(), 0)
    rng = random.Random(3)
    for _ in range(400):
        data = bytearray(good)
        if rng.random() < 0.3:
            data = data[:rng.randrange(len(data))]
        else:
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        try:
            load_rdb(bytes(data), Engine(), 0, checksum=False)
        except RdbError:
            pass


def test_damaged_restore_payloads_fail_with_rdb_errors_only():
    from engine.persist.rdb_read import load_payload
    from engine.persist.rdb_write import dump_payload
    e = Engine()
    c = e.connect()
    _run(e, c, "RPUSH", "l", *range(50))
    _run(e, c, "HSET", "h", "f", "v")
    _run(e, c, "ZADD", "z", 1, "a", 2.5, "b")
    rng = random.Random(4)
    for key in (b"l", b"h", b"z"):
        body = dump_payload(e.dbs[0].data[key], e.config)[:-10]
        for _ in range(300):
            data = bytearray(body)
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            try:
                load_payload(rdbio.dump_footer(bytes(data)), e.config)
            except RdbError:
                pass
