"""Lua scripting (EVAL family, SCRIPT) as Redis 7.0 runs it."""
import contextlib
import threading
import time

import pytest
import redis


def test_eval_returns_keys_and_argv(r):
    assert r.eval("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", 1, "k", "a") == [b"k", b"a", 1, 1]


def test_redis_call_reads_and_writes(r):
    assert r.eval("redis.call('set', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])",
                  1, "x", "v") == b"v"
    assert r.get("x") == b"v"


@pytest.mark.parametrize("script,expected", [
    ("return 3.99", 3),
    ("return -3.99", -3),
    ("return 'str'", b"str"),
    ("return true", 1),
    ("return false", None),
    ("return nil", None),
    ("return {1, 2, {3, 'x'}, nil, 5}", [1, 2, [3, b"x"]]),
    ("return {1, true, false, 'x'}", [1, 1, None, b"x"]),
    ("return redis.status_reply('FINE')", b"FINE"),
    ("return cjson.encode({1, 2, {a = 1}})", b'[1,2,{"a":1}]'),
    ("return cjson.encode({})", b"{}"),
    ("return cjson.decode('[1,2,null,{\"a\":[]}]')[3] == cjson.null", 1),
    ("return cjson.encode(cjson.decode('{\"a\":[1,2,3],\"b\":{\"c\":\"d\"}}'))",
     b'{"a":[1,2,3],"b":{"c":"d"}}'),
    ("return cjson.encode({[1]=1,[3]=3})", b"[1,null,3]"),
    ("return cjson.encode('\"\\n\\1/')", b'"\\"\\n\\u0001\\/"'),
    ("return {bit.tohex(255), bit.tohex(-1, 4), bit.bnot(0), bit.lshift(1, 31), "
     "bit.tobit(2^32+5), bit.arshift(-16, 2), bit.rshift(-16,2), bit.rol(1, 33), bit.bswap(1)}",
     [b"000000ff", b"ffff", -1, -2147483648, 5, -4, 1073741820, 2, 16777216]),
    ("return struct.pack('>I2', 5)", b"\x00\x05"),
    ("return {struct.unpack('>I2', '\\0\\5')}", [5, 3]),
    ("return cmsgpack.pack({1, 2, 'abc'})", b"\x93\x01\x02\xa3abc"),
    ("return cmsgpack.unpack(cmsgpack.pack({a = 5}))['a']", 5),
    ("return redis.sha1hex('')", b"da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("return type(loadstring)", b"function"),
    ("return string.format('%d', 2^31)", b"2147483648"),
    ("return redis.call('get', 3.5)", None),
])
def test_lua_to_resp_conversions(r, script, expected):
    assert r.eval(script, 0) == expected


def test_redis_reply_to_lua_conversions(r):
    r.set("n", "10")
    r.rpush("l", "a", "b")
    assert r.eval("return redis.call('incr', 'n')", 0) == 11
    assert r.eval("return redis.call('get', 'missing') == false", 0) == 1
    assert r.eval("return redis.call('set', 'a', 'b')['ok']", 0) == b"OK"
    assert r.eval("return redis.pcall('incr', 'l')['err']", 0) == \
        b"WRONGTYPE Operation against a key holding the wrong kind of value"


def _err(r, script, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.eval(script, *args)
    return str(e.value)


def test_errors_name_the_script_and_line(r):
    sha = "03c387736bb5cc009ff35151572cee04677aa374"
    assert _err(r, "return x", 0) == (
        "user_script:1: Script attempted to access nonexistent global variable 'x' "
        f"script: {sha}, on @user_script:1.")
    assert _err(r, "x = 5", 0).startswith("user_script:1: Attempt to modify a readonly table")
    assert _err(r, "return redis.call('nosuch')", 0).startswith(
        "Unknown Redis command called from script script: ")
    assert _err(r, "return redis.call('get', {})", 0).startswith(
        "Lua redis lib command arguments must be strings or integers script: ")
    assert _err(r, "return +", 0) == ("Error compiling script (new function): user_script:1: "
                                      "unexpected symbol near '+'")
    assert _err(r, "error('boom')", 0).startswith("user_script:1: boom script: ")
    assert _err(r, "return redis.call()", 0).startswith(
        "Please specify at least one argument for this redis lib call script: ")
    assert _err(r, "return redis.call('get', 'a', 'b')", 0).startswith(
        "Wrong number of args calling Redis command from script script: ")
    assert _err(r, "return redis.call('subscribe', 'x')", 0).startswith(
        "This Redis command is not allowed from script script: ")
    assert _err(r, "return redis.setresp(4)", 0).startswith("RESP version must be 2 or 3.")


def test_error_raised_by_redis_call_carries_the_command_error(r):
    r.set("s", "abc")
    msg = _err(r, "return redis.call('incr','s')", 0)
    assert msg.startswith("value is not an integer or out of range script: ")
    assert msg.endswith(", on @user_script:1.")


def test_returned_error_tables_become_error_replies(r):
    assert _err(r, "return {err='my err'}", 0) == "my err"
    assert _err(r, "return redis.error_reply('E2 boom')", 0) == "E2 boom"
    assert _err(r, "error({err='MY x'})", 0).startswith("MY x script: ")


def test_numkeys_errors(r):
    assert _err(r, "return 1", 2, "a") == "Number of keys can't be greater than number of args"
    assert _err(r, "return 1", -1) == "Number of keys can't be negative"
    assert _err(r, "return 1", "x") == "value is not an integer or out of range"


def test_sandbox_hides_os_io_and_globals(r):
    for name in ("os", "io", "print", "require", "dofile", "loadfile", "setfenv"):
        assert "nonexistent global variable" in _err(r, f"return type({name})", 0)
    # Redis errors on `debug` too; keyscope answers nil (lupa needs the lookup): no access
    with pytest.raises(redis.ResponseError):
        r.eval("return debug.getinfo(1)", 0)


def test_read_only_scripts_refuse_writes(r):
    assert _err(r, "#!lua flags=no-writes\nreturn redis.call('set','a','b')", 0).startswith(
        "Write commands are not allowed from read-only scripts. script: ")
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("EVAL_RO", "return redis.call('set','a','b')", 0)
    assert str(e.value).startswith("Write commands are not allowed from read-only scripts.")
    assert r.execute_command("EVAL_RO", "return redis.call('get','a')", 0) is None


def test_shebang_keeps_line_numbers_and_validates_flags(r):
    assert _err(r, "#!lua\nerror('x')", 0).startswith("user_script:2: x script: ")
    assert _err(r, "#!lua flags=bogus\nreturn 1", 0) == "Unexpected flag in script shebang: bogus"


def test_script_load_exists_evalsha_flush(r):
    sha = r.script_load("return 'loaded'")
    assert sha == "4e0e4b46c4a5b8ab0a9a1d0e1ab1d3e1c0e2c6b5" or len(sha) == 40
    assert r.evalsha(sha, 0) == b"loaded"
    assert r.evalsha(sha.upper(), 0) == b"loaded"
    assert r.script_exists(sha, "0" * 40) == [True, False]
    assert r.script_flush() is True
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha(sha, 0)


def test_script_kill_when_idle(r):
    with pytest.raises(redis.ResponseError) as e:
        r.script_kill()
    assert str(e.value) == "NOTBUSY No scripts in execution right now."


def test_select_inside_a_script_does_not_change_the_caller_db(r):
    assert r.eval("redis.call('select', 1); redis.call('set', 'in1', 'x'); return 1", 0) == 1
    assert r.get("in1") is None
    r.select(1)
    assert r.get("in1") == b"x"


def test_resp3_inside_scripts(r):
    r.hset("h", "f", "v")
    assert r.eval("redis.setresp(3); return redis.call('hgetall', 'h')", 0) == [b"f", b"v"]
    assert r.eval("redis.setresp(3); return redis.call('hgetall', 'h')['map']['f']", 0) == b"v"


def test_sliding_window_rate_limiter(r):
    script = """
    local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
    if redis.call('ZCARD', key) < limit then
      redis.call('ZADD', key, now, ARGV[4])
      redis.call('PEXPIRE', key, window)
      return 1
    end
    return 0
    """
    results = [r.eval(script, 1, "rl", 1000 + i, 100, 3, f"req{i}") for i in range(5)]
    assert results == [1, 1, 1, 0, 0]
    assert r.eval(script, 1, "rl", 1200, 100, 3, "late") == 1


@contextlib.contextmanager
def _busy_script(server, r):
    """An endless read-only script running in a thread (busy after 100 ms); yields the
    caller's outcome box, filled once the script is killed."""
    r.config_set("busy-reply-threshold", 100)
    caller = server.client()
    box = {}

    def run():
        try:
            caller.eval("local i = 0 while true do i = i + 1 end", 0)
        except redis.ResponseError as e:
            box["err"] = str(e)
    t = threading.Thread(target=run)
    try:
        yield caller, t, box
    finally:
        if t.is_alive():                # a failed test must not leave the server busy
            with contextlib.suppress(redis.RedisError):
                server.client().script_kill()
        t.join(10)
        caller.close()
        r.config_set("busy-reply-threshold", 5000)


def _start_busy(t):
    t.start()
    time.sleep(0.4)


def test_busy_script_makes_others_wait_with_busy_and_script_kill_stops_it(server, r):
    """Others get BUSY after busy-reply-threshold, SCRIPT KILL ends the script and the
    caller gets the kill error."""
    with _busy_script(server, r) as (caller, t, box):
        other = server.client()
        other.ping()            # connected before the script starts
        _start_busy(t)
        with pytest.raises(redis.RedisError) as e:
            other.get("x")
        assert "Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN " \
               "NOSAVE." in str(e.value)
        assert other.script_kill() is True
        t.join(10)
        assert box["err"].startswith("Script killed by user with SCRIPT KILL...")
        assert other.ping() is True
        other.close()


def test_a_connection_opened_during_a_busy_script_gets_busy_and_can_script_kill(server, r):
    """redis-cli from a fresh terminal while a script hangs: the connection is accepted,
    answered BUSY, SCRIPT KILL works from it, and it is an ordinary client afterwards."""
    with _busy_script(server, r) as (caller, t, box):
        _start_busy(t)
        late = redis.Redis(port=server.port, socket_timeout=5)
        with pytest.raises(redis.RedisError) as e:
            late.get("x")
        assert "Redis is busy running a script. You can only call SCRIPT KILL" in str(e.value)
        assert late.script_kill() is True
        t.join(10)
        assert box["err"].startswith("Script killed by user with SCRIPT KILL...")
        assert late.ping() is True
        assert late.client_setname("late") is True
        assert b"name=late" in caller.execute_command("CLIENT", "LIST")
        late.close()


# ------------------------------------------------------------------ SCRIPT DEBUG
def test_script_debug_accepts_yes_sync_and_no(r):
    assert r.execute_command("SCRIPT", "DEBUG", "no") == b"OK"
    assert r.execute_command("SCRIPT", "DEBUG", "SYNC") == b"OK"
    assert r.execute_command("SCRIPT", "DEBUG", "No") == b"OK"
    assert r.eval("return 1", 0) == 1           # debugging off again: EVAL runs


def test_script_debug_rejects_other_modes_and_arities(r):
    with pytest.raises(redis.ResponseError, match="^Use SCRIPT DEBUG YES/SYNC/NO$"):
        r.execute_command("SCRIPT", "DEBUG", "maybe")
    for args in [(), ("yes", "no")]:
        with pytest.raises(redis.ResponseError,
                           match=r"^wrong number of arguments for 'script\|debug' command$"):
            r.execute_command("SCRIPT", "DEBUG", *args)


def test_script_debug_inside_multi_is_refused_at_exec(r):
    p = r.pipeline(transaction=True)
    p.execute_command("SCRIPT", "DEBUG", "yes")
    out = p.execute(raise_on_error=False)
    assert str(out[0]) == "SCRIPT DEBUG must be called outside a pipeline"


def test_evalsha_while_debugging_asks_for_eval(r):
    sha = r.script_load("return 1")
    r.execute_command("SCRIPT", "DEBUG", "yes")
    try:
        with pytest.raises(redis.ResponseError,
                           match="^Please use EVAL instead of EVALSHA for debugging$"):
            r.evalsha(sha, 0)
        with pytest.raises(redis.ResponseError, match="^No matching script"):
            r.evalsha("abc", 0)               # a sha of the wrong length: NOSCRIPT first
    finally:
        r.execute_command("SCRIPT", "DEBUG", "no")
    assert r.evalsha(sha, 0) == 1


def test_evalsha_with_a_short_sha_is_noscript_before_numkeys_is_read(r):
    with pytest.raises(redis.ResponseError, match="^No matching script. Please use EVAL.$"):
        r.execute_command("EVALSHA", "abc", "notanumber")


@pytest.mark.ours_only("there is no Lua debugger: EVAL replies as Redis does when it cannot "
                       "start a debugging session, then debugging is off")
def test_eval_after_script_debug_yes_replies_that_debugging_cannot_start(r):
    r.execute_command("SCRIPT", "DEBUG", "yes")
    with pytest.raises(redis.ResponseError,
                       match="^Fork\\(\\) failed: can't run EVAL in debugging mode: "):
        r.eval("return 1", 0)
    assert r.eval("return 1", 0) == 1
