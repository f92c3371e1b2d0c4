"""Redis 7.0 Functions: FUNCTION LOAD/LIST/DELETE/DUMP/RESTORE/STATS, FCALL."""
import pytest
import sys, os
sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
import redis

LIB = "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)"
LIB3 = ("#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() "
        "return redis.call('get','a') end, flags={'no-writes'}, description='desc'}")


def _err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def test_load_and_call_a_function(r):
    assert r.function_load(LIB) == b"mylib"
    assert r.fcall("f1", 1, "k", "a") == [b"k", b"a"]


def test_read_only_function_flags(r):
    r.function_load(LIB3)
    r.set("a", "value")
    assert r.fcall_ro("f3", 0) == b"value"
    r.function_load(LIB)
    assert _err(r.fcall_ro, "f1", 0) == ("Can not execute a script with write flag using "
                                         "*_ro command.")


@pytest.mark.parametrize("code,error", [
    ("return 1", "Missing library metadata"),
    ("#!lua\nreturn 1", "Library name was not given"),
    ("#!lua name=my-lib\nreturn 1", "Library names can only contain letters, numbers, or "
                                    "underscores(_) and must be at least one character long"),
    ("#!lua name=lib2\nredis.call('set','a','b')",
     "Error registering functions: ERR user_function:2: Script attempted to access "
     "nonexistent global variable 'call'"),
    ("#!lua name=lib5 foo=bar\nreturn 1", "Invalid metadata value given: foo=bar"),
    ("#!lua name=lib6", "Invalid library metadata"),
    ("#!lua name=lib8\nlocal x = 1 +", "Error compiling function: user_function:2: unexpected "
                                       "symbol near '<eof>'"),
    ("#!lua name=lib9\nreturn 1", "No functions registered"),
])
def test_load_errors(r, code, error):
    assert _err(r.function_load, code) == error


def test_library_and_function_name_collisions(r):
    r.function_load(LIB)
    assert _err(r.function_load, LIB) == "Library 'mylib' already exists"
    other = "#!lua name=lib4\nredis.register_function('f1', function() return 1 end)"
    assert _err(r.function_load, other) == "Function f1 already exists"
    assert r.function_load(LIB.replace("return {keys[1], args[1]}", "return 2"),
                           replace=True) == b"mylib"
    assert r.fcall("f1", 0) == 2


def test_fcall_unknown_function(r):
    assert _err(r.fcall, "nosuch", 0) == "Function not found"


def test_function_list_with_code_and_pattern(r):
    r.function_load(LIB)
    r.function_load(LIB3)
    libs = r.function_list(withcode=True)
    by_name = {lib[1]: lib for lib in libs}
    assert set(by_name) == {b"mylib", b"lib3"}
    lib3 = by_name[b"lib3"]
    assert lib3[:4] == [b"library_name", b"lib3", b"engine", b"LUA"]
    assert lib3[5] == [[b"name", b"f3", b"description", b"desc", b"flags", [b"no-writes"]]]
    assert lib3[6:] == [b"library_code", LIB3.encode()]
    assert [x[1] for x in r.function_list(library="my*")] == [b"mylib"]


def test_function_delete_and_flush(r):
    r.function_load(LIB)
    assert _err(r.function_delete, "nolib") == "Library not found"
    assert r.function_delete("mylib") is True
    assert _err(r.fcall, "f1", 0) == "Function not found"
    r.function_load(LIB)
    assert r.function_flush() is True
    assert r.function_list() == []


def test_function_stats(r):
    r.function_load(LIB)
    assert r.function_stats() == [b"running_script", None, b"engines",
                                  [b"LUA", [b"libraries_count", 1, b"functions_count", 1]]]


def test_dump_and_restore_round_trip(r):
    r.function_load(LIB)
    payload = r.function_dump()
    r.function_flush()
    assert r.function_restore(payload) is True
    assert r.fcall("f1", 1, "x", "y") == [b"x", b"y"]
    assert _err(r.function_restore, payload) == "Library mylib already exists"
    assert r.function_restore(payload, "REPLACE") is True
    assert _err(r.function_restore, b"garbage") == "DUMP payload version or checksum are wrong"


def test_dump_payload_from_one_server_restores_on_the_other(server):
    import conftest
    other_kind = "redis" if server.kind == "keyscope" else "keyscope"
    other = conftest.get_server(other_kind).client()
    mine = server.client()
    try:
        other.function_flush()
        other.function_load(LIB3)
        payload = other.function_dump()
        mine.function_flush()
        assert mine.function_restore(payload) is True
        mine.set("a", "z")
        assert mine.fcall("f3", 0) == b"z"
    finally:
        other.function_flush()
        other.close()
        mine.close()


def test_runtime_error_names_the_function(r):
    r.function_load("#!lua name=e\nredis.register_function('boom', function() error('x') end)")
    assert _err(r.fcall, "boom", 0) == "user_function:2: x script: boom, on @user_function:2."


def test_function_kill_when_idle(r):
    assert _err(r.function_kill) == "NOTBUSY No scripts in execution right now."
