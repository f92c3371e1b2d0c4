"""LOLWUT: the version line, and the art of earlier versions (random, so only its frame,
size and captions are compared)."""
import pytest
import redis

_V5 = b"Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"
_V6 = (b"Dedicated to the 8 bit game developers of past and present.\n"
       b"Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15\n")


def test_lolwut_replies_the_version_line(r):
    assert r.execute_command("LOLWUT") == b"Redis ver. 7.0.15\n"
    assert r.execute_command("LOLWUT", "VERSION") == b"Redis ver. 7.0.15\n"
    assert r.execute_command("LOLWUT", "whatever", "args") == b"Redis ver. 7.0.15\n"
    assert r.execute_command("LOLWUT", "version", "7", "x") == b"Redis ver. 7.0.15\n"
    assert r.execute_command("LOLWUT", "VERSION", "-1") == b"Redis ver. 7.0.15\n"


def test_lolwut_is_a_verbatim_string_in_resp3(raw):
    c = raw()
    c.request(b"HELLO 3\r\n", b"proto")
    c.recv(400, timeout=0.2)
    assert c.request(b"LOLWUT\r\n", b"\n\r\n") == b"=22\r\ntxt:Redis ver. 7.0.15\n\r\n"


def test_lolwut_version_must_be_an_integer(r):
    for args in [("VERSION", "x"), ("VERSION", "5", "x"), ("VERSION", "6", "1", "1.5")]:
        with pytest.raises(redis.ResponseError,
                           match="^value is not an integer or out of range$"):
            r.execute_command("LOLWUT", *args)


def test_lolwut_version_5_draws_schotter_in_braille(r):
    # one square on one row is not displaced: the drawing is the same on every run
    assert r.execute_command("LOLWUT", "VERSION", "5", "1", "1", "1") == \
        "\u280b\n\n".encode() + _V5
    assert r.execute_command("LOLWUT", "VERSION", "5", "3", "1", "1") == \
        "\u2800\u2864\u2844\n\u2800\u2809\u2801\n\n".encode() + _V5
    art = r.execute_command("LOLWUT", "VERSION", "5").decode()
    assert art.endswith(_V5.decode())
    rows = art[:-len(_V5)].split("\n")
    assert len(rows) == 49 + 2 and {len(x) for x in rows[:-2]} == {66}  # 66 columns, 196 px
    assert all(0x2800 <= ord(ch) <= 0x28FF for x in rows for ch in x)


def test_lolwut_version_6_draws_a_skyline_in_four_grays(r):
    art = r.execute_command("LOLWUT", "VERSION", "6", "12", "3")
    assert art.endswith(_V6)
    rows = art[:-len(_V6)].split(b"\n")
    assert rows[-1] == b""
    rows = rows[:-1]
    assert len(rows) == 3
    for row in rows:
        cells = row.split(b"\x1b[0m")
        assert cells[-1] == b"" and len(cells) == 13
        assert all(c in (b"\x1b[0;30;40m ", b"\x1b[0;90;100m ", b"\x1b[0;37;47m ",
                         b"\x1b[0;97;107m ") for c in cells[:-1])
    assert r.execute_command("LOLWUT", "VERSION", "6", "0", "-5").count(b"\x1b[0m") == 1
