"""AOF machinery in-process (no sockets): the loader's reading of torn, annotated and
damaged command streams, the manifest format, and the writer's per-iteration flush."""
from __future__ import annotations

import os
import tempfile

import pytest

from engine import Engine
from engine.persist import aof_load as L
from engine.persist.aof_manifest import Manifest, ManifestError


def cmd(*argv: bytes) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in argv)


SETS = b"".join(cmd(b"SET", b"k%d" % i, b"v%d" % i) for i in range(20))


def replay(data: bytes):
    e = Engine()
    rep = L.Replayer(e)
    try:
        n = L.replay(rep, data, 0)
    except L._Truncated as t:
        return e, ("truncated", t.offset, t.multi)
    except L.AofFormatError as err:
        return e, ("format", err.offset)
    return e, ("ok", n)


def test_whole_commands_all_run():
    e, res = replay(cmd(b"SELECT", b"3") + SETS + cmd(b"RPUSH", b"l", b"a", b"b"))
    assert res == ("ok", 22)
    assert len(e.dbs[3].data) == 21 and e.dbs[0].data == {}


@pytest.mark.parametrize("cut", [1, 3, 5, 9, 12])
def test_a_torn_last_command_is_cut_at_the_end_of_the_one_before(cut):
    data = SETS + cmd(b"SET", b"last", b"value")
    whole = len(SETS)
    e, res = replay(data[:len(data) - cut])
    assert res == ("truncated", whole, False)
    assert len(e.dbs[0].data) == 20 and b"last" not in e.dbs[0].data


def test_a_file_ending_between_two_arguments_is_torn_too():
    data = SETS + b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n"     # hiredis alone would not notice
    e, res = replay(data)
    assert res == ("truncated", len(SETS), False)


def test_annotations_are_skipped_anywhere_between_commands():
    data = (b"#TS:1700000000\r\n" + cmd(b"SET", b"a", b"1") + b"#TS:1700000001\r\n"
            + cmd(b"SET", b"b", b"2") + b"#TS:1700000002\r\n")
    e, res = replay(data)
    assert res == ("ok", 2)
    assert e.dbs[0].data == {b"a": b"1", b"b": b"2"}


def test_a_hash_sign_after_a_newline_inside_a_value_is_data():
    v = b"line1\n#not-an-annotation\r\n#nor this"
    data = cmd(b"SET", b"a", v) + b"#TS:1\r\n" + cmd(b"SET", b"b", b"x\n#y") + SETS
    e, res = replay(data)
    assert res == ("ok", 22)
    assert e.dbs[0].data[b"a"] == v and e.dbs[0].data[b"b"] == b"x\n#y"


def test_an_unfinished_transaction_is_reverted_to_its_multi():
    head = SETS
    tx = cmd(b"MULTI") + cmd(b"SET", b"t1", b"1") + cmd(b"SET", b"t2", b"2")
    e, res = replay(head + tx)
    assert res == ("truncated", len(head), True)
    assert b"t1" not in e.dbs[0].data
    e, res = replay(head + tx + b"#TS:5\r\n" + cmd(b"SET", b"t3", b"3")[:-4])
    assert res == ("truncated", len(head), True)
    e, res = replay(head + tx + cmd(b"EXEC"))
    assert res == ("ok", 24) and e.dbs[0].data[b"t2"] == b"2"


@pytest.mark.parametrize("bad,what", [(b"!", 0), (b"*0\r\n", 0), (b"*1\r\n:5\r\n", 4)])
def test_damage_names_the_offset(bad, what):
    data = SETS + bad + SETS
    e, res = replay(data)
    assert res == ("format", len(SETS) + what)
    assert len(e.dbs[0].data) == 20          # what came before ran


def test_lenient_headers_read_as_redis_reads_them():
    # atoi/strtol: trailing junk after the count is ignored; the CRLF after a value is
    # skipped unchecked (hiredis refuses the first: the Python reader takes over)
    data = b"*3junk\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1XY" + cmd(b"SET", b"b", b"2")
    e, res = replay(data)
    assert res == ("ok", 2)
    assert e.dbs[0].data == {b"a": b"1", b"b": b"2"}


def test_an_unknown_command_stops_the_load():
    e = Engine()
    with pytest.raises(L._Unknown):
        L.replay(L.Replayer(e), SETS + cmd(b"NOSUCHCMD", b"x") + SETS, 0)


def test_keys_do_not_expire_while_loading_so_later_commands_see_them():
    d = tempfile.mkdtemp()
    os.mkdir(os.path.join(d, "appendonlydir"))
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), "wb") as f:
        f.write(cmd(b"SET", b"k", b"1", b"PXAT", b"1000") + cmd(b"INCR", b"k")
                + cmd(b"SET", b"p", b"1") + cmd(b"PEXPIREAT", b"p", b"2000"))
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest"), "w") as f:
        f.write("file appendonly.aof.1.incr.aof seq 1 type i\n")
    e = Engine()
    e.config.set("dir", d, startup=True)
    from engine.persist.aof import aof_state
    st = aof_state(e)
    st.load_manifest_from_disk()
    assert st.load() == L.OK
    db = e.dbs[0]
    # as in Redis: loaded with their (past) TTLs, then expired -- never made permanent
    assert db.data[b"k"] == b"2" and db.expires[b"k"] == 1000
    assert db.expires[b"p"] == 2000
    assert db.get(b"k") is None and db.get(b"p") is None


# ---------------------------------------------------------------- manifest
def test_manifest_round_trips_in_redis_order():
    text = (b"file appendonly.aof.3.base.rdb seq 3 type b\n"
            b"file appendonly.aof.1.incr.aof seq 1 type h\n"
            b"file appendonly.aof.4.incr.aof seq 4 type i\n"
            b"file appendonly.aof.5.incr.aof seq 5 type i\n")
    am = Manifest.parse(text)
    assert am.to_string().encode() == text
    assert (am.base_seq, am.incr_seq) == (3, 5)
    am.mark_rewritten_incr_as_history(keep_last=True)
    assert am.new_base("appendonly.aof", True) == "appendonly.aof.4.base.rdb"
    assert am.to_string() == ("file appendonly.aof.4.base.rdb seq 4 type b\n"
                              "file appendonly.aof.3.base.rdb seq 3 type h\n"
                              "file appendonly.aof.4.incr.aof seq 4 type h\n"
                              "file appendonly.aof.1.incr.aof seq 1 type h\n"
                              "file appendonly.aof.5.incr.aof seq 5 type i\n")


def test_manifest_names_with_spaces_are_quoted_and_read_back():
    am = Manifest()
    am.new_base("my file.aof", False)
    am.new_incr("my file.aof")
    text = am.to_string()
    assert text.startswith('file "my file.aof.1.base.aof" seq 1 type b\n')
    assert [ai.name for ai in Manifest.parse(text.encode()).files()] == [
        "my file.aof.1.base.aof", "my file.aof.1.incr.aof"]


@pytest.mark.parametrize("text,msg", [
    (b"", "Found an empty AOF manifest"),
    (b"file a seq 1 type b", "The AOF manifest file contains too long line"),
    (b"file a seq 1 type b\n\n", "Invalid AOF manifest file format"),
    (b"file a seq 0 type b\n", "Invalid AOF manifest file format"),
    (b"file " + b"a" * 1100 + b" seq 1 type b\n", "The AOF manifest file contains too long line"),
])
def test_manifest_errors_are_redis_messages(text, msg):
    with pytest.raises(ManifestError) as e:
        Manifest.parse(text)
    assert e.value.msg == msg


def test_manifest_comments_and_unknown_keys_are_allowed():
    am = Manifest.parse(b"# a comment\nfile a seq 1 type b future x\n")
    assert am.base.name == "a"


# ---------------------------------------------------------------- writer
def test_feed_encodes_select_and_commands_and_flushes_once_per_iteration():
    d = tempfile.mkdtemp()
    e = Engine()
    e.config.set("dir", d, startup=True)
    from engine.persist.aof import ON, aof_state
    st = aof_state(e)
    pending = []
    st.scheduler = lambda delay, fn: pending.append(fn)
    st.state = ON
    st.load_manifest_from_disk()
    st.open_on_start()
    c = e.connect()
    e.execute(c, [b"SET", b"a", b"1"])
    e.execute(c, [b"SELECT", b"2"])
    e.execute(c, [b"RPUSH", b"l", b"x", b"y"])
    assert len(pending) == 1                       # one flush for the iteration
    assert bytes(st.buf) == (cmd(b"SELECT", b"0") + cmd(b"SET", b"a", b"1")
                             + cmd(b"SELECT", b"2") + cmd(b"RPUSH", b"l", b"x", b"y"))

    class Proto:
        held = None
        released = b""

        def release_held(self):
            self.released = b"".join(self.held)
            self.held = None
    p = Proto()
    assert st.hold(p, b"+OK\r\n") is True          # waits for the write
    pending.pop()()
    assert p.released == b"+OK\r\n" and not st.buf
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), "rb") as f:
        assert f.read().endswith(cmd(b"RPUSH", b"l", b"x", b"y"))
    assert st.hold(p, b"+OK\r\n") is False         # nothing pending: straight out


def test_everysec_postpones_a_write_behind_a_slow_fsync_for_two_seconds(monkeypatch):
    d = tempfile.mkdtemp()
    e = Engine()
    e.config.set("dir", d, startup=True)
    from engine.persist import aof as A
    st = A.aof_state(e)
    st.scheduler = lambda delay, fn: None
    st.state = A.ON
    st.load_manifest_from_disk()
    st.open_on_start()
    now = [1_000_000.0]
    monkeypatch.setattr(A.time, "time", lambda: now[0])
    st.bio.fsync_pending = 1                       # an fsync that does not return
    st.buf += cmd(b"SET", b"a", b"1")
    st.flush(False)
    assert st.buf and st.flush_postponed_start == 1_000_000
    now[0] += 1
    st.flush(False)
    assert st.buf and st.delayed_fsync == 0
    now[0] += 1.5
    st.flush(False)                                # over 2 s: written anyway
    assert not st.buf and st.delayed_fsync == 1
    st.bio.fsync_pending = 0
