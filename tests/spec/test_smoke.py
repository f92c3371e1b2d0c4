"""The first sentences: the server answers PING, stores a string, names unknown commands."""
import pytest
import redis


def test_ping_replies_pong(r, raw):
    assert r.ping() is True
    assert raw().request(b"PING hello\r\n", b"$5\r\nhello\r\n") == b"$5\r\nhello\r\n"


def test_set_then_get_returns_the_value(r):
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.get("missing") is None


def test_unknown_command_error_names_it_and_its_args(r):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("NOSUCH", "a", "b")
    assert str(e.value) == "unknown command 'NOSUCH', with args beginning with: 'a' 'b' "


def test_wrong_arity_error(r):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("GET")
    assert str(e.value) == "wrong number of arguments for 'get' command"
