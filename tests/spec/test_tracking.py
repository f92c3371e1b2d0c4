"""Client-side caching: CLIENT TRACKING invalidation messages as Redis 7.0 sends them."""
import pytest
import redis


def _hello3(c):
    c.send(b"HELLO 3\r\n")
    c.recv(150, timeout=0.3)     # the HELLO map; its exact size varies by server


def test_resp3_client_is_told_when_a_key_it_read_changes(r, raw):
    c = raw()
    _hello3(c)
    assert c.request(b"CLIENT TRACKING ON\r\n", b"+OK\r\n") == b"+OK\r\n"
    assert c.request(b"GET k\r\n", b"_\r\n") == b"_\r\n"
    r.set("k", "v")
    msg = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
    assert c.recv(len(msg)) == msg


def test_a_key_is_invalidated_once_until_read_again(r, raw):
    c = raw()
    _hello3(c)
    c.request(b"CLIENT TRACKING ON\r\n", b"+OK\r\n")
    c.request(b"GET k\r\n", b"_\r\n")
    r.set("k", "1")
    r.set("k", "2")
    msg = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
    assert c.recv(len(msg) * 2, timeout=0.5) == msg


def test_resp2_invalidation_goes_to_the_redirect_subscriber(r, raw):
    sub2 = r.connection_pool.get_connection()
    sub2.send_command("CLIENT", "ID")
    sub_id = sub2.read_response()
    sub2.send_command("SUBSCRIBE", "__redis__:invalidate")
    assert sub2.read_response()[0] == b"subscribe"
    reader = raw()
    assert reader.request(b"CLIENT TRACKING ON REDIRECT %d\r\n" % sub_id, b"+OK\r\n") == b"+OK\r\n"
    reader.request(b"GET rk\r\n", b"$-1\r\n")
    r.set("rk", "v")
    assert sub2.read_response() == [b"message", b"__redis__:invalidate", [b"rk"]]
    r.connection_pool.release(sub2)
    sub2.disconnect()


def test_bcast_notifies_keys_under_the_prefix_without_reading(r, raw):
    c = raw()
    _hello3(c)
    assert c.request(b"CLIENT TRACKING ON BCAST PREFIX user:\r\n", b"+OK\r\n") == b"+OK\r\n"
    r.set("other", "x")
    r.set("user:1", "x")
    msg = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nuser:1\r\n"
    assert c.recv(len(msg)) == msg


def test_noloop_skips_own_writes(raw):
    c = raw()
    _hello3(c)
    c.request(b"CLIENT TRACKING ON NOLOOP\r\n", b"+OK\r\n")
    c.request(b"GET n\r\n", b"_\r\n")
    assert c.request(b"SET n 1\r\n", b"+OK\r\n") == b"+OK\r\n"
    assert c.recv(1, timeout=0.3) == b""


def test_flushall_invalidates_everything_with_a_null(r, raw):
    c = raw()
    _hello3(c)
    c.request(b"CLIENT TRACKING ON\r\n", b"+OK\r\n")
    r.flushall()
    msg = b">2\r\n$10\r\ninvalidate\r\n_\r\n"
    assert c.recv(len(msg)) == msg


@pytest.mark.parametrize("args,error", [
    ("on prefix a", "PREFIX option requires BCAST mode to be enabled"),
    ("on bcast optin", "OPTIN and OPTOUT are not compatible with BCAST"),
    ("on optin optout", "You can't specify both OPTIN mode and OPTOUT mode"),
    ("on redirect 999999", "The client ID you want redirect to does not exist"),
    ("on bcast prefix a prefix ab",
     "Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client "
     "must not overlap."),
    ("foo", "syntax error"),
    ("on redirect x", "value is not an integer or out of range"),
])
def test_tracking_option_errors(r, args, error):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CLIENT", "TRACKING", *args.split())
    assert str(e.value) == error


def test_caching_requires_optin_or_optout(r):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("CLIENT", "CACHING", "yes")
    assert str(e.value) == ("CLIENT CACHING can be called only when the client is in "
                            "tracking mode with OPTIN or OPTOUT mode enabled")


def test_optin_tracks_only_after_caching_yes(r, raw):
    c = raw()
    _hello3(c)
    c.request(b"CLIENT TRACKING ON OPTIN\r\n", b"+OK\r\n")
    c.request(b"GET a\r\n", b"_\r\n")
    c.request(b"CLIENT CACHING YES\r\n", b"+OK\r\n")
    c.request(b"GET b\r\n", b"_\r\n")
    r.set("a", "1")
    r.set("b", "1")
    msg = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nb\r\n"
    assert c.recv(len(msg) + 10, timeout=0.5) == msg


def test_getredir_and_trackinginfo(r):
    assert r.execute_command("CLIENT", "GETREDIR") == -1
    assert r.execute_command("CLIENT", "TRACKINGINFO") == [b"flags", [b"off"], b"redirect",
                                                           -1, b"prefixes", []]
    r.execute_command("CLIENT", "TRACKING", "on", "bcast", "prefix", "p:", "noloop")
    assert r.execute_command("CLIENT", "TRACKINGINFO") == [
        b"flags", [b"on", b"bcast", b"noloop"], b"redirect", 0, b"prefixes", [b"p:"]]
    r.execute_command("CLIENT", "TRACKING", "off")


def test_trackinginfo_flags_are_a_set_in_resp3(raw):
    c = raw()
    _hello3(c)
    expect = b"%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n"
    assert c.request(b"CLIENT TRACKINGINFO\r\n", expect) .startswith(expect)
